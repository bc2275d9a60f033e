"""Song & Yun, trajectory alignment: the canonical map's bifurcation and Theorems 4.2/4.3, per loss.

Every claim here holds for any loss meeting the paper's assumptions, so every check runs once
per loss of :func:`~bifurc.verify.checks.common.checked_losses` (the built-in three and each
``--loss``). The two-layer runs are cached and shared between the checks; each check measures
once (cached) and judges the claim, its negative controls and its resolution from the same
measurement.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from ... import eos
from ...analysis.orbits import orbit
from ...definition.iterated_map import Map
from ...eos import alignment_correction
from ...eos.alignment import generic_h
from ...eos.target import generic_H
from ...losses import Loss
from ..convergence import fit_order
from ..registry import Outcome, Settings, Skip, check, control, resolution
from .common import numeric

PAPER = "Song & Yun"
_P, _Q, _ETA, _Y = (sp.Symbol(n, real=True) for n in ("p", "q", "eta", "y"))
_EPS = float(np.finfo(float).eps)

#: Step sizes of the two-layer runs. eta = 0.2 is left out: there the O(eta^4) remainders of
#: alignment and q* are not yet asymptotic at y = 1 (for log-cosh the eta^2 coefficient of
#: q* - 1 - h(0) eta^2 changes sign between eta = 0.2 and 0.1), so a fitted order would
#: describe the crossing, not the remainder.
_LADDER = (0.1, 0.05, 0.025, 0.0125)
#: Targets y of the runs: 0 (the theorem's) and 1 (beyond it; see song-yun/alignment).
_TARGETS = (0.0, 1.0)
#: The window of |p| where the alignment error is measured: below 0.05 the closed forms of h
#: lose digits to their removable singularity; above 1 the O(eta^4) remainder at y = 1 is not
#: yet asymptotic at eta = 0.1 (with starts up to |p| ~ 2 the local orders for log-cosh there were
#: 3.3-3.9 on this ladder, 4.0-4.6 inside the window).
_WINDOW = (0.05, 1.0)
#: Rounding: relative changes smaller than this (a few float64 roundings of an O(1) value)
#: are not evidence of a decrease.
_ROUNDING_STEP = 1e-12


def _starts(settings: Settings) -> tuple:
    """Starts (p0, q0) with q0 < 1: the EoS regime of the theorems."""
    ps = (0.1, 0.3, 0.6) if not settings.full else (0.05, 0.1, 0.3, 0.6)
    qs = (0.6, 0.8) if not settings.full else (0.5, 0.7, 0.9)
    return tuple((p, q) for p in ps for q in qs)


def _steps(loss: Loss) -> float:
    """The run length in units of 1/eta^2: long enough for p to die out at the limit point.

    There f_q has multiplier 1 - 2/q* ≈ -(1 - 2 h(0) eta^2), so |p| decays like
    exp(-2 h(0) eta^2 t), and at y != 0 q still moves by ~eta^2 |p| per step: 20/h(0) units
    leave exp(-40) of the start (at least 40 units, the time to reach the limit point).
    """
    h0 = float(eos.alignment(loss).h0)
    return max(40.0, 20.0 / h0) if np.isfinite(h0) and h0 > 0 else 40.0


@lru_cache(maxsize=16)
def _runs(loss: Loss, y: float, starts: tuple) -> dict:
    """Orbits of the two-layer (p, q) map per eta and start, :func:`_steps`/eta^2 steps each (cached:
    several checks measure the same runs)."""
    m = eos.two_layer_linear(loss).map
    steps = _steps(loss)
    return {eta: [orbit(m, start, int(steps / eta**2), params={"eta": eta, "y": y}) for start in starts]
            for eta in _LADDER}


def _alignment_time(P: np.ndarray, Q: np.ndarray, r, curve, eta: float, y: float) -> int:
    """t_a: the first step with |q/r(p) - 1 - H(p) eta^2| < eta^3 (aligned beyond the eta^2 term)."""
    with np.errstate(all="ignore"):
        err = Q / r(P) - 1 - curve(P, y) * eta**2
    aligned = np.flatnonzero(np.abs(err) < eta**3)
    if aligned.size == 0:
        raise AssertionError(f"eta={eta}, y={y}: a run never aligned to eta^3")
    return int(aligned[0])


def _sharpness_decreases(loss: Loss, q_low: float) -> str | None:
    """Where λ̃(q) = ℓ''(r̂(q)) 2/(ηq) decreases for q in (q_low, 1), or None if it does not.

    λ̃ is evaluated from the derived expressions on a grid of 2000 q values; the paper's
    progressive sharpening needs it increasing along the branch the runs follow.
    """
    qs = np.linspace(q_low, 1 - 1e-6, 2000)
    lam = eos.alignment(loss).sharpness_on_orbit(qs, 1.0)
    falls = np.flatnonzero(np.diff(lam) < -_ROUNDING_STEP * lam[1:])
    if falls.size == 0:
        return None
    return f"λ̃(q) = ℓ''(r̂(q))·2/(ηq) decreases for q in [{qs[falls[0]]:.3f}, {qs[falls[-1] + 1]:.3f}]"


# --- period doubling ---------------------------------------------------------------------------

#: Central-difference half-widths: at p = 0 (f_q is odd, truncation |f'''| d^2/6 ~ 1e-13, rounding
#: ~ eps) and on the 2-cycle (truncation |F'''| d^2/6 ~ 1e-10, rounding ~ eps/d ~ 2e-11).
_D_FLIP, _D_CYCLE = 1e-7, 1e-5


@lru_cache(maxsize=16)
def _doubling_measured(loss: Loss, full: bool) -> dict:
    """The flip point and the 2-cycles of f_q, measured from the compiled map alone.

    The flip is the root in q of 1 + f_q'(0), with f_q'(0) a central difference; on each
    q the 2-cycle point is the root of F(p) - p (F = f_q∘f_q) bracketed in [r̂/2, 3r̂/2],
    the sign changes of F(p) - p on a grid of (0, 3r̂] count the 2-cycles there, and the
    multiplier is the central difference of F at the point. No derived Jacobian is used.
    """
    m = eos.canonical_map(loss).map

    def slope_at_zero(q: float) -> float:
        return (m(_D_FLIP, {"q": q})[0] - m(-_D_FLIP, {"q": q})[0]) / (2 * _D_FLIP)

    def twice(p: float, q: float) -> float:
        return m(m(p, {"q": q}), {"q": q})[0]

    flip = brentq(lambda q: slope_at_zero(q) + 1.0, 0.3, 3.0, xtol=1e-15)
    qs = np.linspace(0.15, 0.95, 9 if not full else 33)
    points, counts, multipliers = [], [], []
    for q, p_star in zip(qs, loss.r_hat(qs)):
        point = brentq(lambda p, q=q: twice(p, q) - p, 0.5 * p_star, 1.5 * p_star, xtol=1e-15, rtol=4 * _EPS)
        grid = np.linspace(0.01, 3.0, 300) * p_star
        signs = np.sign([twice(p, q) - p for p in grid])
        counts.append(int(np.count_nonzero(np.diff(signs[signs != 0]))))  # a grid point may be the root
        points.append(point)
        multipliers.append((twice(point + _D_CYCLE, q) - twice(point - _D_CYCLE, q)) / (2 * _D_CYCLE))
    return {"flip": flip, "qs": qs, "points": np.array(points), "cycles": counts,
            "multipliers": np.array(multipliers)}


def _doubling_judged(loss: Loss, settings: Settings, q_flip: float, multiplier) -> Outcome:
    """The check's test: measured flip and 2-cycles against a claimed flip point and multiplier."""
    meas = _doubling_measured(loss, settings.full)
    qs = meas["qs"]
    p_star = loss.r_hat(qs)
    point_error = float(np.abs(meas["points"] - p_star).max())
    one_cycle = all(count == 1 for count in meas["cycles"])
    predicted = np.array([float(multiplier(p, q)) for p, q in zip(p_star, qs)])
    multiplier_error = float(np.abs(meas["multipliers"] - predicted).max())
    flip_error = abs(meas["flip"] - q_flip)
    stable_agree = bool(np.all((np.abs(meas["multipliers"]) < 1) == (np.abs(predicted) < 1)))
    # flip: the central difference is exact to ~1e-13 and brentq to 1e-15; points: both brentq and
    # r-hat's bisection reach float64 resolution, but F(p) - p is flat to ~eps/|F' - 1| near the
    # root; multipliers: the central difference of f_q∘f_q, ~1e-10
    passed = (one_cycle and flip_error < 1e-12 and point_error < 1e-10 and multiplier_error < 1e-8
              and stable_agree)
    details = {"loss": loss.name, "flip measured (central difference of f_q at 0)": meas["flip"],
               "flip claimed": q_flip, "q of the 2-cycles": qs.tolist(),
               "2-cycles in (0, 3 r̂] per q (sign changes of f_q∘f_q(p) - p)": meas["cycles"],
               "max point error": point_error,
               "multipliers measured (central difference of f_q∘f_q)": meas["multipliers"].tolist(),
               "max multiplier error": multiplier_error, "stability agrees": stable_agree}
    return Outcome(q_flip, meas["flip"], "1e-12, 1e-10, 1e-8", passed, None,
                   {**details, "max flip error": flip_error})


@lru_cache(maxsize=16)
def _doubling_derived(loss: Loss) -> tuple:
    """The derived flip point and the 2-cycle multiplier μ(p, q) and one-step slope on q = r(p)."""
    model = eos.canonical_map(loss)
    (origin,), _ = eos.fixed_points(model)
    (mult0,) = origin.eigenvalues
    (q_flip,) = eos.stability(model, mult0, "q")["period_doubling"]
    slope = numeric(model.results["period-2 slope on the curve"])
    return float(q_flip), numeric(eos.period_two(model).multiplier, _P, _Q), lambda p, q: slope(p)


@check("song-yun/period-doubling", PAPER,
       "f_q: 0 flips at q = 1; period-2 orbit at ±r̂(q) with the derived multiplier", per_loss=True)
def period_doubling(settings: Settings, loss: Loss) -> Outcome:
    """The flip of p = 0, the 2-cycle's points and multiplier, measured by differences of the map."""
    q_flip, multiplier, _ = _doubling_derived(loss)
    return _doubling_judged(loss, settings, q_flip, multiplier)


@control("song-yun/period-doubling", "the flip at q = 1 + 1e-6")
def _flip_moved(settings: Settings, loss: Loss) -> Outcome:
    q_flip, multiplier, _ = _doubling_derived(loss)
    return _doubling_judged(loss, settings, q_flip * (1 + 1e-6), multiplier)


@control("song-yun/period-doubling", "the multiplier is f_q'(r̂) (one step, not f_q'(r̂)^2)")
def _one_step_multiplier(settings: Settings, loss: Loss) -> Outcome:
    q_flip, _, slope = _doubling_derived(loss)
    return _doubling_judged(loss, settings, q_flip, slope)


@control("song-yun/period-doubling", "the multiplier formula times 1 + 1e-6")
def _multiplier_scaled(settings: Settings, loss: Loss) -> Outcome:
    q_flip, multiplier, _ = _doubling_derived(loss)
    return _doubling_judged(loss, settings, q_flip, lambda p, q: multiplier(p, q) * (1 + 1e-6))


@resolution("song-yun/period-doubling", "q_flip")
def _flip_resolution(settings: Settings, loss: Loss, relative: float) -> Outcome:
    q_flip, multiplier, _ = _doubling_derived(loss)
    return _doubling_judged(loss, settings, q_flip * (1 + relative), multiplier)


# --- q* and the limiting sharpness ---------------------------------------------------------------

def _limits(settings: Settings, loss: Loss, y: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The ladder, q* (eta x start) of runs to convergence, and the largest |p| left at the end."""
    runs = _runs(loss, y, _starts(settings))
    etas = np.array(_LADDER)
    q_star = np.array([[run[-1, 1] for run in runs[eta]] for eta in _LADDER])
    p_end = max(float(np.abs(run[-1, 0]).max()) for eta in _LADDER for run in runs[eta])
    return etas, q_star, p_end


#: Rungs judged at each target: at y = 1 the rung eta = 0.1 is left out of the q* and sharpness
#: fits, because there the eta^4 term still cancels most of the eta^2 coefficient of
#: q* - 1 - h(0) eta^2 for log-cosh (it changes sign near eta = 0.13), so the local order
#: between 0.1 and 0.05 describes the cancellation, not the remainder.
_RUNGS = {0.0: slice(None), 1.0: slice(1, None)}


def _remainder(etas: np.ndarray, values: np.ndarray, claimed: np.ndarray, order: float, y: float) -> dict:
    """Judge "values = claimed + O(eta^order)" (values: eta x start) on the rungs of target y.

    The error is the largest over the starts; the claim holds when the fitted order is at least
    ``order`` (slack 0.3) and the local orders agree (:meth:`OrderFit.at_least`).
    """
    error = np.abs(values - claimed[:, None]).max(axis=1)
    rungs = _RUNGS[y]
    fit = fit_order(etas[rungs], error[rungs])
    return {"fit": fit, "error": error, "holds": fit.at_least(order),
            "rungs": etas[rungs].tolist()}


@lru_cache(maxsize=16)
def _h0(loss: Loss) -> tuple:
    """h(0) derived (the limit of h), whether it is an exact number equal to -1/(2 r''(0))."""
    h0 = eos.alignment(loss).h0
    exact = bool(h0.is_number and not h0.has(sp.Float) and sp.simplify(h0 + 1 / (2 * loss.r2_at_zero)) == 0)
    return h0, exact


def _qstar_judged(settings: Settings, loss: Loss, h0: float, order: float = 2.0) -> Outcome:
    """(q* - 1)/eta^2 against h0 with an O(eta^order) error, at y = 0 and 1; starts agree."""
    h0_exact, exact = _h0(loss)
    details = {"loss": loss.name, "h(0) derived": str(h0_exact), "h(0) exact and = -1/(2 r''(0))": exact,
               "r''(0)": str(loss.r2_at_zero), "h(0) claimed": h0}
    passed = exact
    for y in _TARGETS:
        etas, q_star, p_end = _limits(settings, loss, y)
        coeff = (q_star - 1) / etas[:, None] ** 2
        judged = _remainder(etas, coeff, np.full(etas.shape, h0), order, y)
        # the starts must give one q*: at eta <= 0.05 the spread over starts of the next-order
        # coefficient c = (q* - 1 - h(0) eta^2)/eta^4 is rounding alone, at most N eps / eta^4 for
        # runs of N steps (one rounding of q per step). At eta = 0.1 the starts still differ
        # (up to ~1e-8 in q* for the full run's starts), a start dependence that has fallen to
        # rounding by eta = 0.05, faster than any power of eta: reported, not bounded
        next_order = ((coeff - float(h0_exact)) / etas[:, None] ** 2).mean(axis=1)
        spread = np.ptp(q_star, axis=1) / etas**4
        bound = (_steps(loss) / etas**2) * _EPS / etas**4
        small = etas <= 0.05
        ok = judged["holds"] and bool(np.all(spread[small] <= bound[small]))
        passed &= ok
        details[f"y={y:g}"] = {
            "(q*-1)/eta^2 per eta (mean over starts)": coeff.mean(axis=1).tolist(),
            "max |(q*-1)/eta^2 - h(0)| per eta": judged["error"].tolist(),
            "fit (on the rungs)": {"rungs": judged["rungs"], **judged["fit"].as_dict()},
            "next-order coefficient (q*-1-h(0) eta^2)/eta^4 per eta (mean over starts)": next_order.tolist(),
            "spread of the next-order coefficient over starts, per eta": spread.tolist(),
            "rounding bound on that spread (N eps / eta^4), asserted at eta <= 0.05": bound.tolist(),
            "largest |p| at the end of a run": p_end, "passed": ok,
        }
    coefficient = details["y=0"]["(q*-1)/eta^2 per eta (mean over starts)"][-1]
    return Outcome(float(h0), coefficient, f"O(η^{order:g}) error (slack 0.3), starts within rounding",
                   passed, details["y=0"]["fit (on the rungs)"]["order"], details)


@check("song-yun/qstar", PAPER,
       "(q* - 1)/η² → h(0) = -1/(2 r''(0)) with an O(η²) error; one q* for all starts", per_loss=True)
def qstar(settings: Settings, loss: Loss) -> Outcome:
    """q* from runs to convergence over the ladder and several starts, targets y = 0 and 1."""
    h0, _ = _h0(loss)
    return _qstar_judged(settings, loss, float(h0))


@control("song-yun/qstar", "h(0) x 1.05")
def _h0_high(settings: Settings, loss: Loss) -> Outcome:
    return _qstar_judged(settings, loss, 1.05 * float(_h0(loss)[0]))


@control("song-yun/qstar", "h(0) x 0.95")
def _h0_low(settings: Settings, loss: Loss) -> Outcome:
    return _qstar_judged(settings, loss, 0.95 * float(_h0(loss)[0]))


@control("song-yun/qstar", "the error of the η² coefficient is O(η⁴)")
def _qstar_order(settings: Settings, loss: Loss) -> Outcome:
    return _qstar_judged(settings, loss, float(_h0(loss)[0]), order=4.0)


@resolution("song-yun/qstar", "h(0)")
def _qstar_resolution(settings: Settings, loss: Loss, relative: float) -> Outcome:
    return _qstar_judged(settings, loss, float(_h0(loss)[0]) * (1 + relative))


def _sharpness_judged(settings: Settings, loss: Loss, gap: float, order: float = 3.0) -> Outcome:
    """2/(eta q*) against 2/eta - gap eta with an O(eta^order) error, at y = 0 and 1."""
    details = {"loss": loss.name, "gap coefficient derived (1/|r''(0)|)": str(1 / abs(loss.r2_at_zero)),
               "gap coefficient claimed": gap}
    passed = True
    for y in _TARGETS:
        etas, q_star, _ = _limits(settings, loss, y)
        # rounding: q* carries at most N eps (N steps), 2/(eta q*) then (2/eta) N eps ~ 1e-8 at
        # eta = 0.0125, 100x below the error there
        judged = _remainder(etas, 2 / (etas[:, None] * q_star), 2 / etas - gap * etas, order, y)
        passed &= judged["holds"]
        details[f"y={y:g}"] = {"max error per eta": judged["error"].tolist(),
                               "fit (on the rungs)": {"rungs": judged["rungs"], **judged["fit"].as_dict()},
                               "passed": judged["holds"]}
    return Outcome(f"O(η^{order:g}), η={_LADDER[-1]:g}", details["y=0"]["max error per eta"][-1],
                   f"order ≥ {order:g} - 0.3", passed, details["y=0"]["fit (on the rungs)"]["order"], details)


def _gap(loss: Loss) -> float:
    """The derived coefficient of -eta in the limiting sharpness series."""
    series = eos.alignment(loss).limiting_sharpness.removeO()
    return float(-sp.expand(series).coeff(_ETA, 1))


@check("song-yun/limiting-sharpness", PAPER, "final sharpness 2/(η q*) = 2/η - η/|r''(0)| + O(η³)",
       per_loss=True)
def limiting_sharpness(settings: Settings, loss: Loss) -> Outcome:
    """The sharpness at the limit point against the derived series, over the ladder."""
    return _sharpness_judged(settings, loss, _gap(loss))


@control("song-yun/limiting-sharpness", "gap coefficient x 1.05")
def _gap_high(settings: Settings, loss: Loss) -> Outcome:
    return _sharpness_judged(settings, loss, 1.05 * _gap(loss))


@control("song-yun/limiting-sharpness", "the remainder is O(η⁵)")
def _sharpness_order(settings: Settings, loss: Loss) -> Outcome:
    return _sharpness_judged(settings, loss, _gap(loss), order=5.0)


@resolution("song-yun/limiting-sharpness", "1/|r''(0)|")
def _gap_resolution(settings: Settings, loss: Loss, relative: float) -> Outcome:
    return _sharpness_judged(settings, loss, _gap(loss) * (1 + relative))


# --- alignment ----------------------------------------------------------------------------------

#: Which targets the paper's theorem covers, as the seeds state it.
_COVERED = ("Theorems 4.2/4.3 are stated for a two-layer linear network on one data point with the "
            "curve h(p) (the slides' toy model log cosh(uw) has target y = 0): y = 0 is covered. At y != 0 "
            "the paper's h leaves an O(eta^2) error (asserted below); the correction H(p; y) is bifurc's "
            "derivation (bifurc.eos.alignment_correction), not the paper's")


@lru_cache(maxsize=1)
def _corrections_agree_at_zero() -> bool:
    """Whether H(p; 0) = h(p) for every r: bifurc's y-dependent correction, written in
    R0 = r(p), R1 = r'(p), reduces at y = 0 to the paper's h (derived separately, from the
    invariance at p alone), symbolically."""
    _, h = generic_h()
    _, H = generic_H()
    r0, r1 = sp.symbols("R0 R1", real=True)  # the symbols generic_H is written in
    r = sp.Function("r")(_P)
    h = h.subs(sp.Derivative(r, _P), r1).subs(r, r0)
    return sp.simplify(H.subs(_Y, 0) - h) == 0


@lru_cache(maxsize=16)
def _curves(loss: Loss) -> tuple:
    """h(p) and H(p; y) as numeric functions of (p, y), and whether H(p; 0) = h(p) symbolically."""
    f_h = numeric(eos.alignment(loss).h, _P)
    return (lambda P, y: f_h(P)), numeric(alignment_correction(loss), _P, _Y), _corrections_agree_at_zero()


@lru_cache(maxsize=16)
def _alignment_measured(loss: Loss, settings: Settings) -> dict:
    """Per target and eta: t_a per start, and (p, q/r(p) - 1) after 2 t_a inside the |p| window.

    t_a is the first step aligned to the derived curve beyond its eta^2 term (see
    :func:`_alignment_time`); the error is read once the transient has had as long again to decay.
    """
    r = numeric(loss.r)
    h, H, _ = _curves(loss)
    out = {}
    for y in _TARGETS:
        curve = h if y == 0 else H
        runs = _runs(loss, y, _starts(settings))
        for eta in _LADDER:
            times, ps, ratios = [], [], []
            for run in runs[eta]:
                P, Q = run[:, 0], run[:, 1]
                t = _alignment_time(P, Q, r, curve, eta, y)
                keep = (np.abs(P[2 * t:]) > _WINDOW[0]) & (np.abs(P[2 * t:]) < _WINDOW[1])
                times.append(t)
                ps.append(P[2 * t:][keep])
                ratios.append(Q[2 * t:][keep] / r(P[2 * t:][keep]) - 1)
            out[y, eta] = (times, np.concatenate(ps), np.concatenate(ratios))
    return out


def _alignment_judged(settings: Settings, loss: Loss, at_zero=None, at_one=None,
                      order: float = 4.0) -> Outcome:
    """q/r(p) - 1 - C(p) eta^2 = O(eta^order) after t_a = O(log 1/eta), for curves C at y = 0 and 1."""
    h, H, same = _curves(loss)
    curves = {0.0: at_zero or h, 1.0: at_one or H}
    measured = _alignment_measured(loss, settings)
    etas = np.array(_LADDER)
    details = {"loss": loss.name, "targets the paper's theorem covers": _COVERED,
               "H(p; 0) = h(p) symbolically, for every r": same, "|p| window of the error": list(_WINDOW)}
    passed = same
    orders = []
    for y in _TARGETS:
        worst, paper, t_a = [], [], []
        for eta in _LADDER:
            times, P, ratio = measured[y, eta]
            worst.append(float(np.abs(ratio - curves[y](P, y) * eta**2).max()))
            paper.append(float(np.abs(ratio - h(P, y) * eta**2).max()))
            t_a.append(float(np.median(times)))
        fit = fit_order(etas, np.array(worst))
        logs = np.log(1 / etas)
        slope, intercept = np.polyfit(logs, t_a, 1)
        residual = np.array(t_a) - (slope * logs + intercept)
        r2 = float(1 - np.sum(residual**2) / np.sum((np.array(t_a) - np.mean(t_a)) ** 2))
        # O(eta^order) with slack 0.3; t_a grows like log(1/eta): a rising straight line in log(1/eta)
        # (R^2 > 0.9: t_a is an integer step count, a median over starts)
        ok = fit.at_least(order) and slope > 0 and r2 > 0.9
        entry = {"max error after 2 t_a, per eta": worst, "fit": fit.as_dict(),
                 "t_a per eta (median over starts)": t_a, "t_a = A + B log(1/eta): B": float(slope),
                 "R^2 of that fit": r2}
        if y != 0:  # the paper's h at y != 0 leaves an eta^2 error: order 2 (slack 0.3), so H is needed
            paper_fit = fit_order(etas, np.array(paper))
            entry["with the paper's h instead"] = {"max error per eta": paper, "fit": paper_fit.as_dict()}
            ok &= paper_fit.within(2.0)
        entry["passed"] = ok
        passed &= ok
        orders.append(fit.order)
        details[f"y={y:g}"] = entry
    return Outcome(f"order {order:g}", f"{min(orders):.2f}", f"order ≥ {order - 0.3:g}, local orders agree",
                   passed, float(min(orders)), details)


@check("song-yun/alignment", PAPER,
       "q_t/r(p_t) = 1 + h(p_t)η² + O(η⁴) after t_a = O(log 1/η); y ≠ 0 needs a derived correction",
       per_loss=True)
def alignment(settings: Settings, loss: Loss) -> Outcome:
    """Theorem 4.2/4.3 along two-layer trajectories: the error order, t_a, and y != 0."""
    return _alignment_judged(settings, loss)


@control("song-yun/alignment", "the paper's h at y ≠ 0 is O(η⁴)")
def _paper_h_at_one(settings: Settings, loss: Loss) -> Outcome:
    h, _, _ = _curves(loss)
    return _alignment_judged(settings, loss, at_one=h)


@control("song-yun/alignment", "h(p) x 1.05 at y = 0")
def _h_scaled(settings: Settings, loss: Loss) -> Outcome:
    h, _, _ = _curves(loss)
    return _alignment_judged(settings, loss, at_zero=lambda P, y: 1.05 * h(P, y))


@control("song-yun/alignment", "the remainder is O(η⁶)")
def _alignment_order(settings: Settings, loss: Loss) -> Outcome:
    return _alignment_judged(settings, loss, order=6.0)


@resolution("song-yun/alignment", "h(p) and H(p; y)")
def _alignment_resolution(settings: Settings, loss: Loss, relative: float) -> Outcome:
    h, H, _ = _curves(loss)
    return _alignment_judged(settings, loss, lambda P, y: (1 + relative) * h(P, y),
                             lambda P, y: (1 + relative) * H(P, y))


# --- progressive sharpening ---------------------------------------------------------------------

_U, _W = sp.symbols("u w", real=True)


@lru_cache(maxsize=16)
def _parameter_gd(loss: Loss) -> Map:
    """GD on L(u, w) = ℓ(uw - y), the two-layer linear net of width 1 on x = 1, in its parameters.

    Written by hand (∂L/∂u = ℓ'(p) w, ∂L/∂w = ℓ'(p) u), independently of the (p, q) reduction,
    whose canonical coordinates are p = uw - y and q = 2/(η(u² + w²)).
    """
    slope = loss.derivative.xreplace({_P: _U * _W - _Y})
    return Map.from_expressions({"u": _U - _ETA * slope * _W, "w": _W - _ETA * slope * _U},
                                {"eta": 0.1, "y": 0.0}, name=f"width1_gd[{loss.name}]")


def _hessian_top(loss_d1, loss_d2, U: np.ndarray, W: np.ndarray) -> np.ndarray:
    """λmax of the Hessian of ℓ(uw) in (u, w): [[ℓ'' w², ℓ'' uw + ℓ'], [ℓ'' uw + ℓ', ℓ'' u²]]."""
    p = U * W
    g, c = loss_d1(p), loss_d2(p)
    a, b, d = c * W * W, c * U * W + g, c * U * U
    return (a + d) / 2 + np.sqrt(((a - d) / 2) ** 2 + b * b)


@lru_cache(maxsize=16)
def _sharpness_measured(loss: Loss, settings: Settings) -> dict:
    """Per eta and start (y = 0): the true sharpness along parameter-space GD and λ̃(q_t).

    Each start (p0, q0) becomes (u0, w0) with u0 w0 = p0 and u0² + w0² = 2/(η q0). Returned per
    run: λ̃(q_t) over the EoS phase (0.05 < q_t < 1 - 2η², on the branch and before q*), and the
    true sharpness and λ̃(q_t) from t_a on, within that phase; plus the largest relative
    difference between the parameter-space (p, q) and the derived map's run.
    """
    m = _parameter_gd(loss)
    d1, d2 = numeric(loss.derivative), numeric(loss.second_derivative)
    r, (h, _, _) = numeric(loss.r), _curves(loss)
    al = eos.alignment(loss)
    reduced = _runs(loss, 0.0, _starts(settings))
    out = {}
    for eta in _LADDER:
        runs = []
        for (p0, q0), derived in zip(_starts(settings), reduced[eta]):
            s = 2 / (eta * q0)
            a, b = np.sqrt(s + 2 * p0), np.sqrt(s - 2 * p0)
            uw = orbit(m, [(a + b) / 2, (a - b) / 2], derived.shape[0], params={"eta": eta, "y": 0.0})
            U, W = uw[:, 0], uw[:, 1]
            P, Q = U * W, 2 / (eta * (U * U + W * W))
            deviation = float(np.max(np.abs(Q / derived[:, 1] - 1)))
            phase = np.flatnonzero((Q > 0.05) & (Q < 1 - 2 * eta**2))
            t_a = _alignment_time(P, Q, r, h, eta, 0.0)
            late = phase[phase >= t_a]
            runs.append({"tilde": al.sharpness_on_orbit(Q[phase], eta),
                         "true": _hessian_top(d1, d2, U[late], W[late]),
                         "tilde late": al.sharpness_on_orbit(Q[late], eta),
                         "kernel late": 2 / (eta * Q[late]), "deviation": deviation,
                         "steps": int(derived.shape[0])})
        out[eta] = runs
    return out


def _min_step(values: np.ndarray) -> float:
    """The smallest relative step of a sequence."""
    return float(np.min(np.diff(values) / values[:-1]))


def _sharpness_growth_judged(settings: Settings, loss: Loss, reorder=None, proxy=None,
                             order: float = 2.0) -> Outcome:
    """λ̃(q_t) rises through the EoS phase; the true sharpness tracks it to O(η²) after t_a and its
    two-step mean rises too. ``reorder`` permutes the sequences (a control), ``proxy`` replaces
    λ̃ as the curve the true sharpness is compared with."""
    gap = _sharpness_decreases(loss, min(q for _, q in _starts(settings)))
    if gap is not None:
        raise Skip(f"{gap} on the q range of the runs: the paper's progressive sharpening needs λ̃ "
                   "increasing (its Assumption 4.3); this loss does not meet it there")
    measured = _sharpness_measured(loss, settings)
    reorder = reorder or (lambda v: v)
    etas = np.array(_LADDER)
    tracking, min_tilde, min_true, deviations = [], [], [], []
    for eta in _LADDER:
        runs = measured[eta]
        compared = [proxy(run, eta) if proxy else run["tilde late"] for run in runs]
        tracking.append(max(float(np.max(np.abs(run["true"] / c - 1))) for run, c in zip(runs, compared)))
        min_tilde.append(min(_min_step(reorder(run["tilde"])) for run in runs))
        pairs = [(run["true"][:-1] + run["true"][1:]) / 2 for run in runs]
        min_true.append(min(_min_step(reorder(pair)) for pair in pairs))
        deviations.append(max(run["deviation"] for run in runs))
    fit = fit_order(etas, np.array(tracking))
    # parameter-space GD and the derived map round differently: at most ~10 roundings per
    # step over N steps, relative 10 N eps
    rounding = 10 * max(run["steps"] for run in measured[_LADDER[-1]]) * _EPS
    same_runs = max(deviations) < rounding
    # monotone up to rounding (relative steps above -1e-12); tracking: O(eta^2), slack 0.3
    passed = (min(min_tilde) > -_ROUNDING_STEP and min(min_true) > -_ROUNDING_STEP and fit.at_least(order)
              and same_runs)
    details = {
        "loss": loss.name,
        "min relative step of λ̃(q_t) over the EoS phase, per eta": min_tilde,
        "min relative step of the true sharpness (two-step mean) after t_a, per eta": min_true,
        "max |λ_true/λ̃(q_t) - 1| after t_a, per eta": tracking, "fit": fit.as_dict(),
        "max relative difference of q between parameter-space GD and the derived map": max(deviations),
        "its rounding bound": rounding,
        "true sharpness": "λmax of the Hessian of ℓ(uw) in (u, w), along GD run in the parameters",
    }
    return Outcome("rising; true sharpness = λ̃(q_t)(1 + O(η²))",
                   f"min steps {min(min_tilde):.1e} (λ̃), {min(min_true):.1e} (true)",
                   f"steps > -{_ROUNDING_STEP:g}, order ≥ {order - 0.3:g}", passed, fit.order, details)


@check("song-yun/progressive-sharpening", PAPER,
       "λ̃(q_t) increases through the EoS phase; the true sharpness follows it to O(η²)", per_loss=True)
def progressive_sharpening(settings: Settings, loss: Loss) -> Outcome:
    """The sharpness on the period-2 orbit along runs, and the Hessian's λmax in parameter space."""
    return _sharpness_growth_judged(settings, loss)


@control("song-yun/progressive-sharpening", "the reversed trajectory sharpens")
def _reversed(settings: Settings, loss: Loss) -> Outcome:
    return _sharpness_growth_judged(settings, loss, reorder=lambda v: v[::-1])


@control("song-yun/progressive-sharpening", "a shuffled trajectory sharpens")
def _shuffled(settings: Settings, loss: Loss) -> Outcome:
    rng = np.random.default_rng(0)
    return _sharpness_growth_judged(settings, loss, reorder=lambda v: rng.permutation(v))


@control("song-yun/progressive-sharpening", "the true sharpness is the kernel bound 2/(ηq_t) to O(η²)")
def _kernel_proxy(settings: Settings, loss: Loss) -> Outcome:
    return _sharpness_growth_judged(settings, loss, proxy=lambda run, eta: run["kernel late"])


@control("song-yun/progressive-sharpening", "the true sharpness follows λ̃(q_t) to O(η³)")
def _tracking_order(settings: Settings, loss: Loss) -> Outcome:
    return _sharpness_growth_judged(settings, loss, order=3.0)
