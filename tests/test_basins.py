"""Basins of attraction and parameter planes."""

import math

import numpy as np

import bifurc
from bifurc.analysis.basins import ESCAPED


def test_bistable_map_basins_split_by_sign():
    # x -> 1.5x - 0.5x^3 has superstable fixed points +-1 (multiplier 1 - 2c = 0) and
    # keeps the sign of x for |x| < sqrt(3); y -> y/2 is decoupled
    m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    xs = np.linspace(-1.5, 1.5, 40)  # avoids 0, the unstable fixed point
    ys = np.linspace(-1, 1, 7)
    b = bifurc.basins(m, xs, ys)
    assert len(b.attractors) == 2
    for label, attractor in enumerate(b.attractors):
        assert attractor.shape == (1, 2)
        side = np.sign(attractor[0, 0])
        assert np.allclose(attractor[0], [side, 0.0], atol=1e-9)
        assert np.all((b.labels == label) == (np.sign(xs)[None, :] == side))


def test_escape_is_labelled(henon):
    b = bifurc.basins(henon, np.linspace(-3, 3, 30), np.linspace(-3, 3, 30), max_period=8)
    assert np.any(b.labels == ESCAPED)
    assert b.labels[0, 0] == ESCAPED  # (-3, -3) runs away


def test_parameter_plane_rows_repeat_the_logistic_periods():
    m = bifurc.Map.from_expressions({"x": "r*x*(1 - x)*(1 + 0*s)"}, {"r": 3.0, "s": 0.0})
    plane = bifurc.parameter_plane(m, "r", [2.8, 3.2, 3.5, 3.835], "s", [0.0, 1.0, 2.0], 0.3,
                                   transient=20000)
    assert plane.values.shape == (3, 4)
    assert np.all(plane.values == np.array([1, 2, 4, 3])[None, :])
    lyap = bifurc.parameter_plane(m, "r", [4.0], "s", [0.0], 0.3, quantity="lyapunov", n=200000)
    assert abs(lyap.values[0, 0] - math.log(2)) < 1e-2  # statistical error ~ n^(-1/2)
