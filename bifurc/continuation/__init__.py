"""Continuation of maps: branches of fixed points and cycles followed through a parameter.

Plain functions of a :class:`~bifurc.Map`: :func:`continuation` follows the period-k
cycles through one parameter (pseudo-arclength, through folds) and locates their folds,
flips and Neimark-Sacker points with normal-form coefficients; results are frozen
objects (:class:`Branch`, :class:`SpecialPoint`) that carry their settings.
"""

from .branch import continuation
from .results import Branch, SpecialPoint

__all__ = ["continuation", "Branch", "SpecialPoint"]
