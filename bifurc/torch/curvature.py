"""The edge-of-stability quantities of a PyTorch model: sharpness, λmax(NTK), (p, q), the
Gauss-Newton split, the preconditioned sharpness and the gradient of the sharpness.

Every eigenvalue comes from :func:`bifurc.nets.sharpness.top_eigenpairs` (Lanczos) on the
operators of :mod:`bifurc.torch.operators`; the functions take the model, the loss and the
data (see :func:`bifurc.torch.problem.problem` for them and for ``reduction``, ``dtype``
and ``device``) and pass ``v0`` (e.g. the previous step's eigenvectors) as a warm start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.sparse.linalg import LinearOperator
from torch.func import grad, jvp

from bifurc.analysis.arguments import positive_float
from bifurc.errors import InputError
from bifurc.nets.sharpness import Eigenpairs, top_eigenpairs

from .operators import (
    gauss_newton_operator,
    hessian_operator,
    ntk_operator,
    preconditioned_operator,
    rest_operator,
)
from .problem import Problem, problem

__all__ = ["hessian_eigenpairs", "sharpness", "ntk_eigenpairs", "ntk_top", "canonical", "GaussNewtonSplit",
           "gauss_newton_split", "adam_preconditioner", "preconditioned_sharpness", "SharpnessGradient",
           "sharpness_gradient", "eigenpairs"]


def eigenpairs(operator: LinearOperator, k: int = 1, v0: object = None, tol: float = 0.0) -> Eigenpairs:
    """Top-k eigenpairs by Lanczos; ``v0`` a vector or the previous step's eigenvectors (columns).

    An operator of dimension at most k + 1 (an NTK on one or two points) is too small for
    Lanczos: it is formed from its columns (dim products) and diagonalised.
    """
    dim = operator.shape[0]
    if not 1 <= k <= dim:
        raise InputError(f"k must be between 1 and {dim} (the dimension), got {k}")
    if dim <= k + 1:
        values, vectors = np.linalg.eigh(operator.matmat(np.eye(dim)))
        return Eigenpairs(values[::-1][:k], vectors[:, ::-1][:, :k], dim)
    if v0 is not None:  # the previous eigenvectors' sum lies in their span, with weight on each
        v0 = np.asarray(v0, dtype=np.float64)
        v0 = v0.sum(axis=1) if v0.ndim == 2 else v0
        if v0.size != dim:
            raise InputError(f"v0 must have {dim} entries, got {v0.size}")
    return top_eigenpairs(operator, k, v0, tol)


def _values(pairs: Eigenpairs, k: int) -> float | np.ndarray:
    return float(pairs.values[0]) if k == 1 else pairs.values


def hessian_eigenpairs(model: torch.nn.Module, loss: object, data: object, k: int = 1, *, v0: object = None,
                       tol: float = 0.0, **options: object) -> Eigenpairs:
    """The top-k eigenpairs of ∇²L (vectors in the order of the model's trainable parameters)."""
    return eigenpairs(hessian_operator(problem(model, loss, data, **options)), k, v0, tol)


def sharpness(model: torch.nn.Module, loss: object, data: object, k: int = 1, *, v0: object = None,
              tol: float = 0.0, **options: object) -> float | np.ndarray:
    """λmax(∇²L), or the top-k eigenvalues (descending) for k > 1.

    Parameters
    ----------
    model, loss, data
        See :func:`bifurc.torch.problem.problem`; ``options`` are its keywords
        (``reduction``, ``dtype``, ``device``).
    k
        How many eigenvalues.
    v0
        A warm start: a vector, or earlier eigenvectors as columns.
    tol
        Relative accuracy; 0 is machine precision.

    Returns
    -------
    float or ndarray
        The sharpness for k = 1, else the k largest eigenvalues.
    """
    return _values(hessian_eigenpairs(model, loss, data, k, v0=v0, tol=tol, **options), k)


def ntk_eigenpairs(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
                   **options: object) -> Eigenpairs:
    """The top-k eigenpairs of the NTK Gram operator J Jᵀ/N (vectors of length N·C)."""
    return eigenpairs(ntk_operator(problem(model, "mse", data, **options)), k, v0, tol)


def ntk_top(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
            **options: object) -> float | np.ndarray:
    """λmax of the NTK J Jᵀ/N (for one point and one output, ‖∇f(x)‖²), or its top-k eigenvalues.

    The targets of ``data`` are not used. ``options``: see :func:`sharpness`.
    """
    return _values(ntk_eigenpairs(model, data, k, v0=v0, tol=tol, **options), k)


def canonical(model: torch.nn.Module, loss: object, data: object, eta: float, *, tol: float = 0.0,
              **options: object) -> tuple[float, float]:
    """Song & Yun's canonical coordinates (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK)).

    Raises
    ------
    InputError
        If the model has more than one output, the targets are not numbers, or eta is not
        positive.
    """
    eta = positive_float(eta, "eta")
    prob = problem(model, loss, data, **options)
    p = prob.mean_residual()
    return p, 2 / (eta * float(eigenpairs(ntk_operator(prob), 1, None, tol).values[0]))


@dataclass(frozen=True)
class GaussNewtonSplit:
    """The sharpness split along its eigenvector u into the Gauss-Newton part and the rest.

    Attributes
    ----------
    sharpness : float
        λmax(H) = uᵀHu.
    gauss_newton, rest : float
        uᵀGu and uᵀRu (they add up to the sharpness).
    share : float
        uᵀGu / λmax(H), the share of the sharpness that the Gauss-Newton part carries.
    gauss_newton_max : float
        λmax(G).
    """

    sharpness: float
    gauss_newton: float
    rest: float
    share: float
    gauss_newton_max: float


def gauss_newton_split(model: torch.nn.Module, loss: object, data: object, *, tol: float = 0.0,
                       **options: object) -> GaussNewtonSplit:
    """H = G + R measured along the top eigenvector of H, and λmax(G). ``options``: see :func:`sharpness`."""
    prob = problem(model, loss, data, **options)
    top = eigenpairs(hessian_operator(prob), 1, None, tol)
    u = top.vectors[:, 0]
    along_g = float(u @ gauss_newton_operator(prob).matvec(u))
    along_r = float(u @ rest_operator(prob).matvec(u))
    s = float(top.values[0])
    g_max = float(eigenpairs(gauss_newton_operator(prob), 1, None, tol).values[0])
    return GaussNewtonSplit(s, along_g, along_r, along_g / s, g_max)


def adam_preconditioner(optimizer: torch.optim.Optimizer, model: torch.nn.Module) -> torch.Tensor:
    """P = (1 - β₁ᵗ) diag(√v̂ + ε) of Adam or AdamW (Cohen et al., 2022), in θ's order.

    The update is θ ← θ - lr P⁻¹ m_t with m_t the (uncorrected) first moment, so that GD on
    the quadratic model is stable while λmax(P⁻¹H) < (2 + 2β₁)/((1 - β₁) lr).

    Raises
    ------
    InputError
        If the optimizer is not Adam/AdamW or has not yet taken a step on a parameter.
    """
    if not isinstance(optimizer, (torch.optim.Adam, torch.optim.AdamW)):
        raise InputError(f"optimizer must be torch.optim.Adam or AdamW, got {type(optimizer).__name__}")
    groups = {id(p): g for g in optimizer.param_groups for p in g["params"]}
    pieces = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        state = optimizer.state.get(p, {})
        if id(p) not in groups or "exp_avg_sq" not in state:
            raise InputError(f"optimizer has no state for parameter {name!r}: call it after a step")
        group = groups[id(p)]
        beta1, beta2 = group["betas"]
        t = float(state["step"])
        v_hat = state["exp_avg_sq"].detach().to(torch.float64) / (1 - beta2**t)
        pieces.append(((1 - beta1**t) * (v_hat.sqrt() + group["eps"])).reshape(-1))
    return torch.cat(pieces)


def preconditioned_sharpness(model: torch.nn.Module, loss: object, data: object, preconditioner: object, *,
                             tol: float = 0.0, **options: object) -> float:
    """λmax(P⁻¹H) for a diagonal preconditioner P.

    Parameters
    ----------
    preconditioner
        A torch Adam/AdamW optimizer of ``model`` (P from its state, see
        :func:`adam_preconditioner`) or P's positive diagonal (length P, in θ's order).
    """
    prob = problem(model, loss, data, **options)
    if isinstance(preconditioner, torch.optim.Optimizer):
        diagonal = adam_preconditioner(preconditioner, model)
    else:
        diagonal = torch.as_tensor(np.asarray(preconditioner, dtype=np.float64)).reshape(-1)
    if diagonal.numel() != prob.size or not bool(torch.all(diagonal > 0)):
        raise InputError(f"preconditioner must be {prob.size} positive numbers (P's diagonal) or an Adam "
                         "optimizer")
    return float(eigenpairs(preconditioned_operator(prob, diagonal), 1, None, tol).values[0])


@dataclass(frozen=True)
class SharpnessGradient:
    """∇S = ∇³L[u, u] at θ, with u the top eigenvector of ∇²L (valid where λmax is simple).

    Attributes
    ----------
    sharpness : float
        S = λmax(∇²L).
    vector : ndarray
        u, unit length.
    gradient : ndarray
        ∇S, in the order of the model's trainable parameters.
    """

    sharpness: float
    vector: np.ndarray
    gradient: np.ndarray


def third_derivative(prob: Problem, u: torch.Tensor) -> torch.Tensor:
    """∇_θ (uᵀ ∇²L(θ) u) with u held fixed, by reverse over forward over reverse."""
    total = torch.zeros_like(prob.theta)
    for x, y in prob.data():
        objective = prob.batch_objective(x, y)
        total = total + grad(lambda t, f=objective: torch.dot(jvp(grad(f), (t,), (u,))[1], u))(prob.theta)
    return total


def sharpness_gradient(model: torch.nn.Module, loss: object, data: object, *, v0: object = None,
                       tol: float = 0.0, **options: object) -> SharpnessGradient:
    """∇S = ∇³L[u, u], the gradient of the sharpness (Damian et al.'s self-stabilization term).

    −η ∇S·∇L is the change of S that a GD step of size η makes to first order.
    ``options``: see :func:`sharpness`.
    """
    prob = problem(model, loss, data, **options)
    top = eigenpairs(hessian_operator(prob), 1, v0, tol)
    u = torch.as_tensor(top.vectors[:, 0], device=prob.theta.device).to(prob.dtype)
    gradient = third_derivative(prob, u).detach().cpu().to(torch.float64).numpy()
    return SharpnessGradient(float(top.values[0]), top.vectors[:, 0], gradient)
