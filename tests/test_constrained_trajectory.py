"""Damian, Nichani & Lee's constrained trajectory: proj_M, PGD on M and GD's predicted run around it."""

import numpy as np
import pytest
import sympy as sp

import bifurc
from bifurc.eos.constrained_trajectory import (
    constrained_trajectory,
    loss_derivatives,
    predicted_dynamics,
    project,
)

#: A loss with a curved edge: on a = 0 the Hessian is diag(2 + b + c², 0, k), so at η = 1
#: M = {a = 0, b + c² ≤ 0}, and on the edge L = c²/10 + k(c - 1)²/2.
CURVED = "(2 + b + c**2)*a**2/2 - b/10 + {k}*(c - 1)**2/2"


def nearest_on_parabola(b0, c0):
    """The nearest point of b = -c² to (b0, c0): d/dc[(c² + b0)² + (c - c0)²] = 0, a cubic in c."""
    roots = np.roots([2.0, 0.0, 2 * b0 + 1, -c0])
    real = roots[np.abs(roots.imag) < 1e-12].real
    c = min(real, key=lambda r: (r * r + b0) ** 2 + (r - c0) ** 2)
    return np.array([0.0, -c * c, c])


@pytest.mark.parametrize("point", [(0.1, 0.3, 0.5), (-0.05, 0.2, -0.7), (0.02, 0.0, 1.2)])
def test_projection_onto_a_curved_edge(point):
    """Outside M (b + c² > 0) the nearest point of M is the nearest point of the parabola b = -c²
    in a = 0, found here from the cubic's roots; the solve is Newton's (quadratic), so it reaches
    rounding: 1e-12."""
    d = loss_derivatives(CURVED.format(k=sp.Rational(1, 2)), "a, b, c")
    assert np.abs(project(d, point, 1.0) - nearest_on_parabola(point[1], point[2])).max() < 1e-12


def test_projection_inside_keeps_the_point_off_u():
    """Inside M (b + c² < 0) only a = 0 binds: the projection sets a = 0 and keeps b, c."""
    d = loss_derivatives(CURVED.format(k=sp.Rational(1, 2)), "a, b, c")
    assert np.abs(project(d, [0.1, -0.5, 0.3], 1.0) - [0.0, -0.5, 0.3]).max() < 1e-14


def test_pgd_ends_at_the_constrained_minimum():
    """PGD on the curved edge goes to the KKT point: min c²/10 + k(c - 1)²/2 on b = -c² is
    c* = k/(k + 1/5) (= 5/7 at k = 1/2). Along the edge a step contracts c - c* by about
    1 - η(k + 1/5)/(1 + 4c*²) = 0.77 (the edge's tangent (1, -2c) shortens the step), so 150 steps
    leave 0.77^150 = 1e-17: 1e-10 is the projection's tolerance with room."""
    d = loss_derivatives(CURVED.format(k=sp.Rational(1, 2)), "a, b, c")
    run = constrained_trajectory(d, [0.05, -0.3, 0.0], 1.0, 150)
    c = 5 / 7
    assert np.abs(run.thetas[-1] - [0.0, -c * c, c]).max() < 1e-10
    assert np.all(run.sharpness <= 2 + 1e-12)  # never above the edge
    assert np.abs(run.sharpness[-1] - 2) < 1e-12  # and ends on it
    # the constrained loss never increases along PGD (a descent method on M)
    assert np.all(np.diff(run.loss) < 1e-15)


TH = sp.symbols("th1 th2 th3", real=True)


def cubic_loss(kappa, tau):
    """½(20 + κ n·θ)(u·θ)² - τ n·θ + 5(m·θ)²/2 with u, n, m = (2, 3, 6)/7, (3, -6, 2)/7, (6, 2, -3)/7."""
    u, n, m = (sp.Matrix(v).dot(sp.Matrix(TH)) / 7 for v in ((2, 3, 6), (3, -6, 2), (6, 2, -3)))
    return (20 + kappa * n) * u**2 / 2 - tau * n + 5 * m**2 / 2


@pytest.mark.parametrize("start", [(0.05, -0.05, 0.3), (0.05, 0.04, -0.2)])
def test_gd_is_the_prediction_on_a_cubic_loss(start):
    """For a cubic loss meeting the paper's conditions the prediction is exact: GD's θ is
    θ† + x u + (y/β)∇S to rounding over the issue's 200 steps, from a start whose θ† lies inside
    M (it climbs to the edge: progressive sharpening) or on the edge. Rounding of states of 0.3
    over 200 steps stays below 1e-13: 1e-12."""
    kappa, tau, eta = sp.Rational(3, 2), sp.Rational(1, 50), 0.1
    u, n, m = (np.array(v, dtype=float) / 7 for v in ((2, 3, 6), (3, -6, 2), (6, 2, -3)))
    d = loss_derivatives(cubic_loss(kappa, tau), TH)
    theta0 = start[0] * u + start[1] / float(kappa) * n + start[2] * m
    thetas = [theta0]
    for _ in range(200):
        thetas.append(thetas[-1] - eta * d.grad(thetas[-1]))
    run = constrained_trajectory(d, theta0, eta, 200)
    prediction = predicted_dynamics(run, theta0)
    assert np.abs(np.array(thetas) - prediction.thetas).max() < 1e-12
    assert np.abs(run.beta - float(kappa) ** 2).max() < 1e-12
    assert np.abs(run.alpha - float(kappa * tau)).max() < 1e-12
    # the run crosses the edge: the cubic term acts
    assert max(np.linalg.eigvalsh(d.hess(t))[-1] for t in thetas) > 20


def test_the_edge_map_is_the_derived_updates_on_the_edge():
    """With θ† on the edge throughout (start above it), x' = -(1 + ηy)x, y' = y + η(α - βx²/2) and
    the derived updates are the same numbers (S(θ†) = 2/η, -∇S·p = ηα to the projection's 1e-12)."""
    d = loss_derivatives(cubic_loss(1, sp.Rational(1, 100)), TH)
    u, n = (np.array(v, dtype=float) / 7 for v in ((2, 3, 6), (3, -6, 2)))
    theta0 = 0.05 * u + 0.02 * n
    run = constrained_trajectory(d, theta0, 0.1, 100)
    derived, mapped = predicted_dynamics(run, theta0), predicted_dynamics(run, theta0, edge_map=True)
    assert np.abs(derived.x - mapped.x).max() < 1e-12 and np.abs(derived.y - mapped.y).max() < 1e-12


@pytest.mark.parametrize("call, word", [
    (lambda d: project(d, [0.0, 0.0], 1.0), "theta"),
    (lambda d: project(d, [0.0, 0.0, 0.0], -1.0), "eta"),
    (lambda d: constrained_trajectory(d, [0.0, 0.0, 0.0], 1.0, -3), "steps"),
])
def test_input_errors(call, word):
    d = loss_derivatives(CURVED.format(k=1), "a, b, c")
    with pytest.raises(bifurc.InputError, match=word):
        call(d)


def test_a_double_top_eigenvalue_is_reported():
    """S and u are not differentiable where the top eigenvalue is double (H = 2I): said, not iterated on."""
    d = loss_derivatives("a**2 + b**2", "a, b")
    with pytest.raises(ArithmeticError, match="not simple"):
        project(d, [0.1, 0.2], 1.0)


@pytest.mark.parametrize("loss, params, word", [("a**2 + zz", "a", "loss"), ("a**2", "a, 1b", "params"),
                                                ("__import__('os')", "a", "loss")])
def test_loss_input_errors(loss, params, word):
    with pytest.raises(bifurc.InputError, match=word):
        loss_derivatives(loss, params)
