"""High precision (mpmath): cascades to Feigenbaum's delta, float64 results confirmed, q near 1."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import FEIGENBAUM_DELTA

import bifurc
from bifurc.analysis.precision import flip_point_mp, orbit_mp, periodic_orbit_mp


@pytest.fixture(scope="module")
def cascades(logistic):
    """The logistic cascade to period 2048, in float64 and refined to 30 digits."""
    args = (logistic, "r", 2.8, 3.5699457, 0.3)
    return bifurc.cascade(*args, count=12), bifurc.cascade(*args, count=12, digits=30)


def test_first_doublings_are_the_exact_ones(logistic):
    # r1 = 3 and r2 = 1 + sqrt(6) exactly; the certified bound is 1e-40 relative
    with mpmath.workdps(60):
        r1, t1, _ = flip_point_mp(logistic, "r", 1, 2.99, [0.66], digits=40)
        r2, t2, _ = flip_point_mp(logistic, "r", 2, 3.44, [0.44], digits=40)
        assert t1 < 1e-39 and t2 < 1e-39
        assert abs(r1 - 3) <= t1
        assert abs(r2 - (1 + mpmath.sqrt(6))) <= t2


def test_henon_first_doubling_with_exact_parameters(henon):
    # the fixed point of the Henon map flips at a = 3(1 - b)^2 / 4: 0.3675 for b = 3/10 given
    # as a string, and 0.36750000000000001166 for the float64 0.3 (what a float asks for)
    c = bifurc.cascade(henon, "a", 0.2, 0.5, [0.1, 0.1], count=1, params={"b": "0.3"}, digits=25)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(c.precise_points[0]) - mpmath.mpf("0.3675")) <= c.tolerance[0] < 1e-24
        c = bifurc.cascade(henon, "a", 0.2, 0.5, [0.1, 0.1], count=1, params={"b": 0.3}, digits=25)
        b = mpmath.mpf(0.3)
        assert abs(mpmath.mpf(c.precise_points[0]) - 3 * (1 - b) ** 2 / 4) <= c.tolerance[0]


def test_henon_fixed_point_to_50_digits(henon):
    with mpmath.workdps(70):
        a, b = mpmath.mpf("1.4"), mpmath.mpf("0.3")
        orbit = periodic_orbit_mp(henon, ["0.63", "0.19"], 1, {"a": "1.4", "b": "0.3"}, digits=50)
        # x = (-(1 - b) + sqrt((1 - b)^2 + 4a)) / (2a), y = b x: Newton's last step is below 1e-50
        x = (-(1 - b) + mpmath.sqrt((1 - b) ** 2 + 4 * a)) / (2 * a)
        (x_found, y_found), = orbit.points
        assert abs(x_found - x) < 1e-50 and abs(y_found - b * x) < 1e-50
        # the multipliers multiply to det J = -b (constant), to the working precision
        product = orbit.multipliers[0] * orbit.multipliers[1]
        assert abs(product + b) < 1e-55


def test_feigenbaum_delta_to_1e_minus_6(cascades):
    _, precise = cascades
    assert precise.digits == 30 and len(precise.precise_points) == 12
    assert np.all(precise.tolerance < 1e-28)
    # plain ratios converge like delta_n - delta = O(alpha^-n) (alpha = 2.50, the doubling
    # operator's second eigenvalue): the ratio of doublings 10..12 (periods 512..2048) is
    # within 4e-8 of delta; 1e-6 is the target
    error = np.abs(precise.delta - FEIGENBAUM_DELTA)
    assert error[-1] < 1e-6
    # and the errors shrink by about 1/alpha per doubling from the 6th ratio on
    rates = error[6:] / error[5:-1]
    assert np.all((rates > 0.15) & (rates < 0.3)), rates


def test_float64_points_within_their_stated_tolerance(cascades):
    fast, precise = cascades
    assert fast.periods.tolist() == precise.periods.tolist()
    with mpmath.workdps(40):
        errors = [abs(mpmath.mpf(a) - mpmath.mpf(b)) for a, b in zip(fast.points, precise.precise_points)]
    assert all(e <= t for e, t in zip(errors, fast.tolerance)), (errors, fast.tolerance)


def test_precise_cascade_round_trips_through_save(cascades, tmp_path):
    _, precise = cascades
    back = bifurc.load(bifurc.save(precise, tmp_path / "c.npz"))
    assert back.precise_points == precise.precise_points and back.digits == 30
    assert np.array_equal(back.delta, precise.delta)


def test_digits_argument_is_checked(logistic):
    with pytest.raises(ValueError, match="digits"):
        bifurc.cascade(logistic, "r", 2.8, 3.2, 0.3, count=1, digits=8)
    with pytest.raises(ValueError, match="parameter 'q'"):
        periodic_orbit_mp(logistic, [0.5], 1, {"q": 1})
    with pytest.raises(ValueError, match="parameter 'r'"):
        periodic_orbit_mp(logistic, [0.5], 1, {"r": "three"})


def _two_cycle_series(loss):
    """p^2 = c1 eps + c2 eps^2 + O(eps^3) on the 2-cycle {p, -p} of f_q, q = 1 - eps, derived
    by reverting the series of r(p) = q (independently of the map: from the loss alone)."""
    p, s, eps = sp.symbols("p s epsilon", positive=True)
    r = sp.series(loss.r.xreplace({sp.Symbol("p", real=True): p}), p, 0, 6).removeO().subs(p, sp.sqrt(s))
    a1, a2 = (sp.expand(r).coeff(s, i) for i in (1, 2))
    # 1 - r(p) = eps: -a1 s - a2 s^2 = eps  =>  s = -eps/a1 - a2 eps^2/a1^3 + O(eps^3)
    return -1 / a1, -a2 / a1**3


def test_two_cycle_coefficients_near_q_equal_1():
    loss = bifurc.losses.logcosh
    model = bifurc.eos.canonical_map(loss)
    exact = _two_cycle_series(loss)
    # the leading coefficient is 4 h(0) = -2/r''(0), h(0) from the alignment derivation
    assert sp.simplify(exact[0] - 4 * bifurc.eos.alignment(loss).h0) == 0
    # rounding at 60 digits moves the estimate of c2 by ~1e-60/eps^2: keep eps >= 1e-20
    for exponent in (10, 20):
        with mpmath.workdps(60):
            c1, c2 = (mpmath.mpf(c.p) / c.q for c in exact)
            eps = mpmath.mpf(10) ** -exponent
            guess = mpmath.sqrt(c1 * eps)
            orbit = periodic_orbit_mp(model.map, [guess], 2, {"q": 1 - eps}, digits=50)
            (p0,), (p1,) = orbit.points
            assert abs(p0 + p1) < 1e-45 * abs(p0)  # the cycle is {p, -p}
            second = (p0**2 / eps - c1) / eps
            # the next term of the series is O(eps) (its coefficient is below 10 here)
            assert abs(second - c2) < 10 * eps


def test_float64_loses_the_second_coefficient():
    loss = bifurc.losses.logcosh
    model = bifurc.eos.canonical_map(loss)
    c1, c2 = (float(c) for c in _two_cycle_series(loss))
    errors = []
    for eps_wanted in np.geomspace(1e-9, 1e-8, 8):
        q = 1 - eps_wanted
        eps = 1 - q  # exact in float64 (Sterbenz), so q is exactly 1 - eps
        p = np.sqrt(c1 * eps)
        (orbit,) = bifurc.periodic_orbits(model.map, 2, [(0.5 * p, 1.5 * p)], {"q": q}, starts=4)
        p0 = orbit.points[1, 0]
        errors.append(abs((p0**2 / eps - c1) / eps - c2))
    # rounding in q - r(p) ~ 1e-16 moves p^2 by ~1e-16 relative to eps ~ 1e-8.5: the
    # estimate of c2 is off by O(1e-16 / eps^2) (measured: 0.8 to 90), whereas the truth is O(eps)
    assert np.median(errors) > 1e-3, errors


def test_two_layer_qstar_in_high_precision():
    """q* of the two-layer map (y = 0) iterated in mpmath: start-independent to ~1e-20, the
    float64 run within its accumulated rounding, and q* = 1 + h(0) eta^2 + O(eta^4)."""
    loss = bifurc.losses.logcosh
    m = bifurc.eos.two_layer_linear(loss).map
    h0 = float(bifurc.eos.alignment(loss).h0)
    coefficients = {}
    for eta, text in ((0.1, "0.1"), (0.05, "0.05")):
        n = int(60 / eta**2)  # p decays like (1 - 3 eta^2 / 2)^t: |p_n| < 1e-35 after alignment
        starts = ((0.1, 0.6), (0.6, 0.8))
        finals = [orbit_mp(m, start, n, {"eta": text, "y": 0}, digits=30) for start in starts]
        with mpmath.workdps(40):
            (p_a, q_a), (p_b, q_b) = finals
            assert abs(p_a) < 1e-30 and abs(p_b) < 1e-30
            # the limit depends on the start only exponentially little in 1/eta^2 (measured:
            # 2e-20 at eta = 0.1, below 1e-35 at 0.05)
            assert abs(q_a - q_b) < 1e-18
            eta_mp = mpmath.mpf(text)
            coefficients[eta] = float((q_a - 1 - h0 * eta_mp**2) / eta_mp**4)
        if eta == 0.1:
            # float64: n roundings of ~1 ulp each, so |error| < n eps (measured 6e-15)
            (fast,) = bifurc.orbit(m, (0.1, 0.6), 1, transient=n - 1, params={"eta": eta, "y": 0.0})
            assert abs(fast[1] - float(q_a)) < n * np.finfo(float).eps
    # q* - 1 - h(0) eta^2 = O(eta^4): its eta^4 coefficient changes by O(eta^2) between the two
    # step sizes (measured 0.802 and 0.791)
    assert 0.1 < coefficients[0.05] < 10
    assert abs(coefficients[0.1] - coefficients[0.05]) < 2 * 0.1**2
