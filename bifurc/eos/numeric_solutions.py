"""Fixed points and 2-cycles that sympy cannot solve, found numerically for given parameters.

Transcendental models (the two-layer map with log-cosh, the single neuron with tanh) have
fixed-point and period-2 equations without closed-form solutions. For given parameter
values the compiled Newton search (:func:`bifurc.analysis.periods.periodic_orbits`) solves
them; every solution carries the residual it reached, max |F(x_i) - x_{i+1}|, and points on
curves already solved symbolically (lines of minima) are left out, since Newton converges
to an arbitrary point of such a curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..analysis.periods import PeriodicOrbit, periodic_orbits
from .model import ReducedModel
from .symbolic import FixedPoint, fixed_points

__all__ = ["NumericSolutions", "numeric_fixed_points", "numeric_period_two"]


@dataclass(frozen=True)
class NumericSolutions:
    """Solutions found by Newton's method, labelled numeric, with the tolerance reached.

    Attributes
    ----------
    period : int
        1 (fixed points) or 2 (2-cycles).
    params : dict
        The parameter values solved for (all of the map's parameters).
    box : tuple of (low, high)
        The region searched.
    orbits : tuple of PeriodicOrbit
        The solutions: points, multipliers (monodromy eigenvalues), type, residual.
    tolerance : float
        The largest residual over the solutions (0 when there are none).

    Examples
    --------
    >>> from bifurc import losses
    >>> from bifurc.eos import canonical_map, numeric_period_two
    >>> found = numeric_period_two(canonical_map(losses.logcosh), [(0.0, 3.0)], starts=10)
    >>> found.period, found.params, len(found.orbits), found.tolerance < 1e-12
    (2, {'q': 0.8}, 1, True)
    """

    period: int
    params: dict
    box: tuple
    orbits: tuple[PeriodicOrbit, ...]
    tolerance: float
    method: str = "numeric"


def _on_known(point: np.ndarray, known: Sequence[FixedPoint], values: dict, tol: float) -> bool:
    """Whether ``point`` lies on one of the symbolic fixed points (lines included) at ``values``."""
    for fp in known:
        subs = {**values, **{s: sp.Float(v) for s, v in zip(fp.point, point) if s.name in fp.free}}
        pairs = [(fp.point[s], v) for s, v in zip(fp.point, point) if s.name not in fp.free]
        try:
            targets = [complex(sp.N(expr.xreplace(subs))) for expr, _ in pairs]
        except TypeError:  # the expression does not evaluate there (e.g. a division by zero)
            continue
        if all(abs(t.imag) < tol and abs(t.real - v) <= tol * (1 + abs(v))
               for t, (_, v) in zip(targets, pairs)):
            return True
    return False


def _solve(model: ReducedModel, k: int, params: Mapping[str, float] | None,
           box: Sequence[tuple[float, float]], starts: int) -> NumericSolutions:
    m = model.map
    vector = m.parameter_vector(params)
    named = dict(zip(m.params, vector.tolist()))
    orbits = periodic_orbits(m, k, box, named, starts)  # validates the box
    box = np.asarray(box, dtype=float).reshape(-1, 2)
    kept = tuple(orbits)
    if k == 1:  # 2-cycles cannot lie on the symbolic fixed points: only fixed points are compared
        values = {s: sp.Float(v) for s, v in zip(m.param_symbols, vector)}
        known = fixed_points(model)[0]
        kept = tuple(o for o in orbits if not _on_known(o.points[0], known, values, 1e-7))
    tolerance = max((o.residual for o in kept), default=0.0)
    return NumericSolutions(k, named, tuple(map(tuple, box.tolist())),
                            kept, tolerance)


def numeric_fixed_points(model: ReducedModel, box: Sequence[tuple[float, float]],
                         params: Mapping[str, float] | None = None, starts: int = 40) -> NumericSolutions:
    """The fixed points of a model's map in ``box`` for given parameters, by Newton's method.

    Points on the symbolic solutions (:func:`bifurc.eos.fixed_points`, lines included) are
    left out: this finds what the symbolic solver could not.

    Parameters
    ----------
    model
        The model.
    box
        (low, high) for each state variable.
    params
        Parameter overrides (default: the map's defaults).
    starts
        Newton starts per axis.

    Raises
    ------
    InputError
        If the box or the parameters are invalid.

    Examples
    --------
    x' = cos y, y' = x fixes x = y = the root of cos x = x (0.7390851332...), where the Jacobian
    [[0, -sin y], [1, 0]] has eigenvalues ±i√(sin x); sympy cannot solve cos x = x:

    >>> import numpy as np
    >>> from bifurc import Map
    >>> from bifurc.eos import ReducedModel, numeric_fixed_points
    >>> model = ReducedModel("cosine", Map.from_expressions({"x": "cos(y)", "y": "x"}, name="cosine"), ())
    >>> (orbit,) = numeric_fixed_points(model, [(-2.0, 2.0), (-2.0, 2.0)], starts=10).orbits
    >>> x, y = orbit.points[0]
    >>> round(float(x), 10), round(float(y), 10), bool(abs(np.cos(x) - x) < 1e-12)
    (0.7390851332, 0.7390851332, True)
    >>> bool(np.allclose(np.abs(orbit.multipliers), np.sqrt(np.sin(x)), rtol=1e-10))
    True
    """
    return _solve(model, 1, params, box, starts)


def numeric_period_two(model: ReducedModel, box: Sequence[tuple[float, float]],
                       params: Mapping[str, float] | None = None, starts: int = 40) -> NumericSolutions:
    """The 2-cycles of a model's map with a point in ``box``, by Newton's method on F(F(x)) = x.

    Fixed points are excluded (minimal period 2). Arguments as :func:`numeric_fixed_points`.

    Examples
    --------
    For log-cosh the 2-cycle of f_q is {±r̂(q)}, r(p) = tanh(p)/p = q, with multiplier
    (1 + 2p r'(p)/q)²; it is stable (Song & Yun):

    >>> import numpy as np
    >>> from bifurc import losses
    >>> from bifurc.eos import canonical_map, numeric_period_two
    >>> (orbit,) = numeric_period_two(canonical_map(losses.logcosh), [(0.0, 3.0)], starts=10).orbits
    >>> p = abs(orbit.points[0, 0])
    >>> bool(np.isclose(np.tanh(p) / p, 0.8, rtol=1e-12)), orbit.kind
    (True, 'stable')
    >>> slope = (p / np.cosh(p)**2 - np.tanh(p)) / p**2
    >>> bool(np.isclose(orbit.multipliers[0], (1 + 2*p*slope/0.8)**2, rtol=1e-10))
    True
    """
    return _solve(model, 2, params, box, starts)
