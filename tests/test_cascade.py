"""Period-doubling cascades: logistic doublings and Feigenbaum's delta."""

import mpmath
import numpy as np
import pytest
from conftest import FEIGENBAUM_DELTA, LOGISTIC_DOUBLINGS

import bifurc


def _logistic_doubling(k: int, near: float) -> mpmath.mpf:
    """r where the logistic 2^k-cycle has multiplier -1, to 40 digits, by mpmath alone.

    Solves f^n(x) = x, (f^n)'(x) = -1 (n = 2^k) for (x, r) with mpmath.findroot, from a point
    of the attracting cycle just below ``near`` (found by iterating in floats): a computation
    independent of bifurc's cascade.
    """
    n, r0 = 2**k, near - 1e-7
    x0 = 0.3
    for _ in range(100_000):
        x0 = r0 * x0 * (1 - x0)

    def conditions(x, r):
        y, slope = x, mpmath.mpf(1)
        for _ in range(n):
            slope *= r * (1 - 2 * y)
            y = r * y * (1 - y)
        return [y - x, slope + 1]

    with mpmath.workdps(40):
        return mpmath.findroot(conditions, (mpmath.mpf(x0), mpmath.mpf(near)))[1]


def test_logistic_cascade(logistic):
    c = bifurc.cascade(logistic, "r", 2.8, 3.57, 0.3, count=10)
    assert len(c.points) >= 8
    assert np.all(np.diff(c.points) > 0)
    assert c.periods.tolist() == [2**i for i in range(len(c.points))]
    # the README's claim: each doubling located to 1e-15 - 2e-13, within the bound stated per point
    # (measured errors 0, 2e-16, 2e-16, 2e-15 against bounds 5e-15 ... 1.4e-14)
    exact = [mpmath.mpf(3)] + [_logistic_doubling(k, LOGISTIC_DOUBLINGS[k]) for k in (1, 2, 3)]
    errors = np.array([float(abs(mpmath.mpf(p) - e)) for p, e in zip(c.points[:4], exact)])
    assert np.all(errors < 1e-14) and np.all(errors <= c.tolerance[:4])
    assert np.all(c.tolerance < 2e-13)
    # delta_n - delta = O(delta^-n): the error falls by about delta per doubling (measured
    # 1e-3, 5e-4, 7e-5, 2e-5, 4e-6, 8e-7 for the last six ratios); the last within 1e-5
    errors = np.abs(np.asarray(c.delta) - FEIGENBAUM_DELTA)
    assert np.all(np.diff(errors[-6:]) < 0)
    assert errors[-1] < 1e-5


def test_cascade_of_the_cubic_map_is_universal():
    # a different map with a quadratic maximum: same delta, approached like delta^-n (the
    # errors of the ratios fall by 3.5-4.7 per doubling, to 3.2e-4 at the last): within 2e-3
    c = bifurc.cascade(bifurc.maps.gauss, "beta", -0.9, -0.5, 0.0, count=9, params={"alpha": 6.2})
    assert len(c.points) == 9
    errors = np.abs(np.asarray(c.delta) - FEIGENBAUM_DELTA)
    assert np.all(np.diff(errors) < 0)
    assert errors[-1] < 2e-3


def test_descending_cascade_and_stop(logistic):
    # the logistic map has no doubling between 2.5 and 2.9: zero points, a warning
    with pytest.warns(RuntimeWarning, match="0 of 3"):
        c = bifurc.cascade(logistic, "r", 2.5, 2.9, 0.3, count=3)
    assert c.points.size == 0


def test_cascade_needs_a_periodic_start(logistic):
    with pytest.raises(ValueError, match="periodic window"):
        bifurc.cascade(logistic, "r", 3.9, 4.0, 0.3)
