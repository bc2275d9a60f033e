"""Theory layer, checked: every claim of the papers against numerics (``bifurc verify``).

Each check states a claim, computes its prediction from the derived formulas, measures
the same quantity with the numeric engine (usually over a ladder of step sizes), and
passes when the error has the claimed order and the leading coefficient matches.
"""

from .convergence import OrderFit, fit_order
from .registry import REGISTRY, Check, CheckResult, Outcome, Settings, check, run_checks
from .report import table

__all__ = ["REGISTRY", "Check", "CheckResult", "Outcome", "Settings", "check", "run_checks", "fit_order",
           "OrderFit", "table"]
