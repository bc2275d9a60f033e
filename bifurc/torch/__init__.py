"""Bring your own PyTorch model: sharpness, the NTK, Song & Yun's (p, q), the Gauss-Newton split,
the preconditioned sharpness and the gradient of the sharpness, for any ``nn.Module``.

Needs the ``torch`` extra (``pip install 'bifurc[torch]'``); ``import bifurc`` never imports
torch. Layers, one way: :mod:`~bifurc.torch.losses` (named losses) ->
:mod:`~bifurc.torch.problem` (model, loss and data as L(θ) of a flat θ, with its products by
:mod:`torch.func`) -> :mod:`bifurc.backends` (LinearOperators, the quantities by bifurc's
Lanczos, the recorder: written once for every back-end) -> :mod:`~bifurc.torch.quantities`.

>>> import torch
>>> from bifurc import torch as bt
>>> model = torch.nn.Linear(3, 1, bias=False).double()
>>> x = torch.eye(3, dtype=torch.float64)
>>> round(bt.sharpness(model, "mse", (x, torch.zeros(3, 1))), 12)  # H = xᵀx/N = I/3
0.333333333333
"""

from __future__ import annotations

from bifurc.backends.lookup import BACKENDS

try:
    import torch  # noqa: F401
except ModuleNotFoundError as error:  # the one line that says what to install
    raise ModuleNotFoundError(f"bifurc.torch needs torch: {BACKENDS['torch'][1]}", name=error.name) from None

from bifurc.backends.curvature import GaussNewtonSplit, SharpnessGradient
from bifurc.backends.operators import (
    gauss_newton_operator,
    hessian_operator,
    ntk_operator,
    preconditioned_operator,
    rest_operator,
)
from bifurc.backends.recording import Recording
from bifurc.torch.problem import Problem, problem
from bifurc.torch.quantities import (
    Recorder,
    adam_preconditioner,
    canonical,
    gauss_newton_split,
    hessian_eigenpairs,
    ntk_eigenpairs,
    ntk_top,
    preconditioned_sharpness,
    sharpness,
    sharpness_gradient,
)

__all__ = [
    "sharpness", "hessian_eigenpairs", "ntk_top", "ntk_eigenpairs", "canonical", "gauss_newton_split",
    "GaussNewtonSplit", "adam_preconditioner", "preconditioned_sharpness", "sharpness_gradient",
    "SharpnessGradient", "Recorder", "Recording", "problem", "Problem", "hessian_operator",
    "gauss_newton_operator", "rest_operator", "preconditioned_operator", "ntk_operator",
]
