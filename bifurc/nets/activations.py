"""Activation functions written once in sympy; σ, σ', σ'' for numpy derived from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

__all__ = ["ACTIVATIONS", "Activation", "activation"]

_z = sp.Symbol("z", real=True)

#: Each activation as a sympy expression in ``z``.
ACTIVATIONS: dict[str, sp.Expr] = {
    "linear": _z,
    "tanh": sp.tanh(_z),
    "elu": sp.Piecewise((_z, _z > 0), (sp.exp(_z) - 1, True)),
}


@dataclass(frozen=True)
class Activation:
    """An activation σ with its first two derivatives as numpy functions.

    Attributes
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    value, slope, curvature : callable
        σ, σ' and σ'' (σ'' is 0 where σ is piecewise linear; ELU's σ'' jumps at 0, a
        set of measure zero that GD never lands on exactly).
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]
    curvature: Callable[[np.ndarray], np.ndarray]


def _numeric(expression: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    compiled = sp.lambdify(_z, expression, modules="numpy")

    def evaluate(u: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # ELU's unused branch exp(z) for large z
            return np.broadcast_to(np.asarray(compiled(u), dtype=np.float64), np.shape(u))

    return evaluate


@cache
def activation(name: str) -> Activation:
    """The activation called ``name``, with σ' and σ'' derived symbolically.

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`ACTIVATIONS`.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    sigma = ACTIVATIONS[name]
    return Activation(name, _numeric(sigma), _numeric(sp.diff(sigma, _z)), _numeric(sp.diff(sigma, _z, 2)))
