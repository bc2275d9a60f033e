"""A :class:`~bifurc.losses.Loss` as numpy functions ℓ, ℓ', ℓ'', r, lambdified from its sympy form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from ..losses import Loss
from ..losses.loss import P

__all__ = ["NumericLoss", "numeric"]


@dataclass(frozen=True)
class NumericLoss:
    """ℓ, ℓ', ℓ'' and r = ℓ'/p of a loss as vectorised float64 functions of the residual.

    Attributes
    ----------
    loss : Loss
        The symbolic loss they are derived from.
    value, slope, curvature : callable
        ℓ(p), ℓ'(p), ℓ''(p).
    """

    loss: Loss
    value: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]
    curvature: Callable[[np.ndarray], np.ndarray]
    _r: Callable[[np.ndarray], np.ndarray]

    def r(self, p: object) -> np.ndarray:
        """r(p) = ℓ'(p)/p, with its removable singularity filled by r(0) = 1."""
        p = np.asarray(p, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = self._r(p)
        return np.where(p == 0, 1.0, values)


def _vectorised(expression: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    compiled = sp.lambdify(P, expression, modules="numpy")

    def evaluate(p: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # cosh(p) = inf gives ℓ = inf, ℓ'' = 0: the right limits
            return np.broadcast_to(np.asarray(compiled(p), dtype=np.float64), np.shape(p))

    return evaluate


@cache
def numeric(loss: Loss) -> NumericLoss:
    """The numeric functions of ``loss`` (cached per loss).

    Expressions are simplified first (log-cosh's ℓ' = sinh/cosh becomes tanh, which does
    not overflow).
    """
    return NumericLoss(loss, *(_vectorised(sp.simplify(e)) for e in
                               (loss.expression, loss.derivative, loss.second_derivative, loss.r)))
