"""Losses of the residual and a catalogue of Song & Yun's examples.

>>> from bifurc import losses
>>> losses.logcosh.r2_at_zero
-2/3
"""

from __future__ import annotations

import warnings

from .assumptions import AssumptionCheck
from .loss import Loss, NoBifurcationWarning

__all__ = ["Loss", "AssumptionCheck", "NoBifurcationWarning", "logcosh", "pseudo_huber", "squared",
           "CATALOGUE", "get"]

#: ℓ(p) = log cosh p: r(p) = tanh(p)/p.
logcosh = Loss.from_expression("log(cosh(p))", name="logcosh")

#: ℓ(p) = √(1 + p²) - 1: r(p) = (1 + p²)^(-1/2).
pseudo_huber = Loss.from_expression("sqrt(1 + p**2) - 1", name="pseudo_huber")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", NoBifurcationWarning)
    #: ℓ(p) = p²/2: r ≡ 1, accepted without bifurcation.
    squared = Loss.from_expression("p**2/2", name="squared")

#: Every catalogued loss by name.
CATALOGUE: dict[str, Loss] = {loss.name: loss for loss in (logcosh, pseudo_huber, squared)}


def get(name_or_expression: str) -> Loss:
    """A catalogued loss by name, or else a new loss from the formula.

    Raises
    ------
    ValueError
        If the text is neither a catalogued name nor a valid loss formula.

    Examples
    --------
    >>> from bifurc import losses
    >>> losses.get("logcosh") is losses.logcosh
    True
    >>> losses.get("2*sqrt(4 + p**2) - 4").r  # l'(p)/p = 2/sqrt(4 + p^2)
    2/sqrt(p**2 + 4)
    """
    if name_or_expression in CATALOGUE:
        return CATALOGUE[name_or_expression]
    return Loss.from_expression(name_or_expression)
