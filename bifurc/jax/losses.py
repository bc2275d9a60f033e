"""The losses :mod:`bifurc.jax` knows by name: those of :mod:`bifurc.torch.losses`, in jax.numpy.

Each returns the sum of the per-sample losses over a batch; the regression losses are of
the residual p = f(x) - y summed over outputs (``"mse"`` is p²/2, so ℓ''(0) = 1 as in
bifurc's catalogue), ``"cross_entropy"`` takes logits (N, C) and integer classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

from bifurc.backends.problem import loss_name

__all__ = ["resolve"]


def _squared(out: jax.Array, y: jax.Array) -> jax.Array:
    return 0.5 * jnp.sum((out - y.reshape(out.shape)) ** 2)


def _logcosh(out: jax.Array, y: jax.Array) -> jax.Array:
    p = out - y.reshape(out.shape)
    return jnp.sum(jnp.logaddexp(p, -p) - math.log(2.0))  # log cosh p, smooth and free of overflow


def _pseudo_huber(out: jax.Array, y: jax.Array) -> jax.Array:
    p = out - y.reshape(out.shape)
    return jnp.sum(jnp.sqrt(1 + p**2) - 1)


def _cross_entropy(out: jax.Array, y: jax.Array) -> jax.Array:
    logp = jax.nn.log_softmax(out, axis=-1)
    return -jnp.sum(jnp.take_along_axis(logp, y.reshape(-1, 1).astype(jnp.int32), axis=-1))


_BUILT_IN: dict[str, Callable[[jax.Array, jax.Array], jax.Array]] = {
    "squared": _squared, "logcosh": _logcosh, "pseudo_huber": _pseudo_huber, "cross_entropy": _cross_entropy,
}


def resolve(loss: object) -> tuple[str, Callable[[jax.Array, jax.Array], jax.Array], bool]:
    """(name, function of (outputs, targets), whether it is a sum over samples) of a loss.

    A name or a catalogued :class:`bifurc.losses.Loss` gives a summing built-in; a callable
    is the user's, taken as the batch's mean (``reduction="mean"``) or sum (``"sum"``).

    Raises
    ------
    InputError
        If ``loss`` is an unknown name or neither a name nor a callable.
    """
    name = loss_name(loss)
    if name is None:
        return getattr(loss, "__name__", type(loss).__name__), loss, False
    return name, _BUILT_IN[name], True
