"""Kalra, He & Barkeshli in a real fully connected network: early sharpness reduction,
progressive sharpening, then the edge of stability, under SP and μP.

The sharpness λ_t (Lanczos) of a GD run at step size η = c/λ_0 is read in units of the
edge, s_t = ηλ_t/2 (s = 1 at 2/η), and the phases are stated as measurable criteria
(:func:`sharpening_phases`):

* early reduction: min over the first ``early`` steps of s_t below s_0 by more than
  ``reduction`` (a fraction);
* sharpening to the edge: after that minimum the sharpness rises to within ``edge`` of 2/η;
* edge of stability: over the last quarter of the run the mean of s_t is within ``edge`` of 1
  and the loss rises at a fraction ``oscillation`` or more of the steps (GD in a stable
  basin decreases the loss at every step; at the edge it oscillates).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .. import losses
from ..errors import InputError
from .data import digits
from .mlp import MLP
from .objective import Objective
from .sharpness import initial_sharpness
from .train import Trajectory, train

__all__ = ["SharpeningPhases", "sharpening_phases", "PhasesRun", "phases_run",
           "fcn_objective", "fcn_run", "squared_loss"]


def squared_loss() -> losses.Loss:
    """ℓ(p) = p²/2, Kalra et al.'s loss (its flat r(p) = 1 warns: it has no bifurcation in q)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return losses.get("p**2/2")


@dataclass(frozen=True)
class SharpeningPhases:
    """The phases of a run's sharpness in units of the edge, s = ηλ/2.

    Attributes
    ----------
    initial : float
        s_0.
    minimum, minimum_step : float, int
        The smallest s over the first ``early`` steps and where.
    reduction : float
        1 - minimum/initial (0 when the sharpness never drops).
    peak_after : float
        The largest s after the minimum.
    late_mean : float
        The mean of s over the last quarter of the measurements.
    late_rises : float
        The fraction of steps of the last quarter at which the loss rose.
    reduced, reached_edge, at_edge : bool
        Early reduction by more than the ``reduction`` criterion; rise to within ``edge`` of
        the edge after the minimum; edge of stability in the last quarter (mean within
        ``edge`` and loss rises at a fraction ``oscillation`` or more of the steps).
    criteria : dict
        The thresholds used.
    """

    initial: float
    minimum: float
    minimum_step: int
    reduction: float
    peak_after: float
    late_mean: float
    late_rises: float
    reduced: bool
    reached_edge: bool
    at_edge: bool
    criteria: dict


def sharpening_phases(
    steps: np.ndarray,
    sharp: np.ndarray,
    loss: np.ndarray,
    eta: float,
    *,
    early: int = 50,
    reduction: float = 0.1,
    edge: float = 0.05,
    oscillation: float = 0.1,
) -> SharpeningPhases:
    """Classify a run's sharpness history by the criteria of the module docstring.

    Parameters
    ----------
    steps, sharp
        The steps at which the sharpness was measured (increasing, starting at 0) and λ there.
    loss
        The loss at every step 0 … T.
    eta
        The step size.
    early
        The steps counted as the early phase.
    reduction, edge, oscillation
        The thresholds (fractions) of the criteria.

    Raises
    ------
    InputError
        If the arrays are empty, of different lengths, or ``steps`` does not start at 0.
    """
    steps = np.asarray(steps)
    s = eta * np.asarray(sharp, dtype=np.float64) / 2
    loss = np.asarray(loss, dtype=np.float64)
    if steps.size < 4 or steps.shape != s.shape or steps[0] != 0 or loss.size < 4:
        raise InputError(
            "steps and sharp must be of one length (at least 4, from step 0), and loss at least 4 long"
        )
    head = np.flatnonzero(steps <= early)
    k = head[np.argmin(s[head])]
    late = s[3 * s.size // 4 :]
    rises = float(np.mean(np.diff(loss[3 * loss.size // 4 :]) > 0))
    peak = float(s[k:].max())
    minimum = float(s[k])
    drop = max(0.0, 1 - minimum / s[0])
    late_mean = float(late.mean())
    criteria = {
        "early steps": early,
        "reduction >": reduction,
        "edge within": edge,
        "late loss rises >=": oscillation,
    }
    return SharpeningPhases(
        float(s[0]),
        minimum,
        int(steps[k]),
        drop,
        peak,
        late_mean,
        rises,
        drop > reduction,
        abs(peak - 1) < edge or peak > 1,
        abs(late_mean - 1) < edge and rises >= oscillation,
        criteria,
    )


@dataclass(frozen=True)
class PhasesRun:
    """A GD run from θ₀ at η = c/λ₀ and its phases.

    Attributes
    ----------
    c, eta : float
        ηλ₀ and η.
    run : Trajectory
        The run, with the sharpness every ``every`` steps.
    phases : SharpeningPhases
        :func:`sharpening_phases` of the run.
    """

    c: float
    eta: float
    run: Trajectory
    phases: SharpeningPhases


def phases_run(objective: Objective, theta: np.ndarray, c: float, steps: int, *, every: int = 10,
               early: int = 50, tol: float = 1e-6) -> PhasesRun:
    """Train any network by GD with η = c/λ₀ and classify its sharpness history.

    Parameters
    ----------
    objective
        Network, data and loss.
    theta
        θ₀.
    c
        ηλ₀ > 0 (below 2: stable at the start).
    steps
        GD steps.
    every
        Measure the sharpness every this many steps.
    early
        The early phase of :func:`sharpening_phases`.
    tol
        Relative accuracy of each Lanczos estimate.

    Raises
    ------
    InputError
        If ``c`` is not positive or ``every`` not in [1, steps).
    """
    if not c > 0:
        raise InputError(f"c must be positive, got {c}")
    if not 1 <= every < steps:
        raise InputError(f"every must be in [1, steps = {steps}), got {every}")
    eta = c / initial_sharpness(objective, theta)
    run = train(objective, theta, eta, steps, sharpness_every=every, tol=tol)
    phases = sharpening_phases(run.sharpness_steps, run.sharpness, run.loss, eta, early=early)
    return PhasesRun(float(c), float(eta), run, phases)


def fcn_objective(init: str = "standard", *, width: int = 64, depth: int = 4, activation: str = "tanh",
                  points: int = 128, classes: tuple[int, int] = (3, 5)) -> Objective:
    """An FCN on a two-class digits subset (inputs of dimension 64) with the squared loss.

    Parameters
    ----------
    init
        ``"standard"`` or ``"mup"``.
    width, depth, activation
        The network.
    points, classes
        The digits subset.
    """
    net = MLP(64, width, depth, activation, init=init)
    return Objective(net, digits(n=points, classes=classes, seed=0), squared_loss())


def fcn_run(init: str, c: float, *, width: int = 64, depth: int = 4, activation: str = "tanh",
            points: int = 128, classes: tuple[int, int] = (3, 5), steps: int = 1000, every: int = 5,
            seed: int = 0, early: int = 50) -> PhasesRun:
    """:func:`phases_run` of :func:`fcn_objective`'s network from its initialisation ``seed``.

    See :func:`fcn_objective` for the network and data, :func:`phases_run` for ``c``,
    ``steps``, ``every`` and ``early``.
    """
    objective = fcn_objective(init, width=width, depth=depth, activation=activation, points=points,
                              classes=classes)
    return phases_run(objective, objective.net.initial(seed), c, steps, every=every, early=early)
