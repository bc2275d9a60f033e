"""Kalra, He & Barkeshli: the UV model's fixed points and phases, and the cubic map's route to chaos."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from ... import eos
from ...analysis.cascade import cascade
from ...analysis.lyapunov import lyapunov_sweep
from ...analysis.orbits import orbit
from ...analysis.periods import classify
from ...analysis.periods import fixed_points as numeric_fixed_points
from ..registry import Outcome, Settings, check
from .common import FEIGENBAUM_DELTA

PAPER = "Kalra et al."
#: The UV model's parameters for the checks: unit input and target, width 1 (the
#: function-space map depends on n and x only through c^2; width 4 makes SP and μP differ).
UV_PARAMS = {"eta": 1.0, "y": 1.0, "n": 4.0, "x": 1.0}


def _kind(values: list[complex]) -> str:
    return classify(np.array(values, dtype=complex))


@check("kalra/fixed-points", PAPER, "UV fixed points found numerically = derived ones, with types (SP, μP)")
def fixed_points(settings: Settings) -> Outcome:
    """Derived isolated points and the line Δ = 0 against the compiled map and Newton's search."""
    details = {}
    passed = True
    worst = 0.0
    for parameterization in ("sp", "mup"):
        model = eos.uv_model(parameterization)
        m = model.map
        params = dict(UV_PARAMS, eta=0.3)
        symbols = {s.name: s for s in (*m.param_symbols, *m.state_symbols)}
        values = {symbols[k]: v for k, v in params.items()}
        points, _ = eos.fixed_points(model)
        isolated = [fp for fp in points if not fp.free]
        line = [fp for fp in points if fp.free]
        numerals = {tuple(fp.point.items()): name
                    for name, fp in eos.uv_fixed_point_labels(parameterization).items()}
        found = []
        for fp in isolated:
            x = np.array([float(fp.point[s].xreplace(values)) for s in m.state_symbols])
            predicted = [complex(sp.N(e.xreplace(values))) for e in fp.eigenvalues]
            residual = float(np.abs(m(x, params) - x).max())
            measured = np.linalg.eigvals(m.jacobian_at(x, params))
            error = max(min(abs(mu - v) for v in measured) for mu in predicted)
            worst = max(worst, residual, error)
            kind = _kind(predicted)
            found.append({"label": numerals.get(tuple(fp.point.items()), "?"), "point": x.tolist(),
                          "type": kind, "residual": residual,
                          "multiplier error": error})
            passed &= kind == classify(measured) and residual < 1e-12 and error < 1e-10
        # Newton's search in a box around them finds those points and nothing else off the line
        corners = np.array([f["point"] for f in found])
        box = [(lo - 1 - 0.5 * abs(lo), hi + 1 + 0.5 * abs(hi))
               for lo, hi in zip(corners.min(0), corners.max(0))]
        searched = [o for o in numeric_fixed_points(m, box, params, starts=24)
                    if abs(o.points[0, 0] - params["y"]) > 1e-6]
        matched = all(np.abs(corners - o.points[0]).max(axis=1).min() < 1e-8 for o in searched)
        passed &= matched and len(searched) == len(found)
        # the line of minima f = y: multiplier 1 - eta lam, stable for eta lam < 2
        for lam in (0.5, 1.5, 2.5):
            lam_value = lam / params["eta"]
            J = m.jacobian_at([params["y"], lam_value], params)
            passed &= abs(np.sort(np.linalg.eigvals(J).real)[0] - (1 - lam)) < 1e-12
        details[parameterization] = {"isolated (II-IV)": found,
                                     "line (I)": [str(fp.point) for fp in line],
                                     "Newton's search found": len(searched)}
    return Outcome("I-IV, derived", f"max error {worst:.1e}", "1e-10", passed, None, details)


def uv_scale(parameterization: str) -> float:
    """η √κ, κ the derived coefficient of the nonlinear terms (results["c2_eff"]).

    In g = η√κ f and L = η λ the map depends on nothing but Y = η√κ y; the phase checks
    set Y = 1 in both parameterisations so that they compare like with like.
    """
    model = eos.uv_model(parameterization)
    values = {s: UV_PARAMS[s.name] for s in model.map.param_symbols}
    return UV_PARAMS["eta"] * float(sp.sqrt(model.results["c2_eff"]).xreplace(values))


@lru_cache(maxsize=4)
def _uv_runs(parameterization: str, starts: tuple, steps: int = 3000) -> list[np.ndarray]:
    """Runs from scaled starts (g0, L0) = (η√κ f0, η λ0), with scaled target Y = 1."""
    m = eos.uv_model(parameterization).map
    scale, eta = uv_scale(parameterization), UV_PARAMS["eta"]
    params = dict(UV_PARAMS, y=1.0 / scale)
    return [orbit(m, (g / scale, L / eta), steps, params=params) for g, L in starts]


def _eos_level(run: np.ndarray) -> float:
    """eta times the mean sharpness over the last 200 steps (an even number: whole periods)."""
    return float(UV_PARAMS["eta"] * run[-200:, 1].mean())


#: Scaled starts (g0, L0) near the saddle II at the origin, with sharpness above that of the
#: flow towards it.
NEAR_SADDLE_STARTS = ((0.01, 1.5), (0.02, 1.4), (-0.01, 1.6))
#: Scaled starts (g0, L0) of low sharpness, in the progressive-sharpening region.
LOW_SHARPNESS_STARTS = ((0.0, 0.5), (0.05, 0.2), (0.1, 0.8))


@check("kalra/sharpness-reduction", PAPER, "near the saddle II, λ first drops, then rises to ≈ 2/η")
def sharpness_reduction(settings: Settings) -> Outcome:
    """Starts near the saddle at (f, λ) = (0, 0) with ηλ > 1: an early dip in λ."""
    drops, levels = [], []
    for parameterization in ("sp", "mup"):
        for run in _uv_runs(parameterization, NEAR_SADDLE_STARTS):
            lam0 = run[0, 1]
            drops.append(float(run[:50, 1].min() / lam0))
            levels.append(_eos_level(run))
    # a drop of at least 20% early on, then the edge of stability (see kalra/eos)
    passed = max(drops) < 0.8 and all(abs(level - 2) < 0.05 for level in levels)
    return Outcome("λ_min/λ0 < 1", f"{max(drops):.3f}", "< 0.8", passed, None,
                   {"min lambda / lambda0 in the first 50 steps": drops, "final eta lambda": levels})


@check("kalra/progressive-sharpening", PAPER, "from low sharpness, λ rises to 2/η")
def progressive_sharpening(settings: Settings) -> Outcome:
    """Starts with ηλ0 <= 0.8: λ grows until it first reaches 1.9/η."""
    rises = []
    for parameterization in ("sp", "mup"):
        for run in _uv_runs(parameterization, LOW_SHARPNESS_STARTS):
            eta_lam = UV_PARAMS["eta"] * run[:, 1]
            arrival = np.flatnonzero(eta_lam >= 1.9)
            rises.append(float(eta_lam[arrival[0]] / eta_lam[0]) if arrival.size else 0.0)
    passed = min(rises) > 1
    return Outcome("ηλ: η λ0 → 2", f"min growth x{min(rises):.2f}", "> 1", passed, None,
                   {"eta lambda at arrival / eta lambda0": rises})


@check("kalra/eos", PAPER, "then λ oscillates about 2/η (edge of stability)")
def edge_of_stability(settings: Settings) -> Outcome:
    """The sharpness at the end of every run: its mean over whole periods, and its oscillation."""
    levels, swings = [], []
    for parameterization in ("sp", "mup"):
        for run in (*_uv_runs(parameterization, NEAR_SADDLE_STARTS),
                    *_uv_runs(parameterization, LOW_SHARPNESS_STARTS)):
            levels.append(_eos_level(run))
            swings.append(float(np.ptp(run[-200:, 0]) * uv_scale(parameterization)))
    worst = max(abs(level - 2) for level in levels)
    # the oscillation of f does not die out (period 2 or more), and eta lambda sits at 2
    passed = worst < 0.05 and min(swings) > 1e-3
    return Outcome(2.0, float(levels[int(np.argmax([abs(v - 2) for v in levels]))]), 0.05, passed, None,
                   {"final eta lambda": levels, "oscillation of eta sqrt(kappa) f (peak to peak)": swings})


@check("kalra/route-to-chaos", PAPER, "cubic EoS map: period-doubling cascade, δ, chaos beyond")
def route_to_chaos(settings: Settings) -> Outcome:
    """The cubic map θ' = θ(1 + 2ηab - 2ηa²θ²): cascade in b, Feigenbaum ratio, exponents."""
    model = eos.cubic_map()
    m = model.map
    params = {"a": 1.0, "eta": 0.1}
    b, a, eta, theta = (sp.Symbol(n, real=True) for n in ("b", "a", "eta", "theta"))
    (positive,) = [fp for fp in eos.fixed_points(model)[0] if fp.point[theta].subs({a: 1, b: 1}) > 0]
    flips = eos.stability(model, positive.eigenvalues[0], "b")["period_doubling"]
    predicted_first = float(min(flips).xreplace({a: 1, eta: 0.1}))
    count = 10 if settings.full else 8
    c = cascade(m, "b", 0.8 * predicted_first, 3 * predicted_first, 1.0, count=count, params=params)
    accumulation = c.points[-1]
    beyond = np.linspace(accumulation, accumulation + 0.3, 31 if settings.full else 16)[1:]
    sweep = lyapunov_sweep(m, "b", beyond, 1.0, n=20_000, params=params)
    positive_share = float(np.mean(sweep.largest > 0))
    delta = float(c.delta[-1])
    # delta from 8 doublings is within ~1e-3 of its limit; the claim asks for 1e-2. Beyond the
    # accumulation point chaos dominates, with periodic windows: most exponents are positive
    passed = (len(c.points) == count and abs(c.points[0] - predicted_first) < 1e-10
              and abs(delta - FEIGENBAUM_DELTA) < 1e-2 and positive_share > 0.5)
    details = {"first doubling (derived)": predicted_first, "doublings": c.points.tolist(),
               "ratios": c.delta.tolist(), "share of positive exponents beyond": positive_share,
               "largest exponents beyond": sweep.largest.tolist()}
    return Outcome(FEIGENBAUM_DELTA, delta, 1e-2, passed, None, details)
