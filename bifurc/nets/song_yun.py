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
from .data import one_point
from .mlp import MLP
from .ntk import ntk_max
from .objective import Objective, evaluate
from .track import track
from .train import train

__all__ = ["WidthAlignment", "width_alignment"]


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
    """
    data = one_point(10, target, seed=0)
    distances = np.empty((len(widths), len(seeds), len(q0s)))
    for i, width in enumerate(widths):
        objective = Objective(MLP(10, width, 3, activation), data, loss)
        for j, seed in enumerate(seeds):
            theta = objective.net.initial(seed)
            lam0 = ntk_max(evaluate(objective, theta))
            for k, q0 in enumerate(q0s):
                eta = 2 / (q0 * lam0)
                run = train(objective, theta, eta, steps)
                distances[i, j, k] = (np.inf if run.diverged else
                                      track(run.p, run.ntk, eta, loss, start=start).distance)
    per_width = distances.reshape(len(widths), -1)
    return WidthAlignment(tuple(widths), distances, np.median(per_width, axis=1), per_width.max(axis=1),
                          tuple(seeds), tuple(q0s), activation, float(target), steps, start, loss)
