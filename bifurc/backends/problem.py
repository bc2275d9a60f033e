"""The interface a model back-end implements: L(θ) of a model, a loss and its data, by products."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..errors import InputError

__all__ = ["Problem", "REDUCTIONS", "LOSS_NAMES", "loss_name"]

#: How per-sample losses combine: their mean over the data set, or their sum.
REDUCTIONS = ("mean", "sum")


class Problem(Protocol):
    """A model with its loss and data at fixed parameters θ (P of them, N samples, C outputs each).

    Vectors in and out are float64 numpy arrays; θ is flat in the back-end's parameter order.
    """

    @property
    def size(self) -> int:
        """P, the number of parameters."""

    @property
    def samples(self) -> int:
        """N, the number of samples."""

    @property
    def outputs(self) -> int:
        """C, the number of outputs per sample."""

    @property
    def loss_name(self) -> str:
        """The loss's name (a catalogued name places a recording on its alignment curve)."""

    def value(self) -> float:
        """L(θ)."""

    def gradient(self) -> np.ndarray:
        """∇L(θ)."""

    def hessian_vector(self, v: np.ndarray) -> np.ndarray:
        """∇²L(θ) v."""

    def gauss_newton_vector(self, v: np.ndarray) -> np.ndarray:
        """G v, G = Σ_b J_bᵀ ∇²_f ℓ J_b."""

    def ntk_vector(self, u: np.ndarray) -> np.ndarray:
        """J Jᵀ u / N for u in R^(N·C), the samples in batch order."""

    def third_derivative(self, u: np.ndarray) -> np.ndarray:
        """∇_θ (uᵀ ∇²L(θ) u) with u held fixed."""

    def mean_residual(self) -> float:
        """(1/N) Σ (f(x_i) - y_i); InputError unless one output and one number per sample."""

    def scalar(self) -> bool:
        """Whether (p, q) are defined: one output per sample and numeric targets."""


#: The losses every back-end knows by name: p²/2 (``"mse"`` and ``"squared"``), log cosh p,
#: √(1 + p²) - 1 of the residual p = f(x) - y summed over outputs, and cross-entropy of logits.
LOSS_NAMES = ("mse", "squared", "logcosh", "pseudo_huber", "cross_entropy")


def loss_name(loss: object) -> str | None:
    """The catalogue name of a loss given by name or as a :class:`bifurc.losses.Loss`; None for a callable.

    Raises
    ------
    InputError
        If ``loss`` is an unknown name or neither a name, a catalogued loss nor a callable.
    """
    if callable(loss) and not isinstance(loss, str):
        return None
    name = loss if isinstance(loss, str) else getattr(loss, "name", None)
    if name not in LOSS_NAMES:
        shown = repr(name) if isinstance(name, str) else type(loss).__name__
        raise InputError(f"loss must be one of {', '.join(LOSS_NAMES)} or a callable, got {shown}")
    return "squared" if name == "mse" else name
