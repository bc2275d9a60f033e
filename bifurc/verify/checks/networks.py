"""The papers' claims on real networks (numpy MLPs trained by full-batch GD).

Every check here is ``full_only``: it runs by default under ``bifurc verify --full`` and, asked
for by id, at the quick size (seconds). ``details["size"]`` says which size ran, and every
number in ``details`` and ``findings`` is measured in the run that prints it.

Each check is a measurement (trained once per size and cached) and a judgement of it; the
negative controls judge a wrong variant of the measurement (a shuffled or random-walk path,
the roles of two methods swapped, a run that never reaches the edge) with the same function,
so they cost the judging only, except where the control is another setting (a smaller step).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ... import eos
from ...analysis.orbits import orbit
from ...nets import Objective
from ...nets.kalra import PhasesRun, fcn_objective, fcn_run
from ...nets.lowell_kastner import (
    AlignmentGrowth,
    HessianSplit,
    Snapshots,
    alignment_growth,
    edge_fraction,
    hessian_split,
    snapshots,
)
from ...nets.numeric_loss import numeric
from ...nets.sharpness import initial_sharpness
from ...nets.song_yun import (
    MultiPoint,
    WidthAlignment,
    curve_spread,
    digits_objective,
    multi_point,
    shared_curve,
    width_alignment,
)
from ...nets.train import Trajectory, train
from ...nets.zhu import DeepSubspace, deep_subspace, fit_parabola, oscillation_first, principal_plane
from ..registry import Outcome, Settings, check, control, resolution
from .architectures import cnn_multi_point, rescaled

__all__ = ["lk_network", "lk_runs", "lk_trainings", "lk_alignment_growth", "zhu_network", "minimalist_window"]

#: The seed of every shuffle and random walk of the controls.
_SEED = 0


def _size(settings: Settings) -> str:
    return "full" if settings.full else "quick"


def _rng() -> np.random.Generator:
    return np.random.default_rng(_SEED)


# --- song-yun/width-alignment ---------------------------------------------------------------------

#: Per activation: target y and the starting values of q. tanh and ELU are claimed; the linear
#: net at y = 1 converges to a minimum without oscillating (measured and reported, not claimed).
_WIDTH_SETUP = {"tanh": (8.0, (0.3, 0.6)), "elu": (8.0, (0.3, 0.6)), "linear": (1.0, (0.6, 0.9))}
_ALIGNED = ("tanh", "elu")
#: The first step counted (the approach before it is not alignment).
_WIDTH_START = 100
#: Largest width-256 distance median |q/r(p) - 1| counted as aligned: the runs reach 0.015 (quick)
#: and 0.011 (full); the curve's own range over the counted steps is 5-25%.
_WIDTH_DISTANCE = 0.02
#: Smallest share of q's variation over the counted steps that the curve must explain: the width-256
#: runs reach 0.62 or more (quick) and 0.67 (full); a path whose q is unrelated to p gives about
#: 1 - (var q + var r)/var q ≈ -1, and the flat line q = 1 at most 0 (a constant explains nothing).
_WIDTH_EXPLAINED = 0.5

Path = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@lru_cache(maxsize=2)
def _width_runs(full: bool) -> dict[str, WidthAlignment]:
    seeds, steps = ((0, 1, 2), 1000) if full else ((0, 1), 600)
    return {act: width_alignment((64, 256), activation=act, seeds=seeds, q0s=q0s, target=target, steps=steps,
                                 start=_WIDTH_START)
            for act, (target, q0s) in _WIDTH_SETUP.items()}


def _curve_fit(p: np.ndarray, q: np.ndarray,
               curve: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
    """(median |q/c(p) - 1|, 1 - Σ(q - c(p))²/Σ(q - q̄)²): the distance of a path to the curve q = c(p)
    and the share of the variation of q that the curve explains (no fitted parameter)."""
    c = curve(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = float(np.median(np.abs(q / c - 1)))
        explained = float(1 - np.sum((q - c) ** 2) / np.sum((q - q.mean()) ** 2))
    return (distance if np.isfinite(distance) else np.inf), (explained if np.isfinite(explained) else -np.inf)


def _judge_width(settings: Settings, path: Path | None = None, flat: bool = False) -> Outcome:
    """Every width-256 run of tanh and ELU within the distance bound with the curve explaining q;
    the median distance smaller at width 256 than 64. ``path`` replaces each run's (p, q);
    ``flat`` replaces the curve r(p) by q = 1."""
    runs = _width_runs(settings.full)
    details: dict = {"size": _size(settings), "counted steps": f">= {_WIDTH_START}",
                     "distance": "median |q/r(p) - 1|",
                     "explained": "1 - sum (q - r(p))^2 / sum (q - mean q)^2 (no fitted parameter)",
                     "bounds": {"width-256 distance <": _WIDTH_DISTANCE,
                                "width-256 explained >=": _WIDTH_EXPLAINED}}
    ok = True
    for act in _ALIGNED:
        w = runs[act]
        curve = (lambda p: np.ones_like(p)) if flat else numeric(w.loss).r
        n = len(w.seeds) * len(w.q0s)
        stats = []
        for tr in w.tracks:
            if tr is None:
                stats.append((np.inf, -np.inf))
                continue
            p, q = (tr.p, tr.q) if path is None else path(tr.p, tr.q)
            stats.append(_curve_fit(p[_WIDTH_START:], q[_WIDTH_START:], curve))
        distance = np.array([s[0] for s in stats]).reshape(len(w.widths), n)
        explained = np.array([s[1] for s in stats]).reshape(len(w.widths), n)
        median = np.median(distance, axis=1)
        wide = w.widths.index(256)
        good = bool(median[wide] < median[w.widths.index(64)] and np.all(distance[wide] < _WIDTH_DISTANCE)
                    and np.all(explained[wide] >= _WIDTH_EXPLAINED))
        ok &= good
        details[act] = {"target": w.target, "q0s": w.q0s, "seeds": w.seeds,
                        "median distance (64, 256)": median.tolist(),
                        "width-256 distances": distance[wide].tolist(),
                        "width-256 explained": explained[wide].tolist(), "passed": good}
    lin = runs["linear"]
    ends = [(abs(float(t.p[-1])), float(t.q[-1])) for t in lin.tracks if t is not None]
    above = sum(q > 1 for _, q in ends)
    details["linear (not claimed)"] = {"target": lin.target, "q0s": lin.q0s,
                                       "median distance (64, 256)": lin.median.tolist(),
                                       "final (|p|, q) per run": ends}
    details["findings"] = (
        f"linear net at y = {lin.target:g}: {above} of {len(ends)} runs end at q > 1, where f_q's fixed "
        f"point p = 0 is stable (largest final |p| {max(p for p, _ in ends):.1e})" + (
            ": they converge to a minimum flatter than 2/eta without oscillating, so their distance |q - 1| "
            "measures that minimum, not alignment" if above == len(ends) else ""))
    med = {a: details[a]["median distance (64, 256)"] for a in _ALIGNED}
    return Outcome(
        f"median(256) < median(64); every width-256 run: distance < {_WIDTH_DISTANCE}, explained >= "
        f"{_WIDTH_EXPLAINED}",
        "; ".join(f"{a} {m[0]:.3g} -> {m[1]:.3g}, explained >= {min(details[a]['width-256 explained']):.2f}"
                  for a, m in med.items()),
        "see details",
        ok,
        None,
        details,
    )


@check(
    "song-yun/width-alignment",
    "Song & Yun",
    "3-layer tanh and ELU nets on one point align on q = r(p) from every start (the curve explains "
    "q's variation, not only its end q = 1); closer at width 256 than 64",
    full_only=True,
)
def width_alignment_check(settings: Settings) -> Outcome:
    """Distance to the curve and the share of q it explains, per width; see :func:`_judge_width`."""
    return _judge_width(settings)


def _shuffled_q(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = _rng()
    return p, np.concatenate([q[:_WIDTH_START], rng.permutation(q[_WIDTH_START:])])


def _random_walk(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A walk from the run's start whose steps have the run's sizes in p and in q, with random signs."""
    rng = _rng()
    walk = [x[0] + np.concatenate([[0.0], np.cumsum(np.abs(np.diff(x)) * rng.choice((-1, 1), x.size - 1))])
            for x in (p, q)]
    return walk[0], walk[1]


@control("song-yun/width-alignment", "q shuffled in time against p (each run)")
def _width_shuffled(settings: Settings) -> Outcome:
    return _judge_width(settings, _shuffled_q)


@control("song-yun/width-alignment", "a random walk in (p, q) with each run's step sizes")
def _width_walk(settings: Settings) -> Outcome:
    return _judge_width(settings, _random_walk)


@control("song-yun/width-alignment", "the flat line q = 1 in place of the curve r(p)")
def _width_flat(settings: Settings) -> Outcome:
    return _judge_width(settings, flat=True)


# --- song-yun/multi-point -------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _multi_point_runs(full: bool) -> tuple[MultiPoint, MultiPoint]:
    """The MLP's runs, and the CNN's (kalra/cnn's network) on the same data."""
    if full:
        mlp = multi_point(digits_objective(), seeds=(0, 1, 2), q0s=(0.6, 0.75, 0.9), steps=1000, split=250)
    else:
        mlp = multi_point(digits_objective(), seeds=(0, 1), q0s=(0.7, 0.9), steps=500, split=200)
    return mlp, cnn_multi_point(full)


#: Smallest share of the late variation of q that one curve g(|p|) common to the runs must explain
#: (:func:`~bifurc.nets.song_yun.shared_curve`): the runs reach 0.42 (quick) and 0.45 (full); each
#: run's p paired with the next run's q gives 0.17 and -0.11 (0.11 at most over every cyclic pairing
#: at the full size), each run's late q shuffled -0.12 and 0.08.
_SHARED = 0.3


def _judge_multi_point(settings: Settings, path: Callable[[list], list] | None = None) -> Outcome:
    """Late spread below half the early one, and one curve explaining the late points.
    ``path`` replaces the runs' list of (p, q) (a control)."""
    mlp, cnn = _multi_point_runs(settings.full)
    paths = [(r.p, r.q) for r in mlp.runs]
    paths = paths if path is None else path(paths)
    s = mlp.split
    early = curve_spread([(p[:s], q[:s]) for p, q in paths])
    late = curve_spread([(p[s:], q[s:]) for p, q in paths])
    shared = shared_curve([(p[s:], q[s:]) for p, q in paths])
    own = [shared_curve([(p[s:], q[s:])]) for p, q in paths]
    checks = {"late spread < early / 2": late < 0.5 * early,
              f"shared curve explains >= {_SHARED:g}": shared >= _SHARED}
    aligned = "do" if cnn.late < 0.5 * cnn.early else "do not"
    details = {
        "size": _size(settings),
        "network": "MLP 64-256-256-1 tanh, log-cosh, 64 digits, targets 4 ± 1",
        "seeds": mlp.seeds, "q0s": mlp.q0s, "split": s,
        "checks": {k: bool(v) for k, v in checks.items()},
        "early spread": early, "late spread": late,
        "spread": "median over |p| bins of (max - min)/median of the runs' median q",
        "late share of q explained by one curve g(|p|) (all runs)": shared,
        "the same per run (each its own curve)": own,
        "CNN (kalra/cnn's network, same data and runs)": {"early spread": cnn.early, "late spread": cnn.late},
        "findings": (f"one curve common to the MLP's runs explains {shared:.0%} of the late variation of q "
                     f"(each run's own curve {min(own):.0%} to {max(own):.0%}): the runs share a curve, "
                     f"loosely at this size. The CNN's late spread is {cnn.late:.3g} against {cnn.early:.3g} "
                     f"early: its runs {aligned} come together by the MLP's criterion; the claim is checked "
                     "for the MLP only"),
    }
    return Outcome(f"late spread < early / 2; one curve explains >= {_SHARED:g} of late q",
                   f"spread {early:.3g} -> {late:.3g}; shared curve {shared:.2f}", f"factor 2; {_SHARED:g}",
                   all(checks.values()), None, details)


@check(
    "song-yun/multi-point",
    "Song & Yun",
    "on digits 0 vs 1 a 3-layer MLP's (mean residual, (2/η)/λmax(NTK)) runs from several starts align on "
    "one curve: the late spread between runs is below half the early spread and one curve q = g(|p|) "
    "common to the runs explains at least 30% of the late variation of q (a CNN's spread is measured)",
    full_only=True,
)
def multi_point_check(settings: Settings) -> Outcome:
    """:func:`~bifurc.nets.song_yun.curve_spread` before and after ``split``, and
    :func:`~bifurc.nets.song_yun.shared_curve` after it."""
    return _judge_multi_point(settings)


@control("song-yun/multi-point", "each run's p paired with the next run's q")
def _multi_point_mismatched(settings: Settings) -> Outcome:
    return _judge_multi_point(settings, lambda paths: [(paths[i][0], paths[(i + 1) % len(paths)][1])
                                                       for i in range(len(paths))])


@control("song-yun/multi-point", "each run's late q shuffled in time")
def _multi_point_shuffled(settings: Settings) -> Outcome:
    def shuffled(paths: list) -> list:
        rng, s = _rng(), _multi_point_runs(settings.full)[0].split
        return [(p, np.concatenate([q[:s], rng.permutation(q[s:])])) for p, q in paths]

    return _judge_multi_point(settings, shuffled)


# --- kalra/fcn ------------------------------------------------------------------------------------

#: Per parameterisation: init, c = ηλ₀, width. μP starts above the edge (c = 5).
_FCN_SETUPS = {"SP": ("standard", 1.5, 16), "muP": ("mup", 5.0, 64)}
#: ηλ₀ of the control run: SP sharpens by about 2-3x over the run, so from s₀ = 0.15 it stays below the edge.
_FCN_SMALL_C = 0.3


def _fcn_size(full: bool) -> tuple[int, int]:
    return (1500, 5) if full else (800, 10)


@lru_cache(maxsize=2)
def _fcn_runs(full: bool) -> dict[str, PhasesRun]:
    steps, every = _fcn_size(full)
    return {name: fcn_run(init, c, width=width, steps=steps, every=every)
            for name, (init, c, width) in _FCN_SETUPS.items()}


@lru_cache(maxsize=2)
def _fcn_small(full: bool) -> PhasesRun:
    steps, every = _fcn_size(full)
    init, _, width = _FCN_SETUPS["SP"]
    return fcn_run(init, _FCN_SMALL_C, width=width, steps=steps, every=every)


def _judge_fcn(settings: Settings, edge: float = 1.0, sp: PhasesRun | None = None) -> Outcome:
    runs = dict(_fcn_runs(settings.full))
    if sp is not None:
        runs["SP"] = sp
    runs = {name: rescaled(r, edge) for name, r in runs.items()} if edge != 1.0 else runs
    s, m = runs["SP"].phases, runs["muP"].phases
    within = s.criteria["edge within"]
    checks = {"SP reaches the edge": s.reached_edge,
              "SP at the edge (late mean within 5%, loss rises at >= 10% of late steps)": s.at_edge,
              "muP early reduction > 10%": m.reduced, "muP reaches the edge": m.reached_edge,
              "muP late mean within 5%": abs(m.late_mean - 1) < within}
    details: dict = {"size": _size(settings), "criteria": s.criteria,
                     "network": "fcn_objective defaults: depth 4, tanh, digits 3 vs 5, 128 points",
                     "checks": {k: bool(v) for k, v in checks.items()}}
    for name, r in runs.items():
        ph = r.phases
        details[name] = {"c": r.c, "width": _FCN_SETUPS[name][2], "s0 = eta lambda0 / 2": ph.initial,
                         "early minimum": ph.minimum, "at step": ph.minimum_step, "reduction": ph.reduction,
                         "peak after": ph.peak_after, "late mean s": ph.late_mean,
                         "late loss-rise fraction": ph.late_rises}
    details["findings"] = (
        f"SP's early reduction: {s.reduction:.0%} ({'more' if s.reduced else 'not more'} than 10%, not "
        f"required); muP starts at s0 = {m.initial:.2f} (above the edge), so its early reduction of "
        f"{m.reduction:.0%} is the catapult out of the unstable start; its sharpness returns to late mean "
        f"{m.late_mean:.3f} with the loss rising at {m.late_rises:.0%} of the late steps")
    measured = "; ".join(f"{n} {r.phases.initial:.2f} -> {r.phases.minimum:.2f} -> {r.phases.late_mean:.3f}"
                         for n, r in runs.items())
    return Outcome("s = eta lambda / 2: SP -> 1 with loss rises; muP reduction, then -> 1", measured,
                   "see criteria", all(checks.values()), None, details)


@check(
    "kalra/fcn",
    "Kalra et al.",
    "an FCN on digits (squared loss): under SP progressive sharpening to 2/η and oscillation there (late "
    "mean of ηλ/2 within 5% of 1, loss rising at >= 10% of the late steps); under μP early sharpness "
    "reduction (> 10%), then sharpening back to 2/η (late mean within 5%)",
    full_only=True,
)
def kalra_fcn(settings: Settings) -> Outcome:
    """SP (width 16, c = ηλ₀ = 1.5) and μP (width 64, c = 5: starts above the edge) GD runs,
    classified by :func:`~bifurc.nets.kalra.sharpening_phases`."""
    return _judge_fcn(settings)


@control("kalra/fcn", f"SP at c = {_FCN_SMALL_C} (its sharpness never reaches 2/η) at the edge")
def _fcn_small_eta(settings: Settings) -> Outcome:
    return _judge_fcn(settings, sp=_fcn_small(settings.full))


@resolution("kalra/fcn", "2 (the edge 2/η)", high=0.5)
def _fcn_edge(settings: Settings, relative: float) -> Outcome:
    return _judge_fcn(settings, edge=1 + relative)


# --- lowell-kastner/network -----------------------------------------------------------------------


def lk_network(quick: bool) -> tuple[Objective, np.ndarray, float, int]:
    """Lowell & Kastner's comparison network: a tanh MLP 64-16-16-16-1 on 64 digits 3 vs 5, squared
    loss, η = 1/λ₀ (GD sharpens progressively to the edge), with the step count of the size."""
    objective = fcn_objective(width=16, points=64)
    theta = objective.net.initial(0)
    eta = 1 / initial_sharpness(objective, theta)
    return objective, theta, eta, 300 if quick else 800


@lru_cache(maxsize=2)
def lk_runs(quick: bool) -> dict:
    """:func:`lk_trainings` of :func:`lk_network` (cached: do not modify the results)."""
    return lk_trainings(*lk_network(quick))


def lk_trainings(objective: Objective, theta: np.ndarray, eta: float, steps: int) -> dict:
    """GD and exponential Euler (top 2 eigenpairs) from ``theta``, sharpness every step."""
    return {
        "gd": train(objective, theta, eta, steps, sharpness_every=1),
        "exponential_euler": train(objective, theta, eta, steps, method="exponential_euler", top_k=2),
    }


#: The band around 2/η counted as "at the edge" (relative), and the share of the second half's
#: steps GD must spend in it (it reaches 0.85 quick, 1.0 full; exponential Euler 0).
_LK_BAND, _LK_HOVER = 0.05, 0.5


def _judge_lk_network(settings: Settings, swap: bool = False, edge: float = 1.0) -> Outcome:
    runs: dict[str, Trajectory] = lk_runs(not settings.full)
    gd, ee = ("exponential_euler", "gd") if swap else ("gd", "exponential_euler")
    eta = runs["gd"].eta / edge  # the edge 2 edge/eta is 2/eta' with eta' = eta/edge
    half = {k: r.sharpness[r.sharpness.size // 2:] for k, r in runs.items()}
    frac = {k: edge_fraction(s, eta, _LK_BAND) for k, s in half.items()}
    rises = {k: float(np.max(np.diff(r.loss)) / r.loss[0]) for k, r in runs.items()}
    top = {k: float(r.sharpness.max() * eta / 2) for k, r in runs.items()}
    checks = {
        f"GD within {_LK_BAND:.0%} of 2/eta at > {_LK_HOVER:.0%} of the late steps": frac[gd] > _LK_HOVER,
        "EE there at < 20%": frac[ee] < 0.2,
        "GD's loss rises": rises[gd] > 0,
        "EE's loss monotone (to rounding: rise <= 1e-12 of the initial loss)": rises[ee] <= 1e-12,
        f"EE's sharpness exceeds 2/eta by more than {_LK_BAND:.0%}": top[ee] > 1 + _LK_BAND,
    }
    details = {
        "size": _size(settings), "eta": runs["gd"].eta, "2/eta": 2 / runs["gd"].eta,
        "roles": {"GD": gd, "EE": ee},
        "checks": {k: bool(v) for k, v in checks.items()},
        f"fraction of late sharpness within {_LK_BAND:.0%} of 2/eta": frac,
        "largest loss rise per step / initial loss": rises,
        "final sharpness x eta/2": {k: float(r.sharpness[-1] * eta / 2) for k, r in runs.items()},
        "max sharpness x eta/2": top,
    }
    return Outcome("GD at the edge, EE monotone and above it",
                   f"near 2/eta: GD {frac[gd]:.2f}, EE {frac[ee]:.2f}; EE max {top[ee]:.2f} x 2/eta",
                   f"> {_LK_HOVER} / < 0.2; > {1 + _LK_BAND}", all(checks.values()), None, details)


@check(
    "lowell-kastner/network",
    "Lowell & Kastner",
    "on a tanh FCN GD hovers at 2/η (within 5% at more than half of the late steps) while exponential "
    "Euler decreases the loss monotonically and does not hover there: its sharpness exceeds 2/η",
    full_only=True,
)
def lk_network_check(settings: Settings) -> Outcome:
    """Fraction of the second half's sharpness within 5% of 2/η, loss rises, and EE's largest sharpness."""
    return _judge_lk_network(settings)


@control("lowell-kastner/network", "GD and exponential Euler swapped")
def _lk_swapped(settings: Settings) -> Outcome:
    return _judge_lk_network(settings, swap=True)


@resolution("lowell-kastner/network", "2 (the edge 2/η)", high=0.5)
def _lk_edge(settings: Settings, relative: float) -> Outcome:
    return _judge_lk_network(settings, edge=1 + relative)


# --- lowell-kastner/gauss-newton ------------------------------------------------------------------

#: Late relative gap |λmax(G) - λmax(∇²L)|/λmax(∇²L) allowed (the README's 0.1%): by Weyl it is at
#: most ‖H‖/λ, and H ∝ the residuals decays; the runs reach 5.7e-4 (quick) and 6.1e-5 (full).
_GN_GAP = 1e-3
#: Final ‖H‖/λmax(∇²L) allowed: the runs reach 1.3e-3 (quick) and 4.3e-4 (full).
_GN_REST = 1e-2
#: Relative accuracy of the Lanczos eigenvalues (tol 1e-8) with room for the three estimates.
_LANCZOS = 1e-6


@lru_cache(maxsize=2)
def _lk_split(quick: bool) -> Snapshots:
    objective, theta, eta, steps = lk_network(quick)
    return snapshots(objective, theta, eta, steps, 50 if quick else 20, hessian_split,
                     method="exponential_euler", top_k=2)


def _judge_gauss_newton(settings: Settings, rest_for_g: bool = False) -> Outcome:
    snap = _lk_split(not settings.full)
    values: list[HessianSplit] = snap.values
    hess = np.array([s.hessian for s in values])
    rest = np.array([s.rest for s in values])
    gn = rest if rest_for_g else np.array([s.gauss_newton for s in values])
    growth, gn_growth = hess[-1] - hess[0], gn[-1] - gn[0]
    second = slice(hess.size // 2, None)
    gap = np.abs(gn - hess)
    tracking = float(np.max(gap[second] / hess[second]))
    checks = {
        "the sharpness grows by > 50%": growth > 0.5 * hess[0],
        "growth(G) >= 0.9 growth(hessian)": gn_growth >= 0.9 * growth,
        f"second half: |lambda(G) - lambda(hessian)| / lambda(hessian) <= {_GN_GAP:g}": tracking <= _GN_GAP,
        "Weyl: |lambda(G) - lambda(hessian)| <= ||H|| at every snapshot": bool(
            np.all(gap <= rest + _LANCZOS * hess)),
        "||H|| decreases after step 0": bool(np.all(np.diff(rest[1:]) <= _LANCZOS * hess[2:])),
        f"final ||H|| / lambda(hessian) < {_GN_REST:g}": rest[-1] < _GN_REST * hess[-1],
    }
    details = {
        "size": _size(settings),
        "G is": "||H||" if rest_for_g else "lambda_max(G)",
        "checks": {k: bool(v) for k, v in checks.items()},
        "steps": snap.steps.tolist(),
        "lambda_max(hessian)": hess.tolist(),
        "lambda_max(G)": gn.tolist(),
        "||H||": rest.tolist(),
        "growth of lambda_max: hessian, G": (float(growth), float(gn_growth)),
        "second half: max |lambda(G) - lambda(hessian)| / lambda(hessian)": tracking,
        "final ||H|| / lambda_max(hessian)": float(rest[-1] / hess[-1]),
    }
    return Outcome(
        f"growth(G) >= 0.9 growth(hessian), G within {_GN_GAP:.1%} late (<= ||H||, Weyl), ||H|| decreasing "
        f"to < {_GN_REST:.0%}",
        f"growth {gn_growth:.3g} (G) vs {growth:.3g}; late gap {tracking:.2g}; ||H|| {rest[0]:.3g} -> "
        f"{rest[-1]:.3g}",
        "see predicted", all(checks.values()), None, details)


@check(
    "lowell-kastner/gauss-newton",
    "Lowell & Kastner",
    "along exponential-Euler training the sharpness growth is carried by the Gauss-Newton part G: "
    "λmax(G) grows by as much as λmax(∇²L) and tracks it to 0.1% in the second half, the rest H decays "
    "with the residuals",
    full_only=True,
)
def lk_gauss_newton(settings: Settings) -> Outcome:
    """λmax(∇²L), λmax(G), ‖H‖ by Lanczos at snapshots of the :func:`lk_network` EE run."""
    return _judge_gauss_newton(settings)


@control("lowell-kastner/gauss-newton", "the rest H in place of G")
def _gn_rest(settings: Settings) -> Outcome:
    return _judge_gauss_newton(settings, rest_for_g=True)


# --- lowell-kastner/jacobian-alignment ------------------------------------------------------------

#: The rise asserted at every D: the runs reach 2.44-3.4x (quick and full).
_RISE = 2.0


@lru_cache(maxsize=2)
def lk_alignment_growth(quick: bool) -> AlignmentGrowth:
    """:func:`~bifurc.nets.lowell_kastner.alignment_growth` of an ELU MLP (depth 4, width 64) on
    D digits 3 vs 5 (squared loss), D = 16 … 256 (16 … 64 when ``quick``); cached."""
    sizes = (16, 32, 64) if quick else (16, 32, 64, 128, 256)

    def make(D: int) -> Objective:
        return fcn_objective(activation="elu", points=D)

    return alignment_growth(make, sizes, steps=600 if quick else 3000, every=25)


def _judge_alignment(settings: Settings, shuffle: bool = False) -> Outcome:
    g = lk_alignment_growth(not settings.full)
    series = list(g.series)
    if shuffle:  # a permutation that moves the first measurement
        rng = _rng()
        for i, s in enumerate(series):
            order = rng.permutation(s.size)
            if order[0] == 0:
                order[[0, 1]] = order[[1, 0]]
            series[i] = s[order]
    rise = np.array([s.max() / s[0] for s in series])
    passed = bool(np.all(rise > _RISE))
    details = {
        "size": _size(settings),
        "sizes": g.sizes.tolist(),
        "series shuffled": shuffle,
        "initial": [float(s[0]) for s in series],
        "peak": [float(s.max()) for s in series],
        "rise (peak / initial)": rise.tolist(),
        "measurements per run (every 25 steps; a run stops at loss 1e-2)": [s.size for s in series],
        "per-layer ratios at the peak": g.layers.tolist(),
        "steps": g.steps.tolist(),
        "power law exponent": g.fit.exponent,
        "R^2": g.fit.r_squared,
        "paper": "exponent > 0 with R^2 0.74-0.98 (6-layer width-512 MLPs, larger data sets)",
    }
    return Outcome(
        f"peak > {_RISE:g} x initial on every D; power law reported",
        f"rise x{float(rise.min()):.2f}; exponent {g.fit.exponent:.3f}, R^2 {g.fit.r_squared:.2f}",
        f"{_RISE:g}", passed, None, details)


@check(
    "lowell-kastner/jacobian-alignment",
    "Lowell & Kastner",
    "the layerwise Jacobian alignment Π r_l rises during training (peak > 2x its initial value) on every "
    "data-set size; its peak against D fitted by a power law (exponent and R² reported)",
    full_only=True,
)
def lk_alignment(settings: Settings) -> Outcome:
    """Peak network alignment of an ELU MLP (depth 4, width 64) on digits 3 vs 5 of D images."""
    return _judge_alignment(settings)


@control("lowell-kastner/jacobian-alignment", "each alignment series shuffled in time")
def _alignment_shuffled(settings: Settings) -> Outcome:
    return _judge_alignment(settings, shuffle=True)


# --- zhu/deep-subspace ----------------------------------------------------------------------------

#: Smallest top-2 PCA variance fraction counted as a plane: the run reaches 0.994 (quick) and
#: 0.9999 (full); a random walk's is about 0.76 (6/π² (1 + 1/4) in high dimension).
_PLANE = 0.99
#: Smallest share of steps that reverse along the oscillation direction (period 2: 1 for the run and
#: the minimalist model; about 0.1 for a random walk's smooth principal components, 2/3 for shuffled
#: iterates).
_ALTERNATION = 0.9


@lru_cache(maxsize=2)
def zhu_network(quick: bool) -> DeepSubspace:
    """:func:`~bifurc.nets.zhu.deep_subspace` of a depth-4 tanh MLP (width 64) on 64 digits 3 vs 5,
    squared loss, η = 1.5/λ₀: progressive sharpening to the edge, then the last iterates (cached)."""
    objective = fcn_objective(points=64)
    theta = objective.net.initial(0)
    eta = 1.5 / initial_sharpness(objective, theta)
    steps = 600 if quick else 1500
    return deep_subspace(objective, theta, eta, steps, 200)


@lru_cache(maxsize=1)
def minimalist_window(eta: float = 0.05, window: int = 200) -> np.ndarray:
    """The last ``window`` GD iterates of Zhu's minimalist model from just above the edge
    (x² + y² = 1.1 × the edge, xy = 0.95), before the oscillation has died out (cached)."""
    S, pi = 1.1 / eta, 0.95  # the sharpness at a minimum is 2 S: S = 1/eta at the edge
    root = np.sqrt(S * S - 4 * pi * pi)
    x = np.sqrt((S + root) / 2)
    run = orbit(eos.minimalist().map, [x, pi / x], 4000, params={"eta": eta})
    e = np.abs(1 - (run[:, 0] * run[:, 1]) ** 2)
    end = int(np.flatnonzero(e > 1e-3 * e.max())[-1]) + 1  # after it, the oscillation has decayed 1000-fold
    window_ = run[max(0, end - window) : end]
    window_.setflags(write=False)
    return window_


def _geometry(fraction: float, coords: np.ndarray) -> dict:
    """Plane, period-2 alternation along the oscillation direction, and the parabola there."""
    u, v = oscillation_first(coords)
    du = np.diff(u)
    fit = fit_parabola(u, v)
    alternation = float(np.mean(du[1:] * du[:-1] < 0))
    return {"top-2 variance fraction": fraction, "alternation": alternation,
            "parabola residual": fit.residual, "line residual": fit.line_residual,
            "passed": bool(fraction >= _PLANE and alternation >= _ALTERNATION
                           and fit.residual < 0.5 * fit.line_residual)}


def _judge_zhu(settings: Settings, points: str = "run") -> Outcome:
    r = zhu_network(not settings.full)
    if points == "run":
        net = _geometry(r.plane.fraction, r.plane.coords)
    elif points == "shuffled":  # PCA does not see the order: the plane is the run's, reordered
        net = _geometry(r.plane.fraction, _rng().permutation(r.plane.coords))
    else:  # a random walk with the run's step lengths, in directions uniform on the sphere
        steps = _rng().standard_normal((r.step_norms.size, r.parameters))
        steps *= (r.step_norms / np.linalg.norm(steps, axis=1))[:, None]
        walk = principal_plane(np.vstack([np.zeros(r.parameters), np.cumsum(steps, axis=0)]))
        net = _geometry(walk.fraction, walk.coords)
    mini_plane = principal_plane(minimalist_window())
    mini = _geometry(mini_plane.fraction, mini_plane.coords)
    edge = float(r.final_sharpness * r.eta / 2)
    passed = bool(net["passed"] and mini["passed"] and abs(edge - 1) < 0.05)
    details = {
        "size": _size(settings),
        "iterates": points,
        "window": r.window,
        "network": net,
        "minimalist": mini,
        "variance fractions (run)": r.plane.fractions[:5].tolist(),
        "final sharpness x eta/2": edge,
        "residuals": "RMS of v - fit over the standard deviation of v, in (oscillation, drift) coordinates",
        "alternation": "share of steps whose component along the oscillation direction reverses sign",
    }
    return Outcome(
        "plane, period-2 oscillation across it, parabola; as the minimalist model",
        f"PCA {net['top-2 variance fraction']:.4f}; alternation {net['alternation']:.2f}; parabola residual "
        f"{net['parabola residual']:.3f} (minimalist {mini['parabola residual']:.3f})",
        f">= {_PLANE}; >= {_ALTERNATION}; < line / 2",
        passed,
        None,
        details,
    )


@check(
    "zhu/deep-subspace",
    "Zhu et al.",
    "at the end of EoS training a deep MLP's iterates lie in a plane (top-2 PCA variance >= 0.99), "
    "oscillate across it with period 2 and follow a parabola there, as the minimalist model's",
    full_only=True,
)
def zhu_deep_subspace(settings: Settings) -> Outcome:
    """PCA of the last 200 iterates, parabola v(u) in the plane; the same for the minimalist model."""
    return _judge_zhu(settings)


@control("zhu/deep-subspace", "a random walk with the run's step lengths")
def _zhu_walk(settings: Settings) -> Outcome:
    return _judge_zhu(settings, "random walk")


@control("zhu/deep-subspace", "the run's iterates in shuffled order")
def _zhu_shuffled(settings: Settings) -> Outcome:
    return _judge_zhu(settings, "shuffled")
