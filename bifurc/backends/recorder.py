"""Recording a run from the user's own training loop: the EoS quantities every few steps."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..analysis.arguments import positive_float, positive_int
from ..errors import InputError
from .curvature import eigenpairs
from .operators import hessian_operator, ntk_operator
from .problem import Problem

__all__ = ["Recording", "Recorder"]


@dataclass(frozen=True)
class Recording:
    """The recorded steps of a run.

    Attributes
    ----------
    steps : ndarray
        The step counts t at which the model was measured (after t updates).
    eta : ndarray
        The step size passed with each.
    loss : ndarray
        L(θ_t).
    sharpness : ndarray
        λmax(∇²L(θ_t)).
    ntk : ndarray
        λmax of the NTK J Jᵀ/N.
    p, q : ndarray
        Mean residual and (2/η)/λmax(NTK) (NaN unless the model has one output per sample).
    sharpness_change : ndarray
        −η ∇S·∇L, the change of the sharpness that the next GD step makes to first order
        (Damian et al.'s self-stabilization term); NaN unless recorded with ``gradient=True``.
    hvps : ndarray
        Hessian-vector products each sharpness estimate used (warm-started from the last).
    loss_name : str
        The loss.
    every : int
        The recording interval.
    """

    steps: np.ndarray
    eta: np.ndarray
    loss: np.ndarray
    sharpness: np.ndarray
    ntk: np.ndarray
    p: np.ndarray
    q: np.ndarray
    sharpness_change: np.ndarray
    hvps: np.ndarray
    loss_name: str
    every: int

    def track(self, start: int | None = None) -> object:
        """The run in the (p, q) plane with the curve q = r(p): a :class:`bifurc.nets.Track`.

        Raises
        ------
        InputError
            If the step size varied, (p, q) were not recorded, or the loss is not catalogued.
        """
        from .. import losses, nets

        if self.eta.size == 0 or np.any(self.eta != self.eta[0]):
            raise InputError("eta must be one constant step size over the recording to place it on the curve")
        if np.any(np.isnan(self.p)):
            raise InputError("the recording has no (p, q): the model needs one output per sample")
        if self.loss_name not in losses.CATALOGUE:
            raise InputError(f"loss {self.loss_name!r} has no alignment curve; use one of "
                             f"{', '.join(losses.CATALOGUE)}")
        return nets.track(self.p, self.ntk, float(self.eta[0]), losses.CATALOGUE[self.loss_name], start)


class Recorder:
    """Measures the problem that ``current()`` returns, every ``every`` counted steps.

    Parameters
    ----------
    current
        Returns the :class:`~bifurc.backends.problem.Problem` at the model's present parameters.
    every
        Measure after every this many updates.
    gradient
        Also record −η ∇S·∇L (one third-order product per record).
    tol
        Relative accuracy of each Lanczos estimate.
    """

    def __init__(self, current: Callable[[], Problem], every: int = 10, *, gradient: bool = False,
                 tol: float = 1e-10) -> None:
        self.current = current
        self.every = positive_int(every, "every")
        self.gradient, self.tol = bool(gradient), float(tol)
        self.t = 0
        self._rows: list[tuple[float, ...]] = []
        self._starts: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        self._loss_name = current().loss_name

    def step(self, eta: float) -> None:
        """Count one update of step size ``eta``; measure if the count is a multiple of ``every``."""
        positive_float(eta, "eta")
        self.t += 1
        if self.t % self.every == 0:
            self.record(eta)

    def record(self, eta: float) -> None:
        """Measure the model now (e.g. before the first update), at the current step count.

        Raises
        ------
        InputError
            If the loss is not finite (the run diverged): the message names the step.
        """
        eta = positive_float(eta, "eta")
        problem = self.current()
        value = problem.value()
        if not math.isfinite(value):
            raise InputError(f"the loss is {value} at step {self.t}: the run diverged")
        hessian = eigenpairs(hessian_operator(problem), 1, self._starts[0], self.tol)
        ntk = eigenpairs(ntk_operator(problem), 1, self._starts[1], self.tol)
        self._starts = (hessian.vectors, ntk.vectors)
        lam = float(ntk.values[0])
        p, q = (problem.mean_residual(), 2 / (eta * lam)) if problem.scalar() else (math.nan, math.nan)
        change = math.nan
        if self.gradient:
            change = -eta * float(problem.third_derivative(hessian.vectors[:, 0]) @ problem.gradient())
        self._rows.append((self.t, eta, value, float(hessian.values[0]), lam, p, q, change, hessian.matvecs))

    @property
    def result(self) -> Recording:
        """The steps recorded so far."""
        columns = np.array(self._rows, dtype=np.float64).reshape(-1, 9).T
        return Recording(columns[0].astype(int), *columns[1:8], columns[8].astype(int), self._loss_name,
                         self.every)
