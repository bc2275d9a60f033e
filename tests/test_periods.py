"""Periods, fixed points and periodic orbits with their multipliers."""

import math

import numpy as np
import pytest

import bifurc


@pytest.mark.parametrize("r, expected", [(2.8, 1), (3.2, 2), (3.5, 4), (3.835, 3)])
def test_logistic_periods(logistic, r, expected):
    assert bifurc.period(logistic, 0.3, {"r": r}) == expected


def test_period_of_chaos_and_escape(logistic):
    assert bifurc.period(logistic, 0.3, {"r": 3.9}, max_period=64) == 0
    assert bifurc.period(logistic, 0.3, {"r": 4.5}) == -1


def test_logistic_fixed_points_and_multipliers(logistic):
    # fixed points 0 (multiplier r) and 1 - 1/r (multiplier 2 - r), exactly
    r = 3.2
    fps = bifurc.fixed_points(logistic, [(-0.5, 1.5)], {"r": r})
    assert len(fps) == 2
    # rounding of a few operations on numbers of size ~1 (~1e-16; measured 0): 1e-14
    assert abs(fps[0].points[0, 0]) < 1e-14 and abs(fps[0].multipliers[0] - r) < 1e-14
    assert abs(fps[1].points[0, 0] - (1 - 1 / r)) < 1e-14
    assert abs(fps[1].multipliers[0] - (2 - r)) < 1e-14
    assert fps[1].kind == "unstable"


@pytest.mark.parametrize("k", [2, 3, 5, 6])
def test_logistic_r4_periodic_orbits_count_and_multipliers(logistic, k):
    # r = 4 is conjugate to the doubling map: 2^k points of period dividing k, so the
    # number of orbits of minimal period k is the Moebius sum / k, every multiplier is
    # +-2^k (none of these orbits passes through 0).
    mobius = {2: 2**2 - 2, 3: 2**3 - 2, 5: 2**5 - 2, 6: 2**6 - 2**3 - 2**2 + 2}
    orbits = bifurc.periodic_orbits(logistic, k, [(0, 1)], {"r": 4.0}, starts=400)
    assert len(orbits) == mobius[k] // k
    for o in orbits:
        assert o.period == k and o.kind == "unstable"
        # the points' ~1e-15 error, amplified by 1/|1 - 2x| at the point nearest 1/2: measured
        # at most 2e-12 relative (k = 6)
        assert abs(abs(o.multipliers[0]) - 2.0**k) < 1e-10 * 2.0**k
        assert o.residual < 1e-12


def test_logistic_period_two_orbit_is_stable_where_theory_says(logistic):
    # the 2-cycle of r x (1 - x) has multiplier 4 + 2r - r^2
    r = 3.3
    (orbit,) = bifurc.periodic_orbits(logistic, 2, [(0, 1)], {"r": r})
    # a product of two rounded factors of points located to rounding (measured 5e-15): 1e-13
    assert abs(orbit.multipliers[0] - (4 + 2 * r - r * r)) < 1e-13 and orbit.stable
    p = orbit.points[:, 0]
    assert np.allclose(sorted(p), sorted(np.roots([r * r, -r * (r + 1), r + 1])), atol=1e-14)  # measured 0


def test_henon_fixed_points_match_closed_form(henon):
    a, b = 1.4, 0.3
    disc = math.sqrt((1 - b) ** 2 + 4 * a)
    xs = sorted([(-(1 - b) - disc) / (2 * a), (-(1 - b) + disc) / (2 * a)])
    fps = bifurc.fixed_points(henon, [(-3, 3), (-3, 3)], starts=24)
    assert len(fps) == 2
    for fp, x in zip(fps, xs):
        assert np.allclose(fp.points[0], [x, b * x], atol=1e-14)  # measured 1e-16
        assert fp.kind == "saddle"
        assert abs(np.prod(fp.multipliers) - (-b)) < 1e-14  # det J = -b (measured 0)


def test_periodic_points_close_up(henon):
    for o in bifurc.periodic_orbits(henon, 4, [(-2, 2), (-1, 1)], starts=30):
        x = o.points[0]
        for _ in range(4):
            x = henon(x)
        assert np.allclose(x, o.points[0], rtol=0, atol=1e-13)  # four rounded steps (measured 3e-15)


def test_periodic_orbit_arguments(logistic):
    with pytest.raises(ValueError, match="box must have 1"):
        bifurc.periodic_orbits(logistic, 2, [(0, 1), (0, 1)])
    with pytest.raises(ValueError, match="low < high"):
        bifurc.periodic_orbits(logistic, 2, [(1, 0)])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        bifurc.periodic_orbits(logistic, 0, [(0, 1)])


def test_a_neutral_cycle_is_found_once_though_float64_cannot_place_it_exactly():
    """f_q for the Cauchy loss log(1 + p^2)/2: f_q(p) = p (1 - 2 / (q (1 + p^2))). Its symmetric
    2-cycle p^2 = 1/q - 1 has multiplier (3 - 4q)^2, 1 at the pitchfork q = 1/2, where F^2(x) - x
    has a triple root and rounds to 0 over a band about eps^(1/3) wide: the starts converge all
    over it, and it is still one cycle. At q = 0.45 the three 2-cycles (the symmetric one and
    the two switched ones on xy = -1) stay apart."""
    from bifurc.analysis.periods import NEUTRAL_SPREAD

    m = bifurc.Map.from_expressions({"p": "p*(1 - 2/(q*(1 + p**2)))"}, {"q": 0.5})
    (cycle,) = bifurc.periodic_orbits(m, 2, [(-1.5, 1.5)], {"q": 0.5}, starts=40)
    assert cycle.kind == "neutral" and np.allclose(cycle.points[:, 0], [-1, 1], rtol=0, atol=NEUTRAL_SPREAD)
    q = 0.45
    cycles = bifurc.periodic_orbits(m, 2, [(-1.5, 1.5)], {"q": q}, starts=40)
    assert len(cycles) == 3
    symmetric = [c for c in cycles if np.isclose(c.points[0, 0], -c.points[1, 0], rtol=1e-10)]
    (s,) = symmetric
    # Newton to 1e-12 on a simple root: points and multipliers to about that (slack 100)
    assert np.isclose(s.points[1, 0] ** 2, 1 / q - 1, rtol=1e-10)
    assert np.isclose(s.multipliers[0], (3 - 4 * q) ** 2, rtol=1e-10)
    assert all(np.isclose(c.points[0, 0] * c.points[1, 0], -1, rtol=1e-10) for c in cycles if c is not s)
