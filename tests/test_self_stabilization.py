"""Damian, Nichani & Lee's self-stabilization map against brute-force GD in parameter space."""

import json

import numpy as np
import pytest
import sympy as sp
from helpers import outcome

import bifurc
from bifurc.eos.self_stabilization import reference_point, self_stabilization

TH = sp.symbols("th1 th2 th3", real=True)
#: Two orthonormal frames (u, n, m) with no vector on a coordinate axis.
FRAMES = {"thirds": ((1, 2, 2), (2, 1, -2), (2, -2, 1), 3),
          "sevenths": ((2, 3, 6), (3, -6, 2), (6, 2, -3), 7)}


def frame(name):
    *vectors, scale = FRAMES[name]
    return [sp.Matrix(v) / scale for v in vectors]


def cubic_loss(name, kappa, tau, lam=5):
    """½(2/η + κ n·θ)(u·θ)² - τ n·θ + ½λ(m·θ)² at η = 1/10: S changes linearly along n, top eigenvector u."""
    eta = sp.Rational(1, 10)
    u, n, m = (v.dot(sp.Matrix(TH)) for v in frame(name))
    return (2 / eta + kappa * n) * u**2 / 2 - tau * n + lam * m**2 / 2


def gd(loss, theta0, steps, eta):
    """Brute-force GD on the loss's sympy gradient."""
    grad = sp.lambdify(TH, [sp.diff(loss, t) for t in TH], modules="numpy")
    thetas = [np.asarray(theta0, dtype=float)]
    for _ in range(steps):
        thetas.append(thetas[-1] - eta * np.array(grad(*thetas[-1]), dtype=float))
    return np.array(thetas)


def test_the_derived_map_is_the_papers():
    x, y, eta, alpha, beta = (sp.Symbol(s, real=True) for s in "x y eta alpha beta".split())
    x1, y1 = self_stabilization().map.updates
    assert sp.expand(x1 - (-(1 + eta * y) * x)) == 0
    assert sp.expand(y1 - (y + eta * (alpha - beta * x**2 / 2))) == 0


@pytest.mark.parametrize("name, kappa, tau", [("thirds", 1, sp.Rational(1, 100)),
                                              ("sevenths", sp.Rational(3, 2), sp.Rational(1, 50))])
def test_reference_point_derives_the_constants(name, kappa, tau):
    u, n, _ = frame(name)
    ref = reference_point(cubic_loss(name, kappa, tau), "th1, th2, th3", [0, 0, 0])
    # by hand: S = 2/eta + kappa n.theta on u.theta = 0, so grad S = kappa n, alpha = tau kappa
    assert ref.eta == sp.Rational(1, 10) and sp.Matrix(ref.u) == u
    assert sp.Matrix(ref.grad_s) == kappa * n
    assert ref.alpha == tau * kappa and ref.beta == kappa**2
    assert all(v == 0 for v in ref.conditions.values())


@pytest.mark.parametrize("name, kappa, tau", [("thirds", 1, 0.01), ("sevenths", 1.5, 0.02)])
def test_map_equals_parameter_space_gd_on_a_cubic_loss(name, kappa, tau):
    """Exact reduction: GD's (u.θ, κ n.θ) is the map's orbit to rounding over 200 steps. The two
    are one polynomial recurrence in different coordinates; rounding (1e-17 on states of 0.1)
    grows by the map's neutral cycles, not beyond 1e-14 in 200 steps: 1e-12 is the issue's bound."""
    u, n, _ = (np.array(v, dtype=float).ravel() for v in frame(name))
    x0, y0 = 0.05, -0.05
    thetas = gd(cubic_loss(name, kappa, sp.nsimplify(tau)), x0 * u + y0 / kappa * n, 200, 0.1)
    xy = np.column_stack([thetas @ u, kappa * thetas @ n])
    orbit = bifurc.orbit(self_stabilization().map, [x0, y0], 201,
                         params={"eta": 0.1, "alpha": tau * kappa, "beta": kappa**2})
    assert np.abs(xy - orbit).max() < 1e-12
    assert xy[:, 1].max() > 0.5 * abs(y0)  # the run crosses the edge (y > 0): the cubic term acts


def test_one_step_of_gd_on_a_non_cubic_loss_is_the_map_to_third_order():
    """The exp loss's cubic expansion is the cubic loss's; its quartic terms change one step by
    O(ε³) at x, y = O(ε), α = O(ε²): halving ε divides the one-step error by 8 (order 3 ± 0.3)."""
    u, n, m = (v.dot(sp.Matrix(TH)) for v in frame("thirds"))
    uv, nv = (np.array(v, dtype=float).ravel() for v in frame("thirds")[:2])
    errors = []
    for eps in (0.02, 0.01, 0.005):
        tau = sp.nsimplify(eps) ** 2
        loss = 10 * sp.exp(n / 20) * u**2 + u**4 / 24 - tau * n + 5 * m**2 / 2
        x0, y0 = eps, 0.7 * eps
        thetas = gd(loss, x0 * uv + y0 * nv, 1, 0.1)
        one = bifurc.orbit(self_stabilization().map, [x0, y0], 2,
                           params={"eta": 0.1, "alpha": float(tau), "beta": 1.0})[1]
        errors.append(np.abs(np.array([thetas[1] @ uv, thetas[1] @ nv]) - one).max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 3) < 0.3), orders


def test_conditions_report_a_loss_outside_the_papers():
    """A (u.θ)³ term makes ∇S·u = ∇³L[u, u, u] = 6 ≠ 0: reported, not hidden."""
    u = frame("thirds")[0].dot(sp.Matrix(TH))
    ref = reference_point(cubic_loss("thirds", 1, sp.Rational(1, 100)) + u**3, "th1, th2, th3", [0, 0, 0])
    assert ref.conditions["grad S . u"] == 6


@pytest.mark.parametrize("loss, point, word", [
    ("th1**2 + th2**2*th1", [0], "point"),
    ("th1**2 + th2**2 + th1**3", [0, 0], "point"),  # top eigenvalue 2 is double
    ("th1**2 + th2**2/2", [0, 0], "loss"),  # quadratic: grad S = 0
    ("th1**2 + th2**3", [0, "__import__('os')"], "point"),  # parsed, never evaluated
    ("th1**2 + th2**3", "0, 0", "point"),
    ("th1**2 + zz", [0, 0], "loss"),
])
def test_reference_point_input_errors(loss, point, word):
    with pytest.raises(bifurc.InputError, match=word):
        reference_point(loss, "th1, th2", point)


def test_derive_json_against_the_closed_forms(capsys):
    """`bifurc derive self_stabilization --json`: the map, the fixed points (±√(2α/β), -2/η) with
    multipliers 1 ± √(2α)η, and the 2-cycle x = ±√(2α/β), y = 0 with multipliers 1 - 2αη² ± 2iη√(2α)."""
    status, out, _ = outcome(capsys, ["derive", "self_stabilization", "--json"])
    assert status == 0
    data = json.loads(out)
    x, y = sp.symbols("x y", real=True)
    eta, alpha, beta = sp.symbols("eta alpha beta", positive=True)
    names = {"x": x, "y": y, "eta": eta, "alpha": alpha, "beta": beta, "I": sp.I}

    def read(text):
        return sp.sympify(text, locals=names)

    assert sp.expand(read(data["map"]["x"]) + (1 + eta * y) * x) == 0
    assert sp.expand(read(data["map"]["y"]) - y - eta * (alpha - beta * x**2 / 2)) == 0
    amplitude = sp.sqrt(2 * alpha / beta)
    points = {(sp.simplify(read(p["x"]) - s * amplitude) == 0, read(p["y"]) == -2 / eta)
              for p, _ in data["fixed_points"] for s in (1, -1)}
    assert (True, True) in points and len(data["fixed_points"]) == 2
    for _, multipliers in data["fixed_points"]:
        shift = sp.sqrt(2 * alpha) * eta
        assert {sp.simplify(read(m) - 1) for m in multipliers} == {shift, -shift}
    cycle = next(o for o in data["period_two"]["orbits"] if all(read(p["y"]) == 0 for p in o["points"]))
    assert {sp.simplify(read(p["x"]) ** 2 - amplitude**2) for p in cycle["points"]} == {0}
    expected = {1 - 2 * alpha * eta**2 + s * 2 * sp.I * eta * sp.sqrt(2 * alpha) for s in (1, -1)}
    assert {sp.simplify(read(m)) for m in cycle["multipliers"]} == {sp.simplify(e) for e in expected}


def test_figure_shows_the_four_stages():
    """The figure's GD sharpness starts below 2/η, rises above it (stages 1-2) and returns below
    (3-4); the map's 2/η + y is the linear part of S: they differ by the curvature's second-order
    part, x²/2 from (u·θ)⁴/24 (the largest |x| read from the left panel), plus the map's own O(ε²)
    = 0.01 drift from GD over the cycle (ε = 0.1)."""
    from bifurc.figures.beyond import figure_self_stabilization

    fig = figure_self_stabilization(quick=True)
    (displacement,) = [line for line in fig.axes[0].lines if str(line.get_label()).startswith("GD")]
    largest = np.abs(np.asarray(displacement.get_ydata())).max()
    ax = fig.axes[1]
    (gd,) = [line for line in ax.lines if str(line.get_label()).startswith("GD")]
    (mapped,) = [line for line in ax.lines if str(line.get_label()).startswith("map")]
    sharp = np.asarray(gd.get_ydata())
    assert sharp[0] < 20 < sharp.max() and sharp[-1] < 20
    assert np.abs(np.asarray(mapped.get_ydata()) - sharp).max() < largest**2 / 2 + 0.01


def test_figure_loss_panel_follows_the_constrained_prediction():
    """The third panel: GD's loss against L(θ†) + x²/η. The excess x²/η is O(ε²) and the
    prediction's error O(ε³) (the damian/constrained-trajectory check measures both, error ≈ 0.8ε
    times the largest excess at ε = 0.1): the error stays below 2ε = 0.2 of the largest excess,
    while L(θ†) alone misses by the whole excess."""
    from bifurc.figures.beyond import figure_self_stabilization

    ax = figure_self_stabilization(quick=True).axes[2]
    lines = {str(line.get_label()).split(":")[0]: np.asarray(line.get_ydata(), dtype=float)
             for line in ax.lines}
    gd, predicted, pgd = lines["GD"], lines["predicted"], lines["PGD"]
    excess = np.abs(predicted - pgd).max()
    assert np.abs(gd - predicted).max() < 0.2 * excess
    assert np.abs(gd - pgd).max() > 0.5 * excess
