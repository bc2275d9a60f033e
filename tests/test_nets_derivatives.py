"""Exact derivatives of the numpy networks: gradients, Hessian-vector products, Gauss-Newton, NTK.

Finite differences are central with step h = 1e-5: truncation error h²|f'''|/6 ≈ 1e-11 and
rounding ε|f|/h ≈ 1e-11 relative to quantities of order 1; the multipliers √n of μP raise
the third derivatives by a few units, so 1e-6 relative is a safe bound (observed ≤ 1e-8).
"""

import numpy as np
import pytest

from bifurc import losses, nets

H = 1e-5
FD_RTOL = 1e-6


def _objective(activation, init, bias, n=4, loss=losses.logcosh):
    net = nets.MLP(input_dim=5, width=7, depth=3, activation=activation, init=init, bias=bias)
    return nets.Objective(net, nets.synthetic(n, 5, seed=2), loss)


def _point(objective, seed=1):
    rng = np.random.default_rng(seed)
    return objective.net.initial(0) + 0.3 * rng.standard_normal(objective.net.n_params)


def _relative(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


CASES = [(a, i, b) for a in ("linear", "tanh", "elu") for i in nets.INITS for b in (False, True)]


@pytest.mark.parametrize("activation, init, bias", CASES)
def test_gradient_matches_central_differences(activation, init, bias):
    obj = _objective(activation, init, bias)
    theta = _point(obj)
    basis = np.eye(theta.size)
    fd = np.array([(nets.evaluate(obj, theta + H * e).loss - nets.evaluate(obj, theta - H * e).loss) / (2 * H)
                   for e in basis])
    assert _relative(nets.evaluate(obj, theta).gradient, fd) < FD_RTOL


@pytest.mark.parametrize("activation, init, bias", CASES)
def test_hessian_vector_product_matches_differences_of_gradients(activation, init, bias):
    obj = _objective(activation, init, bias)
    theta = _point(obj)
    v = np.random.default_rng(3).standard_normal(theta.size)
    fd = (nets.evaluate(obj, theta + H * v).gradient - nets.evaluate(obj, theta - H * v).gradient) / (2 * H)
    assert _relative(nets.hessian_vector_product(nets.evaluate(obj, theta), v), fd) < FD_RTOL


def _jacobian(obj, theta):
    """∂f(x_i)/∂θ by central differences, shape (N, P)."""
    net, X = obj.net, obj.data.X
    return np.array([(nets.outputs(net, theta + H * e, X) - nets.outputs(net, theta - H * e, X)) / (2 * H)
                     for e in np.eye(theta.size)]).T


@pytest.mark.parametrize("activation, init, bias", [("tanh", "standard", True), ("elu", "mup", False)])
def test_gauss_newton_part_and_ntk_gram_match_the_jacobian(activation, init, bias):
    obj = _objective(activation, init, bias)
    theta = _point(obj)
    ev = nets.evaluate(obj, theta)
    J = _jacobian(obj, theta)
    n = obj.data.n
    v = np.random.default_rng(4).standard_normal(theta.size)
    curvature = 1 / np.cosh(ev.residual) ** 2  # log-cosh: l'' = sech^2
    assert _relative(nets.gauss_newton_vector_product(ev, v), J.T @ (curvature * (J @ v)) / n) < FD_RTOL
    assert _relative(nets.ntk_gram(ev), J @ J.T / n) < FD_RTOL
    # λmax of the N×N Gram matrix is λmax of the P×P kernel JᵀJ/N (same nonzero spectrum)
    assert nets.ntk_max(ev) == pytest.approx(np.linalg.eigvalsh(J.T @ J / n)[-1], rel=FD_RTOL)


def test_ntk_of_two_layer_linear_net_on_one_point_is_squared_gradient_norm():
    net = nets.MLP(input_dim=6, width=20, depth=2, activation="linear")
    data = nets.one_point(6, seed=1)
    theta = net.initial(seed=5)
    (U, _), (v, _) = net.unflatten(theta)
    x = data.X[0]
    ev = nets.evaluate(nets.Objective(net, data, losses.logcosh), theta)
    # f = vᵀUx: ∇_U f = v xᵀ, ∇_v f = Ux, so ‖∇f‖² = ‖v‖²‖x‖² + ‖Ux‖², with ‖x‖ = 1 (rounding only)
    assert nets.ntk_max(ev) == pytest.approx(v @ v.T + np.sum((U @ x) ** 2), rel=1e-13)


def test_hessian_at_a_minimum_is_gauss_newton_with_sharpness_the_ntk_eigenvalue():
    net = nets.MLP(input_dim=3, width=6, depth=3, activation="tanh")
    theta = net.initial(seed=2)
    x = nets.one_point(3, seed=1).X
    data = nets.Dataset(x, nets.outputs(net, theta, x), "target = output: p = 0")
    ev = nets.evaluate(nets.Objective(net, data, losses.logcosh), theta)
    dense = np.array([nets.hessian_vector_product(ev, e) for e in np.eye(theta.size)])
    gauss_newton = np.array([nets.gauss_newton_vector_product(ev, e) for e in np.eye(theta.size)])
    # l'(0) = 0 removes the term Σ l' ∇²f; l''(0) = 1 makes the sharpness ‖∇f‖² (MATH.md §2)
    assert np.max(np.abs(dense - gauss_newton)) < 1e-14 * np.max(np.abs(dense))
    assert np.linalg.eigvalsh(dense)[-1] == pytest.approx(nets.ntk_max(ev), rel=1e-12)


def test_same_seed_same_network_and_run():
    obj = _objective("tanh", "mup", True)
    a, b = obj.net.initial(7), obj.net.initial(7)
    assert np.array_equal(a, b) and not np.array_equal(a, obj.net.initial(8))
    ra, rb = nets.train(obj, a, 0.1, 5), nets.train(obj, b, 0.1, 5)
    assert np.array_equal(ra.q, rb.q) and np.array_equal(ra.theta, rb.theta)


def test_mup_output_layer_scale_and_parameter_layout():
    sp_net = nets.MLP(input_dim=3, width=64, depth=3, init="standard", bias=True)
    mup = nets.MLP(input_dim=3, width=64, depth=3, init="mup", bias=True)
    assert sp_net.n_params == mup.n_params == 3 * 64 + 64 + 64 * 64 + 64 + 64 + 1
    out_sp, out_mup = sp_net.layers[-1], mup.layers[-1]
    # effective output weights a·W: variance 1/n (SP) and 1/n² (μP)
    assert out_sp.weight_multiplier * out_sp.init_std == pytest.approx(64**-0.5)
    assert out_mup.weight_multiplier * out_mup.init_std == pytest.approx(1 / 64)


@pytest.mark.parametrize("kwargs, word", [({"width": 0}, "width"), ({"depth": 1}, "depth"),
                                          ({"activation": "relu"}, "activation"), ({"init": "ntk"}, "init")])
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        nets.MLP(**{"input_dim": 2, "width": 4, **kwargs})
