"""`bifurc track RUN`: a logged run from a file, placed on the alignment curve q = r(p).

The run is an orbit of the derived two-layer linear map (p_t, q_t), logged as a framework
would log it: p and λ = 2/(η q) per step.
"""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bifurc
from bifurc import eos, losses
from bifurc.analysis.orbits import orbit
from bifurc.cli import main
from bifurc.nets import track

ETA = 0.1
STEPS = 300


@pytest.fixture(scope="module")
def logged() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, q, λ) of a log-cosh two-layer linear run in the EoS phase (target 0, q₀ = 0.6 < 1)."""
    run = orbit(eos.two_layer_linear(losses.logcosh).map, (0.3, 0.6), STEPS, params={"eta": ETA, "y": 0.0})
    p, q = run[:, 0], run[:, 1]
    return p, q, 2 / (ETA * q)


def _write_csv(path, p, lam, names=("p", "lam")) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *names])
        writer.writerows((i, repr(float(a)), repr(float(b))) for i, (a, b) in enumerate(zip(p, lam)))


def _run_json(capsys, *argv: str) -> dict:
    assert main(["track", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _error(capsys, *argv: str) -> str:
    assert main(["track", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bifurc: error: "), captured.err
    return lines[0]


def test_csv_run_gives_the_numbers_of_bifurc_track(tmp_path, capsys, logged):
    p, q, lam = logged
    path = tmp_path / "run.csv"
    _write_csv(path, p, lam)
    out = _run_json(capsys, str(path), "--eta", str(ETA), "--loss", "logcosh")
    expected = track(p, lam, ETA, losses.logcosh)
    assert out["steps"] == STEPS and out["start"] == STEPS // 2 == expected.start
    assert out["loss"] == "logcosh" and out["eta"] == ETA
    # the file holds repr() of every float, which reads back exactly: the same arrays, the same numbers
    assert out["distance"] == expected.distance
    np.testing.assert_array_equal(out["deviation"], expected.deviation)
    # and the mathematics: q = 2/(ηλ) recovers the orbit's q to rounding (four roundings: 4 ε),
    # r(p) = tanh(p)/p (1 at p = 0), and the distance is the median |q/r - 1| over the second half
    np.testing.assert_allclose(out["q"], q, rtol=4 * 2.3e-16)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(p == 0, 1.0, np.tanh(p) / p)
    np.testing.assert_allclose(out["r"], r, rtol=1e-14)  # r from the loss's derivative, not tanh: rounding
    deviation = q / r - 1
    np.testing.assert_allclose(out["deviation"], deviation, rtol=0, atol=1e-13)
    assert out["distance"] == pytest.approx(np.median(np.abs(deviation[STEPS // 2:])), abs=1e-13)


def test_csv_json_and_npz_agree(tmp_path, capsys, logged):
    p, _, lam = logged
    _write_csv(tmp_path / "run.csv", p, lam, names=("residual", "ntk"))
    (tmp_path / "cols.json").write_text(json.dumps({"residual": p.tolist(), "ntk": lam.tolist()}))
    rows = [{"residual": a, "ntk": b, "step": i} for i, (a, b) in enumerate(zip(p.tolist(), lam.tolist()))]
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    np.savez(tmp_path / "run.npz", residual=p, ntk=lam)
    options = ("--eta", "0.1", "--loss", "log(cosh(p))", "--p", "residual", "--lam", "ntk", "--start", "10")
    outs = [_run_json(capsys, str(tmp_path / name), *options)
            for name in ("run.csv", "cols.json", "rows.json", "run.npz")]
    for out in outs:
        assert out.pop("run").startswith(str(tmp_path))
    for out in outs[1:]:
        assert out == outs[0]
    assert outs[0]["start"] == 10
    assert outs[0]["distance"] == track(p, lam, ETA, losses.logcosh, 10).distance


def test_saved_recording_carries_its_step_size_and_loss(tmp_path, capsys, logged):
    p, q, lam = logged
    n = p.size
    nan = np.full(n, np.nan)
    from bifurc.backends.recording import Recording  # numpy only: a recording without a framework

    rec = Recording(np.arange(n) * 10, np.full(n, ETA), nan, nan, lam, p, q, nan, np.ones(n, dtype=int),
                    "logcosh", 10)
    path = bifurc.save(rec, tmp_path / "rec.npz")
    out = _run_json(capsys, str(path))
    expected = rec.track()
    assert bifurc.track(rec).distance == expected.distance  # bifurc.track takes a recording as it is
    for extra in ({"eta": ETA}, {"lam": lam}, {"loss": losses.logcosh}):
        with pytest.raises(bifurc.InputError, match="carries its own"):
            bifurc.track(rec, **extra)
    with pytest.raises(bifurc.InputError, match="lam, eta and loss are needed"):
        bifurc.track(p)
    assert out["eta"] == ETA and out["loss"] == "logcosh"
    assert out["distance"] == expected.distance
    np.testing.assert_array_equal(out["q"], expected.q)
    assert "--eta" in _error(capsys, str(path), "--eta", "0.2")
    assert "--start" in _error(capsys, str(path), "--start", str(n))
    flat = dataclasses.replace(rec, ntk=0 * lam)  # λ = 0: nothing to place on the curve
    assert "positive" in _error(capsys, str(bifurc.save(flat, tmp_path / "flat.npz")))


def test_recording_of_a_torch_run(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    from bifurc import torch as bt

    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.randn(16, 3, dtype=torch.float64)
    y = torch.sin(x.sum(1, keepdim=True))
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    rec = bt.Recorder(model, "logcosh", (x, y), every=2)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(8):
        opt.zero_grad()
        torch.log(torch.cosh(model(x) - y)).mean().backward()
        opt.step()
        rec.step(0.5)
    path = bifurc.save(rec.result, tmp_path / "torch.npz")
    out = _run_json(capsys, str(path))
    expected = rec.result.track()
    assert out["steps"] == 4 and out["eta"] == 0.5
    assert out["distance"] == expected.distance
    np.testing.assert_array_equal(out["p"], rec.result.p)


def test_text_output_and_figure(tmp_path, capsys, logged):
    p, _, lam = logged
    np.savez(tmp_path / "run.npz", p=p, lam=lam)
    figure = tmp_path / "run.png"
    assert main(["track", str(tmp_path / "run.npz"), "--eta", "0.1", "--loss", "logcosh",
                 "--out", str(figure)]) == 0
    text = capsys.readouterr().out
    distance = track(p, lam, ETA, losses.logcosh).distance
    assert f"distance to q = r(p): {distance:.6g}" in text
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, logged):
    p, _, lam = logged
    good = tmp_path / "run.csv"
    _write_csv(good, p, lam)
    assert "no such file" in _error(capsys, str(tmp_path / "gone.csv"), "--eta", "0.1", "--loss", "logcosh")
    text = tmp_path / "run.txt"
    assert ".npz, .json or .csv" in _error(capsys, str(text), "--eta", "0.1", "--loss", "logcosh")
    assert "no column 'ntk'" in _error(capsys, str(good), "--eta", "0.1", "--loss", "logcosh", "--lam", "ntk")
    assert "--eta" in _error(capsys, str(good), "--loss", "logcosh")
    assert "--loss" in _error(capsys, str(good), "--eta", "0.1", "--loss", "p**")
    assert "eta" in _error(capsys, str(good), "--eta", "-0.1", "--loss", "logcosh")
    assert "--start" in _error(capsys, str(good), "--eta", "0.1", "--loss", "logcosh", "--start", "300")
    assert "--out" in _error(capsys, str(good), "--eta", "0.1", "--loss", "logcosh", "--out", "x.npz")
    bad = tmp_path / "bad.csv"
    bad.write_text("p,lam\n0.1,2\n0.2,oops\n")
    assert "'oops' at row 1" in _error(capsys, str(bad), "--eta", "0.1", "--loss", "logcosh")
    negative = tmp_path / "negative.json"
    negative.write_text(json.dumps({"p": [0.1, 0.2], "lam": [1.0, -1.0]}))
    assert "positive" in _error(capsys, str(negative), "--eta", "0.1", "--loss", "logcosh")
    nan = tmp_path / "nan.json"
    nan.write_text('{"p": [0.1, NaN], "lam": [1.0, 2.0]}')
    assert "not finite at row 1" in _error(capsys, str(nan), "--eta", "0.1", "--loss", "logcosh")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert "not valid JSON" in _error(capsys, str(broken), "--eta", "0.1", "--loss", "logcosh")
    short = tmp_path / "short.npz"
    np.savez(short, p=p, lam=lam[:-1])
    assert "differ in length" in _error(capsys, str(short), "--eta", "0.1", "--loss", "logcosh")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    assert "junk.npz" in _error(capsys, str(junk), "--eta", "0.1", "--loss", "logcosh")


_CELLS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10),
                   st.text(max_size=4), st.booleans(), st.none())
_TEXTS = st.one_of(
    st.text(max_size=200),  # any text at all
    st.lists(st.lists(_CELLS.map(str), min_size=1, max_size=3), max_size=5).map(  # CSV-like rows
        lambda rows: "p,lam\n" + "\n".join(",".join(row) for row in rows)),
    st.dictionaries(st.sampled_from(["p", "lam", "x"]), st.lists(_CELLS, max_size=4) | _CELLS).map(
        json.dumps),
    st.lists(st.dictionaries(st.sampled_from(["p", "lam"]), _CELLS), max_size=4).map(json.dumps),
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)), min_size=1, max_size=6).map(  # valid
        lambda rows: "p,lam\n" + "\n".join(f"{a!r},{b!r}" for a, b in rows)),
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)), min_size=1, max_size=6).map(
        lambda rows: json.dumps([{"p": a, "lam": b} for a, b in rows])),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXTS, suffix=st.sampled_from([".csv", ".json"]))
def test_any_file_content_is_read_or_refused_in_one_line(tmp_path, capsys, text, suffix):
    path = tmp_path / f"run{suffix}"
    path.write_text(text, encoding="utf-8")
    status = main(["track", str(path), "--eta", "0.1", "--loss", "logcosh", "--json"])
    out, err = capsys.readouterr()
    if status == 0:  # read: p finite, λ > 0, one length; the distance is the median |q/r(p) - 1|
        result = json.loads(out)
        p, q = np.asarray(result["p"]), np.asarray(result["q"])
        assert np.all(np.isfinite(p)) and np.all(q > 0) and p.size == q.size == result["steps"]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(p == 0, 1.0, np.tanh(p) / p)
        median = np.median(np.abs(q / r - 1)[result["start"]:])
        assert result["distance"] == pytest.approx(median, rel=1e-9)  # r from ℓ' against tanh(p)/p: rounding
    else:
        assert status == 2 and out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("bifurc: error: "), err


def test_the_figure_of_a_recording_adds_its_sharpness_in_units_of_the_edge(logged):
    from bifurc.backends.recording import Recording
    from bifurc.track_command import figure

    p, q, lam = logged
    n = p.size
    sharpness = np.linspace(1.0, 2.0, n) / ETA  # from half the edge 2/η to the edge
    rec = Recording(np.arange(n) * 10, np.full(n, ETA), np.ones(n), sharpness, lam, p, q, np.full(n, np.nan),
                    np.ones(n, dtype=int), "logcosh", 10)
    table, recorded = figure(rec.track()), figure(rec.track(), rec)
    assert len(recorded.axes) == len(table.axes) + 1
    edge = recorded.axes[2]  # the panels, then the colour bar
    np.testing.assert_array_equal(edge.lines[0].get_xdata(), rec.steps)
    np.testing.assert_allclose(edge.lines[0].get_ydata(), np.linspace(0.5, 1.0, n), rtol=1e-15)
    np.testing.assert_allclose(edge.lines[1].get_ydata(), 1 / q, rtol=1e-14)  # ηλ/2 = 1/q by definition


def test_a_loss_with_a_bifurcation_draws_the_run_on_the_orbit_diagram_of_f_q(logged):
    from bifurc.track_command import figure

    p, _, lam = logged
    t = track(p, lam, ETA, losses.logcosh)
    diagram = figure(t).axes[2]  # the plane, the distance, the diagram (then the colour bar)
    paths = [line for line in diagram.lines if np.array_equal(line.get_xdata(), t.q)]
    assert len(paths) == 1 and np.array_equal(paths[0].get_ydata(), t.p)
    squared = track(p, lam, ETA, losses.squared)  # r ≡ 1: no bifurcation, no diagram
    assert len(figure(squared).axes) == len(figure(t).axes) - 1
