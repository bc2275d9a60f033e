"""What the checks share: ladders, the losses checked, numeric forms of derived expressions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from ... import losses
from ...losses import Loss
from ..registry import Settings

__all__ = ["FEIGENBAUM_DELTA", "ETAS", "eta_ladder", "checked_losses", "numeric", "ARCTAN_LOSS"]

#: The step-size ladder of quick runs, and the finer one of full runs.
ETAS = (0.2, 0.1, 0.05, 0.025)
_FULL_ETAS = (0.2, 0.1, 0.05, 0.025, 0.0125)

#: Feigenbaum's delta (MATH.md section 8): a universal constant, the prediction of any
#: cascade of maps with a quadratic extremum; not a formula of the papers to derive.
FEIGENBAUM_DELTA = 4.669201609102990

#: A third loss satisfying Song & Yun's assumptions: l' = atan p, l'' = 1/(1 + p^2).
ARCTAN_LOSS = "p*atan(p) - log(1 + p**2)/2"

_P = sp.Symbol("p", real=True)


def eta_ladder(settings: Settings) -> np.ndarray:
    """The step sizes a convergence check runs over."""
    return np.array(_FULL_ETAS if settings.full else ETAS)


def checked_losses(settings: Settings) -> list[Loss]:
    """log-cosh, pseudo-Huber, the arctan loss and any loss given on the command line."""
    extra = [losses.get(text) for text in settings.losses]
    return [losses.logcosh, losses.pseudo_huber, losses.get(ARCTAN_LOSS), *extra]


def numeric(expr: sp.Expr, *symbols: sp.Symbol) -> Callable[..., np.ndarray]:
    """A vectorised numpy function of a derived expression (``p`` by default)."""
    return sp.lambdify(symbols or (_P,), expr, modules="numpy")
