"""The EoS quantities of an ``nn.Module``: the functions of :mod:`bifurc.backends.curvature` on
:func:`~bifurc.torch.problem.problem`, Adam's preconditioner, and the recorder.

Every function takes the model, the loss and the data, and as keywords ``reduction``,
``dtype`` and ``device`` (see :func:`~bifurc.torch.problem.problem`); ``v0`` is a warm
start (a vector, or earlier eigenvectors as columns) and ``tol`` the relative accuracy of
Lanczos (0: machine precision).
"""

from __future__ import annotations

import numpy as np
import torch

from bifurc.backends import curvature
from bifurc.backends.curvature import GaussNewtonSplit, SharpnessGradient, eigenpairs, values
from bifurc.backends.operators import hessian_operator, ntk_operator
from bifurc.backends.recorder import Recorder as _Recorder
from bifurc.errors import InputError
from bifurc.nets.sharpness import Eigenpairs

from .problem import problem

__all__ = ["hessian_eigenpairs", "sharpness", "ntk_eigenpairs", "ntk_top", "canonical", "gauss_newton_split",
           "adam_preconditioner", "preconditioned_sharpness", "sharpness_gradient", "Recorder"]


def hessian_eigenpairs(model: torch.nn.Module, loss: object, data: object, k: int = 1, *, v0: object = None,
                       tol: float = 0.0, **options: object) -> Eigenpairs:
    """The top-k eigenpairs of ∇²L (vectors in the order of the model's trainable parameters)."""
    return eigenpairs(hessian_operator(problem(model, loss, data, **options)), k, v0, tol)


def sharpness(model: torch.nn.Module, loss: object, data: object, k: int = 1, *, v0: object = None,
              tol: float = 0.0, **options: object) -> float | np.ndarray:
    """λmax(∇²L) as a float, or the top-k eigenvalues (descending) for k > 1.

    Parameters
    ----------
    model, loss, data
        See :func:`bifurc.torch.problem.problem`.
    k
        How many eigenvalues.
    v0
        A warm start: a vector, or earlier eigenvectors as columns.
    tol
        Relative accuracy; 0 is machine precision.
    """
    return values(hessian_eigenpairs(model, loss, data, k, v0=v0, tol=tol, **options), k)


def ntk_eigenpairs(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
                   **options: object) -> Eigenpairs:
    """The top-k eigenpairs of the NTK Gram operator J Jᵀ/N (vectors of length N·C)."""
    return eigenpairs(ntk_operator(problem(model, "mse", data, **options)), k, v0, tol)


def ntk_top(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
            **options: object) -> float | np.ndarray:
    """λmax of the NTK J Jᵀ/N (for one point and one output, ‖∇f(x)‖²), or its top-k eigenvalues.

    The targets in ``data`` are not used.
    """
    return values(ntk_eigenpairs(model, data, k, v0=v0, tol=tol, **options), k)


def canonical(model: torch.nn.Module, loss: object, data: object, eta: float, *, tol: float = 0.0,
              **options: object) -> tuple[float, float]:
    """Song & Yun's (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK)); see
    :func:`bifurc.backends.curvature.canonical`."""
    return curvature.canonical(problem(model, loss, data, **options), eta, tol)


def gauss_newton_split(model: torch.nn.Module, loss: object, data: object, *, tol: float = 0.0,
                       **options: object) -> GaussNewtonSplit:
    """H = G + R along the top eigenvector of H, and λmax(G)."""
    return curvature.gauss_newton_split(problem(model, loss, data, **options), tol)


def adam_preconditioner(optimizer: torch.optim.Optimizer, model: torch.nn.Module) -> np.ndarray:
    """P = (1 - β₁ᵗ) diag(√v̂ + ε) of Adam or AdamW (Cohen et al., 2022), in θ's order.

    The update is θ ← θ - lr P⁻¹ m_t with m_t the (uncorrected) first moment, so that on a
    quadratic the iteration is stable while λmax(P⁻¹H) < (2 + 2β₁)/((1 - β₁) lr).

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
        beta1, beta2 = groups[id(p)]["betas"]
        t = float(state["step"])
        v_hat = state["exp_avg_sq"].detach().to(torch.float64).cpu().numpy().reshape(-1) / (1 - beta2**t)
        pieces.append((1 - beta1**t) * (np.sqrt(v_hat) + groups[id(p)]["eps"]))
    return np.concatenate(pieces)


def preconditioned_sharpness(model: torch.nn.Module, loss: object, data: object, preconditioner: object, *,
                             tol: float = 0.0, **options: object) -> float:
    """λmax(P⁻¹H) for a diagonal P: an Adam/AdamW optimizer of ``model`` (P from its state, see
    :func:`adam_preconditioner`) or P's positive diagonal (length P, in θ's order)."""
    if isinstance(preconditioner, torch.optim.Optimizer):
        preconditioner = adam_preconditioner(preconditioner, model)
    return curvature.preconditioned_sharpness(problem(model, loss, data, **options), preconditioner, tol)


def sharpness_gradient(model: torch.nn.Module, loss: object, data: object, *, v0: object = None,
                       tol: float = 0.0, **options: object) -> SharpnessGradient:
    """∇S = ∇³L[u, u] (third-order autodiff), Damian et al.'s self-stabilization term."""
    return curvature.sharpness_gradient(problem(model, loss, data, **options), v0, tol)


class Recorder(_Recorder):
    """Measure a model from the user's training loop; call :meth:`step` after each update.

    >>> rec = Recorder(model, "logcosh", (x, y), every=10)   # doctest: +SKIP
    >>> for t in range(steps):                                 # doctest: +SKIP
    ...     optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
    ...     rec.step(eta)
    >>> rec.result.track()                                     # doctest: +SKIP

    Parameters
    ----------
    model, loss, data
        See :func:`bifurc.torch.problem.problem`; ``options`` are its keywords.
    every
        Measure after every this many updates (:meth:`record` measures now, e.g. at step 0).
    gradient
        Also record −η ∇S·∇L (one third-order product per record).
    tol
        Relative accuracy of each Lanczos estimate (warm-started from the last one).
    steps, progress
        The planned number of updates and whether to show a progress line on stderr (True,
        False, or None: on a terminal once the run lasts two seconds); see
        :class:`bifurc.backends.recorder.Recorder`.
    """

    def __init__(self, model: torch.nn.Module, loss: object, data: object, every: int = 10, *,
                 gradient: bool = False, tol: float = 1e-10, steps: int | None = None,
                 progress: bool | None = None, **options: object) -> None:
        super().__init__(lambda: problem(model, loss, data, **options), every, gradient=gradient, tol=tol,
                         steps=steps, progress=progress)
