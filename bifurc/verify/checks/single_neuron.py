"""Song & Yun: trajectories of the single-neuron network f = vσ(ux) align on q = r(p).

At a fixed |p| the deviation is q/r(p) - 1 = c(p) η + O(η²) (the two-layer linear net's is
O(η²)), the same for every tanh start; c(p) = p ℓ'(p)/3 for tanh is derived in
:func:`bifurc.eos.neuron_alignment.neuron_first_order` and checked here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ... import eos, losses
from ...analysis.orbits import orbit
from ...eos.neuron_alignment import neuron_first_order
from ..convergence import fit_order
from ..registry import Outcome, Settings, check, control, resolution
from .common import eta_ladder, numeric

PAPER = "Song & Yun"
#: Levels |p| = p* at which the deviation is compared across starts and step sizes. The O(η)
#: coefficient c(p) shrinks as p -> 0 and the η² term then dominates on this ladder (local
#: orders ~1.3 at |p| = 0.5, ~1.7 at 0.2), so the levels stay where the first order shows;
#: 1.2 is crossed after t_a by the starts with q0 = 0.5 (r̂(0.5) ≈ 1.9), 0.8 by all.
_LEVELS = (1.2, 0.8)
#: t_a, independent of η: the first step after which |q/r(p) - 1| stays below this level
#: (the deviation after alignment is ~0.1 at η = 0.2 and smaller below).
_ALIGNED = 0.25
#: A crossing of a level counts only when it lands within this fraction below the level.
_CROSSING = 0.05
_U, _V, _ETA, _XS, _Y = (sp.Symbol(n, real=True) for n in ("u", "v", "eta", "x", "y"))


@lru_cache(maxsize=4)
def _model(activation: str):
    """The single-neuron model with log-cosh loss, and q(u, v, eta) at x = 1, y = 0, numeric."""
    model = eos.single_neuron(losses.logcosh, activation)
    q = model.results["q"].subs({_XS: 1, _Y: 0})
    return model, numeric(q, _U, _V, _ETA)


def _starts(activation: str, eta: float, full: bool) -> list[tuple[float, float]]:
    """Starts (u0, v0) in the EoS regime: v0 solves q(u0, v0) = q0 < 1 from the derived q."""
    _, q = _model(activation)
    us = (0.3, 0.6, 1.0) if not full else (0.2, 0.3, 0.45, 0.6, 0.8, 1.0)
    q0s = (0.5, 0.8) if not full else (0.4, 0.6, 0.8, 0.9)
    # q decreases in v > 0 (the kernel grows like v²); q(u, 1e4) << q0 < q(u, 1e-3) brackets the root
    return [(u, brentq(lambda v, u=u, q0=q0: q(u, v, eta) - q0, 1e-3, 1e4, xtol=1e-14))
            for u in us for q0 in q0s]


@lru_cache(maxsize=8)
def _runs(activation: str, settings: Settings, steps: float = 40.0) -> dict:
    """Per eta: for each start, (p_t, q_t/r(p_t)) along steps/eta^2 steps, or None if it diverged."""
    model, _ = _model(activation)
    r = numeric(losses.logcosh.r)
    out = {}
    for eta in eta_ladder(settings):
        params = {"eta": float(eta), "x": 1.0, "y": 0.0}
        runs = []
        for start in _starts(activation, float(eta), settings.full):
            with np.errstate(all="ignore"):
                run = orbit(model.map, start, int(steps / eta**2), params=params)
            if not np.all(np.isfinite(run)):
                runs.append(None)
                continue
            P, Q = eos.canonical_coordinates(model, run, params)
            with np.errstate(all="ignore"):
                runs.append((P, Q / r(P)))
        out[float(eta)] = runs
    return out


def _at_levels(P: np.ndarray, ratio: np.ndarray) -> dict:
    """t_a and, per level, (ratio - 1, |p|) where |p| first falls below the level after t_a (None
    if the run was already below it at t_a, never falls below, or jumps below it)."""
    off = np.flatnonzero(~(np.abs(ratio - 1) < _ALIGNED))  # NaN at p = 0 counts as aligned below
    off = off[np.abs(P[off]) > 1e-8]
    t_a = int(off[-1]) + 1 if off.size else 0
    out = {"t_a": t_a}
    for level in _LEVELS:
        below = np.flatnonzero(np.abs(P[t_a:]) < level)
        at = t_a + below[0] if below.size and below[0] > 0 else None
        # a run drifting along the branch crosses the level by a small step (within 3% at
        # eta = 0.2, 1% below); one that lands further below jumped there on its approach
        crossed = at is not None and abs(P[at]) > (1 - _CROSSING) * level
        out[level] = (float(ratio[at] - 1), float(abs(P[at]))) if crossed else None
    return out


@lru_cache(maxsize=1)
def _first_order():
    """c(p), derived, as a numeric function."""
    return numeric(neuron_first_order(losses.logcosh, "tanh"))


def _judged(settings: Settings, scale: float = 1.0, order: float = 1.0, c_scale: float = 1.0) -> Outcome:
    """tanh: q/r(p) - 1 at fixed |p| is of order ``order`` (0.8-1.2 for 1), for the curve
    q = scale r(p), the same for all starts, with the derived first-order coefficient
    c(p) (times ``c_scale``); no start diverges. ELU is measured and reported."""
    etas = eta_ladder(settings)
    runs = _runs("tanh", settings)
    c_of = _first_order()
    diverged = sum(run is None for eta in runs for run in runs[eta])
    with np.errstate(all="ignore"):  # scale = 0 is a claim too (the resolution's -100%)
        measured = {eta: [_at_levels(P, ratio / scale) for P, ratio in runs[eta] if P is not None]
                    for eta in runs}
    details = {"diverged starts (tanh)": diverged, "t_a level": _ALIGNED, "curve": f"q = {scale:g} r(p)",
               "first-order coefficient": f"{c_scale:g} x c(p) = {neuron_first_order(losses.logcosh)}",
               "t_a per start, per eta": [[m["t_a"] for m in measured[eta]] for eta in measured]}
    passed = diverged == 0
    orders = []
    for level in _LEVELS:
        values = [[m[level] for m in measured[eta] if m[level] is not None] for eta in measured]
        counted = [len(v) for v in values]
        if min(counted) < 2:  # agreement across starts needs at least two starts at the level
            passed = False
            details[f"|p| = {level}"] = {"starts crossing after t_a, per eta": counted}
            continue
        deviation = [np.array([d for d, _ in v]) for v in values]
        mean = np.array([d.mean() for d in deviation])
        spread = np.array([np.ptp(d) for d in deviation]) / np.abs(mean)
        fit = fit_order(etas, np.abs(mean))
        # the derived coefficient, at the |p| of each crossing: (q/r - 1)/eta - c(p) = O(eta),
        # judged on eta <= 0.1 (at eta = 0.2 the starts still differ by up to 26% at |p| = 1.2)
        miss = np.array([max(abs(d / eta - c_scale * c_of(p)) for d, p in v) for eta, v in zip(etas, values)])
        small = etas <= 0.1
        c_fit = fit_order(etas[small], miss[small])
        # the order of the deviation at a fixed |p|: within 0.2 of the claimed order (0.8-1.2 for
        # O(eta)); one curve: the starts agree to 5% of the deviation at the smallest eta; the
        # coefficient's error O(eta), slack 0.3
        ok = bool(fit.within(order, 0.2) and spread[-1] < 0.05 and c_fit.at_least(1.0))
        passed &= ok
        orders.append(fit.order)
        details[f"|p| = {level}"] = {
            "q/r(p) - 1 per eta (mean over starts)": mean.tolist(), "fit": fit.as_dict(),
            "relative spread over starts, per eta": spread.tolist(), "starts crossing after t_a": counted,
            "(q/r - 1)/eta per eta (mean over starts)": (mean / etas).tolist(),
            "derived c(p) at the level": c_scale * float(c_of(level)),
            "max |(q/r - 1)/eta - c(p)| per eta": miss.tolist(), "its fit (eta <= 0.1)": c_fit.as_dict(),
            "passed": ok}
    details["elu (reported, not claimed)"] = _elu_report(settings, scale)
    measured_order = min(orders) if orders else float("nan")
    return Outcome(f"order {order:g} at fixed |p|, c(p) = pℓ'(p)/3", f"order {measured_order:.2f}",
                   f"order {order:g} ± 0.2, starts within 5%, c(p) to O(η), none diverged", passed,
                   measured_order, details)


def _elu_report(settings: Settings, scale: float) -> dict:
    """ELU runs: diverged starts, t_a and the spread over starts of the last deviation, per eta."""
    runs = _runs("elu", settings)
    report = {"diverged starts": sum(run is None for eta in runs for run in runs[eta])}
    t_a, spread = [], []
    for per_start in runs.values():
        with np.errstate(all="ignore"):
            fine = [(P, ratio / scale) for P, ratio in (run for run in per_start if run is not None)]
            t_a.append(float(np.median([_at_levels(P, ratio)["t_a"] for P, ratio in fine])))
            last = np.array([ratio[np.flatnonzero(np.abs(P) > 0.05)[-1]] - 1 for P, ratio in fine])
            spread.append(float(np.ptp(last) / np.abs(last).mean()))
    report["t_a per eta (median over starts)"] = t_a
    report["relative spread over starts of q/r(p) - 1 at the last |p| > 0.05, per eta"] = spread
    return report


@check("song-yun/single-neuron", PAPER,
       "single neuron vσ(ux), tanh: from q0 < 1 the runs align on one curve q = r(p)(1 + c(p)η + O(η²)), "
       "c derived")
def single_neuron(settings: Settings) -> Outcome:
    """q/r(p) - 1 at |p| = 1.2 and 0.8 over the ladder and several EoS starts, for tanh (ELU reported)."""
    return _judged(settings)


@control("song-yun/single-neuron", "the deviation is O(η²), as for the two-layer net")
def _second_order(settings: Settings) -> Outcome:
    return _judged(settings, order=2.0)


@control("song-yun/single-neuron", "the first-order coefficient is 1.1 c(p)")
def _wrong_coefficient(settings: Settings) -> Outcome:
    return _judged(settings, c_scale=1.1)


@control("song-yun/single-neuron", "the runs align on q = 1.05 r(p)")
def _wrong_curve(settings: Settings) -> Outcome:
    return _judged(settings, scale=1.05)


@resolution("song-yun/single-neuron", "the curve r(p)")
def _curve_resolution(settings: Settings, relative: float) -> Outcome:
    return _judged(settings, scale=1 + relative)
