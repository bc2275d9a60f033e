"""Trajectory alignment (Song & Yun, Theorems 4.2/4.3), derived from the two-layer (p, q) map.

The alignment curve is an invariant curve q = Q(p) of the two-layer map. Writing
Q(p) = r(p)(1 + η² h(p) + O(η⁴)) for an unspecified r and asking that one GD step maps the
curve to itself at order η⁰ and η² gives, at order η⁰, that q = r(p) is the curve of the
period-2 points of f_q, and at order η² a linear equation for h(p). That is solved here
for a generic r (an undefined function), then specialised to a loss; h(0) is the limit
p → 0, and q* = Q(0), the limiting sharpness 2/(η q*) follow as series in η.
The derivation uses the symmetric case y = 0 (the map is then odd in p, the two points
of the orbit are ±p), which is Song & Yun's toy model log cosh(uw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..losses import Loss
from .cache import derived
from .model import real_symbols
from .song_yun import SLOPE, two_layer_invariant_map

__all__ = ["Alignment", "alignment", "generic_h"]

p, q, eta, y = real_symbols("p q eta y")
_r = sp.Function("r")
_h = sp.Symbol("h")
_eps = sp.Symbol("epsilon", positive=True)  # eps = eta^2


@derived
def generic_h() -> tuple[tuple[tuple[str, sp.Basic], ...], sp.Expr]:
    """h(p) for an unspecified r, from the invariance of q = r(p)(1 + η² h(p)) under GD.

    Returns
    -------
    derivation : tuple of (str, sympy object)
        The order-η⁰ identity and the order-η² equation solved for h.
    h : sympy.Expr
        h(p) in terms of r(p) and r'(p) (written ``r(p)``, ``Derivative(r(p), p)``).

    Raises
    ------
    ValueError
        If the order-η⁰ term does not vanish (q = r(p) would not be the period-2 curve).
    """
    _, p_next, q_next = two_layer_invariant_map()
    r, dr = _r(p), sp.diff(_r(p), p)
    on_curve = {SLOPE: p * r, q: r * (1 + _eps * _h), y: 0}
    step = {eta: sp.sqrt(_eps)}
    # for p > 0 the step lands at -P with P = p + eps*delta + O(eps^2) > 0; Q is even
    P = -sp.expand(p_next.xreplace(on_curve).xreplace(step))
    order0 = sp.simplify(P.subs(_eps, 0))
    if order0 != p:
        raise ValueError(f"to order eta^0 a point on q = r(p) goes to -{order0}, not -p")
    delta = sp.diff(P, _eps).subs(_eps, 0)
    lhs = r * (1 + _eps * _h) + _eps * delta * dr  # Q(P) to first order in eps
    rhs = sp.series(q_next.xreplace(on_curve).xreplace(step), _eps, 0, 2).removeO()
    residual = sp.expand(lhs - rhs)
    if sp.simplify(residual.coeff(_eps, 0)) != 0:
        raise ValueError("the curve q = r(p) is not invariant to order eta^0")
    equation = sp.Eq(residual.coeff(_eps, 1), 0)
    (h,) = sp.solve(equation, _h)
    h = sp.simplify(h)
    derivation = (
        ("one GD step from (p, r(p)(1 + eta^2 h)) at y = 0 lands at -P, P", sp.Eq(sp.Symbol("P"), P)),
        ("invariance Q(P) = q' at order eta^2", equation),
        ("solved for h", sp.Eq(sp.Symbol("h(p)"), h)),
    )
    return derivation, h


@dataclass(frozen=True)
class Alignment:
    """The alignment curve of a loss and what follows from it.

    Attributes
    ----------
    h : sympy.Expr
        h(p), with q/r(p) = 1 + h(p) η² + O(η⁴) along the trajectory.
    h0 : sympy.Expr
        h(0) = lim_{p→0} h(p), exact.
    q_star : sympy.Expr
        q* as a series in ``eta`` (with its O-term).
    limiting_sharpness : sympy.Expr
        2/(η q*) as a series in ``eta`` (with its O-term).
    orbit_sharpness : sympy.Expr
        λ̃ on the period-2 orbit, as a function of the orbit point p (q = r(p)):
        ℓ''(p) · 2/(η r(p)), the leading-order (Gauss-Newton) sharpness.
    loss : Loss
        The loss.

    Examples
    --------
    For pseudo-Huber r''(0) = -1, so h(0) = -1/(2r''(0)) = 1/2; on the orbit ℓ''/r = 1/(1 + p²) = q², so
    λ̃(q) = 2q²/η (5 at q = 0.5, η = 0.1):

    >>> import numpy as np
    >>> from bifurc import losses
    >>> from bifurc.eos import alignment
    >>> curve = alignment(losses.pseudo_huber)
    >>> curve.h0
    1/2
    >>> np.round(curve.sharpness_on_orbit([0.5], 0.1), 10)
    array([5.])
    """

    h: sp.Expr
    h0: sp.Expr
    q_star: sp.Expr
    limiting_sharpness: sp.Expr
    orbit_sharpness: sp.Expr
    loss: Loss

    def sharpness_on_orbit(self, q_values: object, eta_value: float) -> np.ndarray:
        """λ̃(q): the sharpness along the period-2 orbit {±r̂(q)}, for 0 < q < 1.

        Parameters
        ----------
        q_values
            Array-like of q in (0, 1).
        eta_value
            The step size η > 0.

        Returns
        -------
        numpy.ndarray
            λ̃(q) = ℓ''(r̂(q)) · 2/(η q).
        """
        f = sp.lambdify((p, eta), self.orbit_sharpness, modules="numpy")
        return np.asarray(f(self.loss.r_hat(q_values), float(eta_value)), dtype=np.float64)


@derived
def alignment(loss: Loss) -> Alignment:
    """The alignment curve, q* and the limiting sharpness of a loss, derived.

    Parameters
    ----------
    loss
        The loss (not the squared loss, whose r' vanishes).

    Returns
    -------
    Alignment

    Raises
    ------
    ValueError
        If the loss is the squared loss (h is undefined when r' ≡ 0).

    Examples
    --------
    For log-cosh r''(0) = -2/3: h(0) = 3/4, q* = 1 + 3η²/4 + O(η⁴) and the limiting sharpness is
    2/η - η/|r''(0)| = 2/η - 3η/2 + O(η³):

    >>> from bifurc import losses
    >>> from bifurc.eos import alignment
    >>> curve = alignment(losses.logcosh)
    >>> curve.h0, curve.q_star
    (3/4, 1 + 3*eta**2/4 + O(eta**4))
    >>> curve.limiting_sharpness
    2/eta - 3*eta/2 + O(eta**3)
    """
    if loss.is_squared:
        raise ValueError(f"loss {loss.name!r}: r' is identically 0, so h(p) is undefined")
    _, generic = generic_h()
    r = loss.r.xreplace({sp.Symbol("p", real=True): p})
    h = sp.simplify(generic.subs(sp.Derivative(_r(p), p), sp.diff(r, p)).subs(_r(p), r))
    h0 = sp.limit(h, p, 0)
    # Q(0) = r(0)(1 + eta^2 h(0)) + O(eta^4); 2/(eta q*) is then known up to O(eta^3)
    q_star = r.limit(p, 0) * (1 + eta**2 * h0) + sp.O(eta**4)
    sharp = sp.series(2 / (eta * q_star.removeO()), eta, 0, 3)
    second = loss.second_derivative.xreplace({sp.Symbol("p", real=True): p})
    return Alignment(h, h0, q_star, sharp, sp.simplify(second * 2 / (eta * r)), loss)
