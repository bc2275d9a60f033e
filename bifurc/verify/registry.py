"""Checks: a claim, a function that measures it, and the record of one run."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import InputError

__all__ = ["Outcome", "Settings", "Check", "CheckResult", "REGISTRY", "check", "run_checks", "load_all"]


@dataclass(frozen=True)
class Outcome:
    """What one check measured.

    Attributes
    ----------
    predicted, measured : float or str
        The prediction (from derived formulas) and the measurement, as numbers where the
        claim is a number and as short statements otherwise.
    tolerance : float or str
        What counts as agreement, with its reason in ``details`` where it is not obvious.
    passed : bool
        Whether the claim holds.
    order : float or None
        The measured order of the error in the step size (log-log slope), if the check
        measures one.
    details : dict
        Everything else worth keeping (ladders, per-start numbers, fitted coefficients).
    """

    predicted: float | str
    measured: float | str
    tolerance: float | str
    passed: bool
    order: float | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """What a run of the checks may vary.

    Attributes
    ----------
    full : bool
        Finer step-size ladders and more starts.
    losses : tuple of str
        Extra loss formulas (in ``p``) for the checks that take any loss.
    """

    full: bool = False
    losses: tuple = ()


Runner = Callable[[Settings], Outcome]


@dataclass(frozen=True)
class Check:
    """A claim of a paper with the function that checks it (``run(settings) -> Outcome``)."""

    id: str
    paper: str
    claim: str
    run: Runner
    full_only: bool = False


@dataclass(frozen=True)
class CheckResult:
    """The record of running one check: its claim, outcome, time, and any error."""

    id: str
    paper: str
    claim: str
    predicted: float | str | None
    measured: float | str | None
    tolerance: float | str | None
    passed: bool
    order: float | None
    seconds: float
    details: dict = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict:
        """The record as plain JSON-ready values."""
        return {
            "id": self.id, "paper": self.paper, "claim": self.claim,
            "predicted": self.predicted, "measured": self.measured, "tolerance": self.tolerance,
            "passed": self.passed, "order": self.order, "seconds": round(self.seconds, 3),
            "details": self.details, "error": self.error,
        }


#: Every registered check by id, in registration order.
REGISTRY: dict[str, Check] = {}


def check(id: str, paper: str, claim: str, full_only: bool = False) -> Callable[[Runner], Runner]:
    """Register ``run(settings: Settings) -> Outcome`` as the check ``id``.

    A ``full_only`` check (minutes of network training, say) runs by default only under
    ``Settings(full=True)``; asked for by id it runs at the size its settings give.
    """

    def register(run: Runner) -> Runner:
        if id in REGISTRY:
            raise RuntimeError(f"check {id!r} registered twice")
        REGISTRY[id] = Check(id, paper, claim, run, full_only)
        return run

    return register


def load_all() -> dict[str, Check]:
    """Import every module of checks (registering them) and return the registry."""
    from . import checks  # noqa: F401  (registers on import)

    return REGISTRY


def run_checks(
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    progress: Callable[[int, int, Check, CheckResult | None], None] | None = None,
) -> list[CheckResult]:
    """Run checks and return their records; a check that raises is a failed check.

    Parameters
    ----------
    ids
        Which checks (default all, without the ``full_only`` ones unless ``settings.full``);
        unknown ids raise :class:`~bifurc.InputError`.
    settings
        Full or quick, and extra losses (default: quick, built-in losses only).
    progress
        Called before each check (with None) and after it (with its result).
    """
    registry = load_all()
    settings = settings or Settings()
    if ids is None:
        chosen = sorted(cid for cid, c in registry.items() if settings.full or not c.full_only)
    else:
        chosen = list(ids)
    unknown = [i for i in chosen if i not in registry]
    if unknown:
        raise InputError(f"unknown check {', '.join(unknown)} (known: {', '.join(registry)})")
    results = []
    for n, cid in enumerate(chosen, 1):
        c = registry[cid]
        if progress:
            progress(n, len(chosen), c, None)
        start = time.perf_counter()
        try:
            o = c.run(settings)
            result = CheckResult(c.id, c.paper, c.claim, o.predicted, o.measured, o.tolerance, bool(o.passed),
                                 o.order, time.perf_counter() - start, o.details)
        except Exception as error:  # a crashing check fails loudly, with where it crashed
            where = traceback.format_exception(error)[-2].strip().splitlines()[0]
            message = f"{type(error).__name__}: {error} ({where})"
            result = CheckResult(c.id, c.paper, c.claim, None, None, None, False, None,
                                 time.perf_counter() - start, {}, message)
        results.append(result)
        if progress:
            progress(n, len(chosen), c, result)
    return results
