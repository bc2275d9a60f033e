"""Chen & Bruna's two-step updates: the derived map against brute-force GD, the 2-cycle, the condition."""

import math

import numpy as np
import pytest
import sympy as sp

import bifurc
from bifurc.eos import degree2, minimalist
from bifurc.eos.two_step_updates import line_derivatives, manifold_instance, two_step_updates

DELTA, ETA, LAM, F3, F4, S = (sp.Symbol(n, real=True) for n in "delta eta lam f3 f4 s".split())
#: The double well ¼(x² - 1)² at x̄ = 1, by hand: f'' = 3x² - 1 = 2, f''' = 6x = 6, f'''' = 6.
WELL = {"lam": 2.0, "f3": 6.0, "f4": 6.0}


def gd_double_well(x0, eta, steps):
    """Brute-force GD on ¼(x² - 1)² in its own variable x: f'(x) = x(x² - 1)."""
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - eta * xs[-1] * (xs[-1] ** 2 - 1))
    return np.array(xs)


def test_the_map_is_gd_on_the_quartic_expansion():
    (step,) = two_step_updates().map.updates
    assert sp.expand(step - (DELTA - ETA * (LAM * DELTA + F3 * DELTA**2 / 2 + F4 * DELTA**3 / 6))) == 0


@pytest.mark.parametrize("s", [0.02, -0.02, 0.25])
def test_map_equals_brute_force_gd_on_the_double_well(s):
    """The quartic expansion is the double well itself, so the map's orbit shifted by x̄ = 1 is GD's:
    the same cubic recurrence in shifted coordinates, differing by rounding (1e-16 on states of 1)
    amplified at most by the attractor's multipliers (below 1 in modulus: the minimum, the 2-cycle,
    and at s = 0.25, beyond the second doubling, a 4-cycle) and the shift: 1e-12 is the issue's
    bound, with 1e3 to spare."""
    eta = 2 * (1 + s) / WELL["lam"]
    x0 = 1.05
    mapped = bifurc.orbit(two_step_updates().map, x0 - 1, 201, params={**WELL, "eta": eta})[:, 0] + 1
    assert np.abs(mapped - gd_double_well(x0, eta, 200)).max() < 1e-12


def test_the_two_step_map_is_two_gd_steps():
    """The derived F∘F iterated 100 times against 200 brute-force steps (same tolerance and reason)."""
    eta = 1.02
    at = {ETA: eta, LAM: 2, F3: 6, F4: 6}
    twice = sp.lambdify(DELTA, two_step_updates().results["two-step map"].subs(at))
    deltas = [0.05]
    for _ in range(100):
        deltas.append(twice(deltas[-1]))
    assert np.abs(np.array(deltas) + 1 - gd_double_well(1.05, eta, 200)[::2]).max() < 1e-12


def test_the_stated_two_cycle():
    """The results are the statements: C = 3f3² - λf4, a² = 6sλ²/C, m = -3sλf3/C, μ = 1 - 8s."""
    results = two_step_updates().results
    C = 3 * F3**2 - LAM * F4
    assert sp.expand(results["condition"] - C) == 0
    assert sp.simplify(results["2-cycle half-width squared"] - 6 * S * LAM**2 / C) == 0
    assert sp.simplify(results["2-cycle centre"] + 3 * S * LAM * F3 / C) == 0
    assert sp.expand(results["2-cycle multiplier"] - (1 - 8 * S)) == 0


@pytest.mark.parametrize("s", [0.004, 0.001])
def test_gd_beyond_the_edge_converges_to_the_predicted_two_cycle(s):
    """Double well, C = 3·36 - 2·6 = 96: GD at η = 2(1 + s)/2 from x = 1.01 settles on a 2-cycle of
    half-width √(6s·4/96) = √s/2 and centre 1 - 3s·2·6/96 = 1 - 3s/8, multiplier 1 - 8s. The
    expansions' next terms are O(s) relative (a), O(s²) (centre, multiplier); measured coefficients
    are below 0.5, 0.3 and 2: the bounds s, s²/2 and 4s² leave a factor of 2."""
    eta = 1 + s
    xs = gd_double_well(1.01, eta, 2 * math.ceil(80 / (8 * s)))  # e^-80 of the multiplier
    x0, x1 = xs[-1], xs[-2]
    assert abs(xs[-3] - x0) < 1e-13  # a 2-cycle
    assert abs(abs(x0 - x1) / 2 / (math.sqrt(s) / 2) - 1) < s
    assert abs((x0 + x1) / 2 - (1 - 3 * s / 8)) < s**2 / 2
    multiplier = (1 - eta * (3 * x0**2 - 1)) * (1 - eta * (3 * x1**2 - 1))
    assert abs(multiplier - (1 - 8 * s)) < 4 * s**2


def test_a_loss_violating_the_condition_leaves_the_minimum():
    """x²/2 + x⁴/4: λ = 1, f3 = 0, f4 = 6, C = -6 < 0: beyond the edge no 2-cycle attracts and GD
    from 0.01 grows past 1 within a few hundred steps; below it, GD from inside the repelling 2-cycle
    (a² = 6·0.02/6 = 0.02) returns to 0."""
    line = line_derivatives("x**2/2 + x**4/4", "x", [0])
    assert (line.lam, line.f3, line.f4, line.condition) == (1, 0, 6, -6)
    for s, x0, escapes in ((0.02, 0.01, True), (-0.02, 0.07, False)):
        eta, x = 2 * (1 + s), x0
        for _ in range(2000):
            x = x - eta * (x + x**3)
            if abs(x) > 1:
                break
        assert (abs(x) > 1) == escapes and (escapes or abs(x) < 1e-12)


@pytest.mark.parametrize("loss, params, point, expected", [
    ("(x**2 - 1)**2/4", "x", [1], ((1,), 2, 6, 6, 96)),
    ("log(cosh(x))", "x", [0], ((1,), 1, 0, -2, 2)),  # tanh' = sech^2 = 1 - x^2 + ...: f'''' = -2
    # ½(xy - 1)² at (2, 1/2): u = (y, x)/r = (1, 4)/√17, λ = r² = 17/4; along u, h = xy has slope
    # h1 = r and curvature h2 = 2u_x u_y = 8/17: f3 = 3 h1 h2 = 12/√17, f4 = 3 h2² = 192/289
    ("(x*y - 1)**2/2", "x, y", [2, sp.Rational(1, 2)],
     ((1 / sp.sqrt(17), 4 / sp.sqrt(17)), sp.Rational(17, 4), 12 / sp.sqrt(17), sp.Rational(192, 289),
      sp.Rational(384, 17))),
])
def test_line_derivatives(loss, params, point, expected):
    line = line_derivatives(loss, params, point)
    got = (line.u, line.lam, line.f3, line.f4, line.condition)
    assert all(sp.simplify(sp.Matrix([g]) - sp.Matrix([e])) == sp.zeros(1, len(sp.Matrix([e])))
               for g, e in zip(got, expected)), got


def test_zhu_models_against_the_one_dimensional_coefficient():
    """By hand at the EoS minimum: the minimalist's e³ coefficient -(2/3)(24h2² - 4h1h3)/h1⁴ with
    h1 = 2r, h2 = (2r⁴ + 4)/r², h3 = 12/r, r² = 1/η is -4 + O(η²), Zhu's c; the degree-2's, with
    h1 = r, h2 = 2/r², h3 = 0, r² = 2/η, is -64/r⁸ = -4η⁴, not Zhu's -4η²."""
    eta = sp.Symbol("eta", real=True)
    found_min, found_deg = manifold_instance(minimalist()), manifold_instance(degree2())
    assert found_min.c_line == -4 == found_min.c_zhu and found_min.instance
    assert sp.expand(found_deg.c_line + 4 * eta**4) == 0 and not found_deg.instance
    assert sp.expand(found_deg.c_line_on_edge + 4 * eta**4) == 0


@pytest.mark.parametrize("loss, point, word", [
    ("(x**2 - 1)**2/4", [sp.Rational(1, 2)], "point"),  # not a minimum
    ("x**2 + y**2", [0, 0], "point"),  # top eigenvalue double
    ("-x**2", [0], "point"),  # a maximum: top eigenvalue negative
    ("x**2", ["__import__('os')"], "point"),  # parsed, never evaluated
    ("x**2", "0", "point"),
    ("x**2 + zz", [0], "loss"),
])
def test_line_derivatives_input_errors(loss, point, word):
    params = "x, y" if "y" in loss else "x"
    with pytest.raises(bifurc.InputError, match=word):
        line_derivatives(loss, params, point)


def test_figure_draws_the_two_cycle_where_gd_settles():
    """The double-well panel: GD's points for 0.02 ≤ s ≤ 0.1 (past its transient: 200 two-steps of
    multiplier 1 - 8s, e^-32 at least) lie on the 2-cycle 1 - 3s/8 ± √s/2 (by hand: a² = 6sλ²/C,
    λ = 2, C = 96) to O(s) relative (measured coefficient 0.5; bound 1.5s); the hardening panel:
    every run beyond the edge has left (NaN), every run at s ≤ -0.05 sits at the minimum (400
    transient steps of multiplier 1 - 2|s|: e^-40)."""
    from bifurc.figures.chen_bruna import figure_two_step

    well, hardening = figure_two_step(quick=True).axes[:2]
    (line,) = [g for g in well.lines if str(g.get_label()).startswith("GD")]
    s, delta = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    band = (s >= 0.02) & (s <= 0.1)
    assert band.sum() > 10
    relative = np.abs(delta[band] + 3 * s[band] / 8) / (np.sqrt(s[band]) / 2) - 1
    assert np.all(np.abs(relative) < 1.5 * s[band])
    (line,) = [g for g in hardening.lines if str(g.get_label()).startswith("GD")]
    s, delta = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    assert np.all(np.isnan(delta[s > 0])) and np.all(np.abs(delta[s <= -0.05]) < 1e-12)


def test_derive_lists_the_model():
    out = bifurc.eos.derive("two_step_updates")
    assert out["state"] == ["delta"] and sp.expand(out["results"]["condition"] - (3 * F3**2 - LAM * F4)) == 0
    assert out["fixed_points"][0][0] == {DELTA: 0}  # the minimum, multiplier 1 - eta lam
    assert sp.expand(out["fixed_points"][0][1][0] - (1 - ETA * LAM)) == 0


def test_transverse_coupling_changes_the_condition():
    """x²/2 + x⁴/4 + x²y + y²/4 at 0: along u = (1, 0), λ = 1, f3 = 0, f4 = 6, C = -6 (the line alone
    is subcritical); y has curvature μ = 1/2 and κ = ∂³L/∂x²∂y = 2, so by hand the centre manifold
    y = -κx²/(2μ) = -2x² turns f4 into 6 - 3κ²/μ = -18 and C into 18. Brute-force GD at s = 0.01
    settles on the 2-cycle x = ±√(6s/18), y = -2x² (relative O(s): bound 2s; measured 0.5s)."""
    results = two_step_updates().results
    kappa, mu, w = (sp.Symbol(n, real=True) for n in ("kappa", "mu", "w"))
    assert sp.expand(results["effective f4"] - (F4 - 3 * kappa**2 / mu)) == 0
    assert results["centre manifold"] == sp.Eq(w, -kappa * DELTA**2 / (2 * mu))
    line = line_derivatives("x**2/2 + x**4/4 + x**2*y + y**2/4", "x, y", [0, 0])
    assert (line.condition, line.coupling, line.effective) == (-6, 24, 18)
    s = 0.01
    eta, x, y = 2 * (1 + s), 0.01, 0.0
    for _ in range(4000):
        x, y = x - eta * (x + x**3 + 2 * x * y), y - eta * (x**2 + y / 2)
    half = math.sqrt(6 * s / 18)
    assert abs(abs(x) / half - 1) < 2 * s and abs(y / (-2 * x**2) - 1) < 2 * s
    # ½(xy - 1)²: a manifold of minima whose sharpness x² + y² changes along it (κ ≠ 0 on the
    # tangent, curvature 0): no centre manifold of this kind; at the balanced (1, 1) the sharpness
    # is least along the manifold, κ = 0, and the line's C = 48 is the whole condition
    assert line_derivatives("(x*y - 1)**2/2", "x, y", [2, sp.Rational(1, 2)]).coupling == sp.oo
    assert line_derivatives("(x*y - 1)**2/2", "x, y", [1, 1]).coupling == 0
