"""The alignment curve of the two-layer map when the target y is not 0.

For y = 0 the (p, q) map is odd in p and the alignment curve q = r(p)(1 + η² h(p)) has an
even h (:mod:`bifurc.eos.alignment`). For y ≠ 0 the map has no symmetry: one GD step
takes a point near the curve at p to one near -p, and the correction H(p) differs from
H(-p). Invariance of the curve under one step, written at p and at -p, gives two linear
equations for the pair (H(p), H(-p)); their solution is the correction for any y, and
at y = 0 it reduces to h.
"""

from __future__ import annotations

import sympy as sp

from ..losses import Loss
from .cache import derived
from .model import real_symbols
from .song_yun import SLOPE, two_layer_invariant_map

__all__ = ["generic_H", "alignment_correction"]

p, q, eta, y = real_symbols("p q eta y")
_R0, _R1 = sp.symbols("R0 R1", real=True)  # r and r' at the point p (r even, r' odd)
_H_here, _H_there = sp.symbols("H_here H_there", real=True)
_eps = sp.Symbol("epsilon", positive=True)  # eps = eta^2


def _invariance(sign: int) -> sp.Expr:
    """Order-η² condition for the curve at the point x = sign·p (an expression = 0).

    At x: r(x) = R0, r'(x) = sign·R1, ℓ'(x) = x r(x). The step lands at x' = -x + η² δ,
    where the curve's height is r(x') (1 + η² H(-x)) with r(x') = R0 - η² δ sign R1.
    """
    _, p_next, q_next = two_layer_invariant_map()
    x = sign * p
    on_curve = {SLOPE: x * _R0, q: _R0 * (1 + _eps * _H_here), p: x}
    landed = sp.expand(p_next.xreplace(on_curve).xreplace({eta: sp.sqrt(_eps)}))
    if sp.simplify(landed.subs(_eps, 0) + x) != 0:
        raise ValueError("to order eta^0 the step does not map x to -x on q = r(p)")
    delta = sp.diff(landed, _eps).subs(_eps, 0)
    height = _R0 - _eps * delta * sign * _R1 + _eps * _R0 * _H_there
    q_step = sp.series(q_next.xreplace(on_curve).xreplace({eta: sp.sqrt(_eps)}), _eps, 0, 2).removeO()
    residual = sp.expand(height - q_step)
    if sp.simplify(residual.coeff(_eps, 0)) != 0:
        raise ValueError("the curve q = r(p) is not invariant to order eta^0")
    return residual.coeff(_eps, 1)


@derived
def generic_H() -> tuple[tuple[tuple[str, sp.Basic], ...], sp.Expr]:
    """H(p) for an unspecified r and any target y, in terms of R0 = r(p), R1 = r'(p).

    Returns
    -------
    derivation : tuple of (str, sympy object)
        The two invariance conditions and their solution.
    H : sympy.Expr
        H(p), with q/r(p) = 1 + η² H(p) + O(η⁴) along the trajectory.
    """
    Hp, Hm = sp.symbols("H_p H_m", real=True)
    at_p = _invariance(+1).xreplace({_H_here: Hp, _H_there: Hm})
    at_minus_p = _invariance(-1).xreplace({_H_here: Hm, _H_there: Hp})
    solution = sp.solve([at_p, at_minus_p], [Hp, Hm], dict=True)
    if len(solution) != 1:
        raise ValueError(f"the invariance conditions do not determine H: {solution}")
    H = sp.simplify(solution[0][Hp])
    derivation = (
        ("invariance of q = r(p)(1 + eta^2 H) at p, order eta^2", sp.Eq(at_p, 0)),
        ("the same at -p (H(p) and H(-p) swap roles)", sp.Eq(at_minus_p, 0)),
        ("solved: H(p) in terms of R0 = r(p), R1 = r'(p)", sp.Eq(sp.Symbol("H(p)"), H)),
    )
    return derivation, H


@derived
def alignment_correction(loss: Loss) -> sp.Expr:
    """H(p; y) for a loss: q/r(p) = 1 + η² H(p) + O(η⁴) on the two-layer map with target y.

    Raises
    ------
    ValueError
        For the squared loss (r' ≡ 0: there is no alignment curve).

    Examples
    --------
    At y = 0 the correction is Song & Yun's h(p), whose limit at p = 0 is -1/(2r''(0)) = 3/4 for log-cosh:

    >>> import sympy as sp
    >>> from bifurc import losses
    >>> from bifurc.eos import alignment_correction
    >>> p, y = sp.symbols("p y", real=True)
    >>> sp.limit(alignment_correction(losses.logcosh).subs(y, 0), p, 0)
    3/4
    """
    if loss.is_squared:
        raise ValueError(f"loss {loss.name!r}: r' is identically 0, so H(p) is undefined")
    _, H = generic_H()
    r = loss.r.xreplace({sp.Symbol("p", real=True): p})
    return sp.simplify(H.xreplace({_R0: r, _R1: sp.diff(r, p)}))
