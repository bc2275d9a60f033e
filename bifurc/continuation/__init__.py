"""Continuation of maps: branches of fixed points and cycles followed through a parameter.

Plain functions of a :class:`~bifurc.Map`: :func:`continuation` follows the period-k
cycles through one parameter (pseudo-arclength, through folds) and locates their folds,
flips, Neimark-Sacker points (with normal-form coefficients) and branch points;
:func:`switch_at_flip` starts the doubled cycle's branch at a flip,
:func:`switch_at_branch_point` the other branch at a branch point, and
:func:`follow_cascade` follows a period-doubling cascade branch by branch;
:func:`bifurcation_curve` continues a fold, flip or Neimark-Sacker point in a second
parameter. Results are frozen objects (:class:`Branch`, :class:`SpecialPoint`,
:class:`CascadeBranches`, :class:`Curve`) that carry their settings. See docs/continuation.md.

The names are imported on first use, so that the command line can register its
subcommand without loading the numerics.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "continuation": "branch", "switch_at_flip": "switching", "follow_cascade": "switching",
    "switch_at_branch_point": "switching",
    "bifurcation_curve": "curves", "Branch": "results", "SpecialPoint": "results",
    "CascadeBranches": "switching", "Curve": "curves",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'bifurc.continuation' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
