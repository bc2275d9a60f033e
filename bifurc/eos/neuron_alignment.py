"""The alignment curve of the single neuron f = vσ(ux) to first order in η, derived.

In the EoS regime the kernel v²σ'(u)² + σ(u)² is ~2/η, so v ~ η^(-1/2) and u ~ η^(1/2) (the
output p = vσ(u) is O(1)). Writing s = √η, u = sU, v = V/s, one GD step of the model
(:func:`bifurc.eos.single_neuron`, x = 1, y = 0) moves V by O(s⁴) only, while W = VU follows
the canonical map f_q at leading order. For an odd activation (σ(0) = σ''(0) = 0,
σ'(0) = 1) everything is a series in s² = η. The period-2 orbit {p, -p} at fixed V,
Q0 = 2/V² = Q00(W) + η Q01(W), then gives, at a fixed p,

    q / r(p) = 1 + c(p) η + O(η²),

unlike the two-layer linear net's 1 + O(η²): σ''' ≠ 0 bends both p = vσ(u) and the kernel at
first order in η.
"""

from __future__ import annotations

import sympy as sp

from ..losses import Loss
from .cache import derived
from .model import real_symbols
from .song_yun import single_neuron

__all__ = ["neuron_first_order"]

_s = sp.Symbol("s", positive=True)  # s = sqrt(eta)
_W, _Q0 = sp.symbols("W Q0", positive=True)  # W = v u (leading p), Q0 = 2/V^2 (leading q)


#: The order in s kept in every expansion (the coefficient of s^2 = eta is the result).
_KEEP = 3


def _expanded(expr: sp.Expr) -> sp.Expr:
    """``expr`` as a polynomial in s to order s^_KEEP.

    A function whose argument a(s) has a finite limit a0 (e.g. ℓ'(v σ(u)) with v σ(u) -> W)
    is replaced by its Taylor polynomial in a(s) - a0, innermost first: sympy's own series
    cannot expand such compositions (the argument is a quotient by s).
    """
    z = sp.Dummy("z")

    def taylor(f: sp.Function) -> sp.Expr:
        (argument,) = f.args
        series = sp.series(argument, _s, 0, _KEEP + 1).removeO()
        a0 = series.subs(_s, 0)
        outer = f.func(z)
        return sum(sp.diff(outer, z, k).subs(z, a0) * (series - a0) ** k / sp.factorial(k)
                   for k in range(_KEEP + 1))

    done = expr.replace(lambda e: isinstance(e, sp.Function) and len(e.args) == 1 and _s in e.free_symbols,
                        taylor)
    return sp.series(done, _s, 0, _KEEP + 1).removeO()


def _order(expr: sp.Expr, k: int) -> sp.Expr:
    """The coefficient of s^k in the expansion of ``expr`` at s = 0."""
    return sp.simplify(sp.expand(_expanded(expr)).coeff(_s, k))


@derived
def neuron_first_order(loss: Loss, activation: str = "tanh") -> sp.Expr:
    """c(p) with q/r(p) = 1 + c(p) η + O(η²) on the single neuron's period-2 orbit, y = 0, x = 1.

    Parameters
    ----------
    loss
        The loss ℓ.
    activation
        An odd activation of :func:`bifurc.eos.single_neuron` with σ'(0) = 1 (e.g. ``"tanh"``).

    Returns
    -------
    sympy.Expr
        c(p), in the real symbol ``p``.

    Raises
    ------
    ValueError
        If the activation is not odd with σ'(0) = 1, or V moves at O(η) in a step (the scaling
        does not hold).

    Examples
    --------
    With the linear activation the neuron is the two-layer linear net of width 1, on whose
    alignment curve q/r(p) = 1 + O(η²) (Song & Yun): c vanishes.

    >>> from bifurc import losses
    >>> from bifurc.eos import neuron_first_order
    >>> neuron_first_order(losses.logcosh, "linear")
    0
    """
    model = single_neuron(loss, activation)
    u, v, eta, x, y = real_symbols("u v eta x y")
    p = sp.Symbol("p", real=True)
    (u_next, v_next), results = model.map.updates, model.results
    V, U = sp.sqrt(2 / _Q0), _W * sp.sqrt(_Q0 / 2)  # W = VU, Q0 = 2/V^2
    scaled = {u: _s * U, v: V / _s, eta: _s**2, x: 1, y: 0}
    p_of = sp.expand(results["p"].xreplace(scaled))  # p as a function of (W, Q0, s)
    q_of = results["q"].xreplace(scaled)
    if _order(p_of, 0) != _W or _order(p_of, 1) != 0:
        raise ValueError(f"activation {activation!r}: p = v sigma(u) is not W + O(eta) "
                         "(sigma odd, sigma'(0) = 1)")
    U1 = u_next.xreplace(scaled) / _s
    V1 = v_next.xreplace(scaled) * _s
    if any(_order(V1 - V, k) != 0 for k in (0, 1, 2)):
        raise ValueError("V moves at O(eta) in one step: the scaling u ~ eta^(1/2), v ~ eta^(-1/2) fails")
    # one step at fixed V (V moves by O(eta^2)): p' = p(U', V); the 2-cycle is p' = -p
    landed = results["p"].xreplace({u: _s * U1, v: V / _s, x: 1, y: 0})
    condition = landed + p_of
    leading, first = _order(condition, 0), _order(condition, 2)
    (q00,) = sp.solve(leading, _Q0)
    q01 = sp.simplify(-first.subs(_Q0, q00) / sp.diff(leading, _Q0).subs(_Q0, q00))
    p1 = _order(p_of, 2).subs(_Q0, q00)  # p = W + eta p1
    q_lead = _order(q_of, 0)
    q1 = sp.simplify((_order(q_of, 2) / q_lead).subs(_Q0, q00))  # q = Q0 (1 + eta q1)
    r = loss.r.xreplace({sp.Symbol("p", real=True): _W})
    if sp.simplify(q_lead.subs(_Q0, q00) - r) != 0:
        raise ValueError("the leading-order orbit is not on q = r(p)")
    # at fixed p = W + eta p1: q/r(p) = (r(W) + eta Q01)(1 + eta q1)/(r(W) + eta p1 r'(W))
    c = sp.simplify(q01 / r + q1 - p1 * sp.diff(r, _W) / r)
    return c.xreplace({_W: p})
