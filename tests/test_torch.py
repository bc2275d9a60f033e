"""bifurc.torch: every curvature operator equals the dense matrix that torch.autograd.functional forms
on a tiny float64 model, Lanczos finds its top eigenvalues, a two-layer linear net trained by GD
follows the derived (p, q) map, ∇S is the derivative of the sharpness, and batches add exactly."""

import numpy as np
import pytest
from helpers import iterate_formulas

torch = pytest.importorskip("torch")

from torch.func import functional_call  # noqa: E402

import bifurc  # noqa: E402
from bifurc import InputError, nets  # noqa: E402
from bifurc import torch as bt  # noqa: E402
from bifurc.eos import two_layer_linear  # noqa: E402
from bifurc.losses import logcosh, pseudo_huber  # noqa: E402

torch.set_num_threads(1)
F64 = torch.float64


def _mlp(outputs=2, seed=0, width=4):
    torch.manual_seed(seed)
    nn = torch.nn
    return nn.Sequential(nn.Linear(3, width), nn.Tanh(), nn.Linear(width, outputs)).double()


def _data(n=5, outputs=2, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=g, dtype=F64), torch.randn(n, outputs, generator=g, dtype=F64)


def _flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _unflat(model, theta):
    out, start = {}, 0
    for name, p in model.named_parameters():
        out[name] = theta[start:start + p.numel()].view(p.shape)
        start += p.numel()
    return out


def _per_sample(loss, out, y):
    """The per-sample losses written out here (independently of bifurc.torch.losses)."""
    if loss == "cross_entropy":
        return -torch.log_softmax(out, dim=1)[torch.arange(len(y)), y]
    p = out - y
    return {"mse": p**2 / 2, "logcosh": torch.log(torch.cosh(p)),
            "pseudo_huber": torch.sqrt(1 + p**2) - 1}[loss]


def _dense(model, loss, x, y):
    """H, G, J (N·C × P) and the loss's Hessian in the outputs, from torch.autograd.functional."""
    theta = _flat(model)
    outputs = lambda t: functional_call(model, _unflat(model, t), (x,))
    of_outputs = lambda o: torch.sum(_per_sample(loss, o.view(outputs(theta).shape), y)) / len(x)
    L = lambda t: of_outputs(outputs(t).reshape(-1))
    H = torch.autograd.functional.hessian(L, theta)
    J = torch.autograd.functional.jacobian(lambda t: outputs(t).reshape(-1), theta)
    H_out = torch.autograd.functional.hessian(of_outputs, outputs(theta).reshape(-1).detach())
    return H.numpy(), (J.T @ H_out @ J).numpy(), J.numpy()


def _matrix(operator):
    return operator.matmat(np.eye(operator.shape[0]))


def _targets(loss, n=5, outputs=2):
    x, y = _data(n, outputs)
    return (x, torch.arange(n) % outputs) if loss == "cross_entropy" else (x, y)


@pytest.mark.parametrize("loss", ["mse", "logcosh", "pseudo_huber", "cross_entropy"])
def test_operators_equal_the_dense_hessian_gauss_newton_rest_and_ntk(loss):
    model, (x, y) = _mlp(), _targets(loss)
    H, G, J = _dense(model, loss, x, y)
    prob = bt.problem(model, loss, (x, y))
    scale = np.max(np.abs(H))
    # the same sums in another order: rounding of a few ulps of the largest entry
    np.testing.assert_allclose(_matrix(bt.hessian_operator(prob)), H, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(_matrix(bt.gauss_newton_operator(prob)), G, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(_matrix(bt.rest_operator(prob)), H - G, rtol=0, atol=1e-13 * scale)
    K = J @ J.T / len(x)
    np.testing.assert_allclose(_matrix(bt.ntk_operator(prob)), K, rtol=0, atol=1e-13 * np.max(np.abs(K)))
    assert np.max(np.abs(H - G)) > 1e-3 * scale  # the rest is not zero here: the split is a check


def test_a_callable_loss_is_the_batch_mean_or_sum_and_sum_reduction_multiplies_by_n():
    model, (x, y) = _mlp(), _data()
    H, _, _ = _dense(model, "logcosh", x, y)
    sum_logcosh = lambda out, target: torch.sum(torch.log(torch.cosh(out - target)))
    mean_logcosh = lambda out, target: sum_logcosh(out, target) / len(out)
    cases = ((bt.problem(model, mean_logcosh, [(x[:2], y[:2]), (x[2:], y[2:])]), 1),
             (bt.problem(model, sum_logcosh, [(x[:2], y[:2]), (x[2:], y[2:])], reduction="sum"), len(x)),
             (bt.problem(model, "logcosh", (x, y), reduction="sum"), len(x)))
    for prob, factor in cases:
        np.testing.assert_allclose(_matrix(bt.hessian_operator(prob)), factor * H, rtol=0,
                                   atol=1e-13 * factor * np.max(np.abs(H)))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_sharpness_is_the_top_dense_eigenvalue(loss):
    model, (x, y) = _mlp(), _targets(loss)
    top = np.linalg.eigvalsh(_dense(model, loss, x, y)[0])[::-1]
    # Lanczos to machine precision on a 22×22 operator: agreement to ~1e-14 relative
    assert bt.sharpness(model, loss, (x, y)) == pytest.approx(top[0], rel=1e-11)
    np.testing.assert_allclose(bt.sharpness(model, loss, (x, y), k=3), top[:3], rtol=1e-11)


def test_ntk_top_is_the_squared_gradient_norm_on_one_point_and_the_gram_eigenvalue_on_many():
    model = _mlp(outputs=1)
    x, y = _data(1, 1)
    J = _dense(model, "mse", x, y)[2]
    assert bt.ntk_top(model, (x, y)) == pytest.approx(float(J[0] @ J[0]), rel=1e-14)  # one product, rounding
    x, y = _data(6, 2)
    J = _dense(_mlp(), "mse", x, y)[2]
    top = np.linalg.eigvalsh(J @ J.T / 6)[-1]
    assert bt.ntk_top(_mlp(), (x, y)) == pytest.approx(top, rel=1e-11)


def test_split_adds_up_and_preconditioned_sharpness_is_the_top_eigenvalue_of_p_inverse_h():
    model, (x, y) = _mlp(), _data()
    H, G, _ = _dense(model, "logcosh", x, y)
    split = bt.gauss_newton_split(model, "logcosh", (x, y))
    u = np.linalg.eigh(H)[1][:, -1]
    assert split.gauss_newton == pytest.approx(u @ G @ u, rel=1e-10)  # u to ~1e-13, quadratic form
    assert split.gauss_newton + split.rest == pytest.approx(split.sharpness, rel=1e-13)
    assert split.gauss_newton_max == pytest.approx(np.linalg.eigvalsh(G)[-1], rel=1e-11)
    diagonal = np.linspace(0.5, 3.0, H.shape[0])
    expected = np.max(np.linalg.eigvals(np.diag(1 / diagonal) @ H).real)
    measured = bt.preconditioned_sharpness(model, "logcosh", (x, y), diagonal)
    assert measured == pytest.approx(expected, rel=1e-11)


def test_adam_preconditioner_is_the_one_adams_update_divides_by():
    """θ_t - θ_(t-1) = -lr P⁻¹ m_t with m_t Adam's first moment: P from the optimizer's state."""
    model, (x, y) = _mlp(), _data()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.99), eps=1e-6)
    for _ in range(3):
        before = _flat(model)
        opt.zero_grad()
        torch.sum(torch.log(torch.cosh(model(x) - y))).backward()
        opt.step()
    m = torch.cat([opt.state[p]["exp_avg"].reshape(-1) for p in model.parameters()])
    P = bt.adam_preconditioner(opt, model)
    np.testing.assert_allclose((_flat(model) - before).numpy(), -1e-2 * m.numpy() / P, rtol=1e-12)
    assert bt.preconditioned_sharpness(model, "logcosh", (x, y), opt) == pytest.approx(
        bt.preconditioned_sharpness(model, "logcosh", (x, y), P), rel=1e-12)


def test_sharpness_gradient_is_the_derivative_of_the_sharpness_along_random_directions():
    model, (x, y) = _mlp(), _data()
    result = bt.sharpness_gradient(model, "logcosh", (x, y))
    theta, h = _flat(model), 1e-4
    rng = np.random.default_rng(2)
    for _ in range(3):
        d = rng.standard_normal(theta.numel())
        d /= np.linalg.norm(d)
        values = []
        for sign in (1, -1):
            moved = _mlp()
            torch.nn.utils.vector_to_parameters(theta + sign * h * torch.as_tensor(d), moved.parameters())
            values.append(bt.sharpness(moved, "logcosh", (x, y)))
        # central difference: error h² S'''/6 ~ 1e-8 (S''' = O(1) here) plus rounding 1e-15/h
        assert (values[0] - values[1]) / (2 * h) == pytest.approx(result.gradient @ d, abs=1e-7)
    assert np.linalg.norm(result.gradient) > 1e-2  # the check is not 0 ≈ 0


def test_batches_add_up_to_the_full_batch():
    model, (x, y) = _mlp(), _data(7)
    batches = [(x[:3], y[:3]), (x[3:4], y[3:4]), (x[4:], y[4:])]
    # the same sums regrouped: rounding
    np.testing.assert_allclose(bt.sharpness(model, "logcosh", batches, k=2),
                               bt.sharpness(model, "logcosh", (x, y), k=2), rtol=1e-12)
    np.testing.assert_allclose(bt.ntk_top(model, batches, k=2), bt.ntk_top(model, (x, y), k=2), rtol=1e-12)
    a, b = bt.gauss_newton_split(model, "logcosh", (x, y)), bt.gauss_newton_split(model, "logcosh", batches)
    assert b.share == pytest.approx(a.share, rel=1e-12)
    np.testing.assert_allclose(bt.sharpness_gradient(model, "logcosh", batches).gradient,
                               bt.sharpness_gradient(model, "logcosh", (x, y)).gradient,
                               rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("loss", [logcosh, pseudo_huber], ids=lambda l: l.name)
def test_two_layer_linear_net_trained_by_gd_follows_the_derived_pq_map(loss):
    eta, q0, steps = 0.1, 0.8, 60
    data = nets.one_point(6, 1.0, seed=3)
    x, y = torch.as_tensor(data.X), torch.as_tensor(data.y).reshape(1, 1)
    torch.manual_seed(4)
    model = torch.nn.Sequential(torch.nn.Linear(6, 20, bias=False), torch.nn.Linear(20, 1, bias=False))
    model = model.double()
    with torch.no_grad():  # λ is homogeneous of degree 2 in θ: rescale to q = q0
        for p in model.parameters():
            p *= np.sqrt(2 / (eta * q0) / bt.ntk_top(model, (x, y)))
    rec = bt.Recorder(model, loss, (x, y), every=1)
    rec.record(eta)
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    per_sample = {"logcosh": lambda p: torch.log(torch.cosh(p)),
                  "pseudo_huber": lambda p: torch.sqrt(1 + p**2) - 1}
    for _ in range(steps):
        opt.zero_grad()
        torch.mean(per_sample[loss.name](model(x) - y)).backward()
        opt.step()
        rec.step(eta)
    run = rec.result
    orbit = iterate_formulas(two_layer_linear(loss), [run.p[0], run.q[0]], {"eta": eta, "y": 1.0}, steps)
    # the map is exact (MATH.md §4): both sides round at ~1e-16 per step
    np.testing.assert_allclose(np.c_[run.p, run.q], orbit, rtol=0, atol=1e-10)
    assert np.ptp(run.q) > 1e-3  # q moves: the check follows dynamics, not a constant
    assert bt.canonical(model, loss, (x, y), eta) == pytest.approx((run.p[-1], run.q[-1]), rel=1e-12)
    assert run.track().q == pytest.approx(run.q, rel=1e-15)


def test_recorder_records_warm_started_sharpness_and_the_self_stabilization_term(capsys):
    model, (x, y) = _mlp(outputs=1), _data(outputs=1)
    rec = bt.Recorder(model, "mse", (x, y), every=2, gradient=True, steps=6, progress=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(6):
        opt.zero_grad()
        torch.mean((model(x) - y) ** 2 / 2).backward()
        opt.step()
        rec.step(0.05)
    run = rec.result
    assert run.steps.tolist() == [2, 4, 6]
    # warm-started Lanczos to tol 1e-10 against a cold start at machine precision
    assert run.sharpness[-1] == pytest.approx(bt.sharpness(model, "mse", (x, y)), rel=1e-9)
    change = -0.05 * bt.sharpness_gradient(model, "mse", (x, y)).gradient @ bt.problem(
        model, "mse", (x, y)).gradient()
    assert run.sharpness_change[-1] == pytest.approx(change, rel=1e-8)
    # the progress line (asked for; stderr is no terminal here: a line per update, the last always)
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("bifurc: step 6/6 [####################] 100%, ")
    assert f"sharpness {run.sharpness[-1]:.5g} (2/eta = 40)" in last
    quiet = bt.Recorder(model, "mse", (x, y), every=1, steps=2)  # the default: silent off a terminal
    quiet.step(0.05)
    quiet.step(0.05)
    assert capsys.readouterr().err == ""


def test_a_recording_saves_and_loads_with_its_settings(tmp_path):
    model, (x, y) = _mlp(outputs=1), _data(outputs=1)
    rec = bt.Recorder(model, "logcosh", (x, y), every=3)
    rec.record(0.1)
    run = rec.result
    assert run.track().p == pytest.approx(run.p)
    back = bifurc.load(bifurc.save(run, tmp_path / "run"))
    assert type(back) is type(run) and back.loss_name == "logcosh" and back.every == 3
    for name in ("steps", "eta", "loss", "sharpness", "ntk", "p", "q", "hvps"):
        np.testing.assert_array_equal(getattr(back, name), getattr(run, name))


def test_bad_input_is_one_line_input_error():
    model, (x, y) = _mlp(), _data()
    cases = [
        lambda: bt.sharpness(model, "mse", (x, y[:3])),
        lambda: bt.sharpness(model, "mse", ((x, y) for _ in range(2))),
        lambda: bt.sharpness(model, lambda out, target: out - target, (x, y)),
        lambda: bt.sharpness(model, "hinge", (x, y)),
        lambda: bt.canonical(model, "mse", (x, y), 0.1),
        lambda: bt.sharpness(model, "mse", (x, y), reduction="max"),
        lambda: bt.sharpness("model", "mse", (x, y)),
        lambda: bt.Recorder(model, "mse", (x, y), progress="yes"),
        lambda: bt.Recorder(model, "mse", (x, y), steps=0),
        lambda: bt.sharpness(model, "mse", (x, y), v0=np.ones(3)),
    ]
    for case in cases:
        with pytest.raises(InputError) as info:
            case()
        assert "\n" not in str(info.value)
    rec = bt.Recorder(model, "mse", (x, y), every=1)
    with torch.no_grad():
        model[0].weight[0, 0] = float("nan")
    with pytest.raises(InputError, match="at step 1"):
        rec.step(0.1)


def test_a_float32_model_warns_and_is_computed_in_float64():
    model, (x, y) = _mlp(), _data()
    single = _mlp().float()
    with pytest.warns(UserWarning, match="float32"):
        value = bt.sharpness(single, "mse", (x.float(), y.float()))
    # float32 parameters round at 6e-8: the float64 sharpness of the rounded model is that close
    assert value == pytest.approx(bt.sharpness(model, "mse", (x, y)), rel=1e-5)


def test_torch_and_bifurcs_numpy_networks_agree_on_the_same_mlp():
    """A standard-parameterised numpy MLP with biases is nn.Linear/Tanh with the same entries."""
    net = nets.MLP(input_dim=4, width=6, depth=3, activation="tanh", bias=True)
    data = nets.synthetic(8, 4, seed=1)
    theta = net.initial(seed=2) + 0.1 * np.random.default_rng(3).standard_normal(net.n_params)  # biases ≠ 0
    ev = nets.evaluate(nets.Objective(net, data, logcosh), theta)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    torch.nn.utils.vector_to_parameters(torch.as_tensor(theta), model.parameters())
    xy = (torch.as_tensor(data.X), torch.as_tensor(data.y))
    # two exact methods (dual numbers, torch.func) to machine-precision Lanczos: rounding apart
    assert bt.sharpness(model, "logcosh", xy) == pytest.approx(nets.sharpness(ev).values[0], rel=1e-10)
    assert bt.ntk_top(model, xy) == pytest.approx(nets.ntk_max(ev), rel=1e-10)
    G = nets.top_eigenpairs(nets.gauss_newton_operator(ev)).values[0]
    assert bt.gauss_newton_split(model, "logcosh", xy).gauss_newton_max == pytest.approx(G, rel=1e-10)
    v = np.random.default_rng(4).standard_normal(net.n_params)
    np.testing.assert_allclose(bt.hessian_operator(bt.problem(model, "logcosh", xy)).matvec(v),
                               nets.hessian_vector_product(ev, v), rtol=1e-10, atol=1e-13)


def test_a_multi_output_recording_has_no_pq_and_refuses_the_curve():
    model, (x, y) = _mlp(), _data()
    rec = bt.Recorder(model, "mse", (x, y), every=1)
    rec.record(0.1)
    assert np.isnan(rec.result.p[0]) and np.isnan(rec.result.q[0])
    assert rec.result.ntk[0] == pytest.approx(bt.ntk_top(model, (x, y)), rel=1e-9)
    with pytest.raises(InputError, match="one output per sample"):
        rec.result.track()


def test_a_device_places_the_computation_and_an_unavailable_one_is_one_line():
    model, (x, y) = _mlp(), _data()
    here = bt.sharpness(model, "logcosh", (x, y))
    for device in ("cpu", torch.device("cpu")):  # the CPU path is what runs here
        assert bt.problem(model, "logcosh", (x, y), device=device).theta.device == torch.device("cpu")
        assert bt.sharpness(model, "logcosh", (x, y), device=device) == here  # the same sums
    for device in ("nope", "cuda:99"):  # cuda:99 is missing with or without a GPU
        with pytest.raises(InputError, match=f"device '{device}' is not available") as info:
            bt.ntk_top(model, (x, y), device=device)
        assert "\n" not in str(info.value)
