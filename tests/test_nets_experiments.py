"""The mathematics under the network experiments: the Hessian split, the alignment ratio, the
power-law fit, PCA of a planar trajectory, the parabola fit, the phase criteria, the spread and
the shared curve of several runs."""

import numpy as np
import pytest

from bifurc import losses, nets
from bifurc.errors import InputError
from bifurc.nets.kalra import sharpening_phases
from bifurc.nets.layerwise import fit_power_law, layer_alignment, product_alignment
from bifurc.nets.lowell_kastner import hessian_split
from bifurc.nets.song_yun import curve_spread, shared_curve
from bifurc.nets.zhu import fit_parabola, oscillation_first, principal_plane


@pytest.fixture(scope="module")
def evaluation():
    net = nets.MLP(input_dim=5, width=7, depth=3, activation="tanh", bias=True)
    objective = nets.Objective(net, nets.synthetic(6, 5, seed=1), losses.logcosh)
    return nets.evaluate(objective, net.initial(seed=2) * 1.5)


def test_gauss_newton_plus_rest_is_the_hessian_by_finite_differences(evaluation):
    ev = evaluation
    v = np.random.default_rng(0).standard_normal(ev.theta.size)
    v /= np.linalg.norm(v)
    net, X, h = ev.objective.net, ev.objective.data.X, 1e-4
    f_plus, f_0, f_minus = (nets.outputs(net, ev.theta + s * h * v, X) for s in (1, 0, -1))
    jv = (f_plus - f_minus) / (2 * h)  # Jv, error O(h^2) = 1e-8
    second = (f_plus - 2 * f_0 + f_minus) / h**2  # v^T grad^2 f_i v, error O(h^2) + O(eps/h^2) = 1e-8
    slope, curvature = np.tanh(ev.residual), 1 - np.tanh(ev.residual) ** 2  # log-cosh: l', l''
    vGv = np.mean(curvature * jv**2)  # G = (1/N) sum l'' grad f grad f^T
    vRv = np.mean(slope * second)  # H = (1/N) sum l' grad^2 f
    fd = (nets.evaluate(ev.objective, ev.theta + h * v).gradient
          - nets.evaluate(ev.objective, ev.theta - h * v).gradient) / (2 * h)
    tol = 1e-6  # the differences' O(h^2) = 1e-8 truncation and O(eps/h^2) = 2e-8 rounding, with room
    assert v @ nets.gauss_newton_vector_product(ev, v) == pytest.approx(vGv, abs=tol)
    assert vGv + vRv == pytest.approx(v @ fd, abs=tol)  # G + H = the Hessian
    assert v @ nets.hessian_vector_product(ev, v) == pytest.approx(v @ fd, abs=tol)
    assert abs(vRv) > 100 * tol  # the rest is not negligible here: the identity tests both parts


def test_hessian_split_against_dense_matrices():
    net = nets.MLP(input_dim=3, width=4, depth=3, activation="elu")
    objective = nets.Objective(net, nets.synthetic(5, 3, seed=0), losses.logcosh)
    ev = nets.evaluate(objective, net.initial(seed=3) * 2)
    eye = np.eye(net.n_params)
    Hess = np.column_stack([nets.hessian_vector_product(ev, e) for e in eye])
    G = np.column_stack([nets.gauss_newton_vector_product(ev, e) for e in eye])
    split = hessian_split(ev, tol=1e-12)
    # Lanczos to tol 1e-12 against LAPACK: agreement to rounding of the products (1e-10 relative)
    assert split.hessian == pytest.approx(np.linalg.eigvalsh(Hess)[-1], rel=1e-9)
    assert split.gauss_newton == pytest.approx(np.linalg.eigvalsh(G)[-1], rel=1e-9)
    assert split.rest == pytest.approx(np.abs(np.linalg.eigvalsh(Hess - G)).max(), rel=1e-9)


def test_alignment_is_one_for_an_aligned_rank_one_chain_and_known_otherwise():
    rng = np.random.default_rng(0)
    a, b, c = (x / np.linalg.norm(x) for x in rng.standard_normal((3, 4)))
    chain = [3 * np.outer(b, a), 2 * np.outer(c, b)]  # b -> b, c: every factor passes the last one's output
    assert product_alignment(chain) == pytest.approx(1.0, abs=1e-14)
    # diag(1, 2) then a row (cos t, sin t): ||row diag|| / (2 * 1) = sqrt(cos^2 + 4 sin^2) / 2
    t = 0.3
    assert product_alignment([np.diag([1.0, 2.0]), np.array([[np.cos(t), np.sin(t)]])]) == pytest.approx(
        np.sqrt(np.cos(t) ** 2 + 4 * np.sin(t) ** 2) / 2, abs=1e-15
    )
    with pytest.raises(InputError, match="matrices"):
        product_alignment([np.eye(2), np.eye(3)])


def test_layer_ratios_telescope_to_the_input_gradient(evaluation):
    ev = evaluation
    a = layer_alignment(ev)
    assert np.all((a.ratios > 0) & (a.ratios <= 1 + 1e-12))
    # prod r_l = ||df/dx|| / prod ||J_l||: df/dx by central differences in x (error O(h^2) ~ 1e-10)
    X, h = ev.objective.data.X, 1e-5
    net, theta = ev.objective.net, ev.theta
    grad_x = np.column_stack([
        (nets.outputs(net, theta, X + h * e) - nets.outputs(net, theta, X - h * e)) / (2 * h)
        for e in np.eye(X.shape[1])
    ])
    expected = np.linalg.norm(grad_x, axis=1) / a.norms.prod(axis=1)
    np.testing.assert_allclose(a.network, expected, rtol=1e-8)


def test_power_law_fit_recovers_a_known_exponent():
    D = np.array([10, 20, 40, 80, 160.0])
    fit = fit_power_law(D, 0.3 * D**0.7)
    assert fit.exponent == pytest.approx(0.7, abs=1e-12)  # exact data: rounding only
    assert fit.coefficient == pytest.approx(0.3, rel=1e-12)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    noisy = fit_power_law(D, 0.3 * D**0.7 * np.array([1.1, 0.9, 1.05, 0.95, 1.0]))
    assert 0.9 < noisy.r_squared < 1  # 10% scatter over a decade and a half of D
    with pytest.raises(InputError, match="positive"):
        fit_power_law([1, 2, 3], [1, -1, 2])


def test_pca_of_a_planar_trajectory_has_fraction_one_and_parabola_fit_is_exact():
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.standard_normal((50, 2)))
    t = np.arange(200)
    u = (-1.0) ** t * (1 + 1e-4 * t)  # period-2 oscillation with a slowly growing amplitude
    v = 0.5 - 3.0 * u**2  # symmetric about the drift axis, as sigma = a - k e^2 of the minimalist model
    points = 7.0 + np.column_stack([u, v]) @ basis.T
    plane = principal_plane(points)
    assert plane.fraction == pytest.approx(1.0, abs=1e-12)  # rank two: the rest is rounding
    osc, drift = oscillation_first(plane.coords)
    fit = fit_parabola(osc, drift)
    # the steps tilt from u by the drift per step over the oscillation step,
    # |dv|/|du| = 3(2a)(1e-4)/(2a) = 3e-4, and the fit's residual is of that order
    assert fit.residual < 1e-3
    assert fit.line_residual > 0.1


def test_parabola_fit_of_a_noisy_parabola_has_the_noise_level():
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, 4000)
    noise = 0.01 * rng.standard_normal(u.size)
    fit = fit_parabola(u, 1 - u**2 + noise)
    # residual / std(v): std(1 - u^2) = sqrt(4/45) = 0.298 for u uniform; noise 0.01: ratio 0.0335
    assert fit.residual == pytest.approx(0.01 / np.sqrt(4 / 45 + 1e-4), rel=0.05)


def test_sharpening_phases_on_a_constructed_history():
    eta = 0.1
    steps = np.arange(0, 400, 2)
    s = np.where(steps < 20, 0.8 - 0.02 * steps, np.minimum(0.4 + 0.01 * (steps - 20), 1.0))
    loss = np.exp(-np.arange(400) / 100) * (1 + 0.1 * (np.arange(400) >= 300) * (-1.0) ** np.arange(400))
    ph = sharpening_phases(steps, 2 * s / eta, loss, eta, early=50)
    assert ph.initial == pytest.approx(0.8) and ph.minimum == pytest.approx(0.4)
    assert ph.reduction == pytest.approx(0.5) and ph.reduced and ph.reached_edge
    assert ph.at_edge and ph.late_rises == pytest.approx(0.5, abs=0.02)  # alternating loss: half rise
    monotone = sharpening_phases(steps, 2 * s / eta, np.exp(-np.arange(400) / 100), eta)
    assert not monotone.at_edge


def test_curve_spread_is_zero_on_one_curve_and_the_gap_otherwise():
    p = np.linspace(-2, 2, 401)
    q = 1 / (1 + p**2)
    assert curve_spread([(p, q), (p[::3], q[::3])]) < 1e-2  # medians of different samples: bin width
    assert curve_spread([(p, q), (p, 1.2 * q)]) == pytest.approx(0.2 / 1.1, rel=1e-12)


def test_shared_curve_is_one_on_one_curve_and_falls_for_separate_curves_or_no_curve():
    p = np.linspace(0.01, 2, 2000)
    q = 1 / (1 + p**2)
    # one curve sampled by two runs: the binned median misses the curve by at most its variation over a
    # bin; with 200 points per bin the residual is that of a step fit, (bin range)^2/12 per bin
    one = shared_curve([(p, q), (-p[::3], q[::3])], bins=200)
    assert one > 0.999
    # two runs on parallel curves q and q + d: half the points miss the shared median by d/2 each
    d = 0.5
    two = shared_curve([(p, q), (p, q + d)], bins=200)
    total = np.var(np.concatenate([q, q + d]))
    assert two == pytest.approx(1 - (d / 2) ** 2 / total, abs=1e-3)
    # q independent of |p|: about 0 (10 bins of 400 points: the medians fit noise of order 1/400 each)
    rng = np.random.default_rng(0)
    assert abs(shared_curve([(rng.uniform(-1, 1, 4000), rng.standard_normal(4000))])) < 0.01
