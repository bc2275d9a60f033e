"""The results of a continuation: a branch of cycles and its special points."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SpecialPoint", "Branch"]


@dataclass(frozen=True)
class SpecialPoint:
    """A bifurcation located on a branch.

    Attributes
    ----------
    kind : str
        ``"fold"`` (a multiplier +1, the branch turns back), ``"flip"`` (-1),
        ``"neimark-sacker"`` (a complex pair on the unit circle) or ``"branch-point"`` (a
        multiplier +1 where another branch of period-k cycles crosses).
    param : str
        The parameter continued.
    value : float
        Its value at the point.
    state : numpy.ndarray
        A point of the cycle (the one the branch follows).
    period : int
        The cycle's period k.
    multipliers : numpy.ndarray
        Eigenvalues of the monodromy matrix at the point, by decreasing modulus.
    coefficient : float
        The normal-form coefficient: a of eta -> eta + beta + a eta^2 (fold), c of
        eta -> -(1 + beta) eta + c eta^3 (flip), the first Lyapunov coefficient d of
        z -> e^{i theta} z (1 + beta + d |z|^2) (Neimark-Sacker); see
        :mod:`bifurc.continuation.normal_forms`. NaN at a branch point.
    criticality : str
        ``"supercritical"`` or ``"subcritical"`` for a flip or Neimark-Sacker point,
        ``"degenerate"`` if the coefficient vanishes to working precision, ``""`` for a fold
        or a branch point.
    vector : numpy.ndarray
        The critical eigenvector q (complex for Neimark-Sacker); at a branch point, the unit
        tangent (x, param) of the other branch.
    angle : float
        theta in (0, pi) of the critical pair e^{+-i theta} (Neimark-Sacker), else NaN.
    params : dict
        The other parameters.

    Examples
    --------
    >>> from bifurc import maps
    >>> from bifurc.continuation import continuation
    >>> flip = continuation(maps.logistic, "r", 0.6, 2.5, 3.6).special("flip")[0]
    >>> flip.kind, round(flip.value, 9), round(float(flip.multipliers[0].real), 9), flip.criticality
    ('flip', 3.0, -1.0, 'supercritical')
    """

    kind: str
    param: str
    value: float
    state: np.ndarray
    period: int
    multipliers: np.ndarray
    coefficient: float
    criticality: str
    vector: np.ndarray
    angle: float = float("nan")
    params: dict = field(default_factory=dict)

    def record(self) -> dict:
        """The point as plain data (JSON-ready): kind, params (all, by name), state, period, ..."""
        out = {
            "kind": self.kind,
            "params": {self.param: self.value, **self.params},
            "state": [float(v) for v in self.state],
            "period": self.period,
            "coefficient": self.coefficient,
            "criticality": self.criticality,
            "multipliers": [[float(np.real(mu)), float(np.imag(mu))] for mu in self.multipliers],
        }
        if self.kind == "neimark-sacker":
            out["angle"] = self.angle
        return out


@dataclass(frozen=True)
class Branch:
    """A branch of period-k cycles followed in one parameter by pseudo-arclength continuation.

    Attributes
    ----------
    map_name, param : str
        The map and the parameter continued.
    period : int
        The period k of the cycles.
    values : numpy.ndarray
        The parameter at each point, in the order the branch was followed (it turns back
        at folds).
    states : numpy.ndarray
        A point of the cycle at each point, shape (N, dim).
    multipliers : numpy.ndarray
        The monodromy matrix's eigenvalues at each point, by decreasing modulus, shape (N, dim).
    stable : numpy.ndarray
        True where every multiplier lies inside the unit circle.
    points : tuple of SpecialPoint
        The bifurcations located on the branch, in the order met.
    status : str
        Why the continuation stopped: ``"bound"`` (the parameter reached ``start`` or
        ``stop``), ``"closed"`` (the branch returned to its first point), ``"max_points"``,
        ``"step"`` (the step could not be reduced further: the corrector failed, e.g. at a
        singular point or where the cycle escapes).
    message : str
        The same in words, with any bifurcation that was detected but not located.
    params : dict
        The other parameters.
    start, stop, step, min_step, max_step : float
        The parameter interval and the arclength steps used (initial, smallest, largest).
    max_points : int
        The cap on the number of points.
    tol : float
        Newton's tolerance on each point (relative step size).
    bounds : tuple of float
        The interval the parameter was allowed to explore.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import maps
    >>> from bifurc.continuation import continuation
    >>> b = continuation(maps.logistic, "r", 0.6, 2.5, 3.6)
    >>> b.period, b.status, b.states.shape[1]
    (1, 'bound', 1)
    >>> bool(np.allclose(b.states[:, 0], 1 - 1 / b.values))  # the fixed point 1 - 1/r
    True
    >>> bool(np.all(b.stable == (b.values < 3)))  # its multiplier 2 - r leaves the unit circle at r = 3
    True
    """

    map_name: str
    param: str
    period: int
    values: np.ndarray
    states: np.ndarray
    multipliers: np.ndarray
    stable: np.ndarray
    points: tuple
    status: str
    message: str
    params: dict
    start: float
    stop: float
    step: float
    min_step: float
    max_step: float
    max_points: int
    tol: float
    bounds: tuple

    def special(self, kind: str) -> tuple[SpecialPoint, ...]:
        """The special points of one kind."""
        return tuple(p for p in self.points if p.kind == kind)

    def record(self) -> dict:
        """The branch and its special points as plain data (JSON-ready)."""
        return {
            "map": self.map_name, "param": self.param, "period": self.period, "params": self.params,
            "status": self.status, "message": self.message,
            "values": self.values.tolist(), "states": self.states.tolist(), "stable": self.stable.tolist(),
            "points": [p.record() for p in self.points],
        }
