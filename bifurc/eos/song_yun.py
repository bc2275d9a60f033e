"""Song & Yun's models: the two-layer linear network, the canonical map, the single neuron.

The two-layer linear network f = vᵀUx (U ∈ R^{m×d}, v ∈ R^m, ‖x‖ = 1) is derived for a
symbolic width by :func:`~bifurc.eos.reduce`: GD is taken with matrix calculus and written in
the inner products A = ‖Ux‖², B = ‖v‖², C = vᵀUx (see :mod:`bifurc.eos.invariants`); its
canonical coordinates (p, q) = (C - y, 2/(η(A + B))) close: B drops out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import sympy as sp

from ..definition.formulas import parse_formula
from ..definition.iterated_map import Map
from ..losses import Loss
from .cache import derived
from .invariants import tangent_kernel
from .model import ReducedModel, real_symbols
from .reduction import SLOPE, derive_updates, ntk, reduce, residual
from .symbolic import period_two

__all__ = ["two_layer_linear", "two_layer_invariant_map", "canonical_map", "single_neuron", "ACTIVATIONS",
           "canonical_coordinates"]

p, q, eta, y = real_symbols("p q eta y")


@derived
def two_layer_invariant_map() -> tuple[tuple[tuple[str, sp.Basic], ...], sp.Expr, sp.Expr]:
    """GD on f = vᵀUx for any width, reduced to (p, q) by :func:`~bifurc.eos.reduce`; ℓ'(p) is ``g``.

    Returns
    -------
    derivation : tuple of (str, sympy object)
        The steps: GD in parameter space, the coordinates in the inner products, their updates.
    p_next, q_next : sympy.Expr
        The exact update of (p, q) in terms of p, q, η, y and g = ℓ'(p).

    Raises
    ------
    NotClosed
        If the reduced update does not close in (p, q) (it does; this is the proof).
    """
    m, d = sp.symbols("m d", integer=True, positive=True)
    U, v, x = sp.MatrixSymbol("U", m, d), sp.MatrixSymbol("v", m, 1), sp.MatrixSymbol("x", d, 1)
    f = v.T * U * x
    kernel = tangent_kernel(f, [U, v], {U: 1, v: 1})
    reduction = derive_updates(f, [U, v], {"p": sp.Trace(f) - y, "q": 2 / (eta * kernel)}, loss=None,
                               constants=[x], constraints={x.T * x: 1})
    p_next = sp.expand(reduction.updates["p"])
    q_next = sp.factor(sp.cancel(reduction.updates["q"]))
    derivation = (
        ("network output f = v^T U x, width m and input dimension d symbolic (x^T x = 1)", f),
        *reduction.derivation[1:3],
        ("canonical coordinates p = C - y, q = 2/(eta lambda): the update closes", sp.Tuple(p_next, q_next)),
    )
    return derivation, p_next, q_next


@derived
def two_layer_linear(loss: Loss) -> ReducedModel:
    """The exact (p, q) map of a two-layer linear network on one data point.

    Parameters
    ----------
    loss
        The loss ℓ of the residual.

    Returns
    -------
    ReducedModel
        State (p, q), parameters ``eta`` (step size, default 0.1) and ``y`` (target, default
        1). Song & Yun's toy log cosh(uw) is the case y = 0 with width 1.

    Examples
    --------
    With log-cosh, ℓ'(p) = tanh p and r(p) = tanh(p)/p; the update is the closed form
    p' = p(1 - 2r(p)/q) + η²ℓ'(p)²(p + y), q' = q/(1 + η²ℓ'(p)² - 2η²qℓ'(p)(p + y)):

    >>> import sympy as sp
    >>> from bifurc import losses
    >>> from bifurc.eos import two_layer_linear
    >>> model = two_layer_linear(losses.logcosh)
    >>> (p, q), (eta, y) = model.map.state_symbols, model.map.param_symbols
    >>> g = sp.tanh(p)
    >>> p_next, q_next = model.map.updates
    >>> sp.simplify(p_next - (p - 2*g/q + eta**2*g**2*(p + y))) == 0
    True
    >>> sp.simplify(q_next - q/(1 + eta**2*g**2 - 2*eta**2*q*g*(p + y))) == 0
    True
    """
    derivation, p_next, q_next = two_layer_invariant_map()
    slope = loss.derivative.xreplace({sp.Symbol("p", real=True): p})
    updates = {"p": p_next.xreplace({SLOPE: slope}), "q": q_next.xreplace({SLOPE: slope})}
    m = Map.from_expressions(updates, {"eta": 0.1, "y": 1.0}, name=f"two_layer_linear[{loss.name}]")
    return ReducedModel(m.name, m, (*derivation, ("with the loss: g = l'(p)", sp.Eq(SLOPE, slope))),
                        positive=("q", "eta"))


@derived
def canonical_map(loss: Loss) -> ReducedModel:
    """Song & Yun's reduced 1D map f_q(p) = p(1 - 2 r(p)/q), derived as η → 0 of the (p, q) map.

    Parameters
    ----------
    loss
        The loss ℓ.

    Returns
    -------
    ReducedModel
        State p, parameter q (default 0.8). Its ``results`` hold ``"f_q via r"``, the same
        map written with r(p) (identical to the update, checked on construction).

    Raises
    ------
    ValueError
        If the η → 0 limit of the two-layer map does not freeze q or differs from p(1 - 2r/q).

    Examples
    --------
    For log-cosh f_q(p) = p - 2 tanh(p)/q; the fixed point p = 0 has multiplier 1 - 2/q, so it
    loses stability at q = 1:

    >>> import sympy as sp
    >>> from bifurc import losses
    >>> from bifurc.eos import canonical_map
    >>> model = canonical_map(losses.logcosh)
    >>> (p,), (q,) = model.map.state_symbols, model.map.param_symbols
    >>> sp.simplify(model.map.updates[0] - (p - 2*sp.tanh(p)/q)) == 0
    True
    >>> sp.simplify(sp.limit(sp.diff(model.map.updates[0], p), p, 0) - (1 - 2/q)) == 0
    True
    """
    two_layer = two_layer_linear(loss)
    p_lim, q_lim = (sp.limit(u, eta, 0) for u in two_layer.map.updates)
    if sp.simplify(q_lim - q) != 0:
        raise ValueError(f"q is not frozen as eta -> 0: q' -> {q_lim}")
    via_r = p * (1 - 2 * loss.r.xreplace({sp.Symbol("p", real=True): p}) / q)
    if sp.simplify(p_lim - via_r) != 0:
        raise ValueError(f"the eta -> 0 limit {p_lim} is not p(1 - 2r(p)/q)")
    m = Map.from_expressions({"p": p_lim}, {"q": 0.8}, name=f"canonical[{loss.name}]")
    derivation = (("eta -> 0 limit of the two-layer (p, q) map", sp.Tuple(p_lim, q_lim)),
                  ("the same map through r(p) = l'(p)/p", sp.Eq(sp.Symbol("f_q(p)"), via_r)))
    model = ReducedModel(m.name, m, derivation, {"f_q via r": via_r}, positive=("q",))
    if loss.is_squared:
        return model
    orbit = period_two(model)
    (curve,) = sp.solve(orbit.condition, q)  # the period-2 points: q = r(p)
    multiplier = sp.factor(sp.simplify(orbit.multiplier.subs(q, curve)))
    slope = sp.simplify(sp.diff(p_lim, p).subs(q, curve))  # f_q'(p) = f_q'(-p) on the orbit
    results = {"f_q via r": via_r, "period-2 curve q(p)": curve,
               "period-2 multiplier on the curve": multiplier, "period-2 slope on the curve": slope}
    return replace(model, results=results,
                   derivation=(*derivation, ("period-2 orbit {p, -p}: f_q(p) = -p", sp.Eq(q, curve)),
                               ("slope f_q'(p) on q = r(p); stable while |slope| < 1", slope),
                               ("multiplier f_q'(p)^2 on q = r(p)", multiplier)))


def _elu(z: sp.Symbol) -> sp.Expr:
    return sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True))


#: Activations by name, as functions of a sympy symbol.
ACTIVATIONS = {"tanh": sp.tanh, "elu": _elu, "linear": lambda z: z}


@derived
def single_neuron(loss: Loss, activation: str = "tanh") -> ReducedModel:
    """Song & Yun's single-neuron network f = v σ(u x), GD as a 2D map in (u, v).

    Parameters
    ----------
    loss
        The loss ℓ.
    activation
        ``"tanh"``, ``"elu"``, ``"linear"``, or a formula in ``z`` (e.g. ``"z/(1 + abs(z))"``).

    Returns
    -------
    ReducedModel
        State (u, v), parameters ``eta`` (0.1), ``x`` (input, 1) and ``y`` (target, 0);
        ``results["p"]`` and ``results["q"]`` are the canonical coordinates along the map,
        p = vσ(ux) - y and q = 2/(η‖∇f‖²).

    Raises
    ------
    ValueError
        If the activation is neither a known name nor a valid formula in ``z``.

    Examples
    --------
    With the linear activation f = uvx and GD is u' = u - ηℓ'(p)vx, v' = v - ηℓ'(p)ux:

    >>> import sympy as sp
    >>> from bifurc import losses
    >>> from bifurc.eos import single_neuron
    >>> model = single_neuron(losses.logcosh, "linear")
    >>> (u, v), (eta, x, y) = model.map.state_symbols, model.map.param_symbols
    >>> slope = sp.tanh(u*v*x - y)
    >>> [sp.simplify(a - b) == 0 for a, b in zip(model.map.updates, (u - eta*slope*v*x, v - eta*slope*u*x))]
    [True, True]
    >>> sp.simplify(model.results["q"] - 2/(eta*x**2*(u**2 + v**2))) == 0
    True
    """
    u, v, x = real_symbols("u v x")
    z = sp.Symbol("z", real=True)
    sigma = ACTIVATIONS[activation](z) if activation in ACTIVATIONS else parse_formula(activation, {"z": z})
    f = v * sigma.subs(z, u * x)
    model = reduce(f, "u, v", {"u": u, "v": v}, loss=loss, constants="x", defaults={"x": 1.0, "y": 0.0},
                   name=f"single_neuron[{loss.name}, {activation}]")
    kernel = ntk(f, "u, v", constants="x")
    derivation = (("output f = v sigma(u x)", f), *model.derivation[1:2],
                  ("tangent kernel ||grad f||^2", kernel))
    results = {"p": residual(f, "u, v", "x"), "q": 2 / (eta * kernel)}
    return ReducedModel(model.name, model.map, derivation, results, positive=("eta",))


def canonical_coordinates(
    model: ReducedModel, states: object, params: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Song & Yun's (p, q) along states of a model that defines them (e.g. :func:`single_neuron`).

    Parameters
    ----------
    model
        A model whose ``results`` hold the expressions ``"p"`` and ``"q"``.
    states
        Array of shape (n, dim), e.g. an orbit from :func:`bifurc.orbit`.
    params
        Overrides of the model's default parameters.

    Returns
    -------
    p, q : numpy.ndarray
        Shape (n,) each, evaluated from the derived expressions.

    Raises
    ------
    ValueError
        If the model does not define (p, q), or ``states`` has the wrong shape.

    Examples
    --------
    For f = uvx at (u, v) = (1, 2), x = 1, y = 0, η = 0.1: p = 2 and q = 2/(0.1·(1 + 4)) = 4:

    >>> import numpy as np
    >>> from bifurc import losses
    >>> from bifurc.eos import canonical_coordinates, single_neuron
    >>> p, q = canonical_coordinates(single_neuron(losses.logcosh, "linear"), [[1.0, 2.0]])
    >>> np.round(p, 12), np.round(q, 12)
    (array([2.]), array([4.]))
    """
    if "p" not in model.results or "q" not in model.results:
        raise ValueError(f"model {model.name!r} does not define canonical coordinates")
    X = np.asarray(states, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != model.map.dim:
        raise ValueError(f"states must have shape (n, {model.map.dim}), got {X.shape}")
    values = model.map.parameter_vector(params)
    symbols = (*model.map.state_symbols, *model.map.param_symbols)
    f = sp.lambdify(symbols, [model.results["p"], model.results["q"]], modules="numpy")
    p_values, q_values = f(*X.T, *values[: len(model.map.param_symbols)])
    return np.broadcast_to(p_values, X.shape[:1]).copy(), np.broadcast_to(q_values, X.shape[:1]).copy()
