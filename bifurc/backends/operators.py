"""Curvature of a :class:`~bifurc.backends.problem.Problem` as scipy LinearOperators.

The Hessian H = ∇²L, its Gauss-Newton part G = Σ_b J_bᵀ ∇²_f ℓ J_b (J_b the Jacobian of a
batch's outputs, ∇²_f ℓ the loss's Hessian in the outputs) and the rest R = H - G (the
Σ ∂ℓ/∂f ∇²f terms), the preconditioned Hessian P^(-1/2) H P^(-1/2) (its eigenvalues are
those of P⁻¹H), and the NTK Gram operator K = J Jᵀ/N on R^(N·C) (N samples, C outputs
each; its nonzero eigenvalues are those of (1/N) Σ_i ∇f(x_i)ᵀ∇f(x_i), the kernel of
:func:`bifurc.nets.track`). Each product costs one pass over the data and O(parameters +
one batch's activations) memory; no matrix is formed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .problem import Problem

__all__ = ["hessian_operator", "gauss_newton_operator", "rest_operator", "preconditioned_operator",
           "ntk_operator"]


def _operator(product: Callable[[np.ndarray], np.ndarray], dim: int) -> LinearOperator:
    return LinearOperator((dim, dim), matvec=lambda v: product(np.asarray(v, dtype=np.float64).reshape(-1)),
                          dtype=np.float64)


def hessian_operator(problem: Problem) -> LinearOperator:
    """H = ∇²L(θ), by Hessian-vector products.

    Examples
    --------
    Any back-end's problem will do; here L(θ) = ½θᵀAθ, whose Hessian is A:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.operators import hessian_operator
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> H = hessian_operator(SimpleNamespace(size=2, hessian_vector=lambda v: A @ v))
    >>> H @ np.eye(2)
    array([[2., 1.],
           [1., 3.]])
    """
    return _operator(problem.hessian_vector, problem.size)


def gauss_newton_operator(problem: Problem) -> LinearOperator:
    """G = Σ Jᵀ ∇²_f ℓ J, the Gauss-Newton part of H (positive semi-definite for a convex ℓ).

    Examples
    --------
    For f = Jθ and ℓ = p²/2 on one point, G = JᵀJ:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.operators import gauss_newton_operator
    >>> J = np.array([[1.0, 2.0]])
    >>> G = gauss_newton_operator(SimpleNamespace(size=2, gauss_newton_vector=lambda v: J.T @ (J @ v)))
    >>> G @ np.eye(2)
    array([[1., 2.],
           [2., 4.]])
    """
    return _operator(problem.gauss_newton_vector, problem.size)


def rest_operator(problem: Problem) -> LinearOperator:
    """R = H - G, the part of H from the curvature of the model (Σ ∂ℓ/∂f ∇²f).

    Examples
    --------
    For f = uv, L = ½(uv - y)²: H = [[v², 2uv - y], [2uv - y, u²]] and G = ∇f∇fᵀ, so
    R = (uv - y)[[0, 1], [1, 0]]:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.operators import rest_operator
    >>> u, v, y = 1.0, 2.0, 0.0
    >>> H = np.array([[v**2, 2*u*v - y], [2*u*v - y, u**2]])
    >>> g = np.array([v, u])
    >>> problem = SimpleNamespace(size=2, hessian_vector=lambda w: H @ w,
    ...                           gauss_newton_vector=lambda w: g * (g @ w))
    >>> rest_operator(problem) @ np.eye(2)
    array([[0., 2.],
           [2., 0.]])
    """
    return _operator(lambda v: problem.hessian_vector(v) - problem.gauss_newton_vector(v), problem.size)


def preconditioned_operator(problem: Problem, diagonal: np.ndarray) -> LinearOperator:
    """P^(-1/2) H P^(-1/2) for a positive diagonal P (given as its diagonal, length P).

    Examples
    --------
    P^(-1/2) H P^(-1/2) has the eigenvalues of P⁻¹H:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.operators import preconditioned_operator
    >>> H, P = np.array([[4.0, 4.0], [4.0, 1.0]]), np.array([1.0, 4.0])
    >>> M = preconditioned_operator(SimpleNamespace(size=2, hessian_vector=lambda v: H @ v), P) @ np.eye(2)
    >>> bool(np.allclose(np.linalg.eigvalsh(M), np.sort(np.linalg.eigvals(H / P[:, None]).real)))
    True
    """
    scale = 1 / np.sqrt(np.asarray(diagonal, dtype=np.float64))
    return _operator(lambda v: scale * problem.hessian_vector(scale * v), problem.size)


def ntk_operator(problem: Problem) -> LinearOperator:
    """K = J Jᵀ/N on R^(N·C): u ↦ J(Jᵀu)/N, the samples in batch order, C outputs each.

    Examples
    --------
    K = J Jᵀ/N on N = 2 samples with one output each:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.operators import ntk_operator
    >>> J = np.array([[1.0, 0.0], [1.0, 1.0]])  # ∇f(x_1), ∇f(x_2) as rows
    >>> problem = SimpleNamespace(samples=2, outputs=1, ntk_vector=lambda u: J @ (J.T @ u) / 2)
    >>> ntk_operator(problem) @ np.eye(2)
    array([[0.5, 0.5],
           [0.5, 1. ]])
    """
    return _operator(problem.ntk_vector, problem.samples * problem.outputs)
