"""The training objective L(θ) = (1/N) Σ ℓ(f(x_i; θ) - y_i) and its value and gradient.

:func:`evaluate` runs one forward pass and one backward pass of the output f (the
per-sample sensitivities ∂f(x_i)/∂y of every block with parameters, y its output) for
any :class:`~bifurc.nets.network.Network`; the loss gradient, the NTK and the
Gauss-Newton products at that θ all reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..losses import Loss
from .data import Dataset
from .network import Network, Trace, pullback, run, sensitivities
from .numeric_loss import NumericLoss, numeric

__all__ = ["Objective", "Evaluation", "evaluate", "pullback"]


@dataclass(frozen=True)
class Objective:
    """A network, its training set and a loss of the residual.

    Raises
    ------
    ValueError
        If the inputs' dimension is not the network's ``input_dim``.

    Examples
    --------
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=3, width=4, depth=2)
    >>> objective = nets.Objective(net, nets.synthetic(5, 3), losses.logcosh)
    >>> objective.data.n, objective.net.n_params
    (5, 16)
    """

    net: Network
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


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The objective at one θ: forward pass, residuals and the sensitivities of f.

    Attributes
    ----------
    objective : Objective
    theta : ndarray
        The parameters (not copied: do not change them while this is in use).
    trace : Trace
        The forward pass on the training inputs.
    sensitivities : list
        The reverse pass of f (:func:`~bifurc.nets.network.sensitivities`).
    residual : ndarray
        f(x_i) - y_i, shape (N,).

    Examples
    --------
    f = θ₀θ₁x (a linear MLP of width 1) at θ = (1, 2), x = 1, y = 0: the residual is 2:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> ev.residual
    array([2.])
    """

    objective: Objective
    theta: np.ndarray
    trace: Trace
    sensitivities: list
    residual: np.ndarray

    @cached_property
    def loss(self) -> float:
        """L(θ)."""
        return float(np.mean(self.objective.numeric.value(self.residual)))

    @cached_property
    def gradient(self) -> np.ndarray:
        """∇L(θ) = (1/N) Σ ℓ'(p_i) ∇f(x_i)."""
        slope = self.objective.numeric.slope(self.residual) / self.residual.size
        return pullback(self.objective.net, self.theta, self.trace, self.sensitivities, slope)


def evaluate(objective: Objective, theta: np.ndarray) -> Evaluation:
    """Run the forward pass and the backward pass of f at ``theta``.

    Examples
    --------
    f = uvx (a linear MLP of width 1) at (u, v) = (1, 2), x = 1, y = 0: L = ½(uv)² = 2 and
    ∇L = uv (v, u) = (4, 2):

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> ev.loss, ev.gradient
    (2.0, array([4., 2.]))
    """
    net = objective.net
    trace = run(net, theta, objective.data.X)
    return Evaluation(objective, theta, trace, sensitivities(net, theta, trace),
                      trace.output - objective.data.y)
