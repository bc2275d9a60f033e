"""Orbits and orbit diagrams, with divergence reported and never raised."""

import threading
import warnings

import numba
import numpy as np
import pytest

import bifurc
from bifurc.compilation.pool import shared_pool


def test_orbit_matches_plain_python_iteration(logistic):
    xs = bifurc.orbit(logistic, 0.1, 50, transient=7, params={"r": 3.7})[:, 0]
    x = 0.1
    for _ in range(7):
        x = 3.7 * x * (1 - x)
    expected = []
    for _ in range(50):
        expected.append(x)
        x = 3.7 * x * (1 - x)
    assert np.array_equal(xs, expected)  # same operations in the same order: bitwise equal


def test_orbit_diagram_rows_are_orbits(logistic):
    values = np.linspace(2.8, 4.0, 37)
    d = bifurc.orbit_diagram(logistic, "r", values, 0.3, transient=100, keep=20)
    assert d.points.shape == (37, 20, 1) and d.n_escaped == 0
    for i in (0, 17, 36):
        assert np.array_equal(d.points[i], bifurc.orbit(logistic, 0.3, 20, 100, {"r": values[i]}))


def test_orbit_diagram_shows_known_periods(logistic):
    d = bifurc.orbit_diagram(logistic, "r", [2.8, 3.2, 3.5, 3.835], 0.3, transient=20000, keep=24)
    distinct = [len(np.unique(np.round(row[:, 0], 8))) for row in d.points]
    assert distinct == [1, 2, 4, 3]


def test_divergence_is_flagged_not_raised(logistic):
    with pytest.warns(bifurc.EscapeWarning, match="2 of 3"):
        d = bifurc.orbit_diagram(logistic, "r", [3.9, 4.2, 4.5], 0.3, transient=500, keep=10)
    assert d.escaped.tolist() == [False, True, True]
    assert np.all(np.isnan(d.points[1:])) and np.all(np.isfinite(d.points[0]))
    with pytest.warns(bifurc.EscapeWarning):
        xs = bifurc.orbit(logistic, 0.3, 100, params={"r": 4.5})
    assert np.isnan(xs[-1, 0]) and xs[0, 0] == 0.3


def test_escape_radius_is_honoured(logistic):
    # x -> 2x leaves radius 1e3 after 10 steps from 1
    m = bifurc.Map.from_expressions({"x": "2*x"})
    with pytest.warns(bifurc.EscapeWarning):
        xs = bifurc.orbit(m, 1.0, 20, escape=1e3)
    assert np.isfinite(xs[:10]).all() and np.isnan(xs[10:]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(bifurc.orbit(m, 1.0, 20, escape=np.inf)).all()


def test_descending_grid_is_accepted(logistic):
    d = bifurc.orbit_diagram(logistic, "r", [3.2, 3.1, 3.0], 0.3, transient=10, keep=2)
    assert d.values.tolist() == [3.2, 3.1, 3.0]


def test_kernel_modules_of_different_maps_share_one_pool_of_threads(logistic, henon):
    """Every map's kernels hand chunks to the process's one pool per thread count, so a session
    touching many maps does not collect idle threads: at most threads - 1 helpers in all."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two threads")
    before = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        for m, name, x0 in ((logistic, "r", [0.3]), (henon, "a", [0.1, 0.1])):
            bifurc.orbit_diagram(m, name, np.linspace(1.0, 1.2, 256), x0, transient=2000, keep=4)
    finally:
        numba.set_num_threads(before)
    helpers = {t for t in threading.enumerate() if t.name.startswith("bifurc-pool2_")}
    assert helpers and helpers == set(shared_pool(2)._threads)  # one helper, whichever map used it
    assert len(helpers) == 1


def test_x0_follow_asks_for_the_first_start(logistic):
    """DynamicalSystems.jl spells following the attractor x0="follow"; a bifurc Map has no
    state of its own, so the first start is x0 and following is follow=True."""
    with pytest.raises(bifurc.InputError, match="follow=True"):
        bifurc.orbit_diagram(logistic, "r", [3.0, 3.1], "follow")
