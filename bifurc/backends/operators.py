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
    """H = ∇²L(θ), by Hessian-vector products."""
    return _operator(problem.hessian_vector, problem.size)


def gauss_newton_operator(problem: Problem) -> LinearOperator:
    """G = Σ Jᵀ ∇²_f ℓ J, the Gauss-Newton part of H (positive semi-definite for a convex ℓ)."""
    return _operator(problem.gauss_newton_vector, problem.size)


def rest_operator(problem: Problem) -> LinearOperator:
    """R = H - G, the part of H from the curvature of the model (Σ ∂ℓ/∂f ∇²f)."""
    return _operator(lambda v: problem.hessian_vector(v) - problem.gauss_newton_vector(v), problem.size)


def preconditioned_operator(problem: Problem, diagonal: np.ndarray) -> LinearOperator:
    """P^(-1/2) H P^(-1/2) for a positive diagonal P (given as its diagonal, length P)."""
    scale = 1 / np.sqrt(np.asarray(diagonal, dtype=np.float64))
    return _operator(lambda v: scale * problem.hessian_vector(scale * v), problem.size)


def ntk_operator(problem: Problem) -> LinearOperator:
    """K = J Jᵀ/N on R^(N·C): u ↦ J(Jᵀu)/N, the samples in batch order, C outputs each."""
    return _operator(problem.ntk_vector, problem.samples * problem.outputs)
