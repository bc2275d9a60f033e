"""Recording a run from the user's own training loop: the EoS quantities every few steps."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..analysis.arguments import positive_float, positive_int
from ..errors import InputError
from .curvature import eigenpairs
from .operators import hessian_operator, ntk_operator
from .problem import Problem
from .progress import Progress
from .recording import Recording

__all__ = ["Recorder"]


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
    steps
        The planned number of updates, for the progress line's share done and time left.
    progress
        Show a progress line on stderr (:class:`~bifurc.backends.progress.Progress`): True
        always, False never, None (default) on a terminal once the run has lasted two seconds.
    """

    def __init__(self, current: Callable[[], Problem], every: int = 10, *, gradient: bool = False,
                 tol: float = 1e-10, steps: int | None = None, progress: bool | None = None) -> None:
        self.current = current
        self.every = positive_int(every, "every")
        self.gradient, self.tol = bool(gradient), float(tol)
        if progress not in (None, True, False):
            raise InputError(f"progress must be True, False or None, got {progress!r}")
        self.progress = Progress(None if steps is None else positive_int(steps, "steps"), progress)
        self.t = 0
        self._rows: list[tuple[float, ...]] = []
        self._starts: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        self._loss_name = current().loss_name

    def step(self, eta: float) -> None:
        """Count one update of step size ``eta``; measure if the count is a multiple of ``every``."""
        eta = positive_float(eta, "eta")
        self.t += 1
        if self.t % self.every == 0:
            self.record(eta)
        note = ""
        if self._rows:
            note = f"sharpness {self._rows[-1][3]:.5g} (2/eta = {2 / eta:.5g})"
        self.progress.update(self.t, note)

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
            self.progress.close()
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
