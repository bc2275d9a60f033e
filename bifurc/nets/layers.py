"""The building blocks of every network: dense and convolutional layers, activations, pooling,
reshapes, chains and residual blocks, each with a forward pass and its hand-derived reverse pass.

Every block (an :class:`Op`) takes the slice ``w`` of the flat parameter vector that holds its
parameters and a batch ``x`` whose first axis runs over the N samples, and provides

- ``forward(w, x) -> (y, cache)``;
- ``backward(w, cache, dy, input_grad) -> (dx, record)``: the per-sample pullback. ``dy`` is
  ∂f(x_i)/∂y_i for each sample i, ``dx`` is ∂f(x_i)/∂x_i (None when not asked for), and
  ``record`` keeps what the parameter derivatives need (for a layer with parameters: dy);
- ``gradient(w, cache, record, c) -> Σ_i c_i ∂f(x_i)/∂w`` (flat, the layout of ``w``);
- ``gram(w, cache, record) -> Σ_{entries of w} ∂f(x_i)/∂w · ∂f(x_j)/∂w``, the block's part of
  the N×N tangent-kernel Gram matrix (arrays only).

``forward``, ``backward`` and ``gradient`` use nothing but sums, products, matrix products,
reshapes, indexing, linear maps and elementwise functions with known derivatives, so they
run unchanged on :class:`~bifurc.nets.dual.Dual` numbers: that gives exact Jacobian-vector
and Hessian-vector products with no further rule per block (see :mod:`~bifurc.nets.hvp`).

Layer scalings follow an abc-parameterisation (Yang & Hu 2021) with c = 0: a layer computes
a·(W x) + c_b·b, GD acts on the stored W, b with one step size, and :func:`scales` gives the
multipliers a, c_b and the initial standard deviation of W from the layer's role.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .activations import activation
from .dual import Dual, concatenate, elementwise, linear

__all__ = ["INITS", "ROLES", "scales", "Op", "Dense", "Conv2d", "Nonlinearity", "Reshape",
           "GlobalAveragePool", "Chain", "Residual"]

#: The parameterisations: standard and maximal update.
INITS = ("standard", "mup")
#: Where a layer sits: reading the data, between hidden layers, or producing the output.
ROLES = ("input", "hidden", "output")

Batch = np.ndarray | Dual


def scales(role: str, fan_in: int, fan_out: int, init: str) -> tuple[float, float, float]:
    """The weight multiplier a, bias multiplier c_b and initial std of W for a layer.

    ======== ========================== ===============================
    role     standard (SP)              maximal update (μP)
    ======== ========================== ===============================
    input    a = 1, W ~ N(0, 1/d)       a = √n, W ~ N(0, 1/(n d))
    hidden   a = 1, W ~ N(0, 1/d)       a = 1,  W ~ N(0, 1/d)
    output   a = 1, W ~ N(0, 1/d)       a = 1/√d, W ~ N(0, 1/d)
    ======== ========================== ===============================

    with d = ``fan_in`` (for a convolution: kernel² × input channels) and n = ``fan_out``
    (the width, or the output channels); c_b = √n for the input and hidden layers under
    μP, else 1. Biases start at 0.

    Raises
    ------
    ValueError
        If ``role`` or ``init`` is unknown.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    mup = init == "mup"
    a, std = 1.0, 1 / np.sqrt(fan_in)
    if mup and role == "input":
        a, std = np.sqrt(fan_out), 1 / np.sqrt(fan_out * fan_in)
    elif mup and role == "output":
        a = 1 / np.sqrt(fan_in)
    c = np.sqrt(fan_out) if mup and role != "output" else 1.0
    return float(a), float(c), float(std)


class Op:
    """A block without parameters (override what differs); see the module docstring."""

    @property
    def n_params(self) -> int:
        """How many entries of the flat parameter vector the block owns."""
        return 0

    def initial(self, rng: np.random.Generator) -> np.ndarray:
        """Initial parameters drawn from ``rng`` (flat)."""
        return np.zeros(0)

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, object]:
        """(y, cache): the block's output on the batch ``x`` and what its reverse pass needs."""
        raise NotImplementedError

    def backward(self, w: Batch, cache: object, dy: Batch, input_grad: bool) -> tuple[Batch | None, object]:
        """(dx, record): ∂f(x_i)/∂x_i from dy = ∂f(x_i)/∂y_i (None unless ``input_grad``), and
        what :meth:`gradient` and :meth:`gram` need."""
        raise NotImplementedError

    def gradient(self, w: Batch, cache: object, record: object, c: Batch) -> Batch:
        """Σ_i c_i ∂f(x_i)/∂w (nothing for a block without parameters)."""
        return np.zeros(0)

    def gram(self, w: np.ndarray, cache: object, record: object) -> np.ndarray | float:
        """The block's part of the tangent-kernel Gram matrix (0 without parameters)."""
        return 0.0


@dataclass(frozen=True)
class _Affine(Op):
    """Shared parameter handling of dense and convolutional layers: W (fan_out, fan_in), then b."""

    fan_in: int
    fan_out: int
    weight_multiplier: float
    bias_multiplier: float
    init_std: float
    bias: bool

    @property
    def n_params(self) -> int:
        return self.fan_in * self.fan_out + (self.fan_out if self.bias else 0)

    def unpack(self, w: Batch) -> tuple[Batch, Batch | None]:
        """(W, b) from the block's slice (b is None without biases); views, not copies."""
        k = self.fan_in * self.fan_out
        return w[:k].reshape(self.fan_out, self.fan_in), (w[k:] if self.bias else None)

    def initial(self, rng: np.random.Generator) -> np.ndarray:
        weights = self.init_std * rng.standard_normal(self.fan_in * self.fan_out)
        return np.concatenate([weights, np.zeros(self.fan_out if self.bias else 0)])

    def _affine(self, w: Batch, rows: Batch) -> Batch:
        W, b = self.unpack(w)
        # one matrix product over all leading axes (numpy loops over the batch axes of a 4-D @ 2-D)
        y = self.weight_multiplier * (rows.reshape(-1, self.fan_in) @ W.T)
        y = y.reshape(*rows.shape[:-1], self.fan_out)
        return y if b is None else y + self.bias_multiplier * b

    def _parameter_gradient(self, rows: Batch, weighted: Batch) -> Batch:
        """Flat (a Σ weighted ⊗ rows, c_b Σ weighted) over all leading axes."""
        weighted = weighted.reshape(-1, self.fan_out)
        gW = self.weight_multiplier * (weighted.T @ rows.reshape(-1, self.fan_in))
        parts = [gW.reshape(-1)]
        if self.bias:
            parts.append(self.bias_multiplier * weighted.sum(axis=0))
        return concatenate(parts)


@dataclass(frozen=True)
class Dense(_Affine):
    """y = a x Wᵀ + c_b b on inputs of shape (N, fan_in).

    Attributes
    ----------
    fan_in, fan_out : int
        Input and output sizes; W has shape (fan_out, fan_in), stored row-major, then b.
    weight_multiplier, bias_multiplier : float
        a and c_b.
    init_std : float
        Standard deviation of the initial entries of W.
    bias : bool
        Whether there is a bias b.
    """

    @classmethod
    def scaled(cls, role: str, fan_in: int, fan_out: int, init: str, bias: bool) -> Dense:
        """A dense layer with the multipliers and initial scale of :func:`scales`."""
        return cls(fan_in, fan_out, *scales(role, fan_in, fan_out, init), bias)

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, Batch]:
        return self._affine(w, x), x

    def backward(self, w: Batch, x: Batch, dy: Batch, input_grad: bool) -> tuple[Batch | None, Batch]:
        W, _ = self.unpack(w)
        return (self.weight_multiplier * (dy @ W) if input_grad else None), dy

    def gradient(self, w: Batch, x: Batch, dy: Batch, c: Batch) -> Batch:
        return self._parameter_gradient(x, c[:, None] * dy)

    def gram(self, w: np.ndarray, x: np.ndarray, dy: np.ndarray) -> np.ndarray:
        # ∂f_i/∂W = a dy_i x_iᵀ: ⟨·_i, ·_j⟩ = a² (dy_i·dy_j)(x_i·x_j), biases c_b² dy_i·dy_j
        dd = dy @ dy.T
        K = self.weight_multiplier**2 * dd * (x @ x.T)
        return K + self.bias_multiplier**2 * dd if self.bias else K


@dataclass(frozen=True)
class Conv2d(_Affine):
    """A 2-D convolution on images of shape (N, height, width, channels), by im2col.

    Each output pixel is a dense layer applied to the patch of ``kernel × kernel × channels``
    input values under it (zero padding ``padding`` on every side, step ``stride``):
    y[n, i, j] = a P[n, i, j] Wᵀ + c_b b with W of shape (out channels, kernel² × in channels),
    patch entries ordered (row, column, channel). The patch gather P = G x is linear; the
    reverse pass applies Gᵀ (a scatter-add).

    Attributes
    ----------
    image : tuple of int
        (height, width, channels) of the input.
    kernel, stride, padding : int
    (and those of :class:`Dense`, with fan_in = kernel² × channels and fan_out the output
    channels)
    """

    image: tuple[int, int, int] = (1, 1, 1)
    kernel: int = 1
    stride: int = 1
    padding: int = 0

    @classmethod
    def scaled(cls, role: str, image: tuple[int, int, int], channels: int, kernel: int, stride: int,
               padding: int, init: str, bias: bool) -> Conv2d:
        """A convolution with the multipliers and initial scale of :func:`scales`.

        Raises
        ------
        ValueError
            If the kernel does not fit in the padded image or a size is not positive.
        """
        if min(kernel, stride, channels, *image) < 1 or padding < 0:
            raise ValueError(f"kernel, stride, channels and image sizes must be positive and padding >= 0, "
                             f"got kernel={kernel}, stride={stride}, channels={channels}, image={image}, "
                             f"padding={padding}")
        if kernel > min(image[0], image[1]) + 2 * padding:
            raise ValueError(f"kernel {kernel} does not fit in the image {image[:2]} padded by {padding}")
        fan_in = kernel * kernel * image[2]
        return cls(fan_in, channels, *scales(role, fan_in, channels, init), bias, tuple(image), kernel,
                   stride, padding)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of the output."""
        h, w, _ = self.image
        size = lambda n: (n + 2 * self.padding - self.kernel) // self.stride + 1
        return size(h), size(w), self.fan_out

    def _windows(self) -> list[tuple[int, int, tuple[slice, slice]]]:
        """For each kernel offset (u, v), the padded-image rows and columns it reads at every output pixel."""
        ho, wo, _ = self.output_shape
        s = self.stride
        return [(u, v, (slice(u, u + s * (ho - 1) + 1, s), slice(v, v + s * (wo - 1) + 1, s)))
                for u in range(self.kernel) for v in range(self.kernel)]

    def _patches(self, x: np.ndarray) -> np.ndarray:
        """G: the patches, shape (N, Ho, Wo, fan_in), one strided copy per kernel offset."""
        p, n = self.padding, x.shape[0]
        padded = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))) if p else x
        ho, wo, _ = self.output_shape
        cols = np.empty((n, ho, wo, self.kernel, self.kernel, self.image[2]))
        for u, v, (rows, columns) in self._windows():
            cols[:, :, :, u, v, :] = padded[:, rows, columns, :]
        return cols.reshape(n, ho, wo, self.fan_in)

    def _unpatch(self, cols: np.ndarray) -> np.ndarray:
        """Gᵀ: every patch entry added back to the padded-image entry it was read from."""
        h, w, c = self.image
        p, n = self.padding, cols.shape[0]
        ho, wo, _ = self.output_shape
        cols = cols.reshape(n, ho, wo, self.kernel, self.kernel, c)
        padded = np.zeros((n, h + 2 * p, w + 2 * p, c))
        for u, v, (rows, columns) in self._windows():
            padded[:, rows, columns, :] += cols[:, :, :, u, v, :]
        return padded[:, p:p + h, p:p + w, :]

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, Batch]:
        cols = linear(self._patches, x)
        return self._affine(w, cols), cols

    def backward(self, w: Batch, cols: Batch, dy: Batch, input_grad: bool) -> tuple[Batch | None, Batch]:
        if not input_grad:
            return None, dy
        W, _ = self.unpack(w)
        back = self.weight_multiplier * (dy.reshape(-1, self.fan_out) @ W)
        return linear(self._unpatch, back.reshape(*dy.shape[:-1], self.fan_in)), dy

    def gradient(self, w: Batch, cols: Batch, dy: Batch, c: Batch) -> Batch:
        return self._parameter_gradient(cols, c.reshape(-1, 1, 1, 1) * dy)

    def gram(self, w: np.ndarray, cols: np.ndarray, dy: np.ndarray) -> np.ndarray:
        # per-sample gradients a Σ_pixels dy ⊗ patch, shape (N, fan_out·fan_in), then their Gram matrix
        n = dy.shape[0]
        per_sample = dy.reshape(n, -1, self.fan_out).transpose(0, 2, 1) @ cols.reshape(n, -1, self.fan_in)
        per_sample = self.weight_multiplier * per_sample.reshape(n, -1)
        K = per_sample @ per_sample.T
        if self.bias:
            summed = dy.reshape(n, -1, self.fan_out).sum(axis=1)
            K = K + self.bias_multiplier**2 * (summed @ summed.T)
        return K


@dataclass(frozen=True)
class Nonlinearity(Op):
    """σ applied entry by entry; σ', σ'' (derived with sympy) give its derivatives.

    Attributes
    ----------
    name : str
        A key of :data:`~bifurc.nets.activations.ACTIVATIONS`.
    """

    name: str

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, tuple[Batch, Batch]]:
        s = activation(self.name)
        return elementwise(s.value, s.slope, x), (x, elementwise(s.slope, s.curvature, x))

    def backward(self, w: Batch, cache: tuple[Batch, Batch], dy: Batch,
                 input_grad: bool) -> tuple[Batch | None, None]:
        return (cache[1] * dy if input_grad else None), None


@dataclass(frozen=True)
class Reshape(Op):
    """Each sample reshaped to ``shape`` (e.g. flat pixels to (height, width, channels), or back)."""

    shape: tuple[int, ...]

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, tuple[int, ...]]:
        return x.reshape(x.shape[0], *self.shape), x.shape

    def backward(self, w: Batch, shape: tuple[int, ...], dy: Batch,
                 input_grad: bool) -> tuple[Batch | None, None]:
        return (dy.reshape(*shape) if input_grad else None), None


@dataclass(frozen=True)
class GlobalAveragePool(Op):
    """The mean over the pixels of each channel: (N, height, width, channels) -> (N, channels)."""

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, tuple[int, ...]]:
        return x.sum(axis=(1, 2)) / (x.shape[1] * x.shape[2]), x.shape

    def backward(self, w: Batch, shape: tuple[int, ...], dy: Batch,
                 input_grad: bool) -> tuple[Batch | None, None]:
        if not input_grad:
            return None, None
        n, h, width, c = shape
        return dy.reshape(n, 1, 1, c) * np.full((1, h, width, 1), 1 / (h * width)), None


@dataclass(frozen=True)
class Chain(Op):
    """Blocks applied one after another; block k owns the k-th run of the flat parameters."""

    ops: tuple[Op, ...]

    @cached_property
    def offsets(self) -> tuple[tuple[int, int], ...]:
        """(start, stop) of each block's parameters."""
        bounds = np.concatenate([[0], np.cumsum([op.n_params for op in self.ops])]).astype(int)
        return tuple((int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]))

    @property
    def n_params(self) -> int:
        return self.offsets[-1][1] if self.ops else 0

    def initial(self, rng: np.random.Generator) -> np.ndarray:
        return np.concatenate([op.initial(rng) for op in self.ops])

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, list]:
        caches = []
        for op, (a, b) in zip(self.ops, self.offsets):
            x, cache = op.forward(w[a:b], x)
            caches.append(cache)
        return x, caches

    def backward(self, w: Batch, caches: list, dy: Batch, input_grad: bool) -> tuple[Batch | None, list]:
        records = [None] * len(self.ops)
        for k in range(len(self.ops) - 1, -1, -1):
            a, b = self.offsets[k]
            # the input derivative of block k is needed if anything before it has parameters
            needed = input_grad or self.offsets[k][0] > 0
            dy, records[k] = self.ops[k].backward(w[a:b], caches[k], dy, needed)
        return dy, records

    def gradient(self, w: Batch, caches: list, records: list, c: Batch) -> Batch:
        return concatenate([op.gradient(w[a:b], cache, record, c) for op, (a, b), cache, record
                            in zip(self.ops, self.offsets, caches, records) if b > a])

    def gram(self, w: np.ndarray, caches: list, records: list) -> np.ndarray | float:
        return sum((op.gram(w[a:b], cache, record) for op, (a, b), cache, record
                    in zip(self.ops, self.offsets, caches, records) if b > a), 0.0)


@dataclass(frozen=True)
class Residual(Op):
    """y = x + branch(x): the branch's output has the input's shape."""

    branch: Chain

    @property
    def n_params(self) -> int:
        return self.branch.n_params

    def initial(self, rng: np.random.Generator) -> np.ndarray:
        return self.branch.initial(rng)

    def forward(self, w: Batch, x: Batch) -> tuple[Batch, list]:
        y, caches = self.branch.forward(w, x)
        return x + y, caches

    def backward(self, w: Batch, caches: list, dy: Batch, input_grad: bool) -> tuple[Batch | None, list]:
        back, records = self.branch.backward(w, caches, dy, input_grad)
        return (dy + back if input_grad else None), records

    def gradient(self, w: Batch, caches: list, records: list, c: Batch) -> Batch:
        return self.branch.gradient(w, caches, records, c)

    def gram(self, w: np.ndarray, caches: list, records: list) -> np.ndarray | float:
        return self.branch.gram(w, caches, records)
