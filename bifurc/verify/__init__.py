"""Theory layer, checked: every claim of the papers against numerics (``bifurc verify``).

Each check states a claim, computes its prediction from the derived formulas, measures
the same quantity with the numeric engine (usually over a ladder of step sizes), and
passes when the error has the claimed order and the leading coefficient matches.
"""

from .registry import REGISTRY, Check, CheckResult, Outcome, Settings, check, run_checks

__all__ = ["REGISTRY", "Check", "CheckResult", "Outcome", "Settings", "check", "run_checks"]
