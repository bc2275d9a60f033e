"""Continuation of maps: branches of fixed points and cycles followed through a parameter.

Plain functions of a :class:`~bifurc.Map`: :func:`continuation` follows the period-k
cycles through one parameter (pseudo-arclength, through folds) and locates their folds,
flips and Neimark-Sacker points with normal-form coefficients; :func:`switch_at_flip`
starts the doubled cycle's branch at a flip, and :func:`follow_cascade` follows a
period-doubling cascade branch by branch; :func:`bifurcation_curve` continues a fold,
flip or Neimark-Sacker point in a second parameter. Results are frozen
objects (:class:`Branch`, :class:`SpecialPoint`) that carry their settings.
"""

from .branch import continuation
from .curves import Curve, bifurcation_curve
from .results import Branch, SpecialPoint
from .switching import CascadeBranches, follow_cascade, switch_at_flip

__all__ = [
    "continuation", "switch_at_flip", "follow_cascade", "bifurcation_curve",
    "Branch", "SpecialPoint", "CascadeBranches", "Curve",
]
