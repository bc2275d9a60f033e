"""The training objective L(θ) = (1/N) Σ ℓ(f(x_i; θ) - y_i) and its value and gradient.

:func:`evaluate` runs one forward pass and one backward pass of the output f (the
per-sample sensitivities Δ_l = ∂f(x_i)/∂u_l); the loss gradient, the NTK and the
Hessian-vector products at that θ all reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..losses import Loss
from .data import Dataset
from .mlp import MLP, Forward, forward
from .numeric_loss import NumericLoss, numeric

__all__ = ["Objective", "Evaluation", "evaluate", "pullback"]


@dataclass(frozen=True)
class Objective:
    """A network, its training set and a loss of the residual.

    Raises
    ------
    ValueError
        If the inputs' dimension is not the network's ``input_dim``.
    """

    net: MLP
    data: Dataset
    loss: Loss

    def __post_init__(self) -> None:
        if self.data.X.shape[1] != self.net.input_dim:
            raise ValueError(f"data has inputs of dimension {self.data.X.shape[1]}, "
                             f"the network takes {self.net.input_dim}")

    @property
    def numeric(self) -> NumericLoss:
        """ℓ, ℓ', ℓ'' as numpy functions."""
        return numeric(self.loss)


def pullback(net: MLP, theta: np.ndarray, fw: Forward, sensitivities: list[np.ndarray],
             weights: np.ndarray) -> np.ndarray:
    """Jᵀc = Σ_i c_i ∇_θ f(x_i), from the per-sample sensitivities of a forward pass."""
    out = np.zeros_like(theta)
    for L, z, delta in zip(net.layers, fw.inputs, sensitivities):
        weighted = weights[:, None] * delta
        out[L.weights] = L.weight_multiplier * (weighted.T @ z).ravel()
        if L.biases is not None:
            out[L.biases] = L.bias_multiplier * weighted.sum(axis=0)
    return out


def _sensitivities(net: MLP, theta: np.ndarray, fw: Forward) -> list[np.ndarray]:
    params = net.unflatten(theta)
    deltas = [np.ones((fw.output.size, 1))]
    for l in range(net.depth - 1, 0, -1):
        back = net.layers[l].weight_multiplier * (deltas[0] @ params[l][0])
        deltas.insert(0, back * fw.slopes[l - 1])
    return deltas


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The objective at one θ: forward pass, residuals and the sensitivities of f.

    Attributes
    ----------
    objective : Objective
    theta : ndarray
        The parameters (not copied: do not change them while this is in use).
    forward : Forward
        The forward pass on the training inputs.
    sensitivities : list of ndarray
        Δ_l = ∂f(x_i)/∂u_l, shape (N, fan_out of layer l).
    residual : ndarray
        f(x_i) - y_i, shape (N,).
    """

    objective: Objective
    theta: np.ndarray
    forward: Forward
    sensitivities: list[np.ndarray]
    residual: np.ndarray

    @cached_property
    def loss(self) -> float:
        """L(θ)."""
        return float(np.mean(self.objective.numeric.value(self.residual)))

    @cached_property
    def gradient(self) -> np.ndarray:
        """∇L(θ) = (1/N) Σ ℓ'(p_i) ∇f(x_i)."""
        slope = self.objective.numeric.slope(self.residual) / self.residual.size
        return pullback(self.objective.net, self.theta, self.forward, self.sensitivities, slope)


def evaluate(objective: Objective, theta: np.ndarray) -> Evaluation:
    """Run the forward pass and the backward pass of f at ``theta``."""
    net = objective.net
    fw = forward(net, theta, objective.data.X)
    return Evaluation(objective, theta, fw, _sensitivities(net, theta, fw), fw.output - objective.data.y)
