"""Derived symbolic results against the answer key, ../shared/MATH.md (§1, §3-6)."""

import numpy as np
import sympy as sp

from bifurc import losses
from bifurc.analysis.orbits import orbit
from bifurc.eos import (
    alignment,
    canonical_map,
    cubic_map,
    degree2,
    fixed_points,
    minimalist,
    period_two,
    stability,
    two_layer_linear,
    two_step,
    uv_model,
)
from bifurc.eos.report import derive, to_json, to_latex

p, q, eta, y = (sp.Symbol(n, real=True) for n in "p q eta y".split())
f, lam, n, x = (sp.Symbol(s, real=True) for s in "f lam n x".split())


def test_two_layer_map_is_math_md_section_4():
    for loss in (losses.logcosh, losses.pseudo_huber):
        lp = loss.derivative
        r = loss.r
        p_next = p * (1 - 2 * r / q) + eta**2 * lp**2 * (p + y)
        q_next = q / (1 + eta**2 * lp**2 - 2 * eta**2 * q * lp * (p + y))
        derived = two_layer_linear(loss).map.updates
        assert sp.simplify(derived[0] - p_next) == 0
        assert sp.simplify(derived[1] - q_next) == 0


def test_h_tends_to_h0_as_a_limit():
    # MATH.md §1: h(0) = -1/(2 r''(0)) with r''(0) = -2/3 and -1
    for loss, r2 in ((losses.logcosh, sp.Rational(-2, 3)), (losses.pseudo_huber, sp.Integer(-1))):
        a = alignment(loss)
        assert sp.limit(a.h, p, 0) == -1 / (2 * r2) == a.h0
        # MATH.md §1 definition of h for p != 0
        r = loss.r
        assert sp.simplify(a.h + (p * r**3 / sp.diff(r, p) + p**2 * r**2) / 2) == 0
        # MATH.md §4: q* = 1 - eta^2/(2 r''(0)) + O(eta^4), sharpness 2/eta - eta/|r''(0)| + O(eta^3)
        assert sp.simplify((a.q_star - (1 - eta**2 / (2 * r2))).removeO()) == 0
        assert a.q_star.getO() == sp.O(eta**4)
        assert sp.simplify((a.limiting_sharpness - (2 / eta - eta / abs(r2))).removeO()) == 0


def test_q_star_of_the_iterated_map():
    # MATH.md §4 checked values: (q* - 1)/eta^2 = 0.7501 (log-cosh) and 0.4999 (pseudo-Huber) at
    # eta = 0.1, y = 1, q0 = 0.8; the O(eta^2) remainder is ~1e-4 there
    path = orbit(two_layer_linear(losses.logcosh).map, [0.5, 0.8], 1, transient=20000,
                 params={"eta": 0.1, "y": 1.0})
    assert abs((path[0, 1] - 1) / 0.01 - float(alignment(losses.logcosh).h0)) < 1e-3


def test_canonical_map_bifurcation():
    m = canonical_map(losses.logcosh)
    (fp,), unsolved = fixed_points(m)
    assert fp.point == {p: 0} and not unsolved
    (mu,) = fp.eigenvalues
    assert sp.simplify(mu - (1 - 2 / q)) == 0  # MATH.md §3
    st = stability(m, mu, "q")
    assert st["period_doubling"] == (1,)
    # MATH.md §3: stable exactly for q > 1
    assert [bool(st["stable"].subs(q, v)) for v in (0.5, 1, 1.001, 7)] == [False, False, True, True]
    # period-2 orbit {+-r-hat(q)}: the curve q = r(p), and its multiplier (MATH.md §3)
    assert sp.simplify(m.results["period-2 curve q(p)"] - losses.logcosh.r) == 0
    qs = np.array([0.3, 0.6, 0.9])
    ps = losses.logcosh.r_hat(qs)
    mult = sp.lambdify(p, m.results["period-2 multiplier on the curve"])(ps)
    rprime = (ps / np.cosh(ps) ** 2 - np.tanh(ps)) / ps**2  # independent r'(p) of tanh(p)/p
    assert np.allclose(mult, (1 + 2 * ps * rprime / qs) ** 2, rtol=1e-12)  # cancellation in r' ~1e-14
    # the compiled map has that 2-cycle: from near r-hat(q) it stays at +-r-hat(q)
    orb = orbit(m.map, ps[1] * 1.01, 2, transient=400, params={"q": 0.6})[:, 0]
    assert np.allclose(np.sort(orb), [-ps[1], ps[1]], rtol=1e-10)


def test_period_two_branch_stays_stable():
    # MATH.md §3: the orbit loses stability where -p r'/r = 1; -p r'/r = 1 - 2p/sinh(2p) (log-cosh)
    # and p^2/(1 + p^2) (pseudo-Huber), both in (0, 1) for p > 0. The slope is -1 + 2(-p r'/r).
    for loss, s in ((losses.logcosh, 1 - 2 * p / sp.sinh(2 * p)), (losses.pseudo_huber, p**2 / (1 + p**2))):
        slope = canonical_map(loss).results["period-2 slope on the curve"]
        assert sp.simplify((slope - (-1 + 2 * s)).rewrite(sp.exp)) == 0


def test_uv_fixed_points_are_math_md_section_6():
    for par, c2 in (("sp", x**2 / n), ("mup", x**2)):
        m = uv_model(par)
        delta = f - y
        assert sp.simplify(m.map.updates[0] - (f - eta * lam * delta + eta**2 * c2 * delta**2 * f)) == 0
        assert sp.simplify(m.map.updates[1] - (lam + eta * c2 * delta * (eta * lam * delta - 4 * f))) == 0
        solved, unsolved = fixed_points(m)
        assert not unsolved
        line = [fp for fp in solved if fp.free]
        assert len(line) == 1 and line[0].point[f] == y and line[0].free == ("lam",)
        assert stability(m, 1 - eta * lam, "lam")["period_doubling"] == (2 / eta,)
        assert any(fp.point == {f: 0, lam: 0} for fp in solved)
        points = [fp.point for fp in solved if not fp.free and fp.point[f] != 0]
        values = {eta: 0.1, y: 1.0, n: 8.0, x: 1.3}
        deltas = sorted(float(((pt[f] - y) * eta * sp.sqrt(c2)).subs(values)) for pt in points)
        assert np.allclose(deltas, [-2, 2], rtol=1e-14)  # Delta = +-2/(eta c)
        assert all(sp.simplify(pt[lam] - eta * c2 * (pt[f] - y) * pt[f]) == 0 for pt in points)
    # the origin is a saddle for 0 < eta c y < 1: eigenvalues (1 -+ eta c y)^2 type
    origin = next(fp for fp in fixed_points(uv_model("mup"))[0] if fp.point == {f: 0, lam: 0})
    values = sorted(float(e.subs({eta: 0.1, x: 1, y: 1})) for e in origin.eigenvalues)
    assert values[0] < 1 < values[1]


def test_zhu_sharpness_and_two_step():
    xs, ys = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    # MATH.md §5
    assert sp.expand(minimalist().results["sharpness at a minimum"] - 2 * (xs**2 + ys**2)) == 0
    assert sp.expand(degree2().results["sharpness at a minimum"] - (xs**2 + ys**2)) == 0
    assert sp.expand(minimalist().results["loss"] - (1 - xs**2 * ys**2) ** 2 / 4) == 0
    assert two_step(minimalist()).curve == "parabola" and two_step(degree2()).curve == "ellipse"


def test_zhu_sharpness_concentration():
    # MATH.md §5 (Theorem 3.1): from x^2 + y^2 in [1.02, 2]/eta, xy in [0.8, 1.2] GD ends with
    # sharpness in (2/eta - 20 eta/3, 2/eta); the degree-2 model ends far below 2/eta
    eta_v = 0.05
    for s0, k in ((1.02, 0.8), (1.5, 1.2), (2.0, 1.0)):
        s = s0 / eta_v
        x0 = np.sqrt((s + np.sqrt(s * s - 4 * k * k)) / 2)
        end = orbit(minimalist().map, [x0, k / x0], 1, transient=20000, params={"eta": eta_v})[0]
        sharp = 2 * (end[0] ** 2 + end[1] ** 2)
        assert 2 / eta_v - 20 * eta_v / 3 < sharp < 2 / eta_v
    x0 = np.sqrt((1.5 / 0.05 + np.sqrt((1.5 / 0.05) ** 2 - 4)) / 2)
    end = orbit(degree2().map, [x0, 1 / x0 * 0.9], 1, transient=20000, params={"eta": 0.05})[0]
    assert end[0] ** 2 + end[1] ** 2 < 0.9 * 2 / 0.05


def test_cubic_map_period_two_is_an_attracting_cycle():
    m = cubic_map()
    orb = period_two(m)
    a, b, e, th = (sp.Symbol(s, real=True) for s in "a b eta theta".split())
    values = {a: 1.0, b: 1.0, e: 0.55}  # eta*a*b just above the period doubling
    points = np.array([complex(pt.subs(values)) for pt in orb.points])
    points = points[np.abs(points.imag) < 1e-14].real
    path = orbit(m.map, 1.05, 2, transient=2000, params={"eta": 0.55, "a": 1.0, "b": 1.0})[:, 0]
    assert abs(path[0] - path[1]) > 0.1  # a genuine 2-cycle
    # each point of the attracting cycle is a derived period-2 point (contraction makes it ~1e-15)
    assert all(np.min(np.abs(points - v)) < 1e-12 for v in path)
    # GD of 1/2 (a theta^2 - b)^2 by hand (MATH.md §6)
    assert sp.expand(m.map.updates[0] - th * (1 + 2 * e * a * b - 2 * e * a**2 * th**2)) == 0


def test_derive_report_renders():
    data = derive("canonical", "pseudo_huber")
    assert data["alignment"]["h(0)"] == sp.Rational(1, 2)
    assert '"h(0)": "1/2"' in to_json(data)
    assert "\\begin{align*}" in to_latex(data)


def test_period_two_equations_of_a_plane_map():
    from bifurc.analysis.periods import periodic_orbits

    model = degree2()
    xs, ys, e = (sp.Symbol(s, real=True) for s in "x y eta".split())
    equations = [eq.lhs.subs(e, sp.Rational(3, 10)) for eq in period_two(model).condition]
    residual = sp.lambdify((xs, ys), equations)
    orbits = periodic_orbits(model.map, 2, [(-5, 5), (-5, 5)], {"eta": 0.3}, starts=16)
    assert orbits
    for o in orbits:
        for point in o.points:
            # Newton stops at 1e-12; the polynomials have terms up to ~1e3 at |x|, |y| < 3
            assert np.all(np.abs(residual(*point)) < 1e-9)
    # the fixed points (xy = 1) were factored out: the equations do not vanish there
    assert np.all(np.abs(residual(2.0, 0.5)) > 1e-3)


def test_zhu_end_point_is_derived_from_the_invariant_curve():
    # q* = 1 + eta^2/4: the sharpness ends at 2/eta - eta/2 (the verify check confirms it
    # against GD)
    from bifurc.eos import end_point, minimalist

    end = end_point(minimalist())
    eta = sp.Symbol("eta", real=True)
    assert sp.simplify(end.q_star.removeO() - (1 + eta**2 / 4)) == 0 and end.gap == sp.Rational(1, 2)


def test_a_fixed_point_equation_without_closed_form_is_left_to_the_numeric_solver():
    """x ↦ cos x: sympy cannot solve x = cos x, so the equation is listed as unsolved (not a
    NotImplementedError); the numeric solver finds the Dottie number 0.7390851332151607 with
    multiplier -sin x* = -√(1 - x*²) (since cos x* = x*)."""
    import numpy as np

    from bifurc import Map
    from bifurc.eos import ReducedModel, fixed_points, numeric_fixed_points

    model = ReducedModel("cosine", Map.from_expressions({"x": "cos(x)"}, name="cosine"), ())
    solved, unsolved = fixed_points(model)
    assert solved == () and len(unsolved) == 1
    (orbit,) = numeric_fixed_points(model, [(-2.0, 2.0)], starts=10).orbits
    x = orbit.points[0, 0]
    assert abs(x - 0.7390851332151607) < 1e-15  # Newton converges quadratically to the float
    assert abs(orbit.multipliers[0] + np.sqrt(1 - x * x)) < 1e-15
