"""High precision (mpmath): periodic orbits and period doublings from the map's own formulas.

float64 carries 16 digits. Some questions need more: a doubling point of a 2^13-cycle lies
1e-9 from the next one, so its Feigenbaum ratio keeps 5 digits; a 2-cycle of f_q at
q = 1 - 1e-12 has p^2 = O(1e-12), known from q - r(p) to a relative 1e-4. Here the map's
expressions and its derived Jacobian (the same sympy objects the numba kernels are made
of) are turned into mpmath functions by ``sympy.lambdify(..., modules="mpmath")`` and
evaluated at any number of digits; nothing is written twice.

Parameter values may be given as strings (``{"q": "0.999999999999999999999"}``), read at
the working precision, so that they are not first rounded to float64.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from ..definition.iterated_map import Map
from ..errors import InputError
from .arguments import MAX_DIGITS, positive_int, warn_precision

__all__ = [
    "PreciseOrbit", "periodic_orbit_mp", "flip_point_mp", "orbit_mp", "precision_digits", "mp_number",
    "GUARD_DIGITS", "unstable_cycle", "warn_if_collapsed", "COLLAPSE_HORIZON",
]

#: Digits carried beyond those asked for, to absorb rounding along long orbits.
GUARD_DIGITS = 10
#: The most steps :func:`orbit_mp` takes: at 10-20 microseconds a step, half an hour.
MAX_MP_STEPS = 10**8
_MAX_NEWTON = 60
_MAX_SECANT = 40
_compiled: dict[tuple, object] = {}
#: Longest exact cycle looked for at the end of an orbit.
COLLAPSE_PERIODS = 64
#: Steps within which :func:`bifurc.lyapunov` looks for a collapse: rounding drives an expanding
#: map onto a cycle by shifting out mantissa bits, 53 of them plus 1074 of subnormal range.
COLLAPSE_HORIZON = 4096


def unstable_cycle(m: Map, x: np.ndarray, p: np.ndarray, k: int) -> float | None:
    """The largest |multiplier| of the period-``k`` orbit through ``x`` if above 1, else None."""
    y = np.empty(m.dim)
    M = np.empty((m.dim, m.dim))
    kernels = m.kernels_for(k * (1 + m.dim * m.dim))
    kernels.flow_with_monodromy(np.array(x, dtype=np.float64), p, k, np.inf, y, M)
    modulus = float(np.abs(np.linalg.eigvals(M)).max())
    return modulus if modulus > 1 + 1e-9 else None


def warn_if_collapsed(m: Map, x: np.ndarray, p: np.ndarray, when: str) -> None:
    """Issue a :class:`~bifurc.analysis.arguments.PrecisionWarning` if ``x`` lies exactly on an
    unstable cycle of period <= 64 (F^k(x) == x bit for bit, some |multiplier| > 1).

    A true orbit reaches an unstable cycle only from one of its (measure-zero) preimages;
    in float64 it happens whenever rounding lands on one, e.g. the slope-2 tent map,
    whose every float64 orbit ends at 0 after about 55 steps. Costs at most 128 compiled steps.
    """
    x = np.array(x, dtype=np.float64)
    # the compiled period finder with tolerance 0 compares states exactly
    k = int(m.kernels_for(2 * COLLAPSE_PERIODS).settle(x.copy(), p, 0, COLLAPSE_PERIODS, 0.0, np.inf))
    modulus = unstable_cycle(m, x, p, k) if k > 0 else None
    if modulus is not None:
        warn_precision(f"the orbit {when} sits exactly on an unstable period-{k} orbit "
                       f"(|multiplier| {modulus:.4g}) at {x.tolist()}: rounding put it there", depth=2)


def _functions(m: Map, jacobian: bool = True):
    """The mpmath function (state..., params...) -> [F_1.., J_11, J_12, ..] of ``m`` (cached);
    without the Jacobian entries if ``jacobian`` is False."""
    key = (m.state, tuple(m.params), m.updates, jacobian)
    if key not in _compiled:
        symbols = (*m.state_symbols, *m.param_symbols)
        outputs = [*m.updates, *m.jacobian] if jacobian else list(m.updates)
        import sympy as sp  # imported here: the float64 analyses that import this module need no sympy

        _compiled[key] = sp.lambdify(symbols, outputs, modules="mpmath", cse=True)
    return _compiled[key]


def precision_digits(digits: object) -> int:
    """``digits`` as an int from 16 to :data:`~bifurc.analysis.arguments.MAX_DIGITS`, or InputError."""
    digits = positive_int(digits, "digits", MAX_DIGITS)
    if digits < 16:
        raise InputError(f"digits must be at least 16 (float64 has about 16), got {digits}")
    return digits


def mp_number(value: object, what: str) -> mpmath.mpf:
    """``value`` (str, int, float, Fraction, mpf) as a finite mpf at the working precision."""
    try:
        if isinstance(value, Fraction):
            number = mpmath.mpf(value.numerator) / value.denominator
        elif isinstance(value, (str, int, float, np.floating, np.integer, mpmath.mpf)) and not isinstance(
                value, bool):
            number = mpmath.mpf(value.strip() if isinstance(value, str) else value)
        else:
            raise TypeError
    except (TypeError, ValueError):
        raise InputError(f"{what} is not a number: {value!r}") from None
    if not mpmath.isfinite(number):
        raise InputError(f"{what} is not finite: {value!r}")
    return number


def _parameters(m: Map, params: Mapping[str, object] | None) -> list[mpmath.mpf]:
    """The map's parameters in order, defaults overridden, as mpf (unknown names refused)."""
    values: dict[str, object] = dict(m.params)
    for name, value in (params or {}).items():
        m.parameter_index(name)  # raises for an unknown name
        values[name] = value
    return [mp_number(v, f"parameter {k!r}") for k, v in values.items()]


class _Flow:
    """F^k and its monodromy matrix in mpmath, for one map and parameter vector."""

    def __init__(self, m: Map, p: Sequence[mpmath.mpf]) -> None:
        self.f, self.dim, self.p = _functions(m), m.dim, list(p)

    def __call__(self, x: Sequence[mpmath.mpf], k: int) -> tuple[list, mpmath.matrix]:
        """(F^k(x), D(F^k)(x)); the monodromy is the product of the Jacobians along the orbit."""
        d, f, p = self.dim, self.f, self.p
        y = list(x)
        M = [[mpmath.mpf(int(i == j)) for j in range(d)] for i in range(d)]
        for _ in range(k):
            values = f(*y, *p)
            J = values[d:]
            M = [[mpmath.fsum(J[i * d + a] * M[a][j] for a in range(d)) for j in range(d)] for i in range(d)]
            y = values[:d]
            if not all(mpmath.isfinite(v) for v in y):
                raise ArithmeticError("the orbit became non-finite")
        return y, mpmath.matrix(M)


def _newton(flow: _Flow, x: Sequence[mpmath.mpf], k: int, tol: mpmath.mpf) -> tuple[list, mpmath.matrix, int]:
    """Newton's method on F^k(x) = x from ``x``: the solution, its monodromy, iterations used."""
    x = list(x)
    d = flow.dim
    last = mpmath.inf
    for it in range(1, _MAX_NEWTON + 1):
        y, M = flow(x, k)
        A = M - mpmath.eye(d)
        step = mpmath.lu_solve(A, mpmath.matrix([x[i] - y[i] for i in range(d)]))
        x = [x[i] + step[i] for i in range(d)]
        size = max(abs(step[i]) / (1 + abs(x[i])) for i in range(d))
        if size <= tol or (size >= last and last <= tol**0.5):
            y, M = flow(x, k)
            return x, M, it
        last = size
    raise ArithmeticError(f"Newton on the period-{k} orbit did not converge in {_MAX_NEWTON} iterations")


@dataclass(frozen=True)
class PreciseOrbit:
    """A periodic orbit computed in high precision.

    Attributes
    ----------
    points : tuple of tuple of mpmath.mpf
        The k points of the cycle, starting from the one Newton converged to.
    multipliers : tuple of mpmath.mpc
        Eigenvalues of the monodromy matrix, by decreasing modulus.
    residual : mpmath.mpf
        max |F^k(x) - x| at the solution: what Newton reached.
    digits : int
        Significant digits asked for (computed with :data:`GUARD_DIGITS` more).

    Examples
    --------
    >>> import bifurc
    >>> p = bifurc.periodic_orbit_mp(bifurc.maps.logistic, [0.6], 1, {"r": "2.5"}, digits=20)
    >>> p.digits, len(p.points), str(p.points[0][0])  # the fixed point 1 - 1/r
    (20, 1, '0.6')
    """

    points: tuple
    multipliers: tuple
    residual: mpmath.mpf
    digits: int

    @property
    def period(self) -> int:
        """The period k the orbit was solved for."""
        return len(self.points)

    def as_float(self) -> np.ndarray:
        """The points rounded to float64, shape (k, dim)."""
        return np.array([[float(v) for v in point] for point in self.points])


def periodic_orbit_mp(
    m: Map, x0: object, k: int, params: Mapping[str, object] | None = None, digits: int = 40
) -> PreciseOrbit:
    """The period-``k`` orbit through (a point near) ``x0``, by Newton's method in mpmath.

    Newton's method on F^k(x) = x (single shooting, the monodromy carried along the
    orbit) runs at ``digits`` + :data:`GUARD_DIGITS` digits until the step is below
    10^-digits relative. A start from a float64 solution (e.g.
    :func:`bifurc.periodic_orbits`) converges in two or three iterations.

    Parameters
    ----------
    m
        The map.
    x0
        Start: a state (numbers or decimal strings).
    k
        The period.
    params
        Parameter overrides; strings are read at full precision.
    digits
        Significant digits (at least 16).

    Returns
    -------
    PreciseOrbit

    Raises
    ------
    ValueError
        For bad arguments, or if Newton does not converge from ``x0``.

    Examples
    --------
    >>> import mpmath
    >>> import bifurc
    >>> p = bifurc.periodic_orbit_mp(bifurc.maps.logistic, [0.51], 2, {"r": "3.2"}, digits=30)
    >>> with mpmath.workdps(40):  # closed form of the 2-cycle's lower point
    ...     r = mpmath.mpf("3.2")
    ...     x = (r + 1 - mpmath.sqrt((r - 3) * (r + 1))) / (2 * r)
    ...     print(abs(p.points[0][0] - x) < mpmath.mpf(10) ** -30, mpmath.nstr(x, 30))
    True 0.513044509532629999794123525196
    """
    k = positive_int(k, "k")
    digits = precision_digits(digits)
    with mpmath.workdps(digits + GUARD_DIGITS):
        p = _parameters(m, params)
        x = _state(m, x0)
        flow = _Flow(m, p)
        try:
            x, M, _ = _newton(flow, x, k, mpmath.mpf(10) ** -digits)
        except (ArithmeticError, ZeroDivisionError) as error:
            raise InputError(f"x0: no period-{k} orbit found from {x0!r} ({error})") from None
        points = [x]
        for _ in range(k - 1):
            points.append(flow(points[-1], 1)[0])
        image = flow(points[-1], 1)[0]
        residual = max(abs(a - b) for a, b in zip(image, x))
        mults = sorted(mpmath.eig(M)[0] if m.dim > 1 else [M[0, 0]], key=lambda z: -abs(z))
        return PreciseOrbit(tuple(tuple(+v for v in point) for point in points),
                            tuple(mpmath.mpc(z) for z in mults), +residual, digits)


def _state(m: Map, x0: object) -> list[mpmath.mpf]:
    values = list(x0) if isinstance(x0, (list, tuple, np.ndarray)) else [x0]
    if len(values) != m.dim:
        raise InputError(f"x0 must have {m.dim} entries ({', '.join(m.state)}), got {len(values)}")
    return [mp_number(v, "x0") for v in values]


def flip_point_mp(
    m: Map,
    param: str,
    k: int,
    mu: object,
    x: object,
    params: Mapping[str, object] | None = None,
    digits: int = 40,
) -> tuple[mpmath.mpf, mpmath.mpf, list[mpmath.mpf]]:
    """The parameter where the period-``k`` orbit has a multiplier -1, to ``digits`` digits.

    The zero of g(mu) = det(I + M(mu)) (M the monodromy matrix of the period-k orbit,
    re-solved by Newton in mpmath at every mu) is found by the secant method from
    ``mu`` (e.g. a float64 doubling point from :func:`bifurc.cascade`), with ``x`` a point
    of the orbit there. The error bound is then certified: g is evaluated at mu -+ t and
    must change sign, t growing tenfold until it does.

    Returns
    -------
    mu, tolerance : mpmath.mpf
        The flip parameter and the half-width of the certified sign change.
    x : list of mpmath.mpf
        A point of the orbit at the flip.

    Raises
    ------
    ValueError
        If the orbit is lost or no sign change is found near ``mu``.

    Examples
    --------
    >>> import mpmath
    >>> import bifurc
    >>> mu, tol, x = bifurc.flip_point_mp(bifurc.maps.logistic, "r", 2, 3.449, [0.44], digits=30)
    >>> with mpmath.workdps(40):  # the 2-cycle flips at r = 1 + sqrt 6
    ...     print(abs(mu - (1 + mpmath.sqrt(6))) <= tol < mpmath.mpf(10) ** -29, mpmath.nstr(mu, 30))
    True 3.44948974278317809819728407471
    """
    k = positive_int(k, "k")
    digits = precision_digits(digits)
    index = m.parameter_index(param)
    with mpmath.workdps(digits + GUARD_DIGITS):
        base = _parameters(m, params)
        tol = mpmath.mpf(10) ** -digits
        point = _state(m, x)

        def g(nu: mpmath.mpf) -> mpmath.mpf:
            nonlocal point
            p = list(base)
            p[index] = nu
            try:
                point, M, _ = _newton(_Flow(m, p), point, k, tol)
            except (ArithmeticError, ZeroDivisionError) as error:
                where = f"{param}={mpmath.nstr(nu, 20)}"
                raise InputError(f"lost the period-{k} orbit at {where}: {error}") from None
            return mpmath.det(mpmath.eye(m.dim) + M)

        a = mp_number(mu, param)
        b = a + mpmath.mpf(10) ** -13 * (1 + abs(a))  # float64 doubling points are good to ~1e-14
        ga, gb = g(a), g(b)
        for _ in range(_MAX_SECANT):
            if gb == ga:
                break
            a, b, ga = b, b - gb * (b - a) / (gb - ga), gb
            gb = g(b)
            if abs(b - a) <= tol * (1 + abs(b)):
                break
        else:
            raise InputError(f"{param}: the secant method did not converge near {mpmath.nstr(b, 20)}")
        root, x_root = b, list(point)
        t = max(2 * abs(b - a), tol * (1 + abs(root)))
        for _ in range(8):
            if g(root - t) * g(root + t) < 0:
                return +root, +t, [+v for v in x_root]
            t *= 10
        raise InputError(f"{param}: no sign change of det(I + M) certified near {mpmath.nstr(root, 20)}")


def orbit_mp(
    m: Map, x0: object, n: int, params: Mapping[str, object] | None = None, digits: int = 40
) -> list[mpmath.mpf]:
    """The state after ``n`` steps from ``x0``, iterated in mpmath at ``digits`` digits.

    About 10-20 microseconds per step (for a small map), so for runs of up to ~10^6 steps
    (at most :data:`MAX_MP_STEPS`):
    e.g. the limit q* of Song & Yun's two-layer map at eta = 0.05, whose float64 value
    carries the rounding of every step. Parameters may be decimal strings.

    Returns
    -------
    list of mpmath.mpf
        The final state, at ``digits`` + :data:`GUARD_DIGITS` digits.

    Raises
    ------
    ValueError
        For bad arguments, or if the orbit becomes non-finite.

    Examples
    --------
    >>> import mpmath
    >>> import bifurc
    >>> (x,) = bifurc.orbit_mp(bifurc.maps.logistic, ["0.1"], 5, {"r": "2"}, digits=30)
    >>> with mpmath.workdps(40):  # at r = 2, 1 - 2 x_n = (1 - 2 x_0)^(2^n)
    ...     print(abs(x - (1 - mpmath.mpf("0.8") ** 32) / 2) < mpmath.mpf(10) ** -30)
    True
    """
    n = positive_int(n, "n", MAX_MP_STEPS)
    digits = precision_digits(digits)
    with mpmath.workdps(digits + GUARD_DIGITS):
        p = _parameters(m, params)
        x = _state(m, x0)
        f = _functions(m, jacobian=False)
        for t in range(n):
            x = f(*x, *p)
            if not all(mpmath.isfinite(v) for v in x):
                raise InputError(f"x0: the orbit became non-finite at step {t + 1}")
        return [+v for v in x]
