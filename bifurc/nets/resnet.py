"""Small residual networks with a scalar output: blocks h ← h + W₂ σ(W₁ h).

Dense blocks (``input_shape`` an int d): h₀ = stem(x) (a dense layer d → n), then ``blocks``
residual blocks of two n × n dense layers, then f = head(σ(h)) with a dense head n → 1.
Convolutional blocks (``input_shape`` = (height, width, channels)): the stem and the
branches are ``kernel`` × ``kernel`` convolutions with "same" padding and n channels, and
σ(h) is averaged over the pixels before the head. With every W₂ = 0 the blocks are the
identity and the network is the two-layer network head(σ(stem(x))).
Scalings (:func:`~bifurc.nets.layers.scales`): the stem has the role "input", the branch
layers "hidden", the head "output" (no extra branch multiplier).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .layers import Chain, Conv2d, Dense, GlobalAveragePool, Nonlinearity, Op, Reshape, Residual
from .network import Network

__all__ = ["ResNet"]


@dataclass(frozen=True)
class ResNet(Network):
    """A residual network on vectors (dense blocks) or images (convolutional blocks).

    Parameters
    ----------
    input_shape
        d (vectors, dense blocks) or (height, width, channels) (images given as rows of flat
        pixels, convolutional blocks).
    width
        n, the width (or channels) of the stem and every block.
    blocks
        How many residual blocks.
    activation
        ``"linear"``, ``"tanh"`` or ``"elu"``.
    init
        ``"standard"`` or ``"mup"`` (see the module docstring).
    bias
        Whether the layers have biases.
    kernel
        Kernel size of the convolutional blocks (odd; ignored for dense blocks).

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    Examples
    --------
    Stem 3 → 4 (12 weights), one block of two 4 × 4 layers (32), head 4 → 1 (4): 48. Linear and of
    width 1, the network is f = θ₃ (1 + θ₂θ₁) θ₀ x (stem θ₀, block θ₁, θ₂, head θ₃):

    >>> import numpy as np
    >>> from bifurc import nets
    >>> nets.ResNet(3, 4, blocks=1).n_params
    48
    >>> net = nets.ResNet(1, 1, blocks=1, activation="linear")
    >>> nets.outputs(net, np.array([1.0, 2.0, 3.0, 0.5]), np.array([[1.0]]))  # 0.5 (1 + 3·2) 1
    array([3.5])
    """

    input_shape: int | tuple[int, int, int]
    width: int
    blocks: int = 2
    activation: str = "tanh"
    init: str = "standard"
    bias: bool = False
    kernel: int = 3

    def __post_init__(self) -> None:
        shape = self.input_shape
        if isinstance(shape, tuple):
            if len(shape) != 3 or min(shape) < 1:
                raise ValueError(f"input_shape must be an int or (height, width, channels), got {shape}")
            if self.kernel % 2 == 0:
                raise ValueError(f"kernel must be odd (same padding), got {self.kernel}")
        elif not isinstance(shape, int) or shape < 1:
            raise ValueError(f"input_shape must be a positive int or (height, width, channels), "
                             f"got {shape!r}")
        self._validate(("width", "blocks", "kernel"), self.activation, self.init)

    @property
    def input_dim(self) -> int:
        """d, or height × width × channels."""
        shape = self.input_shape
        return shape if isinstance(shape, int) else shape[0] * shape[1] * shape[2]

    @cached_property
    def chain(self) -> Chain:
        """Stem, residual blocks, σ, (pooling), head."""
        n, dense = self.width, isinstance(self.input_shape, int)
        if dense:
            ops: list[Op] = [Dense.scaled("input", self.input_shape, n, self.init, self.bias)]
            hidden = lambda: Dense.scaled("hidden", n, n, self.init, self.bias)
        else:
            image = tuple(self.input_shape)
            conv = lambda role, shape: Conv2d.scaled(role, shape, n, self.kernel, 1, self.kernel // 2,
                                                     self.init, self.bias)
            ops = [Reshape(image), conv("input", image)]
            hidden = lambda: conv("hidden", (image[0], image[1], n))
        for _ in range(self.blocks):
            branch = Chain((hidden(), Nonlinearity(self.activation), hidden()))
            ops.append(Residual(branch))
        ops.append(Nonlinearity(self.activation))
        if not dense:
            ops.append(GlobalAveragePool())
        ops.append(Dense.scaled("output", n, 1, self.init, self.bias))
        return Chain(tuple(ops))
