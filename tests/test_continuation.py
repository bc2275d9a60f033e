"""Continuation of maps: branches, folds, flips, Neimark-Sacker points and their normal forms.

Every expected value is a closed form derived here (or in the comment next to it) from the
map's formulas, never a number produced by bifurc.continuation.
"""

import json
import math

import numpy as np
import pytest
import sympy as sp
from conftest import FEIGENBAUM_DELTA, LOGISTIC_DOUBLINGS

import bifurc
from bifurc.continuation import (
    bifurcation_curve,
    continuation,
    follow_cascade,
    switch_at_branch_point,
    switch_at_flip,
)

# Newton stops when its step is below 1e-12 relative (the default tol) and converges
# quadratically, so points are good to a few ulp beyond that; special points are solved
# to 1e-13 relative. 1e-12 leaves room for the rounding of F^k and its derivatives.
LOCATED = 1e-12


def quadratic():
    return bifurc.Map.from_expressions({"x": "a - x**2"}, {"a": 0.5}, name="quadratic")


def delayed_logistic():
    return bifurc.Map.from_expressions({"x": "y", "y": "r*y*(1 - x)"}, {"r": 1.5}, name="delayed-logistic")


def test_logistic_fixed_point_branch_and_its_flip(logistic):
    b = continuation(logistic, "r", 0.6, 2.5, 3.6)
    assert b.status == "bound" and b.values[-1] == 3.6
    # the fixed point x = 1 - 1/r, no fold: the parameter increases monotonically
    assert np.all(np.diff(b.values) > 0)
    assert np.max(np.abs(b.states[:, 0] - (1 - 1 / b.values))) < LOCATED
    # multiplier 2 - r: stable exactly for r < 3
    assert np.allclose(b.multipliers[:, 0].real, 2 - b.values, atol=LOCATED)
    assert np.array_equal(b.stable, b.values < 3)
    (flip,) = b.points
    assert flip.kind == "flip" and abs(flip.value - LOGISTIC_DOUBLINGS[0]) < LOCATED
    assert abs(flip.state[0] - 2 / 3) < LOCATED
    # eta -> -(1 + beta) eta + c eta^3 has its 2-cycle at eta^2 = beta / c. The logistic
    # 2-cycle is (r + 1 +- sqrt((r - 3)(r + 1)))/(2r): at distance sqrt(r - 3)/3 from 2/3 to
    # leading order, and beta = r - 3 (multiplier 2 - r), so c = 9; c > 0: supercritical.
    assert abs(flip.coefficient - 9) < 1e-10
    assert flip.criticality == "supercritical"


def test_logistic_two_cycle_flips_at_one_plus_sqrt6(logistic):
    b = continuation(logistic, "r", 0.5, 3.2, 3.5, period=2)
    (flip,) = b.special("flip")
    assert flip.period == 2 and abs(flip.value - LOGISTIC_DOUBLINGS[1]) < LOCATED
    assert flip.criticality == "supercritical"
    # the same condition (multiplier -1) found by bifurc.cascade's bracketing
    c = bifurc.cascade(logistic, "r", 3.2, 3.5, 0.5, count=1)
    assert abs(c.points[0] - flip.value) < LOCATED


def test_quadratic_map_fold_and_its_coefficient():
    # eta = x + 1/2: a - x^2 = eta + (a + 1/4) - eta^2, the fold's normal form itself:
    # beta = a + 1/4, quadratic coefficient -1, at a = -1/4, x = -1/2
    b = continuation(quadratic(), "a", 0.366, 0.5, -1.0)
    (fold,) = b.points
    assert fold.kind == "fold"
    # the augmented system (x - f(x), f'(x) - 1) = 0 is regular at the fold: x to working precision
    assert abs(fold.value + 0.25) < LOCATED and abs(fold.state[0] + 0.5) < LOCATED
    assert abs(fold.coefficient + 1) < LOCATED
    # through the fold and back to a = 0.5 on the other fixed point, (-1 - sqrt 3)/2, unstable
    assert b.status == "bound" and b.values[-1] == 0.5
    assert abs(b.states[-1, 0] - (-1 - math.sqrt(3)) / 2) < LOCATED
    assert b.stable[0] and not b.stable[-1]


@pytest.mark.parametrize("beta", [0.3, -0.4])
def test_henon_fold_and_flip_of_fixed_points(henon, beta):
    # fixed points: a x^2 + (1 - b) x - 1 = 0, y = b x (b is called beta here)
    w = 1 - beta
    a_fold, a_flip = -w**2 / 4, 3 * w**2 / 4
    start = -0.05
    x = (-w + math.sqrt(w**2 + 4 * start)) / (2 * start)
    b = continuation(henon, "a", [x, beta * x], start, -1.0, params={"b": beta})
    (fold,) = b.points
    assert fold.kind == "fold" and abs(fold.value - a_fold) < LOCATED
    # q = (1, b)/sqrt(1 + b^2), p = (1, 1) sqrt(1 + b^2)/(1 + b). With beta = p . F_a (a - a*) the
    # two fixed points sit at +-eta q, eta^2 = -beta/coefficient; their closed form gives
    # |x+ - x-|^2 = (1 + b^2)(w^2 + 4a)/a^2, so coefficient = w^2 / (4 (1 + b) sqrt(1 + b^2)).
    expected = w**2 / (4 * (1 + beta) * math.sqrt(1 + beta**2))
    assert abs(fold.coefficient - expected) < 1e-9 * expected
    assert b.status == "bound"  # back to a = -0.05 on the other fixed point
    # the flip: continue the fixed point with x > 0 from a = 0.1
    x = (-w + math.sqrt(w**2 + 0.4)) / 0.2
    b = continuation(henon, "a", [x, beta * x], 0.1, 2.0, params={"b": beta})
    (flip,) = b.special("flip")
    assert abs(flip.value - a_flip) < LOCATED
    # the 2-cycle is ((w +- sqrt(4a - 3w^2))/(2a), b * the other): its points at +-eta q with
    # eta^2 = beta/c, beta = (a - a_flip)/(1 - b^2) (the multiplier's derivative at -1), so
    # c = a_flip^2 / ((1 - b^2)(1 + b^2)) = 9 w^3 / (16 (1 + b)(1 + b^2)) > 0: supercritical.
    expected = 9 * w**3 / (16 * (1 + beta) * (1 + beta**2))
    assert abs(flip.coefficient - expected) < 1e-9 * expected
    assert flip.criticality == "supercritical"


def test_delayed_logistic_neimark_sacker():
    m = delayed_logistic()
    b = continuation(m, "r", [1 / 3, 1 / 3], 1.5, 2.5)
    (ns,) = b.points
    # fixed point x = y = 1 - 1/r, Jacobian [[0, 1], [1 - r, 1]]: mu^2 - mu + r - 1 = 0,
    # |mu|^2 = r - 1 = 1 at r = 2 with mu = e^{+-i pi/3}
    assert ns.kind == "neimark-sacker" and abs(ns.value - 2) < LOCATED
    assert abs(ns.angle - math.pi / 3) < 1e-12
    assert ns.criticality == "supercritical" and ns.coefficient < 0
    # Independent check of d: past r = 2 the normal form z -> e^{i theta} z (1 + beta + d|z|^2),
    # beta = sqrt(r - 1) - 1, has an attracting circle |z|^2 = -beta/d, and x - x* = 2 Re(z q)
    # with |q_x|^2 = 1/2 (q ~ (1, mu)), so the mean of (x - x*)^2 on it is |z|^2 = -beta/d, up to
    # O(|z|^4) (relative O(beta)). Iterated here from the fixed point, pushed off it.
    r = 2.002
    beta = math.sqrt(r - 1) - 1
    orbit = bifurc.orbit(m, [1 - 1 / r + 0.03, 1 - 1 / r], 12_000, params={"r": r}, transient=30_000)
    measured = np.mean((orbit[:, 0] - (1 - 1 / r)) ** 2)
    predicted = -beta / ns.coefficient
    assert abs(measured / predicted - 1) < 20 * beta  # O(beta) corrections, beta = 1e-3


def test_hysteresis_loop_passes_both_folds():
    # fixed points of x + eps (r + x - x^3): r = x^3 - x, folds at x = -+1/sqrt 3,
    # r = +-2/(3 sqrt 3); multiplier 1 + eps (1 - 3 x^2): stable on the outer branches
    eps = 0.2
    m = bifurc.Map.from_expressions({"x": f"x + {eps}*(r + x - x**3)"}, {"r": 0.0}, name="hysteresis")
    b = continuation(m, "r", -1.3, -1.0, 1.0)
    assert b.status == "bound" and b.values[-1] == 1.0
    folds = b.special("fold")
    r_fold = 2 / (3 * math.sqrt(3))
    assert [round(f.value / r_fold, 12) for f in folds] == [1.0, -1.0]
    # f'' = -6 eps x, q = p = 1: a = -3 eps x at x = -+1/sqrt 3
    assert [round(f.coefficient / (math.sqrt(3) * eps), 9) for f in folds] == [1.0, -1.0]
    x, r = b.states[:, 0], b.values
    assert np.max(np.abs(x**3 - x - r)) < LOCATED
    assert np.array_equal(b.stable, 3 * x**2 > 1 + 1e-9)
    # both stable branches cover the bistable window
    inside = np.abs(r) < r_fold
    assert np.any(b.stable & inside & (x < 0)) and np.any(b.stable & inside & (x > 0))


def test_closed_branch():
    # fixed points of x + eps (x^2 + r^2 - 1): the unit circle in (r, x), folds at r = +-1
    m = bifurc.Map.from_expressions({"x": "x + 0.1*(x**2 + r**2 - 1)"}, {"r": 0.0}, name="circle")
    b = continuation(m, "r", -1.0, 0.0, 2.0, bounds=(-2.0, 2.0))
    assert b.status == "closed"
    assert np.max(np.abs(b.values**2 + b.states[:, 0] ** 2 - 1)) < LOCATED
    assert sorted(round(f.value, 12) for f in b.special("fold")) == [-1.0, 1.0]
    # multiplier 1 + 0.2 x: stable on the lower half
    assert np.array_equal(b.stable, b.states[:, 0] < -1e-9)


def test_transcritical_branch_point_and_the_other_branch(logistic):
    # x = 0 and x = 1 - 1/r cross at r = 1 (multiplier r on x = 0): a branch point, not a fold
    b = continuation(logistic, "r", 0.0, 0.5, 2.0)
    assert b.status == "bound" and np.all(b.states == 0)
    (bp,) = b.points
    assert bp.kind == "branch-point" and abs(bp.value - 1) < LOCATED and abs(bp.state[0]) < LOCATED
    # the other branch leaves along d(1 - 1/r)/dr = 1 at r = 1: the direction (1, 1)/sqrt 2
    assert abs(abs(bp.vector @ np.array([1, 1])) - math.sqrt(2)) < 1e-10
    for stop in (2.0, 0.5):
        other = switch_at_branch_point(logistic, bp, stop)
        r = other.values
        assert other.status == "bound" and r[-1] == stop
        # it starts at the branch point itself, so that a figure shows the two branches joined
        assert r[0] == bp.value and np.array_equal(other.states[0], bp.state)
        assert np.max(np.abs(other.states[:, 0] - (1 - 1 / r))) < LOCATED
        # multiplier 2 - r: stability exchanged at r = 1 (the branch point takes its neighbour's)
        assert np.array_equal(other.stable[1:], r[1:] > 1) and other.stable[0] == other.stable[1]
    with pytest.raises(bifurc.InputError, match="branch point"):
        switch_at_branch_point(logistic, continuation(logistic, "r", 0.6, 2.5, 3.2).points[0], 3.4)


def test_pitchfork_branch_point(cubic_map=bifurc.maps.cubic):
    # a x - x^3: x = 0 (multiplier a) and x^2 = a - 1 (multiplier 3 - 2a) meet at a = 1, where
    # the new branch leaves with a fixed: direction (1, 0)
    (bp,) = continuation(cubic_map, "a", 0.0, 0.5, 1.8).points
    assert bp.kind == "branch-point" and abs(bp.value - 1) < LOCATED
    assert abs(abs(bp.vector[0]) - 1) < 1e-10
    other = switch_at_branch_point(cubic_map, bp, 1.8)
    x, a = other.states[:, 0], other.values
    assert np.max(np.abs(x**2 - (a - 1))) < LOCATED and np.all(other.stable)


def test_edge_of_domain_is_a_stop_reason():
    # fixed points x = r^2 of x + (sqrt x - r)/10 end at r = 0: none for r < 0
    m = bifurc.Map.from_expressions({"x": "x + 0.1*(sqrt(x) - r)"}, {"r": 1.0}, name="edge")
    b = continuation(m, "r", 1.0, 1.0, -1.0)
    assert b.status == "step" and "min_step" in b.message
    assert 0 <= b.values[-1] < 1e-6


def test_bad_starts(logistic):
    with pytest.raises(bifurc.InputError, match="x0 is not near"):
        continuation(logistic, "r", 40.0, 2.5, 3.0)
    with pytest.raises(bifurc.InputError, match="period 1"):
        continuation(logistic, "r", 0.6, 2.5, 3.0, period=2)  # no 2-cycle below r = 3
    with pytest.raises(bifurc.InputError, match="start and stop"):
        continuation(logistic, "r", 0.6, 3.0, 3.0)
    with pytest.raises(bifurc.InputError, match="unknown parameter"):
        continuation(logistic, "q", 0.6, 2.5, 3.0)
    with pytest.raises(bifurc.InputError, match="bounds must contain"):
        continuation(logistic, "r", 0.6, 2.5, 3.0, bounds=(2.6, 3.0))
    # starts where the cycle equations are singular: the transcritical point x = 0, r = 1 (two
    # branches cross) and the quadratic map's fold x = -1/2, a = -1/4: said, not a wrong branch
    with pytest.raises(bifurc.InputError, match="multiplier 1"):
        continuation(logistic, "r", 0.0, 1.0, 2.0)
    with pytest.raises(bifurc.InputError, match="multiplier 1"):
        continuation(quadratic(), "a", -0.5, -0.25, 1.0)


def test_switching_at_the_logistic_flip_follows_the_two_cycle(logistic):
    (flip,) = continuation(logistic, "r", 0.6, 2.5, 3.2).points
    b = switch_at_flip(logistic, flip, 3.4)
    assert b.period == 2 and b.status == "bound" and b.values[-1] == 3.4
    # the first point is the flip itself: the 2-cycle at its birth is the fixed point run twice
    assert b.values[0] == flip.value and np.array_equal(b.states[0], flip.state)
    r = b.values
    # the 2-cycle (r + 1 +- sqrt((r - 3)(r + 1)))/(2r), born at r = 3, stable up to 1 + sqrt 6
    root = np.sqrt((r - 3) * (r + 1))
    distance = np.minimum(np.abs(b.states[:, 0] - (r + 1 + root) / (2 * r)),
                          np.abs(b.states[:, 0] - (r + 1 - root) / (2 * r)))
    assert np.all(r[1:] > 3) and np.max(distance) < LOCATED
    # its multiplier is 4 + 2r - r^2 (from the closed form)
    assert np.allclose(b.multipliers[:, 0].real, 4 + 2 * r - r**2, atol=1e-10)
    assert np.all(b.stable)
    with pytest.raises(bifurc.InputError, match="flip point"):
        switch_at_flip(logistic, continuation(quadratic(), "a", 0.366, 0.5, -1.0).points[0], 3.4)


def test_switching_towards_the_start():
    # x -> x^2 + r: the fixed point (1 - sqrt(1 - 4r))/2 has multiplier 1 - sqrt(1 - 4r), -1 at
    # r = -3/4, and is unstable below; the 2-cycle x^2 + x + r + 1 = 0 lives there (r < -3/4),
    # with multiplier 4 x1 x2 = 4 (r + 1). Met going up from r = -2, the doubled cycle lies behind.
    m = bifurc.Map.from_expressions({"x": "x**2 + r"}, {"r": 0.0}, name="square-plus-r")
    c = follow_cascade(m, "r", -1.0, -2.0, 1.0, count=2)
    assert c.periods.tolist() == [1] and abs(c.points[0] + 0.75) < LOCATED
    assert "away from stop" in c.message
    # the 2-cycle sits at -1/2 +- eta, eta^2 = -(r + 3/4) = beta (multiplier -(1 + beta)), so c = 1:
    # supercritical, the 2-cycle stable just below -3/4
    assert abs(c.flips[0].coefficient - 1) < 1e-10 and c.flips[0].criticality == "supercritical"
    with pytest.raises(bifurc.InputError, match="other side of the flip"):
        switch_at_flip(m, c.flips[0], 1.0)
    b = switch_at_flip(m, c.flips[0], -1.2)
    r = b.values
    assert b.period == 2 and np.all(r[1:] < -0.75) and b.values[-1] == -1.2 and r[0] == c.flips[0].value
    x = b.states[:, 0]
    assert np.max(np.abs(x**2 + x + r + 1)) < LOCATED
    assert np.allclose(b.multipliers[:, 0].real, 4 * (r + 1), atol=1e-10)
    assert np.array_equal(b.stable, r > -1.25)


def test_logistic_cascade_by_branch_switching(logistic):
    c = follow_cascade(logistic, "r", 0.6, 2.5, 3.56994, count=8)
    assert c.periods.tolist() == [2**i for i in range(8)]
    assert all(f.criticality == "supercritical" for f in c.flips)
    # MATH.md gives r1..r3 to 16 digits, r4 to 12 decimals (so 5e-13 of rounding)
    assert np.max(np.abs(c.points[:4] - LOGISTIC_DOUBLINGS)) < LOCATED
    # bifurc.cascade brackets det(I + M) = 0 along the branch: the same points, found another way
    reference = bifurc.cascade(logistic, "r", 2.5, 3.56994, 0.6, count=8)
    assert np.max(np.abs(reference.points - c.points)) < LOCATED
    # delta_n - delta = O(delta^-n), with a constant below 1 for a quadratic maximum (the
    # errors from MATH.md's r1..r4 are 0.38 and 0.28 delta^-n); the last ratio, n = 6:
    error = abs(c.delta[-1] - FEIGENBAUM_DELTA)
    assert error < FEIGENBAUM_DELTA**-6
    # and the errors shrink by more than half per level, so the last change bounds the error
    assert error < abs(c.delta[-1] - c.delta[-2])


def test_henon_cascade_by_branch_switching(henon):
    b = 0.3
    c = follow_cascade(henon, "a", [1.2, 0.36], 0.1, 1.06, count=4, params={"b": b})
    assert c.periods.tolist() == [1, 2, 4, 8]
    # the fixed point flips at 3(1 - b)^2/4. The 2-cycle x1, x2 of x' = 1 - a x^2 + b x_prev has
    # x1 + x2 = (1 - b)/a, x1 x2 = ((1 - b)^2 - a)/a^2 and monodromy trace 4 a^2 x1 x2 + 2b,
    # determinant b^2: a multiplier -1 where 1 + trace + b^2 = 0, a = (1 - b)^2 + (1 + b)^2/4
    assert abs(c.points[0] - 3 * (1 - b) ** 2 / 4) < LOCATED
    assert abs(c.points[1] - ((1 - b) ** 2 + (1 + b) ** 2 / 4)) < LOCATED
    assert all(f.criticality == "supercritical" for f in c.flips)
    reference = bifurc.cascade(henon, "a", 0.1, 1.06, [1.2, 0.36], count=4, params={"b": b})
    assert np.max(np.abs(reference.points - c.points)) < LOCATED


def henon_fixed_point(a, b, sign):
    """The fixed point of Henon's map with x = (-(1 - b) + sign sqrt((1 - b)^2 + 4a)) / (2a)."""
    x = (-(1 - b) + sign * math.sqrt((1 - b) ** 2 + 4 * a)) / (2 * a)
    return [x, b * x]


@pytest.mark.parametrize("stop", [-0.5, 0.8])
def test_henon_fold_and_flip_curves_in_two_parameters(henon, stop):
    b0 = {"b": 0.3}
    fold = continuation(henon, "a", henon_fixed_point(-0.05, 0.3, 1), -0.05, -1.0, params=b0).points[0]
    flip = continuation(henon, "a", henon_fixed_point(0.1, 0.3, 1), 0.1, 2.0, params=b0).points[0]
    for point, closed_form in ((fold, lambda b: -((1 - b) ** 2) / 4), (flip, lambda b: 3 * (1 - b) ** 2 / 4)):
        c = bifurcation_curve(henon, point, "b", stop)
        assert c.kind == point.kind and c.params == ("a", "b")
        assert c.status == "bound" and c.values[-1, 1] == stop
        a, b = c.values.T
        assert np.max(np.abs(a - closed_form(b))) < 1e-10  # the bound, along the whole curve
        # x* = 2/(1 - b) at the fold, 2/(3(1 - b)) at the flip
        x = 2 / (1 - b) if point.kind == "fold" else 2 / (3 * (1 - b))
        assert np.max(np.abs(c.states[:, 0] - x)) < 1e-9
        assert np.max(np.abs(c.multipliers - (1 if point.kind == "fold" else -1)).min(axis=1)) < 1e-10


def test_henon_two_cycle_flip_curve(henon):
    # the 2-cycle x1, x2 of x' = 1 - a x^2 + b x_prev: (1 - b) x2 = 1 - a x1^2 and back, so
    # x1 + x2 = (1 - b)/a; its monodromy has trace 4 a^2 x1 x2 + 2b and determinant b^2, so a
    # multiplier -1 where 1 + trace + b^2 = 0
    a, b, p = sp.symbols("a b p")
    s = (1 - b) / a
    product = sp.solve(sp.Eq((1 - b) * s, 2 - a * (s**2 - 2 * p)), p)[0]
    (a_flip,) = sp.solve(1 + 4 * a**2 * product + 2 * b + b**2, a)
    closed_form = sp.lambdify(b, a_flip)
    c = follow_cascade(henon, "a", henon_fixed_point(0.1, 0.3, 1), 0.1, 1.06, count=2, params={"b": 0.3})
    curve = bifurcation_curve(henon, c.flips[1], "b", -0.4)
    assert curve.status == "bound" and curve.period == 2
    assert np.max(np.abs(curve.values[:, 0] - closed_form(curve.values[:, 1]))) < 1e-10


@pytest.mark.parametrize("stop", [0.8, -0.6])
def test_neimark_sacker_curve(stop):
    # x' = y, y' = r y (1 - x) + s (x - y): fixed point x = y = 1 - 1/r, Jacobian [[0, 1],
    # [s - (r - 1), 1 - s]], determinant r - 1 - s and trace 1 - s: a complex pair on the unit
    # circle on r = 2 + s, at angle arccos((1 - s)/2)
    m = bifurc.Map.from_expressions({"x": "y", "y": "r*y*(1 - x) + s*(x - y)"}, {"r": 1.5, "s": 0.0},
                                    name="delayed-logistic-s")
    (ns,) = continuation(m, "r", [1 / 3, 1 / 3], 1.5, 2.5).points
    c = bifurcation_curve(m, ns, "s", stop)
    assert c.kind == "neimark-sacker" and c.status == "bound"
    r, s = c.values.T
    assert np.max(np.abs(r - 2 - s)) < 1e-10
    assert np.max(np.abs(np.abs(np.angle(c.multipliers[:, 0])) - np.arccos((1 - s) / 2))) < 1e-10


def test_strong_resonances_on_the_neimark_sacker_curve():
    # on r = 2 + s the critical pair has cos(theta) = (1 - s)/2: 1:4 (theta = pi/2) at s = 1,
    # 1:3 (2 pi/3) at s = 2, 1:2 (pi) at s = 3. Located by Brent's method in arclength on a test
    # function linear along the curve: to a few ulp; 1e-10 leaves room for the corrector.
    m = bifurc.Map.from_expressions({"x": "y", "y": "r*y*(1 - x) + s*(x - y)"}, {"r": 1.5, "s": 0.0},
                                    name="delayed-logistic-s")
    (ns,) = continuation(m, "r", [1 / 3, 1 / 3], 1.5, 2.5).points
    c = bifurcation_curve(m, ns, "s", 3.5)
    assert [p.kind for p in c.points] == ["1:4", "1:3", "1:2"]
    for p, s_exact in zip(c.points, (1, 2, 3)):
        assert abs(p.params["s"] - s_exact) < 1e-10 and abs(p.value - 2 - s_exact) < 1e-10
    # 1:1 at s = -1 falls on r = 1, x = 0, where the fixed point also crosses x = 0 (a
    # transcritical point): the curve system is singular there, and the result says so
    c = bifurcation_curve(m, ns, "s", -1.5)
    assert c.points == () and "1:1 point" in c.message and "could not be located" in c.message


def test_cusp_on_a_fold_curve():
    # x + eps (r + s x - x^3): folds where 3 x^2 = s, r = x^3 - s x = -2 x^3: the fold curve
    # turns back at the cusp x = r = s = 0, where the quadratic coefficient -3 eps x vanishes
    m = bifurc.Map.from_expressions({"x": "x + 0.2*(r + s*x - x**3)"}, {"r": 0.0, "s": 1.0}, name="cusp")
    fold = continuation(m, "r", -1.3, -1.0, 1.0).special("fold")[0]
    c = bifurcation_curve(m, fold, "s", -1.0)
    assert c.status == "bound" and c.values[-1, 1] == 1.0  # back to s = 1 on the other fold
    x, (r, s) = c.states[:, 0], c.values.T
    assert np.max(np.abs(s - 3 * x**2)) < 1e-10 and np.max(np.abs(r + 2 * x**3)) < 1e-10
    (cusp,) = c.points
    assert cusp.kind == "cusp" and abs(cusp.value) < 1e-10 and abs(cusp.params["s"]) < 1e-10


def test_generalized_flip_on_a_flip_curve():
    # -(1 + r) x + s x^3 + x^5: the fixed point 0 flips on r = 0 with cubic coefficient
    # c = (third derivative)/6 = s (the second derivative is 0), which vanishes at s = 0
    m = bifurc.Map.from_expressions({"x": "-(1 + r)*x + s*x**3 + x**5"}, {"r": -0.5, "s": 1.0}, name="gpd")
    flip = continuation(m, "r", 0.0, -0.5, 0.5).special("flip")[0]
    assert abs(flip.coefficient - 1) < 1e-12
    c = bifurcation_curve(m, flip, "s", -1.0)
    (gpd,) = c.points
    assert gpd.kind == "generalized-flip" and abs(gpd.value) < 1e-10 and abs(gpd.params["s"]) < 1e-10


def test_curve_arguments(henon):
    flip = continuation(henon, "a", henon_fixed_point(0.1, 0.3, 1), 0.1, 2.0, params={"b": 0.3}).points[0]
    with pytest.raises(bifurc.InputError, match="other must be"):
        bifurcation_curve(henon, flip, "a", 0.5)
    with pytest.raises(bifurc.InputError, match="start and stop"):
        bifurcation_curve(henon, flip, "b", 0.3)


def test_command_line(capsys):
    from bifurc.cli import main

    assert main(["continue", "logistic", "--param", "r", "--start", "2.5", "--stop", "3.5", "--x0", "0.6",
                 "--switch", "--count", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["kind"] for p in out["points"]] == ["flip", "flip"]
    assert [p["period"] for p in out["points"]] == [1, 2]
    # the flip of the fixed point 1 - 1/r at r = 3 is at x = 2/3; the branches start where they switched
    first = out["points"][0]
    assert abs(first["state"][0] - 2 / 3) < LOCATED and abs(first["params"]["r"] - 3) < LOCATED
    assert out["branches"][1]["values"][0] == first["params"]["r"]
    assert abs(out["points"][1]["params"]["r"] - LOGISTIC_DOUBLINGS[1]) < LOCATED
    assert main(["continue", "logistic", "--param", "r", "--start", "2.5", "--stop", "3.6",
                 "--x0", "40"]) == 2
    assert "x0 is not near" in capsys.readouterr().err


def test_orbit_diagram_that_follows_the_attractor_shows_the_hysteresis_loop():
    # x' = x + eps (r + x - x^3): fixed points r = x^3 - x, i.e. x_k = (2/sqrt 3) cos(theta/3 - 2 pi k/3)
    # with cos theta = (3 sqrt 3/2) r; folds at r = +-2/(3 sqrt 3); stable where 3 x^2 > 1 (multiplier
    # 1 + eps (1 - 3 x^2) in (-1, 1) there for |x| < 1.9). Between the folds both outer roots are stable.
    eps, r_fold = 0.2, 2 / (3 * math.sqrt(3))
    m = bifurc.Map.from_expressions({"x": f"x + {eps}*(r + x - x**3)"}, {"r": 0.0}, name="hysteresis")
    up = np.linspace(-1.0, 1.0, 201)
    ups = bifurc.orbit_diagram(m, "r", up, -1.3, transient=2000, keep=1, follow=True)
    downs = bifurc.orbit_diagram(m, "r", up[::-1], 1.3, transient=2000, keep=1, follow=True)
    x_up, x_down = ups.points[:, -1, 0], downs.points[::-1, -1, 0]

    theta = np.arccos(np.clip(1.5 * math.sqrt(3) * up, -1, 1))
    upper = 2 / math.sqrt(3) * np.cos(theta / 3)
    lower = 2 / math.sqrt(3) * np.cos(theta / 3 - 4 * math.pi / 3)
    # outside the window the one real root (Cardano) is the attractor of both sweeps
    cube = np.cbrt(up / 2 + np.sqrt(np.maximum(up**2 / 4 - 1 / 27, 0)))
    single = cube + 1 / (3 * np.where(cube == 0, 1, cube))
    # within 0.9 of the folds the multiplier is at most 0.89, so 2000 steps leave 0.89^2000 < 1e-100 of
    # the start: the orbit sits on the fixed point to rounding (1e-12: a few ulp amplified by 1/(1 - 0.89))
    inside = np.abs(up) < 0.9 * r_fold
    assert np.max(np.abs(x_up[inside] - lower[inside])) < 1e-12  # sweeping up stays on the lower branch
    assert np.max(np.abs(x_down[inside] - upper[inside])) < 1e-12  # sweeping down stays on the upper one
    outside = np.abs(up) > 1.1 * r_fold
    assert np.max(np.abs(x_up[outside] - single[outside])) < 1e-12
    assert np.max(np.abs(x_down[outside] - single[outside])) < 1e-12
    # without following, every value starts at x0 = -1.3 and stays on the lower branch until it ends
    fixed = bifurc.orbit_diagram(m, "r", up[::-1], -1.3, transient=2000, keep=1)
    assert np.max(np.abs(fixed.points[::-1, -1, 0][inside] - lower[inside])) < 1e-12
    assert not ups.escaped.any() and not downs.escaped.any()
    # after an escape (r > 4 sends the logistic orbit from 0.3 off to -inf) the next orbit restarts at x0
    with pytest.warns(bifurc.EscapeWarning):
        gone = bifurc.orbit_diagram(bifurc.maps.logistic, "r", [4.2, 3.2], 0.3, transient=100, keep=2,
                                    follow=True)
    assert gone.escaped.tolist() == [True, False] and np.isnan(gone.points[0]).all()
    # from 0.3 at r = 3.2 the orbit reaches the 2-cycle (r + 1 +- sqrt((r - 3)(r + 1)))/(2r) (multiplier 0.16)
    cycle = (4.2 + np.array([-1, 1]) * math.sqrt(0.2 * 4.2)) / 6.4
    assert np.allclose(np.sort(gone.points[1, :, 0]), cycle, rtol=0, atol=1e-9)


def test_uv_model_two_cycle_doubles_at_sqrt5_minus_one():
    from bifurc.eos import uv_scaled

    m = uv_scaled().map  # g' = g - L D + D^2 g, L' = L + D^2 L - 4 D g, D = g - Y
    # On the balanced line L = 2g the map is g' = g (1 - D)^2 = g (1 + Y - g)^2 =: h(g), and
    # L' - 2g' = (L - 2g)(1 + D)^2 keeps the line invariant. h's 2-cycle: g^2 - s g + 1 = 0 with
    # s = 1 + Y (born at s = 2, Y = 1); h'(g) = (s - g)(s - 3g), so with g1 + g2 = s, g1 g2 = 1
    # the in-line multiplier is h'(g1) h'(g2) = 9 - 2 s^2, and -1 at s = sqrt 5: Y = sqrt 5 - 1.
    # Across the line: prod (1 + D_t)^2 = (5 - 2s)^2, in (0, 1) for 2 < s < 5/2.
    start, flip_at = 1.05, math.sqrt(5) - 1
    s = 1 + start
    g1 = (s - math.sqrt(s * s - 4)) / 2
    b = continuation(m, "Y", [g1, 2 * g1], start, 1.4, period=2)
    assert b.status == "bound"
    g, L, s = b.states[:, 0], b.states[:, 1], 1 + b.values
    assert np.max(np.abs(L - 2 * g)) < LOCATED and np.max(np.abs(g**2 - s * g + 1)) < LOCATED
    closed = np.sort(np.stack([9 - 2 * s**2, (5 - 2 * s) ** 2], axis=1), axis=1)
    assert np.max(np.abs(np.sort(b.multipliers.real, axis=1) - closed)) < 1e-11  # products of 2 steps
    assert np.array_equal(b.stable, b.values < flip_at)
    (flip,) = b.points
    assert flip.kind == "flip" and flip.period == 2 and abs(flip.value - flip_at) < LOCATED
    # at s = sqrt 5 the cycle is g = (sqrt 5 -+ 1)/2, L = 2g
    assert min(abs(flip.state[0] - (math.sqrt(5) + e) / 2) for e in (-1, 1)) < LOCATED
    assert flip.criticality == "supercritical"
    # and on into chaos, branch by branch: the 2D map's flips are those of its 1D line map h,
    # found by bifurc.cascade another way; the ratios approach Feigenbaum's delta
    c = follow_cascade(m, "Y", [g1, 2 * g1], start, 1.31, count=6, period=2)
    assert c.periods.tolist() == [2, 4, 8, 16, 32, 64]
    assert all(f.criticality == "supercritical" for f in c.flips)
    line = bifurc.Map.from_expressions({"g": "g*(1 + Y - g)**2"}, {"Y": 1.1}, name="uv-line")
    reference = bifurc.cascade(line, "Y", start, 1.31, g1, count=6)
    assert np.max(np.abs(reference.points - c.points)) < LOCATED
    # delta_n - delta = O(delta^-n) (h has a quadratic maximum, as the logistic map); 4 ratios here
    error = abs(c.delta[-1] - FEIGENBAUM_DELTA)
    assert error < FEIGENBAUM_DELTA**-4 and error < abs(c.delta[-1] - c.delta[-2])


def test_logistic_two_cycle_ends_on_the_fixed_points_and_switches_to_them(logistic):
    # followed back towards r = 3, the 2-cycle (r + 1 +- sqrt((r - 3)(r + 1)))/(2r) shrinks onto the
    # fixed point 2/3: as solutions of F^2(x) = x the two branches cross there (a branch point), and
    # the other branch is x = 1 - 1/r, whose minimal period is 1
    b = continuation(logistic, "r", 0.85, 3.3, 2.8, period=2, bounds=(2.8, 3.4))
    (bp,) = b.points
    assert bp.kind == "branch-point" and bp.period == 2
    assert abs(bp.value - 3) < LOCATED and abs(bp.state[0] - 2 / 3) < LOCATED
    for stop in (2.8, 3.4):
        fixed = switch_at_branch_point(logistic, bp, stop)
        r = fixed.values
        assert fixed.period == 1 and fixed.status == "bound" and r[-1] == stop
        assert r[0] == bp.value and np.array_equal(fixed.states[0], bp.state)
        assert np.max(np.abs(fixed.states[:, 0] - (1 - 1 / r))) < LOCATED
        assert np.allclose(fixed.multipliers[:, 0].real, 2 - r, rtol=0, atol=1e-10)  # f'(1 - 1/r) = 2 - r


def test_switched_branches_are_drawn_from_the_point_they_leave(logistic):
    from bifurc import plot

    (flip,) = continuation(logistic, "r", 0.6, 2.5, 3.2).points
    two = switch_at_flip(logistic, flip, 3.4)
    ax = plot.continuation([two], m=logistic).axes[0]
    lines = [line for line in ax.lines if line.get_linestyle() in ("-", "--")]
    # both points of the 2-cycle are drawn (stable: one solid line each), each from the flip at
    # (3, 2/3), where the 2-cycle is the fixed point run twice; 1e-12: the flip is located to that
    assert len(lines) == 2
    for line in lines:
        assert abs(line.get_xdata()[0] - 3) < LOCATED and abs(line.get_ydata()[0] - 2 / 3) < LOCATED


def canonical_theory(loss):
    """f_q(p) = p (1 - 2 r(p)/q), r = l'(p)/p, from the loss l (MATH.md section 3), with sympy."""
    p, q = sp.symbols("p q", real=True)
    r = sp.simplify(sp.diff(loss(p), p) / p)
    f = p * (1 - 2 * r / q)
    return p, q, r, f


def test_canonical_map_two_cycle_stays_stable_for_logcosh():
    from bifurc import losses
    from bifurc.eos import canonical_map

    p, q, r, f = canonical_theory(lambda p: sp.log(sp.cosh(p)))
    m = canonical_map(losses.logcosh).map
    b = continuation(m, "q", 0.1, 1.5, 0.5)
    (flip,) = b.points
    # multiplier 1 - 2/q of p = 0: -1 at q = 1; there f_q(p) = -p - r''(0) p^3 + O(p^5), so c = -r''(0)
    r2 = float(sp.limit(sp.diff(r, p, 2), p, 0))
    assert flip.kind == "flip" and abs(flip.value - 1) < LOCATED and abs(flip.coefficient + r2) < 1e-10
    # down to q = 0.2 (p = 5): further down f_q(p) = p - 2 tanh(p)/q has tanh(+-p) = +-1 to rounding,
    # so in floating point F^2 is the identity there and every point a 2-cycle (G_p ~ sech^2 p)
    two = switch_at_flip(m, flip, 0.2)
    assert two.status == "bound" and two.points == ()  # nothing happens to the 2-cycle
    x, qs = np.abs(two.states[1:, 0]), two.values[1:]
    # the 2-cycle {+-r_hat(q)}: r(p) = q
    r_num = sp.lambdify(p, r)
    assert np.max(np.abs(r_num(x) - qs)) < LOCATED
    # its multiplier f_q'(p) f_q'(-p) = f_q'(p)^2 (f_q is odd) = (1 + 2 p r'(p)/q)^2 (MATH.md)
    slope = sp.lambdify((p, q), sp.diff(f, p))
    assert np.allclose(two.multipliers[1:, 0].real, slope(x, qs) ** 2, rtol=0, atol=1e-10)
    assert np.all(two.stable)
    # it could only lose stability where the multiplier is +1: f_q'(p) = 1 on q = r(p) is
    # (p r)' = l''(p) = 0, and log cosh is strictly convex (l'' = sech^2 p > 0)
    assert sp.simplify(sp.diff(f, p).subs(q, r) - 1 + 2 * sp.diff(p * r, p) / r) == 0


def test_canonical_map_stability_boundary_for_a_nonconvex_loss():
    # Cauchy's loss l = log(1 + p^2)/2 (bell-shaped r = 1/(1 + p^2), but not convex): l'' = 0 at
    # p = 1, so the 2-cycle {+-1} at q = r(1) = 1/2 has multiplier f_q'(1)^2 = 1. f_q is odd, so it
    # is a pitchfork: the symmetric 2-cycle meets a pair of asymmetric ones (a branch point).
    p, q, r, f = canonical_theory(lambda p: sp.log(1 + p**2) / 2)
    (p_star,) = [s for s in sp.solve(sp.diff(p * r, p), p) if s.is_positive]
    q_star = r.subs(p, p_star)
    assert sp.simplify(sp.diff(f, p).subs({q: q_star, p: p_star})) == 1
    m = bifurc.Map.from_expressions({"p": f}, {"q": 0.8}, name="canonical[cauchy]")
    flip = continuation(m, "q", 0.1, 1.5, 0.2).points[0]
    two = switch_at_flip(m, flip, 0.2)
    (bp,) = two.points
    assert bp.kind == "branch-point" and abs(bp.value - float(q_star)) < LOCATED
    assert abs(abs(bp.state[0]) - float(p_star)) < LOCATED
    # stable above q = 1/2 (|f_q'| < 1), unstable below
    assert np.array_equal(two.stable[1:], two.values[1:] > float(q_star))
    # the asymmetric 2-cycles {x, y}: f(x) - y and f(y) - x, minus and plus, factor as
    # (x -+ y) (...): with x != +-y, x y = -1 and x^2 + y^2 = 2/q - 2 (so they exist for q < 1/2)
    x, y = sp.symbols("x y", real=True)
    e1, e2 = (sp.numer(sp.together(f.subs(p, u) - v)) for u, v in ((x, y), (y, x)))
    plus, minus = sp.factor(e1 - e2), sp.factor(e1 + e2)
    assert sp.rem(plus, x - y, x) == 0 and sp.rem(minus, x + y, x) == 0
    on = {y: -1 / x, q: 2 / (x**2 + x**-2 + 2)}  # x y = -1, x^2 + y^2 = 2/q - 2
    for factor, known in ((plus, x - y), (minus, x + y)):
        assert sp.simplify(sp.cancel(factor / known).subs(on)) == 0
    asym = switch_at_branch_point(m, bp, 0.3)
    assert asym.period == 2 and asym.status == "bound" and asym.values[-1] == 0.3
    assert asym.values[0] == bp.value and np.array_equal(asym.states[0], bp.state)
    u, qs = asym.states[:, 0], asym.values
    v = sp.lambdify((p, q), f)(u, qs)
    assert np.max(np.abs(u * v + 1)) < LOCATED and np.max(np.abs(u**2 + v**2 - (2 / qs - 2))) < 1e-11
    with pytest.raises(bifurc.InputError, match="other side"):
        switch_at_branch_point(m, bp, 0.8)
    # they flip where f'(x) f'(y) = -1: with y = -1/x, q = 2 x^2/(1 + x^2)^2
    slope = sp.diff(f, p)
    multiplier = sp.simplify((slope.subs(p, x) * slope.subs(p, -1 / x)).subs(q, on[q]))
    q_flip = {sp.nsimplify(sp.simplify(on[q].subs(x, s))) for s in sp.solve(multiplier + 1, x) if s.is_real}
    (asym_flip,) = asym.special("flip")
    assert len(q_flip) == 1 and abs(asym_flip.value - float(q_flip.pop())) < LOCATED


def test_two_layer_two_cycle_continued_in_eta():
    # MATH.md section 4 with l = log cosh and y = 0: the map is odd in p, and its symmetric 2-cycle
    # {(p, q), (-p, q)} has tanh(p)^2 = 2/eta^2, q = tanh(p)/(2p) (tests/test_eos_periodic.py),
    # so p = artanh(sqrt 2/eta) for eta > sqrt 2
    from bifurc import losses
    from bifurc.eos import two_layer_linear

    p, q, eta = sp.symbols("p q eta", real=True)
    g = sp.tanh(p)
    update = sp.Matrix([p * (1 - 2 * (g / p) / q) + eta**2 * g**2 * p,
                        q / (1 + eta**2 * g**2 - 2 * eta**2 * q * g * p)])
    J = update.jacobian([p, q])
    monodromy = sp.lambdify((p, q, eta), J.subs(p, -p) * J)
    m = two_layer_linear(losses.logcosh).map
    start = 2.0
    p0 = math.atanh(math.sqrt(2) / start)
    for stop in (6.0, 1.45):
        b = continuation(m, "eta", [p0, math.tanh(p0) / (2 * p0)], start, stop, period=2, params={"y": 0.0})
        assert b.status == "bound" and b.values[-1] == stop and b.points == ()
        e = b.values
        exact = np.arctanh(np.sqrt(2) / e)
        assert np.max(np.abs(np.abs(b.states[:, 0]) - exact)) < LOCATED
        assert np.max(np.abs(b.states[:, 1] - np.tanh(exact) / (2 * exact))) < LOCATED
        closed = np.array([np.sort(np.linalg.eigvals(monodromy(x, y, v)).real)
                           for x, y, v in zip(exact, np.tanh(exact) / (2 * exact), e)])
        assert np.max(np.abs(np.sort(b.multipliers.real, axis=1) - closed)) < 1e-9 * np.max(closed)
        assert not b.stable.any()  # a double multiplier above 1 all along


def test_fold_flip_and_chenciner_points():
    # x' = x + a - x^2 + y^2, y' = y (x - 1 - b): the fixed points y = 0, x = +-sqrt a have
    # multipliers 1 - 2x and x - 1 - b, so the fold curve is a = 0 (x = 0), where the second
    # multiplier -(1 + b) is -1 at b = 0: a fold-flip point
    m = bifurc.Map.from_expressions({"x": "x + a - x**2 + y**2", "y": "y*(x - 1 - b)"}, {"a": -0.5, "b": 0.3},
                                    name="fold-flip")
    fold = continuation(m, "a", [0.7, 0.0], 0.49, -0.5).special("fold")[0]
    c = bifurcation_curve(m, fold, "b", -0.3)
    assert c.status == "bound" and np.max(np.abs(c.values[:, 0])) < 1e-12
    (point,) = c.points
    assert point.kind == "fold-flip" and abs(point.value) < 1e-12 and abs(point.params["b"]) < 1e-10
    # z' = e^{i} z (1 + beta + s|z|^2 + |z|^4) with z = x + i y: a Neimark-Sacker point at beta = 0
    # for every s, angle 1. With q = (1, -i)/sqrt 2 (unit length), z = sqrt 2 w in the normal form's
    # coordinate w, so w' = e^{i} w (1 + beta + 2 s |w|^2 + ...): d = 2 s, which vanishes at s = 0
    g = "(1 + beta + s*(x**2 + y**2) + (x**2 + y**2)**2)"
    m = bifurc.Map.from_expressions({"x": f"{g}*(cos(1)*x - sin(1)*y)", "y": f"{g}*(sin(1)*x + cos(1)*y)"},
                                    {"beta": -0.1, "s": -1.0}, name="chenciner")
    (ns,) = continuation(m, "beta", [0.0, 0.0], -0.1, 0.1).points
    assert ns.kind == "neimark-sacker" and abs(ns.value) < 1e-12 and abs(ns.angle - 1) < 1e-12
    assert abs(ns.coefficient + 2) < 1e-12 and ns.criticality == "supercritical"
    c = bifurcation_curve(m, ns, "s", 1.0)
    assert c.status == "bound" and np.max(np.abs(c.values[:, 0])) < 1e-12
    (point,) = c.points
    assert point.kind == "chenciner" and abs(point.value) < 1e-12 and abs(point.params["s"]) < 1e-10
