"""What every network is: a :class:`~bifurc.nets.layers.Chain` of blocks with a scalar output,
its parameters one flat float64 vector; and the passes every analysis uses.

A network class (:class:`~bifurc.nets.MLP`, :class:`~bifurc.nets.CNN`,
:class:`~bifurc.nets.ResNet`) only says which blocks it chains (``chain``) and how many
inputs it reads (``input_dim``); the forward pass (:func:`run`), the per-sample reverse pass
(:func:`sensitivities`), the weighted pullback Jᵀc (:func:`pullback`) and the tangent-kernel
Gram matrix (:func:`gram`) are the same functions for all of them, and all but the Gram
matrix also run on :class:`~bifurc.nets.dual.Dual` parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.arguments import positive_int
from .activations import ACTIVATIONS
from .dual import Dual, value
from .layers import INITS, Chain

__all__ = ["Network", "Trace", "run", "sensitivities", "pullback", "gram", "outputs"]


class Network:
    """Base of the network classes: subclasses define ``input_dim`` and the ``chain`` of blocks,
    whose output has shape (N, 1).

    Examples
    --------
    >>> from bifurc import nets
    >>> net = nets.MLP(input_dim=2, width=3, depth=2)
    >>> isinstance(net, nets.Network), net.initial(seed=0).dtype
    (True, dtype('float64'))
    """

    input_dim: int
    chain: Chain

    @property
    def n_params(self) -> int:
        """The length of the flat parameter vector."""
        return self.chain.n_params

    def initial(self, seed: int) -> np.ndarray:
        """Initial parameters: Gaussian weights with each layer's initial scale, zero biases.

        Parameters
        ----------
        seed
            Seed of :func:`numpy.random.default_rng`; the same seed gives the same vector.
        """
        return self.chain.initial(np.random.default_rng(seed))

    def _validate(self, positive: tuple[str, ...], activation: str, init: str) -> None:
        """Raise ValueError naming the first field of ``positive`` that is not a positive
        integer, or an unknown activation or parameterisation."""
        for name in positive:
            positive_int(getattr(self, name), name)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")

    def checked(self, theta: np.ndarray | Dual) -> np.ndarray | Dual:
        """``theta`` if it is a float64 vector (or a Dual of them) of length :attr:`n_params`.

        Raises
        ------
        ValueError
            Otherwise, naming ``theta``.
        """
        v = value(theta)
        if not isinstance(v, np.ndarray) or v.shape != (self.n_params,) or v.dtype != np.float64:
            raise ValueError(f"theta must be a float64 vector of length {self.n_params}, got "
                             f"{getattr(v, 'dtype', type(v))} of shape {np.shape(v)}")
        return theta


@dataclass(frozen=True)
class Trace:
    """A forward pass: the outputs and what each block kept for the reverse passes.

    Attributes
    ----------
    output : ndarray or Dual
        f(x_i), shape (N,).
    caches : list
        One entry per block of the network's chain.
    """

    output: np.ndarray | Dual
    caches: list


def _inputs(net: Network, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.input_dim:
        raise ValueError(f"X must have shape (N, {net.input_dim}), got {X.shape}")
    return X


def run(net: Network, theta: np.ndarray | Dual, X: np.ndarray) -> Trace:
    """The forward pass on the rows of ``X`` (shape (N, input_dim))."""
    y, caches = net.chain.forward(net.checked(theta), _inputs(net, X))
    return Trace(y[:, 0], caches)


def sensitivities(net: Network, theta: np.ndarray | Dual, trace: Trace) -> list:
    """The reverse pass of f: per block, ∂f(x_i)/∂(its output) where it has parameters."""
    ones = np.ones((value(trace.output).size, 1))
    return net.chain.backward(theta, trace.caches, ones, False)[1]


def pullback(net: Network, theta: np.ndarray | Dual, trace: Trace, records: list,
             weights: np.ndarray | Dual) -> np.ndarray | Dual:
    """Jᵀc = Σ_i c_i ∇_θ f(x_i), from a forward pass and its :func:`sensitivities`."""
    return net.chain.gradient(theta, trace.caches, records, weights)


def gram(net: Network, theta: np.ndarray, trace: Trace, records: list) -> np.ndarray:
    """K_ij = ∇f(x_i) · ∇f(x_j), shape (N, N)."""
    n = trace.output.size
    return np.broadcast_to(net.chain.gram(theta, trace.caches, records), (n, n)).copy()


def outputs(net: Network, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """f(x_i) for the rows of ``X``, shape (N,).

    Examples
    --------
    A linear MLP of width 1 (standard parameterisation, d = 1) is f = θ₀θ₁x:

    >>> import numpy as np
    >>> from bifurc import nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> nets.outputs(net, np.array([1.5, 2.0]), np.array([[1.0], [-2.0]]))
    array([ 3., -6.])
    """
    return run(net, theta, X).output
