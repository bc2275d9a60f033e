"""Dual numbers over numpy arrays: a value and a tangent, for exact directional derivatives.

A :class:`Dual` ``a + εb`` (ε² = 0) carries an array ``value`` and an array ``tangent`` of
the same shape. Sums, products, matrix products, reshapes and indexing act on it by the
rules of d/dε at ε = 0: linear operations apply to both parts, a bilinear one B gives
B(a, b) + ε(B(a', b) + B(a, b')), and an elementwise function g gives g(a) + ε g'(a) b
(:func:`elementwise`, which takes g' as an argument: the activations and losses supply
theirs, derived with sympy). Every rule is exact, so any code written with these
operations and run on ``Dual(θ, v)`` returns the exact derivative of its result along v:
this is how :mod:`~bifurc.nets.hvp` turns the hand-derived reverse pass into Hessian-vector
products (forward-over-reverse).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["Dual", "elementwise", "linear", "concatenate", "value", "tangent"]

Array = np.ndarray


def value(x: Array | Dual) -> Array:
    """The value part of ``x`` (``x`` itself for an array)."""
    return x.value if isinstance(x, Dual) else x


def tangent(x: Array | Dual) -> Array:
    """The tangent part of ``x`` (zeros for an array, a constant)."""
    return x.tangent if isinstance(x, Dual) else np.zeros(np.shape(x))


class Dual:
    """``value + ε tangent`` with ε² = 0, for arrays of one shape.

    Parameters
    ----------
    value, tangent
        Arrays of the same shape.

    Raises
    ------
    ValueError
        If the shapes differ.
    """

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None  # numpy defers ``array op Dual`` to the reflected methods below

    def __init__(self, value: Array, tangent: Array) -> None:
        value, tangent = np.asarray(value), np.asarray(tangent)
        if value.shape != tangent.shape:
            raise ValueError(f"tangent must have the value's shape {value.shape}, got {tangent.shape}")
        self.value = value
        self.tangent = tangent

    @property
    def shape(self) -> tuple[int, ...]:
        """The common shape of both parts."""
        return self.value.shape

    @property
    def size(self) -> int:
        """The number of entries of each part."""
        return self.value.size

    @property
    def T(self) -> Dual:  # noqa: N802 (numpy's name)
        """The transpose."""
        return Dual(self.value.T, self.tangent.T)

    def reshape(self, *shape: int) -> Dual:
        """Both parts reshaped."""
        return Dual(self.value.reshape(*shape), self.tangent.reshape(*shape))

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Dual:
        """Both parts summed."""
        return Dual(self.value.sum(axis=axis, keepdims=keepdims),
                    self.tangent.sum(axis=axis, keepdims=keepdims))

    def __getitem__(self, index: object) -> Dual:
        return Dual(self.value[index], self.tangent[index])

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.tangent)

    def __add__(self, other: Array | Dual | float) -> Dual:
        return Dual(self.value + value(other), self.tangent + tangent(other))

    __radd__ = __add__

    def __sub__(self, other: Array | Dual | float) -> Dual:
        return self + (-other)

    def __rsub__(self, other: Array | float) -> Dual:
        return (-self) + other

    def __mul__(self, other: Array | Dual | float) -> Dual:
        if isinstance(other, Dual):
            return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)
        return Dual(self.value * other, self.tangent * other)

    __rmul__ = __mul__

    def __truediv__(self, other: Array | float) -> Dual:
        if isinstance(other, Dual):
            raise TypeError("division by a Dual is not needed here and not supported")
        return Dual(self.value / other, self.tangent / other)

    def __matmul__(self, other: Array | Dual) -> Dual:
        if isinstance(other, Dual):
            return Dual(self.value @ other.value, self.tangent @ other.value + self.value @ other.tangent)
        return Dual(self.value @ other, self.tangent @ other)

    def __rmatmul__(self, other: Array) -> Dual:
        return Dual(other @ self.value, other @ self.tangent)

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"


def elementwise(g: Callable[[Array], Array], slope: Callable[[Array], Array],
                x: Array | Dual) -> Array | Dual:
    """g(x) entry by entry; on a Dual, g(a) + ε g'(a) b with g' = ``slope``."""
    if isinstance(x, Dual):
        return Dual(g(x.value), slope(x.value) * x.tangent)
    return g(x)


def linear(operator: Callable[[Array], Array], x: Array | Dual) -> Array | Dual:
    """A linear map applied to ``x`` (to both parts of a Dual)."""
    if isinstance(x, Dual):
        return Dual(operator(x.value), operator(x.tangent))
    return operator(x)


def concatenate(parts: Sequence[Array | Dual]) -> Array | Dual:
    """1-D pieces joined end to end (a Dual if any piece is one)."""
    if any(isinstance(p, Dual) for p in parts):
        return Dual(np.concatenate([value(p) for p in parts]), np.concatenate([tangent(p) for p in parts]))
    return np.concatenate(parts) if parts else np.zeros(0)
