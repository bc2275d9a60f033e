"""Fully connected networks with a scalar output, parameters as one flat float64 vector.

Layer l maps z_l to u_l = a_l z_l W_lᵀ + c_l b_l (multipliers a_l, c_l fixed by the
parameterisation), z_{l+1} = σ(u_l) for hidden layers and f = u_{L-1} at the output.
GD acts on the stored entries W_l, b_l with one step size η, so the multipliers and the
initial scales together are an abc-parameterisation (Yang & Hu 2021) with c = 0
(:func:`~bifurc.nets.layers.scales`: the first layer has the role "input", the last "output"):

======== ========================== =============================== ==================
layer    standard (SP)              maximal update (μP)             biases
======== ========================== =============================== ==================
input    a = 1, W ~ N(0, 1/d)       a = √n, W ~ N(0, 1/(n d))       μP: c = √n
hidden   a = 1, W ~ N(0, 1/n)       a = 1,  W ~ N(0, 1/n)           μP: c = √n
output   a = 1, W ~ N(0, 1/n)       a = 1/√n, W ~ N(0, 1/n)         c = 1
======== ========================== =============================== ==================

(n the width, d the input dimension; biases start at 0 and have c = 1 under SP). The
network is a :class:`~bifurc.nets.layers.Chain` of dense layers and activations, so its
passes are those of :mod:`~bifurc.nets.network`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .activations import Activation, activation
from .layers import INITS, Chain, Dense, Nonlinearity
from .network import Network, outputs, run

__all__ = ["MLP", "Forward", "INITS", "forward", "outputs"]


@dataclass(frozen=True)
class MLP(Network):
    """A fully connected network x ↦ f(x) ∈ R of ``depth`` dense layers of equal hidden ``width``.

    Parameters
    ----------
    input_dim
        d, the input dimension.
    width
        n, the width of every hidden layer.
    depth
        The number of dense layers (2 is f = a_1 W_1 σ(a_0 W_0 x)).
    activation
        ``"linear"``, ``"tanh"`` or ``"elu"``.
    init
        ``"standard"`` or ``"mup"`` (see the module docstring).
    bias
        Whether the layers have biases.

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    Examples
    --------
    Two dense layers 3 → 4 → 1 without biases hold 3·4 + 4·1 = 16 weights:

    >>> from bifurc import nets
    >>> net = nets.MLP(input_dim=3, width=4, depth=2)
    >>> net.n_params, net.initial(seed=0).shape
    (16, (16,))
    """

    input_dim: int
    width: int
    depth: int = 3
    activation: str = "tanh"
    init: str = "standard"
    bias: bool = False

    def __post_init__(self) -> None:
        self._validate(("input_dim", "width", "depth"), self.activation, self.init)
        if self.depth < 2:
            raise ValueError(f"depth must be at least 2 (one hidden layer), got {self.depth}")

    @cached_property
    def layers(self) -> tuple[Dense, ...]:
        """The dense layers, input first."""
        sizes = [self.input_dim] + [self.width] * (self.depth - 1) + [1]
        roles = ["input"] + ["hidden"] * (self.depth - 2) + ["output"]
        return tuple(Dense.scaled(role, fan_in, fan_out, self.init, self.bias)
                     for role, fan_in, fan_out in zip(roles, sizes[:-1], sizes[1:]))

    @cached_property
    def chain(self) -> Chain:
        """Dense layers with the activation between them."""
        ops = [self.layers[0]]
        for layer in self.layers[1:]:
            ops += [Nonlinearity(self.activation), layer]
        return Chain(tuple(ops))

    @property
    def sigma(self) -> Activation:
        """The activation with its derivatives."""
        return activation(self.activation)

    def unflatten(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Views (W_l, b_l) into ``theta`` (b_l is None without biases); writing them writes ``theta``."""
        theta = self.checked(theta)
        chain = self.chain
        return [layer.unpack(theta[a:b]) for layer, (a, b) in zip(chain.ops[::2], chain.offsets[::2])]


@dataclass(frozen=True)
class Forward:
    """A forward pass of an MLP, layer by layer (for per-layer quantities such as Jacobians).

    Attributes
    ----------
    inputs : list of ndarray
        z_l, the (N, fan_in) input of layer l (z_0 = X).
    pre : list of ndarray
        u_l, the (N, fan_out) pre-activations of the hidden layers l = 0 … L-2.
    slopes : list of ndarray
        σ'(u_l) for the hidden layers.
    output : ndarray
        f(x_i), shape (N,).
    """

    inputs: list[np.ndarray]
    pre: list[np.ndarray]
    slopes: list[np.ndarray]
    output: np.ndarray


def forward(net: MLP, theta: np.ndarray, X: np.ndarray) -> Forward:
    """Run the network on the rows of ``X`` (shape (N, input_dim)), keeping every layer's values."""
    trace = run(net, theta, X)
    hidden = trace.caches[1::2]
    return Forward(list(trace.caches[::2]), [pre for pre, _ in hidden], [slope for _, slope in hidden],
                   trace.output)
