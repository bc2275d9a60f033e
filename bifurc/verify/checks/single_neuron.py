"""Song & Yun: trajectories of the single-neuron network f = vσ(ux) align on q = r(p)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ... import eos, losses
from ...analysis.orbits import orbit
from ..convergence import fit_order
from ..registry import Outcome, Settings, check
from .common import eta_ladder, numeric

PAPER = "Song & Yun"
#: Levels |p| = p* at which the deviation is compared across starts and step sizes.
_LEVELS = (0.8, 0.2)
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


def _deviations(activation: str, eta: float, full: bool,
                steps: float = 40.0) -> tuple[list, list, list, list, dict]:
    """Per start: q0, t_a, the worst |q/r(p) - 1| after 2 t_a (|p| > 0.05), its last value, and
    (by level p*) the signed q/r(p) - 1 where |p| first falls below p* after 2 t_a.

    t_a is the first step after which |q/r(p) - 1| stays below eta: aligned up to a multiple of the claimed
    O(eta²); the error is taken once the transient has had as long again to decay, and only
    where |p| > 0.05, as for the two-layer check.
    """
    model, q_of = _model(activation)
    r = numeric(losses.logcosh.r)
    params = {"eta": eta, "x": 1.0, "y": 0.0}
    q0s, times, worst, final = [], [], [], []
    at_level = {level: [] for level in _LEVELS}
    for start in _starts(activation, eta, full):
        run = orbit(model.map, start, int(steps / eta**2), params=params)
        P, Q = eos.canonical_coordinates(model, run, params)
        with np.errstate(all="ignore"):
            err = np.abs(Q / r(P) - 1)
        off = np.flatnonzero(~(err < eta))
        if off.size and off[-1] > err.size // 2:
            raise AssertionError(f"{activation}, eta={eta}, start {start}: not aligned in the first half")
        t = int(off[-1]) + 1 if off.size else 0
        keep = np.abs(P[2 * t:]) > 0.05
        q0s.append(float(q_of(*start, eta)))
        times.append(t)
        final.append(float(err[-1]))
        worst.append(float(err[2 * t:][keep].max()) if keep.any() else np.nan)
        for level in _LEVELS:
            below = np.flatnonzero(np.abs(P[2 * t:]) < level)
            if below.size and below[0] > 0:  # crossed after 2 t_a, so the point lies near |p| = p*
                at_level[level].append(float(Q[2 * t + below[0]] / r(P[2 * t + below[0]]) - 1))
    return q0s, times, worst, final, at_level


@check("song-yun/single-neuron", PAPER,
       "single neuron vσ(ux): trajectories from q0 < 1 align on q = r(p) as η → 0, one curve for all starts")
def single_neuron(settings: Settings) -> Outcome:
    """|q/r(p) - 1| after alignment over the ladder and several EoS starts, for tanh and ELU."""
    etas = eta_ladder(settings)
    details = {}
    orders = []
    for activation in ("tanh", "elu"):
        per_eta = [_deviations(activation, float(eta), settings.full) for eta in etas]
        worst = np.array([np.nanmax(w) for _, _, w, _, _ in per_eta])
        order, coefficient = fit_order(etas, worst)
        coefficients = np.array([np.array(w) / eta**2 for eta, (_, _, w, _, _) in zip(etas, per_eta)])
        spread = float(np.nanmax(coefficients[-1]) / np.nanmin(coefficients[-1]))
        orders.append(order)
        details[activation] = {
            "q0 of the starts (first eta)": per_eta[0][0], "q0 of the starts (last eta)": per_eta[-1][0],
            "t_a per start, per eta": [t for _, t, _, _, _ in per_eta],
            "max |q/r(p) - 1| after 2 t_a, per eta": worst.tolist(), "order": order,
            "C in C eta^order": coefficient,
            "|q/r(p) - 1|/eta^2 per start at the smallest eta": coefficients[-1].tolist(),
            "max/min over starts of that coefficient": spread,
            "|q/r(p) - 1|/eta^2 at the last step (p near 0), per start, per eta":
                [[f / eta**2 for f in fin] for eta, (_, _, _, fin, _) in zip(etas, per_eta)],
        }
        for level in _LEVELS:
            values = [np.array(lv[level]) for *_, lv in per_eta]
            mean = np.array([abs(v.mean()) if v.size else np.nan for v in values])
            ok = np.isfinite(mean) & (mean > 0)
            details[activation][f"q/r(p) - 1 where |p| first falls below {level} after 2 t_a"] = {
                "mean over starts per eta": mean.tolist(),
                "min, max over starts per eta": [(float(v.min()), float(v.max())) if v.size else None
                                                 for v in values],
                "order of the mean": fit_order(etas[ok], mean[ok]).order if ok.sum() >= 2 else None,
            }
    # the claim (the issue's; the seeds do not state the paper's order for the single neuron):
    # the deviation from q = r(p) vanishes with eta (at least like eta^1, slack 0.3), and for tanh
    # the runs share one curve (at a fixed |p| the starts agree to 5% of their deviation from r(p),
    # which is itself O(eta)). Measured: O(eta),
    # not the O(eta^2) of the two-layer net; see "finding"
    tanh_curve = details["tanh"][f"q/r(p) - 1 where |p| first falls below {_LEVELS[0]} after 2 t_a"]
    low, high = tanh_curve["min, max over starts per eta"][-1]
    same_curve = abs(high - low) / abs(tanh_curve["mean over starts per eta"][-1])
    details["tanh: relative spread over starts at |p| = 0.8, smallest eta"] = same_curve
    passed = min(orders) > 0.7 and same_curve < 0.05
    details["finding"] = (
        "tanh: the runs align on one curve, the same for every start (at |p| = 0.8 the starts agree to "
        "0.1-1%), but that curve is q = r(p)(1 + c(p) eta + ...), not r(p)(1 + O(eta^2)): the deviation "
        "there has order ~1.1; it steepens towards 2 only as p -> 0 (order ~1.7 at |p| = 0.2; at the "
        "limit point (q/r - 1)/eta^2 -> 0.71, the same for all starts). Likely cause: unlike the two-layer "
        "linear net, the kernel |grad f|^2 of v sigma(ux) changes by a relative O(eta l'(p) v sigma'') per "
        "step (v ~ eta^-1/2), so q drifts at first order where sigma'' != 0. ELU: starts cross u < 0, "
        "alignment takes ~40/eta steps and the late values depend on the start. So the two-layer "
        "theorem's O(eta^2) does not carry over to this model: alignment here is to O(eta)")
    details["starts"] = ("u0 in (0.3, 0.6, 1.0), v0 solving q(u0, v0) = q0 in (0.5, 0.8) for each eta; "
                         "x = 1, y = 0")
    return Outcome("→ 0 with η", f"order {min(orders):.2f}", "order > 0.7, tanh spread < 5%", passed,
                   float(min(orders)), details)
