"""examples/torch_digits.py and examples/jax_digits.py at a tiny size (seconds): the recording's columns
are what they are defined to be, checked against the trained model with dense Jacobians and Hessians
formed here; the printed numbers are the recording's; the figure and the recording are written.

Whether the default run reaches the edge of stability is the examples' own printed output (minutes),
not a test."""

import importlib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")  # the digits

import bifurc  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ETA, POINTS, WIDTH = 0.3, 12, 4
TINY = ["--steps", "6", "--every", "2", "--width", str(WIDTH), "--points", str(POINTS), "--eta", str(ETA)]


@pytest.fixture
def examples(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module


def _check_recording(run, x, y, out, J, H, loss):
    """The last record against the trained model: out (N,), J = ∂out/∂θ (N × P), H = ∇²L, L."""
    assert run.steps.tolist() == [0, 2, 4, 6] and np.all(run.eta == ETA)
    assert run.loss[-1] == pytest.approx(loss, rel=1e-13)  # the same sum, rounding
    assert run.p[-1] == pytest.approx(np.mean(out - y), rel=1e-12)  # p: the mean residual
    lam = np.linalg.eigvalsh(J @ J.T / len(x))[-1]  # λmax of the NTK Gram matrix J Jᵀ/N
    # Lanczos to tol 1e-10 on the residual: the eigenvalue to (1e-10)² / gap, far below 1e-10
    assert run.ntk[-1] == pytest.approx(lam, rel=1e-10)
    assert run.q[-1] == pytest.approx(2 / (ETA * lam), rel=1e-10)  # q = (2/η)/λmax(NTK)
    assert run.sharpness[-1] == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-10)
    assert np.ptp(run.p) > 1e-3  # the model trained: the checks follow a moving run


def _check_main(numbers, run, tmp_path, text):
    saved = bifurc.load(tmp_path / "fig.npz")
    np.testing.assert_array_equal(saved.sharpness, run.sharpness)  # deterministic: the same run again
    assert (tmp_path / "fig.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    s = run.sharpness * ETA / 2
    assert numbers["S0"] == run.sharpness[0] and numbers["late max"] == s[2:].max()
    assert numbers["distance"] == run.track().distance
    assert f"2/eta = {2 / ETA:.6g}" in text and f"median {np.median(s[2:]):.4f}" in text


def test_torch_example(examples, tmp_path, capsys):
    torch = pytest.importorskip("torch")
    from torch.func import functional_call

    example, digits_eos = examples("torch_digits"), examples("digits_eos")
    model, run = example.train(6, ETA, every=2, width=WIDTH, points=POINTS, progress=False)
    images, targets = digits_eos.data(POINTS)
    x = torch.as_tensor(images)
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def outputs(t):
        pieces = torch.split(t, [int(np.prod(s)) for s in shapes])
        named = {n: v.view(s) for n, v, s in zip(names, pieces, shapes)}
        return functional_call(model, named, (x,)).reshape(-1)

    target = torch.as_tensor(targets)
    L = lambda t: torch.mean((outputs(t) - target) ** 2 / 2)
    J = torch.autograd.functional.jacobian(outputs, theta).numpy()
    H = torch.autograd.functional.hessian(L, theta).numpy()
    _check_recording(run, images, targets, outputs(theta).detach().numpy(), J, H, float(L(theta)))
    numbers = example.main([*TINY, "--out", str(tmp_path / "fig.png")])
    _check_main(numbers, run, tmp_path, capsys.readouterr().out)


def test_jax_example(examples, tmp_path, capsys):
    jax = pytest.importorskip("jax")
    from jax.flatten_util import ravel_pytree

    example, digits_eos = examples("jax_digits"), examples("digits_eos")
    params, run = example.train(6, ETA, every=2, width=WIDTH, points=POINTS, progress=False)
    images, targets = digits_eos.data(POINTS)
    theta, unravel = ravel_pytree(params)
    outputs = lambda t: example.mlp(unravel(t), images).reshape(-1)
    L = lambda t: jax.numpy.mean((outputs(t) - targets) ** 2 / 2)
    J, H = np.asarray(jax.jacfwd(outputs)(theta)), np.asarray(jax.hessian(L)(theta))
    _check_recording(run, images, targets, np.asarray(outputs(theta)), J, H, float(L(theta)))
    numbers = example.main([*TINY, "--out", str(tmp_path / "fig.png")])
    _check_main(numbers, run, tmp_path, capsys.readouterr().out)


def test_a_diverging_step_size_is_one_line_naming_the_step(examples, tmp_path):
    pytest.importorskip("torch")
    example = examples("torch_digits")
    with pytest.raises(SystemExit) as exit_info:
        example.main([*TINY[:-2], "--eta", "1e100", "--out", str(tmp_path / "never.png")])
    assert "diverged" in str(exit_info.value) and "at step" in str(exit_info.value)
    assert "\n" not in str(exit_info.value) and not (tmp_path / "never.png").exists()
