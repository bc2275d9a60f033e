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
    """Jv = (∇f(x_i) · v)_i, shape (N,).

    Examples
    --------
    f = uvx at (u, v) = (1, 2), x = 1: ∇f = (v, u) = (2, 1), so J(1, 0) = 2:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.jacobian_vector_product(ev, [1.0, 0.0])
    array([2.])
    """
    net = ev.objective.net
    return run(net, Dual(ev.theta, _checked(ev, v)), ev.objective.data.X).output.tangent


def hessian_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """∇²L(θ) v, exactly (to rounding), for the θ of ``ev``.

    Examples
    --------
    L = ½(uv - y)² has ∇²L = [[v², 2uv - y], [2uv - y, u²]], [[4, 4], [4, 1]] at (1, 2), y = 0:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.hessian_vector_product(ev, [1.0, 0.0])
    array([4., 4.])
    """
    obj = ev.objective
    net, n = obj.net, ev.residual.size
    theta = Dual(ev.theta, _checked(ev, v))
    trace = run(net, theta, obj.data.X)
    curvature = obj.numeric.curvature(ev.residual)
    weights = Dual(obj.numeric.slope(ev.residual) / n, curvature * trace.output.tangent / n)
    return pullback(net, theta, trace, sensitivities(net, theta, trace), weights).tangent


def gauss_newton_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """Gv with G = (1/N) Σ ℓ''(p_i) ∇f(x_i) ∇f(x_i)ᵀ, the Gauss-Newton part of ∇²L.

    Examples
    --------
    For f = uvx, G = ∇f∇fᵀ = [[v², uv], [uv, u²]], [[4, 2], [2, 1]] at (1, 2):

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.gauss_newton_vector_product(ev, [1.0, 0.0])
    array([4., 2.])
    """
    Jv = jacobian_vector_product(ev, v)
    weights = ev.objective.numeric.curvature(ev.residual) * Jv / ev.residual.size
    return pullback(ev.objective.net, ev.theta, ev.trace, ev.sensitivities, weights)


def hessian_operator(ev: Evaluation) -> LinearOperator:
    """∇²L(θ) as a symmetric :class:`~scipy.sparse.linalg.LinearOperator` (for Lanczos).

    Examples
    --------
    The dense Hessian of ½(uv)² at (1, 2), [[v², 2uv], [2uv, u²]]:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.hessian_operator(ev) @ np.eye(2)
    array([[4., 4.],
           [4., 1.]])
    """
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: hessian_vector_product(ev, v), dtype=np.float64)


def gauss_newton_operator(ev: Evaluation) -> LinearOperator:
    """The Gauss-Newton part G as a symmetric positive semi-definite LinearOperator (ℓ convex).

    Examples
    --------
    G = ∇f∇fᵀ of f = uv at (1, 2), whose eigenvalues are 0 and ‖∇f‖² = 5:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> G = nets.gauss_newton_operator(ev) @ np.eye(2)
    >>> G, bool(np.allclose(np.linalg.eigvalsh(G), [0.0, 5.0], rtol=0, atol=1e-12))
    (array([[4., 2.],
           [2., 1.]]), True)
    """
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: gauss_newton_vector_product(ev, v), dtype=np.float64)
