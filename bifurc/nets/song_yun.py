"""Song & Yun's alignment experiment: deep networks on one point align on q = r(p), wider ones more so.

A depth-3 network (standard parameterisation) is trained by GD on one point x (‖x‖ = 1,
d = 10) with a large target y, from several seeds and starting values q_0 < 1 of
q = (2/η)/λmax(NTK) (η is set from the initial NTK: η = 2/(q_0 λ_0)). A large residual
makes ℓ'' small, so the loss Hessian starts flat although q_0 < 1; as |p| shrinks the
sharpness grows (progressive sharpening) and the run oscillates on the period-2 branch
p = ±r̂(q) of f_q, the alignment curve q = r(p), towards (0, 1). The distance of a run to
the curve is :attr:`~bifurc.nets.Track.distance`: the median of |q/r(p) - 1| after the
first ``start`` steps (the approach), which also counts a run that settles at p = 0 with
q ≠ 1 (a minimum flatter than 2/η: no EoS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..losses import Loss, logcosh
from .data import Dataset, digits, one_point
from .mlp import MLP
from .ntk import ntk_max
from .objective import Objective, evaluate
from .track import track
from .train import train

__all__ = ["WidthAlignment", "width_alignment", "MultiPoint", "multi_point", "curve_spread", "shared_curve",
           "digits_objective"]


@dataclass(frozen=True)
class WidthAlignment:
    """Distances to the alignment curve per width.

    Attributes
    ----------
    widths : tuple of int
        The widths trained.
    distances : ndarray
        Shape (len(widths), len(seeds), len(q0s)): the distance statistic of each run.
    median, worst : ndarray
        The median and the largest distance per width, shape (len(widths),) (inf for a run
        that diverged).
    seeds, q0s : tuple
        The initialisation seeds and starting values of q.
    activation : str
    target, steps, start : float, int, int
        y, the number of GD steps, and the first step the statistic counts.
    loss : Loss
    tracks : tuple
        Each run's :class:`~bifurc.nets.Track` (None for a run that diverged), in the order of
        ``distances`` (widths, then seeds, then q0s), for statistics of the whole path.

    Examples
    --------
    >>> from bifurc import nets
    >>> result = nets.width_alignment(widths=(4,), seeds=(0,), q0s=(0.6,), steps=40, start=20)
    >>> result.widths, result.distances.shape, result.median.shape
    ((4,), (1, 1, 1), (1,))
    """

    widths: tuple[int, ...]
    distances: np.ndarray
    median: np.ndarray
    worst: np.ndarray
    seeds: tuple[int, ...]
    q0s: tuple[float, ...]
    activation: str
    target: float
    steps: int
    start: int
    loss: Loss
    tracks: tuple = ()


def width_alignment(widths: tuple[int, ...] = (64, 256), *, activation: str = "tanh",
                    loss: Loss = logcosh, seeds: tuple[int, ...] = (0, 1, 2),
                    q0s: tuple[float, ...] = (0.3, 0.6), target: float = 8.0, steps: int = 1000,
                    start: int = 20) -> WidthAlignment:
    """Train depth-3 networks of each width on one point and measure their distance to q = r(p).

    Parameters
    ----------
    widths
        Hidden widths.
    activation
        ``"tanh"``, ``"elu"`` or ``"linear"``.
    loss
        The loss (log-cosh in the paper).
    seeds
        Initialisation seeds (the data point is the same for all runs).
    q0s
        Starting values of q, each below 1; η = 2/(q_0 λmax(NTK at θ_0)).
    target
        y.
    steps
        GD steps per run.
    start
        The first step the distance statistic counts.

    Returns
    -------
    WidthAlignment

    Examples
    --------
    A tiny run (the paper's are hundreds wide and a thousand steps long): one width, one seed:

    >>> import numpy as np
    >>> from bifurc import nets
    >>> result = nets.width_alignment(widths=(4,), seeds=(0,), q0s=(0.6,), steps=40, start=20)
    >>> (track,) = result.tracks
    >>> bool(np.isclose(track.q[0], 0.6, rtol=1e-12)), result.distances.shape
    (True, (1, 1, 1))
    """
    data = one_point(10, target, seed=0)
    distances = np.empty((len(widths), len(seeds), len(q0s)))
    tracks = []
    for i, width in enumerate(widths):
        objective = Objective(MLP(10, width, 3, activation), data, loss)
        for j, seed in enumerate(seeds):
            theta = objective.net.initial(seed)
            lam0 = ntk_max(evaluate(objective, theta))
            for k, q0 in enumerate(q0s):
                eta = 2 / (q0 * lam0)
                run = train(objective, theta, eta, steps)
                tracks.append(None if run.diverged else track(run.p, run.ntk, eta, loss, start=start))
                distances[i, j, k] = np.inf if run.diverged else tracks[-1].distance
    per_width = distances.reshape(len(widths), -1)
    return WidthAlignment(tuple(widths), distances, np.median(per_width, axis=1), per_width.max(axis=1),
                          tuple(seeds), tuple(q0s), activation, float(target), steps, start, loss,
                          tuple(tracks))


@dataclass(frozen=True)
class MultiPoint:
    """Multi-point runs in (p, q) = ((1/N) Σ residuals, (2/η)/λmax(NTK)) and their spread.

    Attributes
    ----------
    runs : list of Trajectory
        One GD run per (seed, q_0), seeds outer.
    seeds, q0s : tuple
        Initialisation seeds and starting values of q (η = 2/(q_0 λmax(NTK at θ_0))).
    early, late : float
        :func:`curve_spread` of the runs over steps [0, ``split``) and [``split``, T].
    split : int
        The first step of the late (aligned) phase.
    """

    runs: list
    seeds: tuple[int, ...]
    q0s: tuple[float, ...]
    early: float
    late: float
    split: int


def curve_spread(paths: list[tuple[np.ndarray, np.ndarray]], bins: int = 10) -> float:
    """How far apart several runs' curves q(|p|) lie: 0 when they share one curve.

    The |p| range that every run visits is cut into ``bins`` equal bins; in each bin every
    run's median q is taken, and the bin's spread is (max - min)/median of those medians.
    The statistic is the median over the bins that every run visits (nan if none).

    Parameters
    ----------
    paths
        (p, q) arrays of each run.
    bins
        The number of |p| bins.
    """
    lo = max(float(np.abs(p).min()) for p, _ in paths)
    hi = min(float(np.abs(p).max()) for p, _ in paths)
    if not hi > lo:
        return float("nan")
    edges = np.linspace(lo, hi, bins + 1)
    spreads = []
    for a, b in zip(edges[:-1], edges[1:]):
        medians = []
        for p, q in paths:
            inside = (np.abs(p) >= a) & (np.abs(p) <= b)
            if not inside.any():
                break
            medians.append(np.median(q[inside]))
        else:
            spreads.append((max(medians) - min(medians)) / np.median(medians))
    return float(np.median(spreads)) if spreads else float("nan")


def shared_curve(paths: list[tuple[np.ndarray, np.ndarray]], bins: int = 10) -> float:
    """How much of the variation of q one curve q = g(|p|), common to all runs, explains.

    g is the median of the pooled q in each of ``bins`` bins of |p| holding equal numbers of
    the pooled points; the statistic is 1 - Σ(q - g(|p|))²/Σ(q - q̄)² over all points (1 on one
    curve; about 0 when q does not depend on |p|, or each run follows its own curve).

    Parameters
    ----------
    paths
        (p, q) arrays of each run.
    bins
        The number of |p| bins.
    """
    p = np.abs(np.concatenate([np.asarray(p, dtype=np.float64) for p, _ in paths]))
    q = np.concatenate([np.asarray(q, dtype=np.float64) for _, q in paths])
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    curve = np.array([np.median(q[which == b]) if np.any(which == b) else 0.0 for b in range(bins)])
    spread = float(np.sum((q - q.mean()) ** 2))
    return float(1 - np.sum((q - curve[which]) ** 2) / spread) if spread > 0 else float("nan")


def multi_point(objective: Objective, *, seeds: tuple[int, ...] = (0, 1, 2),
                q0s: tuple[float, ...] = (0.7, 0.9), steps: int = 600, split: int = 200) -> MultiPoint:
    """Song & Yun's multi-point reparameterisation: train from several initialisations and step
    sizes and measure how far apart the runs' (p, q) curves lie, early and late.

    Parameters
    ----------
    objective
        The network (any architecture with ``initial(seed)``), the data and the loss; the hook
        for other architectures than the MLP of :func:`digits_objective`.
    seeds, q0s
        Initialisations, and starting values of q (η = 2/(q_0 λmax(NTK at θ_0)) per run).
    steps
        GD steps per run.
    split
        The first step of the late phase.

    Raises
    ------
    ValueError
        If ``split`` is not inside the run or a run diverges.
    """
    if not 0 < split < steps:
        raise ValueError(f"split must be in (0, steps = {steps}), got {split}")
    runs = []
    for seed in seeds:
        theta = objective.net.initial(seed)
        lam0 = ntk_max(evaluate(objective, theta))
        for q0 in q0s:
            run = train(objective, theta, 2 / (q0 * lam0), steps)
            if run.diverged:
                raise ValueError(f"seed {seed}, q0 = {q0}: the run diverged")
            runs.append(run)
    early = curve_spread([(r.p[:split], r.q[:split]) for r in runs])
    late = curve_spread([(r.p[split:], r.q[split:]) for r in runs])
    return MultiPoint(runs, tuple(seeds), tuple(q0s), early, late, split)


def digits_objective(width: int = 256, depth: int = 3, activation: str = "tanh", points: int = 64,
                     offset: float = 4.0, loss: Loss = logcosh) -> Objective:
    """A depth-3 MLP on the digits 0 vs 1 with targets offset ± 1 (log-cosh).

    The offset moves the mean residual p of the untrained network away from 0 (to about
    -offset), so that runs approach the curve from afar as on one point; with targets ±1
    alone p starts near 0 for a balanced subset.
    """
    data = digits(n=points, classes=(0, 1), seed=0)
    return Objective(MLP(data.X.shape[1], width, depth, activation),
                     Dataset(data.X, data.y + offset, f"{data.name}, targets {offset} ± 1"), loss)
