"""Period-doubling cascades: logistic doublings and Feigenbaum's delta."""

import numpy as np
import pytest
from conftest import FEIGENBAUM_DELTA, LOGISTIC_DOUBLINGS

import bifurc


def test_logistic_cascade(logistic):
    c = bifurc.cascade(logistic, "r", 2.8, 3.57, 0.3, count=10)
    assert len(c.points) >= 8
    assert np.all(np.diff(c.points) > 0)
    assert c.periods.tolist() == [2**i for i in range(len(c.points))]
    # the doublings are located to ~1e-15; MATH.md gives r4 to 12 digits
    assert np.allclose(c.points[:4], LOGISTIC_DOUBLINGS, rtol=0, atol=1e-9)
    # delta_n - delta = O(delta^-n): the ratio from doublings 7..9 is within 1e-3
    assert abs(c.delta[-1] - FEIGENBAUM_DELTA) < 1e-3
    assert np.all(c.tolerance < 1e-10)


def test_cascade_of_the_cubic_map_is_universal():
    # a different map with a quadratic maximum: same delta
    c = bifurc.cascade(bifurc.maps.gauss, "beta", -0.9, -0.5, 0.0, count=9, params={"alpha": 6.2})
    assert len(c.points) == 9
    assert abs(c.delta[-1] - FEIGENBAUM_DELTA) < 1e-2


def test_descending_cascade_and_stop(logistic):
    # the logistic map has no doubling between 2.5 and 2.9: zero points, a warning
    with pytest.warns(RuntimeWarning, match="0 of 3"):
        c = bifurc.cascade(logistic, "r", 2.5, 2.9, 0.3, count=3)
    assert c.points.size == 0


def test_cascade_needs_a_periodic_start(logistic):
    with pytest.raises(ValueError, match="periodic window"):
        bifurc.cascade(logistic, "r", 3.9, 4.0, 0.3)
