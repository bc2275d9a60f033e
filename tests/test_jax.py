"""bifurc.jax: every curvature operator equals the dense matrix jax.hessian / jax.jacfwd form on a tiny
model, Lanczos finds its top eigenvalues, a two-layer linear net trained by GD follows the derived
(p, q) map, ∇S is the derivative of the sharpness, batches add exactly, and numpy, torch and jax
agree on one MLP."""

import numpy as np
import pytest
from helpers import iterate_formulas

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402
from jax.flatten_util import ravel_pytree  # noqa: E402

from bifurc import InputError, nets  # noqa: E402
from bifurc import jax as bj  # noqa: E402
from bifurc.eos import two_layer_linear  # noqa: E402
from bifurc.losses import logcosh, pseudo_huber  # noqa: E402


def _mlp(params, x):
    """tanh layers, weights (out, in) as torch.nn.Linear and bifurc.nets store them."""
    for W, b in params[:-1]:
        x = jnp.tanh(x @ W.T + b)
    W, b = params[-1]
    return x @ W.T + b


def _params(sizes=(3, 4, 2), seed=0):
    rng = np.random.default_rng(seed)
    return [(jnp.asarray(rng.standard_normal((m, n)) / np.sqrt(n)), jnp.asarray(0.1 * rng.standard_normal(m)))
            for n, m in zip(sizes[:-1], sizes[1:])]


def _data(n=5, outputs=2, seed=1):
    rng = np.random.default_rng(seed)
    return jnp.asarray(rng.standard_normal((n, 3))), jnp.asarray(rng.standard_normal((n, outputs)))


def _per_sample(loss, out, y):
    """The per-sample losses written out here (independently of bifurc.jax.losses)."""
    if loss == "cross_entropy":
        return -jax.nn.log_softmax(out, axis=1)[jnp.arange(len(y)), y]
    p = out - y
    return {"mse": p**2 / 2, "logcosh": jnp.log(jnp.cosh(p)), "pseudo_huber": jnp.sqrt(1 + p**2) - 1}[loss]


def _dense(params, loss, x, y):
    """H, G and J (N·C × P) from jax.hessian and jax.jacfwd of the flattened parameters."""
    theta, unravel = ravel_pytree(params)
    outputs = lambda t: _mlp(unravel(t), x)
    shape = outputs(theta).shape
    of_outputs = lambda o: jnp.sum(_per_sample(loss, o.reshape(shape), y)) / len(x)
    H = jax.hessian(lambda t: of_outputs(outputs(t).reshape(-1)))(theta)
    J = jax.jacfwd(lambda t: outputs(t).reshape(-1))(theta)
    H_out = jax.hessian(of_outputs)(outputs(theta).reshape(-1))
    return np.asarray(H), np.asarray(J.T @ H_out @ J), np.asarray(J)


def _matrix(operator):
    return operator.matmat(np.eye(operator.shape[0]))


def _targets(loss, n=5, outputs=2):
    x, y = _data(n, outputs)
    return (x, jnp.arange(n) % outputs) if loss == "cross_entropy" else (x, y)


@pytest.mark.parametrize("loss", ["mse", "logcosh", "pseudo_huber", "cross_entropy"])
def test_operators_equal_the_dense_hessian_gauss_newton_rest_and_ntk(loss):
    params, (x, y) = _params(), _targets(loss)
    H, G, J = _dense(params, loss, x, y)
    prob = bj.problem(_mlp, params, loss, (x, y))
    scale = np.max(np.abs(H))
    # the same sums in another order: rounding of a few ulps of the largest entry
    np.testing.assert_allclose(_matrix(bj.hessian_operator(prob)), H, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(_matrix(bj.gauss_newton_operator(prob)), G, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(_matrix(bj.rest_operator(prob)), H - G, rtol=0, atol=1e-13 * scale)
    K = J @ J.T / len(x)
    np.testing.assert_allclose(_matrix(bj.ntk_operator(prob)), K, rtol=0, atol=1e-13 * np.max(np.abs(K)))
    assert np.max(np.abs(H - G)) > 1e-3 * scale  # the rest is not zero here: the split is a check


def test_sharpness_and_ntk_are_the_top_dense_eigenvalues():
    params, (x, y) = _params(), _data()
    H, _, J = _dense(params, "logcosh", x, y)
    np.testing.assert_allclose(bj.sharpness(_mlp, params, "logcosh", (x, y), k=3),
                               np.linalg.eigvalsh(H)[::-1][:3], rtol=1e-11)
    assert bj.ntk_top(_mlp, params, (x, y)) == pytest.approx(np.linalg.eigvalsh(J @ J.T / 5)[-1], rel=1e-11)
    one = _params((3, 4, 1))
    x1, y1 = _data(1, 1)
    J1 = _dense(one, "mse", x1, y1)[2]
    assert bj.ntk_top(_mlp, one, (x1, y1)) == pytest.approx(float(J1[0] @ J1[0]), rel=1e-14)


def test_sharpness_gradient_is_the_derivative_of_the_sharpness_along_random_directions():
    params, (x, y) = _params(), _data()
    result = bj.sharpness_gradient(_mlp, params, "logcosh", (x, y))
    theta, unravel = ravel_pytree(params)
    rng, h = np.random.default_rng(2), 1e-4
    for _ in range(3):
        d = rng.standard_normal(theta.size)
        d /= np.linalg.norm(d)
        up, down = (bj.sharpness(_mlp, unravel(theta + s * h * d), "logcosh", (x, y)) for s in (1, -1))
        # central difference: error h² S'''/6 ~ 1e-8 plus rounding 1e-15/h
        assert (up - down) / (2 * h) == pytest.approx(result.gradient @ d, abs=1e-7)
    assert np.linalg.norm(result.gradient) > 1e-2


def test_batches_add_up_to_the_full_batch():
    params, (x, y) = _params(), _data(7)
    batches = [(x[:3], y[:3]), (x[3:4], y[3:4]), (x[4:], y[4:])]
    np.testing.assert_allclose(bj.sharpness(_mlp, params, "logcosh", batches, k=2),
                               bj.sharpness(_mlp, params, "logcosh", (x, y), k=2), rtol=1e-12)
    np.testing.assert_allclose(bj.ntk_top(_mlp, params, batches, k=2), bj.ntk_top(_mlp, params, (x, y), k=2),
                               rtol=1e-12)
    np.testing.assert_allclose(bj.sharpness_gradient(_mlp, params, "logcosh", batches).gradient,
                               bj.sharpness_gradient(_mlp, params, "logcosh", (x, y)).gradient,
                               rtol=1e-10, atol=1e-13)
    mean_callable = lambda out, target: jnp.mean(jnp.sum(jnp.log(jnp.cosh(out - target)), axis=1))
    assert bj.sharpness(_mlp, params, mean_callable, batches) == pytest.approx(
        bj.sharpness(_mlp, params, "logcosh", (x, y)), rel=1e-12)


@pytest.mark.parametrize("loss", [logcosh, pseudo_huber], ids=lambda l: l.name)
def test_two_layer_linear_net_trained_by_gd_follows_the_derived_pq_map(loss):
    eta, q0, steps = 0.1, 0.8, 60
    data = nets.one_point(6, 1.0, seed=3)
    x, y = jnp.asarray(data.X), jnp.asarray(data.y)
    f = lambda w, x: (x @ w["U"].T) @ w["v"]
    rng = np.random.default_rng(4)
    params = {"U": jnp.asarray(rng.standard_normal((20, 6)) / np.sqrt(6)),
              "v": jnp.asarray(rng.standard_normal(20) / np.sqrt(20))}
    scale = np.sqrt(2 / (eta * q0) / bj.ntk_top(f, params, (x, y)))  # λ is homogeneous of degree 2
    params = jax.tree_util.tree_map(lambda a: a * scale, params)
    per_sample = {"logcosh": lambda p: jnp.log(jnp.cosh(p)), "pseudo_huber": lambda p: jnp.sqrt(1 + p**2) - 1}
    gradient = jax.grad(lambda w: jnp.mean(per_sample[loss.name](f(w, x) - y)))
    rec = bj.Recorder(f, params, loss, (x, y), every=1)
    rec.record(eta)
    for _ in range(steps):
        params = jax.tree_util.tree_map(lambda a, g: a - eta * g, params, gradient(params))
        rec.step(eta, params)
    run = rec.result
    orbit = iterate_formulas(two_layer_linear(loss), [run.p[0], run.q[0]], {"eta": eta, "y": 1.0}, steps)
    # the map is exact (MATH.md §4): both sides round at ~1e-16 per step
    np.testing.assert_allclose(np.c_[run.p, run.q], orbit, rtol=0, atol=1e-10)
    assert np.ptp(run.q) > 1e-3
    assert bj.canonical(f, params, loss, (x, y), eta) == pytest.approx((run.p[-1], run.q[-1]), rel=1e-12)


def test_bad_input_is_one_line_input_error():
    params, (x, y) = _params(), _data()
    cases = [
        lambda: bj.sharpness(_mlp, params, "mse", (x, y[:3])),
        lambda: bj.sharpness(_mlp, params, "mse", ((x, y) for _ in range(2))),
        lambda: bj.sharpness(_mlp, params, lambda out, target: out - target, (x, y)),
        lambda: bj.sharpness(_mlp, params, "hinge", (x, y)),
        lambda: bj.canonical(_mlp, params, "mse", (x, y), 0.1),
        lambda: bj.sharpness(_mlp, params, "mse", (x, y), reduction="max"),
        lambda: bj.sharpness(_mlp, [], "mse", (x, y)),
    ]
    for case in cases:
        with pytest.raises(InputError) as info:
            case()
        assert "\n" not in str(info.value)
    rec = bj.Recorder(_mlp, params, "mse", (x, y), every=1)
    broken = [(W.at[0, 0].set(jnp.nan), b) for W, b in params]
    with pytest.raises(InputError, match="at step 1"):
        rec.step(0.1, broken)


def test_numpy_torch_and_jax_agree_on_the_same_mlp():
    """Three independent implementations: dual numbers (numpy), torch.func, jax."""
    torch = pytest.importorskip("torch")
    from bifurc import torch as bt

    torch.set_num_threads(1)
    net = nets.MLP(input_dim=4, width=6, depth=3, activation="tanh", bias=True)
    data = nets.synthetic(8, 4, seed=1)
    theta = net.initial(seed=2) + 0.1 * np.random.default_rng(3).standard_normal(net.n_params)
    ev = nets.evaluate(nets.Objective(net, data, logcosh), theta)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in net.unflatten(theta.copy())]
    xy = (jnp.asarray(data.X), jnp.asarray(data.y))
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    torch.nn.utils.vector_to_parameters(torch.as_tensor(theta), model.parameters())
    txy = (torch.as_tensor(data.X), torch.as_tensor(data.y))
    # three exact methods, Lanczos to machine precision: rounding apart
    s = nets.sharpness(ev).values[0]
    assert bj.sharpness(_mlp, params, "logcosh", xy) == pytest.approx(s, rel=1e-10)
    assert bt.sharpness(model, "logcosh", txy) == pytest.approx(s, rel=1e-10)
    assert bj.ntk_top(_mlp, params, xy) == pytest.approx(nets.ntk_max(ev), rel=1e-10)
    a, b = bj.gauss_newton_split(_mlp, params, "logcosh", xy), bt.gauss_newton_split(model, "logcosh", txy)
    assert a.gauss_newton_max == pytest.approx(nets.top_eigenpairs(nets.gauss_newton_operator(ev)).values[0],
                                               rel=1e-10)
    assert a.share == pytest.approx(b.share, rel=1e-9)
    np.testing.assert_allclose(bj.sharpness_gradient(_mlp, params, "logcosh", xy).gradient,
                               bt.sharpness_gradient(model, "logcosh", txy).gradient, rtol=1e-9, atol=1e-12)


def test_float32_parameters_warn_and_are_computed_in_float64():
    params, (x, y) = _params(), _data()
    single = jax.tree_util.tree_map(lambda a: a.astype(jnp.float32), params)
    with pytest.warns(UserWarning, match="float32"):
        value = bj.sharpness(_mlp, single, "mse", (x, y))
    # float32 parameters round at 6e-8: the float64 sharpness of the rounded model is that close
    assert value == pytest.approx(bj.sharpness(_mlp, params, "mse", (x, y)), rel=1e-5)


def test_a_torch_model_given_to_bifurc_jax_is_one_line_naming_the_back_end():
    torch = pytest.importorskip("torch")
    import bifurc

    model = torch.nn.Linear(3, 1).double()
    with pytest.raises(InputError, match="PyTorch model .*bifurc.torch") as info:
        bj.sharpness(model, {}, "mse", _data(5, 1))
    assert "\n" not in str(info.value)
    assert bifurc.backend("jax") is bj and bifurc.backend(" JAX ") is bj


def test_a_device_places_the_computation_and_an_unavailable_one_is_one_line():
    params, (x, y) = _params(), _data()
    here = bj.sharpness(_mlp, params, "logcosh", (x, y))
    for device in ("cpu", jax.devices("cpu")[0]):  # the CPU path is what runs here
        prob = bj.problem(_mlp, params, "logcosh", (x, y), device=device)
        assert prob.theta.devices() == {jax.devices("cpu")[0]}
        assert bj.sharpness(_mlp, params, "logcosh", (x, y), device=device) == here  # the same sums
    for device in ("nope", 3):
        with pytest.raises(InputError, match="device") as info:
            bj.ntk_top(_mlp, params, (x, y), device=device)
        assert "\n" not in str(info.value)
