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
    """The top-k eigenpairs of ∇²L (vectors in the order of the model's trainable parameters).

    Examples
    --------
    A two-layer linear net f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]]; its top eigenvector:

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> H = np.array([[4.0, 4.0], [4.0, 1.0]])
    >>> pairs = bt.hessian_eigenpairs(model, "mse", data)
    >>> w = pairs.vectors[:, 0]
    >>> bool(np.allclose(H @ w, pairs.values[0] * w, atol=1e-12)), bool(np.isclose(w @ w, 1))
    (True, True)
    """
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

    Examples
    --------
    A two-layer linear net f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]], of top eigenvalue (5 + √73)/2:

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> s = bt.sharpness(model, "mse", data)
    >>> bool(np.isclose(s, np.linalg.eigvalsh([[4.0, 4.0], [4.0, 1.0]])[-1], rtol=1e-12))
    True
    >>> bool(np.isclose(s, (5 + np.sqrt(73)) / 2, rtol=1e-12))
    True
    """
    return values(hessian_eigenpairs(model, loss, data, k, v0=v0, tol=tol, **options), k)


def ntk_eigenpairs(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
                   **options: object) -> Eigenpairs:
    """The top-k eigenpairs of the NTK Gram operator J Jᵀ/N (vectors of length N·C).

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = (1, 2): ∇f(x_i) = x_i (v, u), so K = (u² + v²) x xᵀ/2, whose
    top eigenvector is x/‖x‖:

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> x = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> pairs = bt.ntk_eigenpairs(model, (x, torch.zeros(2, 1, dtype=torch.float64)))
    >>> bool(np.allclose(np.abs(pairs.vectors[:, 0]), np.array([1.0, 2.0]) / np.sqrt(5)))
    True
    """
    return eigenpairs(ntk_operator(problem(model, "mse", data, **options)), k, v0, tol)


def ntk_top(model: torch.nn.Module, data: object, k: int = 1, *, v0: object = None, tol: float = 0.0,
            **options: object) -> float | np.ndarray:
    """λmax of the NTK J Jᵀ/N (for one point and one output, ‖∇f(x)‖²), or its top-k eigenvalues.

    The targets in ``data`` are not used.

    Examples
    --------
    f = vux with (u, v) = (1, 2): on x = 1 the NTK is ‖∇f‖² = u² + v² = 5; on x = (1, 2) it is
    (u² + v²)‖x‖²/2 = 12.5:

    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> round(bt.ntk_top(model, data), 12)
    5.0
    >>> x = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> round(bt.ntk_top(model, (x, torch.zeros(2, 1, dtype=torch.float64))), 12)
    12.5
    """
    return values(ntk_eigenpairs(model, data, k, v0=v0, tol=tol, **options), k)


def canonical(model: torch.nn.Module, loss: object, data: object, eta: float, *, tol: float = 0.0,
              **options: object) -> tuple[float, float]:
    """Song & Yun's (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK)); see
    :func:`bifurc.backends.curvature.canonical`.

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = 1, y = 0: p = uv = 2 and q = (2/η)/(u² + v²) = 4 at η = 0.1:

    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> p, q = bt.canonical(model, "mse", data, eta=0.1)
    >>> round(p, 12), round(q, 12)
    (2.0, 4.0)
    """
    return curvature.canonical(problem(model, loss, data, **options), eta, tol)


def gauss_newton_split(model: torch.nn.Module, loss: object, data: object, *, tol: float = 0.0,
                       **options: object) -> GaussNewtonSplit:
    """H = G + R along the top eigenvector of H, and λmax(G).

    Examples
    --------
    A two-layer linear net f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]], G = ∇f∇fᵀ = [[4, 2], [2, 1]] (λmax 5):

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> H, G = np.array([[4.0, 4.0], [4.0, 1.0]]), np.array([[4.0, 2.0], [2.0, 1.0]])
    >>> split = bt.gauss_newton_split(model, "mse", data)
    >>> w = np.linalg.eigh(H)[1][:, -1]
    >>> bool(np.isclose(split.gauss_newton, w @ G @ w)), bool(np.isclose(split.rest, w @ (H - G) @ w))
    (True, True)
    >>> round(split.gauss_newton_max, 12)
    5.0
    """
    return curvature.gauss_newton_split(problem(model, loss, data, **options), tol)


def adam_preconditioner(optimizer: torch.optim.Optimizer, model: torch.nn.Module) -> np.ndarray:
    """P = (1 - β₁ᵗ) diag(√v̂ + ε) of Adam or AdamW (Cohen et al., 2022), in θ's order.

    The update is θ ← θ - lr P⁻¹ m_t with m_t the (uncorrected) first moment, so that on a
    quadratic the iteration is stable while λmax(P⁻¹H) < (2 + 2β₁)/((1 - β₁) lr).

    Raises
    ------
    InputError
        If the optimizer is not Adam/AdamW or has not yet taken a step on a parameter.

    Examples
    --------
    After one Adam step from f = vux at (u, v) = (1, 2), x = 1, y = 0, v̂ = g² with g = ∇L = (4, 2),
    so P = (1 - β₁)(|g| + ε):

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    >>> x, y = data
    >>> (0.5 * (model(x) - y) ** 2).mean().backward()
    >>> optimizer.step()
    >>> bool(np.allclose(bt.adam_preconditioner(optimizer, model), 0.1 * (np.array([4.0, 2.0]) + 1e-8)))
    True
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
    :func:`adam_preconditioner`) or P's positive diagonal (length P, in θ's order).

    Examples
    --------
    A two-layer linear net f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]]; with P = diag(1, 4), λmax(P⁻¹H) is that of P^(-1/2) H P^(-1/2):

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> scaled = np.diag([1.0, 0.5]) @ np.array([[4.0, 4.0], [4.0, 1.0]]) @ np.diag([1.0, 0.5])
    >>> s = bt.preconditioned_sharpness(model, "mse", data, [1.0, 4.0])
    >>> bool(np.isclose(s, np.linalg.eigvalsh(scaled)[-1], rtol=1e-12))
    True
    """
    if isinstance(preconditioner, torch.optim.Optimizer):
        preconditioner = adam_preconditioner(preconditioner, model)
    return curvature.preconditioned_sharpness(problem(model, loss, data, **options), preconditioner, tol)


def sharpness_gradient(model: torch.nn.Module, loss: object, data: object, *, v0: object = None,
                       tol: float = 0.0, **options: object) -> SharpnessGradient:
    """∇S = ∇³L[u, u] (third-order autodiff), Damian et al.'s self-stabilization term.

    Examples
    --------
    For L = ½u²v², ∇_θ(wᵀ∇²L w) = (4v w₀w₁ + 2u w₁², 2v w₀² + 4u w₀w₁) at the top eigenvector w:

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> result = bt.sharpness_gradient(model, "mse", data)
    >>> (u, v), w = (1.0, 2.0), result.vector
    >>> expected = [4*v*w[0]*w[1] + 2*u*w[1]**2, 2*v*w[0]**2 + 4*u*w[0]*w[1]]
    >>> bool(np.allclose(result.gradient, expected, rtol=1e-12))
    True
    """
    return curvature.sharpness_gradient(problem(model, loss, data, **options), v0, tol)


class Recorder(_Recorder):
    """Measure a model from the user's training loop; call :meth:`step` after each update.

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

    Examples
    --------
    Two GD steps (η = 0.1) on f = vux from (u, v) = (1, 2), x = 1, y = 0: ∇L = uv(v, u) takes
    (u, v) to (0.6, 1.8), then to (0.6 - 0.1944, 1.8 - 0.0648); p = uv at each, q₀ = (2/η)/5 = 4:

    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> x, y = torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64)
    >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> recorder = bt.Recorder(model, "mse", (x, y), every=1)
    >>> recorder.record(0.1)
    >>> for _ in range(2):
    ...     optimizer.zero_grad()
    ...     (0.5 * (model(x) - y) ** 2).mean().backward()
    ...     optimizer.step()
    ...     recorder.step(0.1)
    >>> run = recorder.result
    >>> run.steps, bool(np.allclose(run.p, [2.0, 0.6 * 1.8, 0.4056 * 1.7352])), round(float(run.q[0]), 12)
    (array([0, 1, 2]), True, 4.0)
    """

    def __init__(self, model: torch.nn.Module, loss: object, data: object, every: int = 10, *,
                 gradient: bool = False, tol: float = 1e-10, steps: int | None = None,
                 progress: bool | None = None, **options: object) -> None:
        super().__init__(lambda: problem(model, loss, data, **options), every, gradient=gradient, tol=tol,
                         steps=steps, progress=progress)
