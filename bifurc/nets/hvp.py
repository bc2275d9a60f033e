"""Exact Jacobian-vector, Hessian-vector and Gauss-Newton-vector products for any network,
by forward-over-reverse: the hand-derived reverse pass run on dual numbers.

∇L(θ) = Jᵀc with c_i = ℓ'(p_i)/N is computed by code built from sums, (matrix) products,
reshapes, linear maps and elementwise functions (:mod:`~bifurc.nets.layers`). Running that
same code on θ + εv (:class:`~bifurc.nets.dual.Dual`, ε² = 0) gives ∇L(θ) + ε ∇²L(θ)v
exactly: the tangent of the forward pass is Jv (so c's tangent is ℓ''(p_i) (Jv)_i / N),
and the tangent of the reverse pass collects the Σ_i ℓ'(p_i)∇²f(x_i)v terms through
σ'' (Pearlmutter's R-operator, applied mechanically). The Gauss-Newton part
G = Jᵀ diag(ℓ''(p_i)/N) J keeps only the ℓ'' term: Gv = Jᵀ(ℓ'' Jv / N).

Why dual numbers rather than an R-operator rule per layer: each block then needs only its
forward and reverse pass, written once; the second-order pass cannot disagree with the
first-order one, and a new block (a convolution, a residual connection) gets its HVP for
free. The price is that every bilinear product costs three products instead of one, so an
HVP costs about three gradient evaluations (an explicit R-pass about two); memory stays
O(parameters + N·activations).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .dual import Dual
from .network import pullback, run, sensitivities
from .objective import Evaluation

__all__ = ["jacobian_vector_product", "hessian_vector_product", "gauss_newton_vector_product",
           "hessian_operator", "gauss_newton_operator"]


def _checked(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    if v.size != ev.theta.size:
        raise ValueError(f"v must have {ev.theta.size} entries, got {v.size}")
    return v


def jacobian_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """Jv = (∇f(x_i) · v)_i, shape (N,)."""
    net = ev.objective.net
    return run(net, Dual(ev.theta, _checked(ev, v)), ev.objective.data.X).output.tangent


def hessian_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """∇²L(θ) v, exactly (to rounding), for the θ of ``ev``."""
    obj = ev.objective
    net, n = obj.net, ev.residual.size
    theta = Dual(ev.theta, _checked(ev, v))
    trace = run(net, theta, obj.data.X)
    curvature = obj.numeric.curvature(ev.residual)
    weights = Dual(obj.numeric.slope(ev.residual) / n, curvature * trace.output.tangent / n)
    return pullback(net, theta, trace, sensitivities(net, theta, trace), weights).tangent


def gauss_newton_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """Gv with G = (1/N) Σ ℓ''(p_i) ∇f(x_i) ∇f(x_i)ᵀ, the Gauss-Newton part of ∇²L."""
    Jv = jacobian_vector_product(ev, v)
    weights = ev.objective.numeric.curvature(ev.residual) * Jv / ev.residual.size
    return pullback(ev.objective.net, ev.theta, ev.trace, ev.sensitivities, weights)


def hessian_operator(ev: Evaluation) -> LinearOperator:
    """∇²L(θ) as a symmetric :class:`~scipy.sparse.linalg.LinearOperator` (for Lanczos)."""
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: hessian_vector_product(ev, v), dtype=np.float64)


def gauss_newton_operator(ev: Evaluation) -> LinearOperator:
    """The Gauss-Newton part G as a symmetric positive semi-definite LinearOperator (ℓ convex)."""
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: gauss_newton_vector_product(ev, v), dtype=np.float64)
