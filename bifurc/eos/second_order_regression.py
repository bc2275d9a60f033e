"""Agarwala, Pedregosa & Pennington's second-order regression model in two parameters, reduced.

The model's output on one data point is quadratic in its parameters, f(θ) = ½θᵀQθ + Jᵀθ, trained
by GD on ½(f - y)². GD commutes with rotations of θ, so a symmetric Q may be taken diagonal,
Q = diag(q1, q2), with J rotated alike. In two parameters GD closes exactly in the residual
z = f - y and the tangent kernel λ = ‖∇f‖² (the sharpness at a minimum): (a, b)² enter the update
only through z and λ, which fix them when q1² ≠ q2². The map is derived by
:func:`bifurc.eos.reduce` (the one derivation path), so it is GD itself, not an approximation.
"""

from __future__ import annotations

import sympy as sp

from .cache import derived
from .model import ReducedModel, real_symbols
from .reduction import ntk, reduce

__all__ = ["second_order_regression"]

z, lam, eta = real_symbols("z lam eta")

#: The output on one data point, with the eigenvalues q1, q2 of Q and J's components j1, j2.
_OUTPUT = "(q1*a**2 + q2*b**2)/2 + j1*a + j2*b"
_CONSTANTS = "q1, q2, j1, j2"


@derived
def second_order_regression() -> ReducedModel:
    """GD on the two-parameter second-order regression model, reduced to (z, λ) exactly.

    Returns
    -------
    ReducedModel
        State (z, lam): the residual f - y and the tangent kernel ‖∇f‖². Parameters ``eta``
        (0.1), ``y`` (1) and ``q1``, ``q2``, ``j1``, ``j2`` (1 each: set them; q1² = q2² is the
        degenerate case where z and λ no longer fix the state, though the map still holds).
        ``results``: ``"output"`` and ``"ntk"`` (in the parameters a, b), ``"coordinates"``,
        ``"multipliers on the minima"`` (at z = 0: 1 - ηλ and 1, so a minimum is stable iff
        ηλ < 2).

    Examples
    --------
    One GD step on (a, b), computed with numpy, moves (z, λ) as the reduced map does; a minimum's
    multipliers are 1 - ηλ and 1:

    >>> import numpy as np
    >>> from bifurc.eos import second_order_regression
    >>> model = second_order_regression()
    >>> q1, q2, j1, j2, y, eta = 1.0, 2.0, 0.5, -1.0, 1.0, 0.1
    >>> def coordinates(a, b):
    ...     grad = np.array([q1*a + j1, q2*b + j2])
    ...     return (q1*a**2 + q2*b**2)/2 + j1*a + j2*b - y, grad @ grad, grad
    >>> z, lam, grad = coordinates(0.3, 0.7)
    >>> after = coordinates(*(np.array([0.3, 0.7]) - eta*z*grad))[:2]
    >>> symbols = (*model.map.state_symbols, *model.map.param_symbols)
    >>> values = dict(zip(symbols, (z, lam, eta, y, q1, q2, j1, j2)))
    >>> bool(np.allclose([float(u.subs(values)) for u in model.map.updates], after, rtol=1e-12))
    True
    >>> model.results["multipliers on the minima"]
    (-eta*lam + 1, 1)
    """
    kernel = ntk(_OUTPUT, "a, b", constants=_CONSTANTS)
    model = reduce(_OUTPUT, "a, b", {"z": f"{_OUTPUT} - y", "lam": kernel}, constants=_CONSTANTS,
                   name="agarwala_second_order_regression")
    z_next, lam_next = model.map.updates
    jacobian = sp.Matrix([z_next, lam_next]).jacobian([z, lam]).subs(z, 0)
    multipliers = sp.Tuple(*sorted((sp.expand(v) for v in jacobian.eigenvals(multiple=True)), key=str))
    results = {**model.results, "output": sp.sympify(_OUTPUT), "ntk": kernel,
               "multipliers on the minima": multipliers}
    return ReducedModel(model.name, model.map, model.derivation, results, positive=("eta",))
