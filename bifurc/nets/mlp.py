"""Fully connected networks with a scalar output, parameters as one flat float64 vector.

Layer l maps z_l to u_l = a_l z_l W_lᵀ + c_l b_l (multipliers a_l, c_l fixed by the
parameterisation), z_{l+1} = σ(u_l) for hidden layers and f = u_{L-1} at the output.
GD acts on the stored entries W_l, b_l with one step size η, so the multipliers and the
initial scales together are an abc-parameterisation (Yang & Hu 2021) with c = 0:

======== ========================== =============================== ==================
layer    standard (SP)              maximal update (μP)             biases
======== ========================== =============================== ==================
input    a = 1, W ~ N(0, 1/d)       a = √n, W ~ N(0, 1/(n d))       μP: c = √n
hidden   a = 1, W ~ N(0, 1/n)       a = 1,  W ~ N(0, 1/n)           μP: c = √n
output   a = 1, W ~ N(0, 1/n)       a = 1/√n, W ~ N(0, 1/n)         c = 1
======== ========================== =============================== ==================

(n the width, d the input dimension; biases start at 0 and have c = 1 under SP).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .activations import ACTIVATIONS, Activation, activation

__all__ = ["MLP", "Layer", "Forward", "INITS", "forward", "outputs"]

#: The parameterisations: standard and maximal update.
INITS = ("standard", "mup")


@dataclass(frozen=True)
class Layer:
    """Where one dense layer lives in the flat parameter vector, and its scales.

    Attributes
    ----------
    fan_in, fan_out : int
        Input and output sizes; W_l has shape (fan_out, fan_in).
    weights : slice
        The entries of W_l (row-major) in the flat vector.
    biases : slice or None
        The entries of b_l, or None without biases.
    weight_multiplier, bias_multiplier : float
        a_l and c_l.
    init_std : float
        Standard deviation of the initial entries of W_l.
    """

    fan_in: int
    fan_out: int
    weights: slice
    biases: slice | None
    weight_multiplier: float
    bias_multiplier: float
    init_std: float


@dataclass(frozen=True)
class MLP:
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
    """

    input_dim: int
    width: int
    depth: int = 3
    activation: str = "tanh"
    init: str = "standard"
    bias: bool = False

    def __post_init__(self) -> None:
        for name in ("input_dim", "width", "depth"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.depth < 2:
            raise ValueError(f"depth must be at least 2 (one hidden layer), got {self.depth}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")

    @cached_property
    def layers(self) -> tuple[Layer, ...]:
        """The dense layers, input first."""
        sizes = [self.input_dim] + [self.width] * (self.depth - 1) + [1]
        mup = self.init == "mup"
        layers, start = [], 0
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = l == self.depth - 1
            if mup and l == 0:
                a, std = np.sqrt(fan_out), 1 / np.sqrt(fan_out * fan_in)
            elif mup and last:
                a, std = 1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in)
            else:
                a, std = 1.0, 1 / np.sqrt(fan_in)
            c = np.sqrt(fan_out) if mup and not last else 1.0
            weights = slice(start, start + fan_in * fan_out)
            start = weights.stop
            biases = None
            if self.bias:
                biases = slice(start, start + fan_out)
                start = biases.stop
            layers.append(Layer(fan_in, fan_out, weights, biases, float(a), float(c), float(std)))
        return tuple(layers)

    @property
    def n_params(self) -> int:
        """The length of the flat parameter vector."""
        last = self.layers[-1]
        return (last.biases or last.weights).stop

    @property
    def sigma(self) -> Activation:
        """The activation with its derivatives."""
        return activation(self.activation)

    def unflatten(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Views (W_l, b_l) into ``theta`` (b_l is None without biases); writing them writes ``theta``."""
        theta = self._checked(theta)
        return [(theta[L.weights].reshape(L.fan_out, L.fan_in),
                 None if L.biases is None else theta[L.biases]) for L in self.layers]

    def initial(self, seed: int) -> np.ndarray:
        """Initial parameters: Gaussian weights with the layer's ``init_std``, zero biases.

        Parameters
        ----------
        seed
            Seed of :func:`numpy.random.default_rng`; the same seed gives the same vector.
        """
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.n_params)
        for L in self.layers:
            theta[L.weights] = L.init_std * rng.standard_normal(L.weights.stop - L.weights.start)
        return theta

    def _checked(self, theta: np.ndarray) -> np.ndarray:
        if not isinstance(theta, np.ndarray) or theta.shape != (self.n_params,) or theta.dtype != np.float64:
            raise ValueError(f"theta must be a float64 vector of length {self.n_params}, got "
                             f"{getattr(theta, 'dtype', type(theta))} of shape {np.shape(theta)}")
        return theta


@dataclass(frozen=True)
class Forward:
    """Everything a forward pass leaves for gradients, Hessian-vector products and the NTK.

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


def _inputs(net: MLP, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.input_dim:
        raise ValueError(f"X must have shape (N, {net.input_dim}), got {X.shape}")
    return X


def forward(net: MLP, theta: np.ndarray, X: np.ndarray) -> Forward:
    """Run the network on the rows of ``X`` (shape (N, input_dim)), keeping what backward passes need."""
    z = _inputs(net, X)
    sigma = net.sigma
    inputs, pre, slopes = [], [], []
    for L, (W, b) in zip(net.layers, net.unflatten(theta)):
        inputs.append(z)
        u = L.weight_multiplier * (z @ W.T)
        if b is not None:
            u = u + L.bias_multiplier * b
        if L is not net.layers[-1]:
            pre.append(u)
            slopes.append(sigma.slope(u))
            z = sigma.value(u)
    return Forward(inputs, pre, slopes, u[:, 0])


def outputs(net: MLP, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """f(x_i) for the rows of ``X``, shape (N,)."""
    return forward(net, theta, X).output
