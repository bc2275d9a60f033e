"""Convolutional and residual networks: exact derivatives, and the identities that tie them to the MLP.

Finite differences are central with step h = 1e-5: truncation h²|f'''|/6 ≈ 1e-11 and
rounding ε|f|/h ≈ 1e-11, relative to quantities of order 1 (the μP multipliers √n ≤ 2.5
here raise the third derivatives by a few units), so 1e-6 relative is a safe bound for an
O(h²) error (observed ≤ 1e-8). Structural identities hold to rounding: 1e-13 relative.
"""

import numpy as np
import pytest

from bifurc import losses, nets
from bifurc.analysis.spectrum import power_spectrum
from bifurc.nets.layers import Conv2d, Residual
from bifurc.nets.sharpness_dynamics import period_two

H = 1e-5
FD_RTOL = 1e-6
EXACT = 1e-13

NETWORKS = {
    "cnn-tanh-sp": lambda: nets.CNN((5, 5, 2), channels=(3, 4), activation="tanh"),
    "cnn-elu-mup-bias-stride-flatten": lambda: nets.CNN((5, 5, 2), channels=(3, 2), stride=2, padding=1,
                                                         activation="elu", init="mup", bias=True,
                                                         head="flatten"),
    "resnet-dense-tanh-mup-bias": lambda: nets.ResNet(5, 6, blocks=2, activation="tanh", init="mup",
                                                      bias=True),
    "resnet-conv-elu-sp": lambda: nets.ResNet((4, 4, 2), 3, blocks=2, activation="elu"),
}


def _objective(net, n=4, loss=losses.logcosh):
    return nets.Objective(net, nets.synthetic(n, net.input_dim, seed=2), loss)


def _point(net, seed=1):
    """Away from the initialisation, so that no structure (zero biases) hides a term."""
    return net.initial(0) + 0.3 * np.random.default_rng(seed).standard_normal(net.n_params)


def _relative(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _jacobian(net, theta, X):
    """∂f(x_i)/∂θ by central differences, shape (N, P)."""
    return np.array([(nets.outputs(net, theta + H * e, X) - nets.outputs(net, theta - H * e, X)) / (2 * H)
                     for e in np.eye(theta.size)]).T


@pytest.mark.parametrize("name", NETWORKS)
def test_gradient_and_hessian_vector_product_match_central_differences(name):
    obj = _objective(NETWORKS[name]())
    theta = _point(obj.net)
    ev = nets.evaluate(obj, theta)
    loss = lambda t: nets.evaluate(obj, t).loss
    fd = np.array([(loss(theta + H * e) - loss(theta - H * e)) / (2 * H) for e in np.eye(theta.size)])
    assert _relative(ev.gradient, fd) < FD_RTOL
    v = np.random.default_rng(3).standard_normal(theta.size)
    gradient = lambda t: nets.evaluate(obj, t).gradient
    fd_hv = (gradient(theta + H * v) - gradient(theta - H * v)) / (2 * H)
    assert _relative(nets.hessian_vector_product(ev, v), fd_hv) < FD_RTOL


@pytest.mark.parametrize("name", ["cnn-elu-mup-bias-stride-flatten", "resnet-conv-elu-sp"])
def test_ntk_gram_jvp_and_gauss_newton_match_the_jacobian(name):
    obj = _objective(NETWORKS[name]())
    theta = _point(obj.net)
    ev = nets.evaluate(obj, theta)
    J, n = _jacobian(obj.net, theta, obj.data.X), obj.data.n
    v = np.random.default_rng(4).standard_normal(theta.size)
    assert _relative(nets.ntk_gram(ev), J @ J.T / n) < FD_RTOL
    assert _relative(nets.jacobian_vector_product(ev, v), J @ v) < FD_RTOL
    curvature = 1 / np.cosh(ev.residual) ** 2  # log-cosh: l'' = sech^2
    assert _relative(nets.gauss_newton_vector_product(ev, v), J.T @ (curvature * (J @ v)) / n) < FD_RTOL


def test_convolution_equals_the_sum_over_the_kernel_window():
    """im2col against y[i,j,o] = a Σ_{u,v,c} W[o,u,v,c] x_pad[s i + u, s j + v, c] + c_b b[o]."""
    conv = Conv2d.scaled("hidden", (5, 6, 2), 3, kernel=3, stride=2, padding=1, init="mup", bias=True)
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal(conv.n_params), rng.standard_normal((2, 5, 6, 2))
    y, _ = conv.forward(w, x)
    W, b = conv.unpack(w)
    W = W.reshape(3, 3, 3, 2)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    ho, wo, _ = conv.output_shape
    assert (ho, wo) == (3, 3)  # (5 + 2 - 3)//2 + 1 and (6 + 2 - 3)//2 + 1
    direct = np.empty((2, ho, wo, 3))
    for i in range(ho):
        for j in range(wo):
            window = padded[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :]
            direct[:, i, j, :] = conv.weight_multiplier * np.einsum("nuvc,ouvc->no", window, W)
    direct += conv.bias_multiplier * b
    assert _relative(y, direct) < EXACT


@pytest.mark.parametrize("init, bias", [("standard", False), ("mup", True)])
def test_cnn_with_one_by_one_kernels_on_one_pixel_is_the_mlp(init, bias):
    cnn = nets.CNN((1, 1, 5), channels=(7, 7), kernel=1, padding=0, activation="tanh", init=init, bias=bias)
    mlp = nets.MLP(5, 7, depth=3, activation="tanh", init=init, bias=bias)
    # same layout (W as (out, in) row-major, then b), same scales, so the same initial vector
    assert cnn.n_params == mlp.n_params and np.array_equal(cnn.initial(3), mlp.initial(3))
    theta = _point(mlp)
    a, b = (nets.evaluate(_objective(net), theta) for net in (cnn, mlp))
    v = np.random.default_rng(5).standard_normal(theta.size)
    assert _relative(a.trace.output, b.trace.output) < EXACT
    assert _relative(a.gradient, b.gradient) < EXACT
    assert _relative(nets.hessian_vector_product(a, v), nets.hessian_vector_product(b, v)) < EXACT
    assert _relative(nets.ntk_gram(a), nets.ntk_gram(b)) < EXACT


def _branches(net):
    """(start of the block, offsets of W₁ and of W₂ within it) for each residual block."""
    return [(start, op.branch.offsets[0], op.branch.offsets[2])
            for op, (start, _) in zip(net.chain.ops, net.chain.offsets) if isinstance(op, Residual)]


@pytest.mark.parametrize("init", ["standard", "mup"])
def test_resnet_with_zeroed_branches_is_the_identity_plus_head(init):
    """Dense blocks: head(σ(stem x)) is the two-layer MLP; conv blocks: the one-layer CNN."""
    for resnet, plain in ((nets.ResNet(5, 6, blocks=3, init=init, bias=True),
                           nets.MLP(5, 6, depth=2, init=init, bias=True)),
                          (nets.ResNet((4, 4, 2), 3, blocks=2, init=init),
                           nets.CNN((4, 4, 2), channels=(3,), init=init))):
        theta = _point(resnet)
        for start, _, (a, b) in _branches(resnet):
            theta[start + a:start + b] = 0.0  # W₂ and its bias
        stem = next(o for o in resnet.chain.offsets if o[1] > o[0])
        head = resnet.chain.offsets[-1]
        reduced = np.concatenate([theta[slice(*stem)], theta[slice(*head)]])
        obj = _objective(resnet)
        ev = nets.evaluate(obj, theta)
        assert _relative(ev.trace.output, nets.outputs(plain, reduced, obj.data.X)) < EXACT
        # with W₂ = 0 nothing flows back through W₁: its gradient vanishes exactly, W₂'s does not
        for start, (a1, b1), (a2, b2) in _branches(resnet):
            assert np.all(ev.gradient[start + a1:start + b1] == 0)
            assert np.max(np.abs(ev.gradient[start + a2:start + b2])) > 1e-3


def test_lanczos_sharpness_of_a_cnn_is_the_dense_hessian_top_eigenvalue():
    obj = _objective(nets.CNN((4, 4, 1), channels=(3,), activation="tanh", bias=True), n=6)
    ev = nets.evaluate(obj, _point(obj.net))
    dense = np.array([nets.hessian_vector_product(ev, e) for e in np.eye(obj.net.n_params)])
    assert np.max(np.abs(dense - dense.T)) < EXACT * np.max(np.abs(dense))  # exact products are symmetric
    # ARPACK at tol = 0 converges to machine precision: 1e-10 is generous
    assert nets.sharpness(ev).values[0] == pytest.approx(np.linalg.eigvalsh(dense)[-1], rel=1e-10)


@pytest.mark.parametrize("build, word", [
    (lambda: nets.CNN((4, 4)), "image"),
    (lambda: nets.CNN((4, 4, 1), channels=()), "channels"),
    (lambda: nets.CNN((4, 4, 1), head="max"), "head"),
    (lambda: nets.CNN((4, 4, 1), kernel=7, padding=0), "kernel"),
    (lambda: nets.CNN((4, 4, 1), activation="relu"), "activation"),
    (lambda: nets.ResNet((4, 4, 1), 3, kernel=2), "kernel"),
    (lambda: nets.ResNet(0, 3), "input_shape"),
    (lambda: nets.ResNet(4, 3, blocks=0), "blocks"),
    (lambda: nets.ResNet(4, 3, init="ntk"), "init"),
])
def test_bad_arguments_are_named(build, word):
    with pytest.raises(ValueError, match=word):
        build()


def test_spectrum_statistics_of_period_two_period_four_and_noise():
    t = np.arange(64)
    drift = 2 + 0.01 * t / 64  # the slow drift of the level lies below the band [1/10, 1/2]
    for series, peak, share in ((drift + 0.1 * (-1.0) ** t, 0.5, (0.999, 1.0)),
                                (drift + 0.1 * np.cos(np.pi * t / 2), 0.25, (0.0, 1e-3))):
        f, p = power_spectrum(series)
        assert f[-1] == 0.5 and f[1] == 1 / 64  # rfft of 64 samples: bins k/64 up to 1/2
        got_peak, got_share = period_two(f, p)
        assert got_peak == peak and share[0] <= got_share <= share[1]
    # white noise spreads its power: about 3 of the band's 27 bins lie in the peak at 1/2
    noise = np.random.default_rng(0).standard_normal(64)
    assert period_two(*power_spectrum(noise))[1] < 0.5
