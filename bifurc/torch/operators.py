"""Curvature of a :class:`~bifurc.torch.problem.Problem` as scipy LinearOperators (float64 numpy in and out).

The Hessian H = ∇²L, its Gauss-Newton part G = Σ_b J_bᵀ ∇²_f ℓ J_b (J_b the Jacobian of the
batch's outputs, ∇²_f ℓ the loss's Hessian in the outputs) and the rest R = H - G (the
Σ ∂ℓ/∂f ∇²f terms), the preconditioned Hessian P^(-1/2) H P^(-1/2) (its eigenvalues are
those of P⁻¹H), and the NTK Gram operator K = J Jᵀ/N on R^(N·C) (N samples, C outputs
each; its nonzero eigenvalues are those of (1/N) Σ_i ∇f(x_i)ᵀ∇f(x_i), the kernel of
:func:`bifurc.nets.track`). Each product costs one pass over the data and O(parameters +
one batch's activations) memory; no matrix is formed.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
from scipy.sparse.linalg import LinearOperator
from torch.func import grad, jvp, vjp

from .problem import Problem

__all__ = ["hessian_operator", "gauss_newton_operator", "rest_operator", "preconditioned_operator",
           "ntk_operator", "output_dimension"]


def _operator(problem: Problem, product: callable, dim: int | None = None) -> LinearOperator:
    dim = problem.size if dim is None else dim

    def matvec(v: np.ndarray) -> np.ndarray:
        t = torch.as_tensor(np.asarray(v, dtype=np.float64).reshape(-1), device=problem.theta.device)
        return product(t.to(problem.dtype)).detach().cpu().to(torch.float64).numpy()

    return LinearOperator((dim, dim), matvec=matvec, dtype=np.float64)


def _gauss_newton_vector(problem: Problem, v: torch.Tensor) -> torch.Tensor:
    total = torch.zeros_like(problem.theta)
    for x, y in problem.data():
        share = problem.weighted_loss(x.shape[0])
        model = partial(problem.output, x=x)
        out, pull = vjp(model, problem.theta)
        _, Jv = jvp(model, (problem.theta,), (v,))
        _, curvature = jvp(grad(partial(share, y=y)), (out,), (Jv,))
        total = total + pull(curvature)[0]
    return total


def hessian_operator(problem: Problem) -> LinearOperator:
    """H = ∇²L(θ), by forward-over-reverse Hessian-vector products."""
    return _operator(problem, problem.hessian_vector)


def gauss_newton_operator(problem: Problem) -> LinearOperator:
    """G = Σ Jᵀ ∇²_f ℓ J, the Gauss-Newton part of H (positive semi-definite for a convex ℓ)."""
    return _operator(problem, lambda v: _gauss_newton_vector(problem, v))


def rest_operator(problem: Problem) -> LinearOperator:
    """R = H - G, the part of H from the curvature of the model (Σ ∂ℓ/∂f ∇²f)."""
    return _operator(problem, lambda v: problem.hessian_vector(v) - _gauss_newton_vector(problem, v))


def preconditioned_operator(problem: Problem, diagonal: torch.Tensor) -> LinearOperator:
    """P^(-1/2) H P^(-1/2) for a positive diagonal P (given as its diagonal, length P)."""
    scale = diagonal.to(device=problem.theta.device, dtype=problem.dtype).rsqrt()
    return _operator(problem, lambda v: scale * problem.hessian_vector(scale * v))


def output_dimension(problem: Problem) -> int:
    """C, the number of outputs per sample (from the first batch)."""
    x, _ = next(problem.data())
    with torch.no_grad():
        return problem.output(problem.theta, x[:1]).numel()


def ntk_operator(problem: Problem) -> LinearOperator:
    """K = J Jᵀ/N on R^(N·C): u ↦ J(Jᵀu)/N, the samples in batch order, C outputs each."""
    outputs = output_dimension(problem)

    def product(u: torch.Tensor) -> torch.Tensor:
        start, pulled = 0, torch.zeros_like(problem.theta)
        for x, _ in problem.data():  # Jᵀu
            out, pull = vjp(partial(problem.output, x=x), problem.theta)
            stop = start + out.numel()
            pulled = pulled + pull(u[start:stop].reshape(out.shape))[0]
            start = stop
        pieces = []
        for x, _ in problem.data():  # J(Jᵀu), a second pass: the inputs are never held together
            pieces.append(jvp(partial(problem.output, x=x), (problem.theta,), (pulled,))[1].reshape(-1))
        return torch.cat(pieces) / problem.samples

    return _operator(problem, product, problem.samples * outputs)
