"""Small convolutional networks with a scalar output.

x (flat pixels) → image (height, width, channels) → [convolution, σ] × len(channels) →
global average over the pixels (or flatten) → dense layer → f(x). Convolutions are im2col
matrix products (:class:`~bifurc.nets.layers.Conv2d`), so a 1×1 kernel on a 1-pixel image
is exactly a dense layer. Scalings (:func:`~bifurc.nets.layers.scales`): the first
convolution has the role "input", the others "hidden", the dense head "output"; a
convolution's fan-in is kernel² × input channels and its width n the output channels.
Under μP that gives the first convolution a = √n, W ~ N(0, 1/(n k² C)), and the head
a = 1/√d, W ~ N(0, 1/d) with d its fan-in (the last channel count after averaging).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .layers import Chain, Conv2d, Dense, GlobalAveragePool, Nonlinearity, Op, Reshape
from .network import Network

__all__ = ["CNN", "HEADS"]

#: How the last feature map becomes the head's input.
HEADS = ("average", "flatten")


@dataclass(frozen=True)
class CNN(Network):
    """A convolutional network on images given as rows of flat pixels (height, width, channels order).

    Parameters
    ----------
    image
        (height, width, channels) of the input; ``input_dim`` is their product.
    channels
        Output channels of each convolution.
    kernel, stride
        Square kernel size and step of every convolution.
    padding
        Zero padding on every side; None gives kernel // 2 ("same" size at stride 1).
    activation
        ``"linear"``, ``"tanh"`` or ``"elu"``.
    init
        ``"standard"`` or ``"mup"`` (see the module docstring).
    bias
        Whether the layers have biases.
    head
        ``"average"`` (global average pooling) or ``"flatten"``.

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    Examples
    --------
    A 3×3 convolution 1 → 2 channels (18 weights) and a dense head 2 → 1 (2 weights); and a 1×1
    kernel on a 1-pixel image is a dense layer, so that linear network is f = θ₀θ₁x:

    >>> import numpy as np
    >>> from bifurc import nets
    >>> nets.CNN(image=(4, 4, 1), channels=(2,), kernel=3).n_params
    20
    >>> net = nets.CNN(image=(1, 1, 1), channels=(1,), kernel=1, activation="linear")
    >>> nets.outputs(net, np.array([1.5, 2.0]), np.array([[1.0], [-2.0]]))
    array([ 3., -6.])
    """

    image: tuple[int, int, int]
    channels: tuple[int, ...] = (8, 8)
    kernel: int = 3
    stride: int = 1
    padding: int | None = None
    activation: str = "tanh"
    init: str = "standard"
    bias: bool = False
    head: str = "average"

    def __post_init__(self) -> None:
        if len(self.image) != 3 or min(self.image) < 1:
            raise ValueError(f"image must be (height, width, channels) of positive sizes, got {self.image}")
        if not self.channels or min(self.channels) < 1:
            raise ValueError(f"channels must be a non-empty tuple of positive counts, got {self.channels}")
        self._validate(("kernel", "stride"), self.activation, self.init)
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}")
        self.chain  # noqa: B018 (builds the layers: a kernel too large for the image raises here)

    @property
    def input_dim(self) -> int:
        """height × width × channels."""
        h, w, c = self.image
        return h * w * c

    @cached_property
    def chain(self) -> Chain:
        """Reshape, convolutions with σ, pooling or flattening, dense head."""
        padding = self.kernel // 2 if self.padding is None else self.padding
        ops: list[Op] = [Reshape(tuple(self.image))]
        shape = tuple(self.image)
        for k, channels in enumerate(self.channels):
            conv = Conv2d.scaled("input" if k == 0 else "hidden", shape, channels, self.kernel, self.stride,
                                 padding, self.init, self.bias)
            ops += [conv, Nonlinearity(self.activation)]
            shape = conv.output_shape
        h, w, c = shape
        ops.append(GlobalAveragePool() if self.head == "average" else Reshape((h * w * c,)))
        fan_in = c if self.head == "average" else h * w * c
        ops.append(Dense.scaled("output", fan_in, 1, self.init, self.bias))
        return Chain(tuple(ops))
