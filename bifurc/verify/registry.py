"""Checks: a claim, a function that measures it, the wrong claims it must reject, and the
record of one run."""

from __future__ import annotations

import functools
import math
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from ..losses import Loss

__all__ = [
    "Outcome", "Settings", "Check", "Control", "Resolution", "ControlResult", "CheckResult", "Skip",
    "REGISTRY", "check", "control", "resolution", "run_checks", "load_all",
]


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

    Examples
    --------
    >>> import math
    >>> from bifurc.verify import Outcome
    >>> measured = sum(1 / k**2 for k in range(1, 10**6 + 1))  # the tail beyond N is about 1/N
    >>> o = Outcome(math.pi**2 / 6, measured, 1e-5, abs(measured - math.pi**2 / 6) < 1e-5)
    >>> o.passed, o.order
    (True, None)
    """

    predicted: float | str
    measured: float | str
    tolerance: float | str
    passed: bool
    order: float | None = None
    details: dict = field(default_factory=dict)


class Skip(Exception):  # noqa: N818  (a signal, not an error)
    """Raised by a check whose claim does not apply (to this loss, say); the message says why."""


@dataclass(frozen=True)
class Settings:
    """What a run of the checks may vary.

    Attributes
    ----------
    full : bool
        Finer step-size ladders and more starts.
    losses : tuple of str
        Extra loss formulas (in ``p``): every loss-generic check runs once on each of them, after
        the built-in losses.

    Examples
    --------
    >>> from bifurc.verify import Settings
    >>> settings = Settings(losses=("log(cosh(2*p))/4",))  # a loss of your own, after the built-in ones
    >>> settings.full, settings.losses
    (False, ('log(cosh(2*p))/4',))
    """

    full: bool = False
    losses: tuple = ()


Runner = Callable[[Settings], Outcome]


@dataclass(frozen=True)
class Control:
    """A wrong variant of a check's claim that the check must reject.

    ``run(settings)`` (``run(settings, loss)`` for a loss-generic check) applies the check's own
    test to the wrong claim (a perturbed constant, a wrong order, a model outside the theorem's
    conditions); the control is rejected when the outcome does not pass.
    """

    name: str
    run: Callable[..., Outcome]


@dataclass(frozen=True)
class Resolution:
    """How finely a check of a constant resolves it.

    ``run(settings, relative)`` (``run(settings, loss, relative)`` for a loss-generic check)
    applies the check's test to the headline constant multiplied by ``1 + relative``; the
    resolution is the smallest ``|relative|`` rejected with either sign, found by bisection on
    a log scale between ``low`` and ``high``.
    """

    constant: str
    run: Callable[..., Outcome]
    low: float = 1e-12
    high: float = 1.0


@dataclass(frozen=True)
class Check:
    """A claim of a paper with the function that checks it (``run(settings) -> Outcome``).

    A ``per_loss`` check is loss-generic: it is run as ``run(settings, loss)`` once per loss
    of :func:`bifurc.verify.checks.common.checked_losses`, one record each.

    Examples
    --------
    >>> from bifurc.verify.registry import load_all
    >>> c = load_all()["song-yun/qstar"]  # the registry, every check module imported
    >>> c.id, c.per_loss, c.full_only, callable(c.run)
    ('song-yun/qstar', True, False, True)
    """

    id: str
    paper: str
    claim: str
    run: Callable[..., Outcome]
    full_only: bool = False
    per_loss: bool = False
    controls: tuple[Control, ...] = ()
    resolution: Resolution | None = None


@dataclass(frozen=True)
class ControlResult:
    """One control of one run: whether the check rejected it, and what it measured then."""

    name: str
    rejected: bool
    measured: float | str | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        """The control as plain JSON-ready values."""
        return {"name": self.name, "rejected": self.rejected, "measured": self.measured, "error": self.error}


@dataclass(frozen=True)
class CheckResult:
    """The record of running one check (on one loss): claim, outcome, controls, time, any error.

    ``controls`` is None when the controls were not run; ``resolution`` is the smallest
    relative perturbation of the headline constant found rejected (None when not measured),
    with ``resolution_note`` saying how it was bracketed. ``skipped`` says why a claim that
    does not apply was not checked (the record then counts as passed).

    Examples
    --------
    >>> from bifurc.verify import run_checks
    >>> (result,) = run_checks(["chen-bruna/zhu-instance"])
    >>> result.paper, result.passed, result.controls, result.ok  # controls None: not asked for
    ('Chen & Bruna', True, None, True)
    """

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
    loss: str | None = None
    skipped: str | None = None
    controls: tuple[ControlResult, ...] | None = None
    resolution: float | None = None
    resolution_note: str | None = None

    @property
    def controls_ok(self) -> bool:
        """Every control was rejected and the resolution (if any) was bracketed (True if not run)."""
        if self.controls is None or self.skipped:
            return True
        return bool(self.controls) and all(c.rejected for c in self.controls) and (
            self.resolution_note is None or self.resolution is not None)

    @property
    def ok(self) -> bool:
        """Passed, and rejected every control it was shown."""
        return self.passed and self.controls_ok

    def as_dict(self) -> dict:
        """The record as plain JSON-ready values."""
        return {
            "id": self.id, "paper": self.paper, "claim": self.claim, "loss": self.loss,
            "predicted": self.predicted, "measured": self.measured, "tolerance": self.tolerance,
            "passed": self.passed, "skipped": self.skipped, "order": self.order,
            "seconds": round(self.seconds, 3), "details": self.details, "error": self.error,
            "controls": None if self.controls is None else [c.as_dict() for c in self.controls],
            "resolution": self.resolution, "resolution_note": self.resolution_note,
        }


#: Every registered check by id, in registration order.
REGISTRY: dict[str, Check] = {}


def check(id: str, paper: str, claim: str, full_only: bool = False,
          per_loss: bool = False) -> Callable[[Runner], Runner]:
    """Register ``run(settings: Settings) -> Outcome`` as the check ``id``.

    A ``full_only`` check (minutes of network training, say) runs by default only under
    ``Settings(full=True)``; asked for by id it runs at the size its settings give. A
    ``per_loss`` check is ``run(settings, loss)``, run once per checked loss.

    Examples
    --------
    >>> from bifurc.verify import REGISTRY, Outcome, check, run_checks
    >>> @check("demo/golden", "a demo", "x -> 1 + 1/x converges to the golden ratio (1 + sqrt 5)/2")
    ... def golden(settings):
    ...     x = 1.0
    ...     for _ in range(100):  # contracts by 1/phi^2 per step: 100 steps reach float64 rounding
    ...         x = 1 + 1 / x
    ...     predicted = (1 + 5 ** 0.5) / 2
    ...     return Outcome(predicted, x, 1e-15, abs(x - predicted) <= 1e-15)
    >>> (result,) = run_checks(["demo/golden"])
    >>> result.id, result.passed
    ('demo/golden', True)
    >>> del REGISTRY["demo/golden"]  # the demo leaves the registry as it found it
    """

    def register(run: Runner) -> Runner:
        if id in REGISTRY:
            raise RuntimeError(f"check {id!r} registered twice")
        REGISTRY[id] = Check(id, paper, claim, _within_assumptions(run) if per_loss else run, full_only,
                             per_loss)
        return run

    return register


def _within_assumptions(run: Runner) -> Runner:
    """``run(settings, loss)``, skipped for a loss that breaks Song & Yun's assumptions, which
    every loss-generic claim rests on (the squared loss makes f_q linear; an odd loss has no
    symmetric 2-cycle). Direct calls of the check get the same skip as a run of the registry."""

    @functools.wraps(run)
    def guarded(settings: Settings, loss: Loss) -> Outcome:
        failed = [a.name for a in loss.assumptions if not a.holds]
        if failed:
            raise Skip(f"{loss.name} breaks Song & Yun's assumptions ({', '.join(failed)})")
        return run(settings, loss)

    return guarded


def control(check_id: str, name: str) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a wrong variant of the claim of ``check_id`` (registered before) that it must reject.

    The decorated function takes the check's arguments and returns the :class:`Outcome` of the
    check's test applied to the wrong claim.
    """

    def register(run: Callable[..., Outcome]) -> Callable[..., Outcome]:
        c = REGISTRY[check_id]
        if any(existing.name == name for existing in c.controls):
            raise RuntimeError(f"control {name!r} of {check_id!r} registered twice")
        REGISTRY[check_id] = replace(c, controls=(*c.controls, Control(name, run)))
        return run

    return register


def resolution(check_id: str, constant: str, low: float = 1e-12,
               high: float = 1.0) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register how ``check_id`` is run with its headline ``constant`` scaled by ``1 + relative``.

    The decorated function takes the check's arguments and then ``relative``; it should reuse
    the check's measurements (cache them) so that the bisection costs only the judging.
    """

    def register(run: Callable[..., Outcome]) -> Callable[..., Outcome]:
        c = REGISTRY[check_id]
        if c.resolution is not None:
            raise RuntimeError(f"resolution of {check_id!r} registered twice")
        REGISTRY[check_id] = replace(c, resolution=Resolution(constant, run, low, high))
        return run

    return register


def load_all() -> dict[str, Check]:
    """Import every module of checks (registering them) and return the registry."""
    from . import checks  # noqa: F401  (registers on import)

    return REGISTRY


def _failure(error: Exception) -> str:
    where = traceback.format_exception(error)[-2].strip().splitlines()[0]
    return f"{type(error).__name__}: {error} ({where})"


def _run_control(c: Control, args: tuple) -> ControlResult:
    try:
        o = c.run(*args)
    except Skip as why:  # a control that does not apply to this loss rejects nothing
        return ControlResult(c.name, False, None, f"skipped: {why}")
    except Exception as error:  # a crash is not a rejection: the check must say "no" itself
        return ControlResult(c.name, False, None, _failure(error))
    return ControlResult(c.name, not bool(o.passed), o.measured)


def _resolve(r: Resolution, args: tuple) -> tuple[float | None, str]:
    """The smallest relative perturbation rejected with both signs, by bisection in log scale."""

    def rejected(relative: float) -> bool:
        return not r.run(*args, relative).passed and not r.run(*args, -relative).passed

    if not rejected(r.high):
        return None, f"{r.constant} perturbed by ±{r.high:g} is not rejected"
    if rejected(r.low):
        return r.low, f"{r.constant}: rejected already at ±{r.low:g} (the smallest tried)"
    low, high = math.log(r.low), math.log(r.high)
    while high - low > math.log(1.25):  # to within a factor 1.25
        middle = 0.5 * (low + high)
        if rejected(math.exp(middle)):
            high = middle
        else:
            low = middle
    return math.exp(high), (f"{r.constant}: ±{math.exp(high):.2g} rejected, ±{math.exp(low):.2g} "
                            "accepted (bisection in log scale)")


def _losses(settings: Settings) -> list:
    from .checks.common import checked_losses

    return checked_losses(settings)


def _run_one(c: Check, args: tuple, loss: str | None, with_controls: bool) -> CheckResult:
    start = time.perf_counter()
    try:
        o = c.run(*args)
    except Skip as why:
        return CheckResult(c.id, c.paper, c.claim, None, None, None, True, None,
                           time.perf_counter() - start, {}, None, loss, str(why) or "does not apply")
    except Exception as error:  # a crashing check fails loudly, with where it crashed
        return CheckResult(c.id, c.paper, c.claim, None, None, None, False, None,
                           time.perf_counter() - start, {}, _failure(error), loss)
    result = CheckResult(c.id, c.paper, c.claim, o.predicted, o.measured, o.tolerance, bool(o.passed),
                         o.order, time.perf_counter() - start, o.details, None, loss)
    if not with_controls:
        return result
    controls = tuple(_run_control(k, args) for k in c.controls)
    value, note = (None, None)
    if c.resolution is not None:
        try:
            value, note = _resolve(c.resolution, args)
        except Exception as error:
            value, note = None, f"resolution failed: {_failure(error)}"
    return replace(result, controls=controls, resolution=value, resolution_note=note,
                   seconds=time.perf_counter() - start)


def run_checks(
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    progress: Callable[[int, int, Check, CheckResult | None], None] | None = None,
    controls: bool = False,
) -> list[CheckResult]:
    """Run checks and return their records; a check that raises is a failed check.

    Parameters
    ----------
    ids
        Which checks (default all, without the ``full_only`` ones unless ``settings.full``);
        unknown ids raise :class:`~bifurc.InputError`.
    settings
        Full or quick, and extra losses (default: quick, built-in losses only). Each
        loss-generic check gives one record per loss, e.g.
        ``run_checks(["song-yun/qstar"], Settings(losses=("sqrt(1 + p**2) - 1",)))``.
    progress
        Called before each check (with None) and after it (with its last record).
    controls
        Also run each check's negative controls and measure its resolution; a record whose
        control was not rejected is not :attr:`CheckResult.ok`.

    Examples
    --------
    >>> from bifurc.verify import run_checks
    >>> (result,) = run_checks(["chen-bruna/zhu-instance"])
    >>> result.id, result.passed, result.error
    ('chen-bruna/zhu-instance', True, None)
    >>> try:
    ...     run_checks(["no/such-check"])
    ... except ValueError as error:
    ...     print(type(error).__name__)
    InputError
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
    losses = _losses(settings) if any(registry[cid].per_loss for cid in chosen) else []
    results = []
    for n, cid in enumerate(chosen, 1):
        c = registry[cid]
        if progress:
            progress(n, len(chosen), c, None)
        runs = [((settings, loss), loss.name) for loss in losses] if c.per_loss else [((settings,), None)]
        for args, loss in runs:
            results.append(_run_one(c, args, loss, controls))
        if progress:
            progress(n, len(chosen), c, results[-1])
    return results
