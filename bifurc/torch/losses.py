"""The losses the PyTorch adapter knows by name, as functions of a batch's outputs and targets.

A loss here returns the *sum* over the batch of the per-sample losses; the adapter divides
by the number of samples N of the whole data set (``reduction="mean"``) or not
(``reduction="sum"``). The regression losses are bifurc's losses of the residual
p = f(x) - y, summed over output components: ``"mse"`` (also ``"squared"``) is p²/2,
``"logcosh"`` log cosh p, ``"pseudo_huber"`` √(1 + p²) - 1, so that ℓ''(0) = 1 and the
canonical coordinates of Song & Yun refer to the same curve q = r(p) as
:func:`bifurc.nets.track`. ``"cross_entropy"`` takes logits (N, C) and class indices (or
class probabilities).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from bifurc.backends.problem import loss_name

__all__ = ["LossFunction", "resolve"]


def _squared(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.sum((out - y.reshape(out.shape)) ** 2)


def _logcosh(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    p = out - y.reshape(out.shape)
    # log cosh p = logaddexp(p, -p) - log 2: smooth in all orders and free of overflow
    return torch.sum(torch.logaddexp(p, -p) - math.log(2.0))


def _pseudo_huber(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    p = out - y.reshape(out.shape)
    return torch.sum(torch.sqrt(1 + p**2) - 1)


def _cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(out, y, reduction="sum")


_BUILT_IN: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "squared": _squared, "logcosh": _logcosh, "pseudo_huber": _pseudo_huber, "cross_entropy": _cross_entropy,
}


@dataclass(frozen=True)
class LossFunction:
    """A loss of a batch, as the adapter uses it.

    Attributes
    ----------
    name : str
        The catalogue name, or the callable's name.
    batch_sum : callable
        (outputs, targets) -> the sum of the per-sample losses over the batch, or, for a
        user's callable, its value on the batch.
    summed : bool
        Whether ``batch_sum`` is a sum over samples (the named losses) or a user's callable,
        whose value is taken as the batch's mean (``reduction="mean"``) or sum (``"sum"``).
    """

    name: str
    batch_sum: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    summed: bool


def resolve(loss: object) -> LossFunction:
    """A loss name, a catalogued :class:`bifurc.losses.Loss` or a callable as a LossFunction.

    Raises
    ------
    InputError
        If ``loss`` is an unknown name or neither a name nor a callable
        (:func:`bifurc.backends.problem.loss_name`).
    """
    name = loss_name(loss)
    if name is None:
        return LossFunction(getattr(loss, "__name__", type(loss).__name__), loss, False)
    return LossFunction(name, _BUILT_IN[name], True)
