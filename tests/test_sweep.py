"""Large sweeps: tiled equals untiled, resume, Dask equals local, stores of other sweeps refused."""

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from conftest import HENON_EXPONENTS

import bifurc
from bifurc.analysis.basins import settle_cells

zarr = pytest.importorskip("zarr")

from bifurc.cli import main  # noqa: E402
from bifurc.sweep import read_sweep, sweep  # noqa: E402
from bifurc.sweep import tiles as tiles_module  # noqa: E402

# the bistable map of test_basins (same formulas, so the same compiled kernels): fixed points
# x = +-1 with multiplier 1 - 2c (superstable at c = 1/2, a stable 2-cycle for 1 < c < sqrt(6)/2)
BISTABLE = {"x": "x + c*(x - x**3)", "y": "y/2"}


@pytest.fixture(scope="module")
def bistable():
    return bifurc.Map.from_expressions(BISTABLE, {"c": 0.5})


def tree_digest(path: Path) -> str:
    """A hash of every file's name and bytes under ``path`` (but the lock, which holds a process id)."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name != ".bifurc-lock"):
        h.update(str(f.relative_to(path)).encode() + f.read_bytes())
    return h.hexdigest()


def test_tiled_equals_untiled_and_basins(bistable, tmp_path):
    xs = np.linspace(-1.6, 1.6, 36)  # an even count avoids 0, the unstable fixed point
    ys = np.linspace(-1, 1, 23)
    tiled = sweep(bistable, tmp_path / "tiled", "x", xs, "y", ys, tile=(7, 10), progress=False)
    whole = sweep(bistable, tmp_path / "whole", "x", xs, "y", ys, tile=1000, progress=False)
    b = bifurc.basins(bistable, xs, ys)
    assert tiled.complete and whole.complete
    assert np.array_equal(tiled.values[:], whole.values[:])
    assert np.array_equal(tiled.period[:], whole.period[:])
    assert np.array_equal(tiled.values[:], b.labels)  # numbered by first appearance, as basins does
    assert len(tiled.attractors) == len(b.attractors) == 2
    for mine, theirs in zip(tiled.attractors, b.attractors):
        assert np.array_equal(mine, theirs)
        assert np.allclose(mine, [[np.sign(mine[0, 0]), 0.0]], atol=1e-9)  # settle tolerance
    # F keeps the sign of x on (-sqrt(3), sqrt(3)) and maps it into [-1, 1]: each half goes to its point
    for label, attractor in enumerate(tiled.attractors):
        assert np.all((tiled.values[:] == label) == (np.sign(xs) == np.sign(attractor[0, 0]))[None, :])


def test_mixed_axes_label_two_cycles(bistable, tmp_path):
    # axes x0 and the parameter c: for c = 1.1 the attractors are 2-cycles (multiplier 1 - 2c < -1
    # at the fixed points); every cycle's points satisfy F^k(p) = p
    xs = np.linspace(-1.2, 1.2, 16)
    cs = np.array([0.5, 0.8, 1.1])
    tiled = sweep(bistable, tmp_path / "t", "x", xs, "c", cs, x0=[0.3, 0.2], tile=(2, 5), progress=False)
    whole = sweep(bistable, tmp_path / "w", "x", xs, "c", cs, x0=[0.3, 0.2], tile=64, progress=False)
    assert np.array_equal(tiled.values[:], whole.values[:])
    assert [a.tolist() for a in tiled.attractors] == [a.tolist() for a in whole.attractors]
    period = tiled.period[:]
    assert np.all(period[:2] == 1) and np.all(period[2] == 2)
    for label, cycle in enumerate(tiled.attractors):
        row = int(np.argmax(np.any(tiled.values[:] == label, axis=1)))
        params = {"c": cs[row]}
        x = cycle[0]
        for _ in range(cycle.shape[0]):
            x = bistable(x, params)
        assert np.allclose(x, cycle[0], rtol=1e-8, atol=1e-8)  # settled to the tolerance 1e-9, 1000 tol
    # the fixed points +-1 do not move with c: one label each for c = 0.5 and 0.8; two 2-cycles at 1.1
    assert len(tiled.attractors) == 4
    assert [c.shape[0] for c in tiled.attractors] == [1, 1, 2, 2]


def test_parameter_planes_equal_parameter_plane(henon, tmp_path):
    a = np.linspace(1.0, 1.4, 13)
    b = np.linspace(0.1, 0.3, 9)
    for quantity, extra in (("period", {}), ("lyapunov", {"n": 500, "transient": 200})):
        s = sweep(henon, tmp_path / quantity, "a", a, "b", b, quantity, x0=[0.1, 0.1], tile=(4, 5),
                  progress=False, **extra)
        plane = bifurc.parameter_plane(henon, "a", a, "b", b, [0.1, 0.1], quantity=quantity, **extra)
        assert np.array_equal(s.values[:], plane.values, equal_nan=True)


def test_henon_lyapunov_plane_has_the_known_exponent(henon, tmp_path):
    n = 20000
    # finite-time exponents on the Henon attractor fluctuate with standard deviation about
    # 0.4 / sqrt(n) (measured over 200 starts at n = 2000 and 20000): 5 of them
    tol = 5 * 0.4 / math.sqrt(n)
    a = np.linspace(1.36, 1.4, 3)
    b = np.linspace(0.26, 0.3, 3)  # the last cell is (1.4, 0.3) exactly
    plane = sweep(henon, tmp_path / "p", "a", a, "b", b, "lyapunov", x0=[0.1, 0.1], n=n, tile=2,
                  progress=False)
    assert abs(plane.values[-1, -1] - HENON_EXPONENTS[0]) < tol
    starts = sweep(henon, tmp_path / "s", "x", np.linspace(0.0, 0.2, 3), "y", np.linspace(0.0, 0.2, 3),
                   "lyapunov", n=n, tile=2, progress=False)
    assert np.all(np.abs(starts.values[:] - HENON_EXPONENTS[0]) < tol)


def test_escape_times_agree_with_brute_force(henon, tmp_path):
    xs = np.linspace(-3, 3, 17)
    a = np.linspace(1.2, 2.2, 6)
    n, radius = 60, 1e8
    s = sweep(henon, tmp_path / "e", "x", xs, "a", a, "escape", x0=[0.0, 0.1], n=n, escape=radius, tile=4,
              progress=False)
    expected = np.zeros((a.size, xs.size), dtype=int)
    for i, ai in enumerate(a):
        for j, x0 in enumerate(xs):
            x, y = x0, 0.1
            for t in range(1, n + 1):
                x, y = 1 - ai * x * x + y, 0.3 * x
                if not (abs(x) <= radius and abs(y) <= radius):
                    expected[i, j] = t
                    break
    assert np.array_equal(s.values[:], expected)
    assert np.any(expected > 0) and np.any(expected == 0)


def test_observable_is_the_derived_sharpness_at_the_minimum_reached(tmp_path):
    model = bifurc.eos.minimalist()
    sharp = model.results["sharpness at a minimum"]
    eta = 0.1
    grid = np.linspace(0.05, 3.0, 24)
    kw = dict(observable=sharp, params={"eta": eta}, max_period=1, tol=1e-10, escape=1e6, progress=False)
    with pytest.warns(bifurc.EscapeWarning):
        s = sweep(model.map, tmp_path / "z", "x", grid, "y", grid, "observable", tile=10, **kw)
    X, Y = np.meshgrid(grid, grid)
    periods, finals = settle_cells(model.map, np.stack([X.ravel(), Y.ravel()], 1), np.full((X.size, 1), eta),
                                   1000, 1, 1e-10, 1e6)
    assert np.array_equal(s.period[:].ravel(), periods)
    assert s.escaped == int(np.sum(periods < 0)) > 0
    at_min = periods == 1
    assert at_min.sum() > 50
    reference = sp.lambdify(model.map.state_symbols, sharp, "numpy")(finals[:, 0], finals[:, 1])
    values = s.values[:].ravel()
    assert np.allclose(values[at_min], reference[at_min], rtol=1e-13, atol=0)  # a few roundings
    assert np.all(np.isnan(values[periods < 0]))
    # a minimum GD converges to is stable: its sharpness is at most 2/eta
    assert np.all(values[at_min] <= 2 / eta * (1 + 1e-9))


def test_interrupted_sweep_resumes_to_the_same_store(bistable, tmp_path, monkeypatch):
    xs, ys = np.linspace(-1.6, 1.6, 30), np.linspace(-1, 1, 20)
    kw = dict(tile=(6, 7), progress=False)
    sweep(bistable, tmp_path / "ref", "x", xs, "y", ys, **kw)
    original = tiles_module.evaluate  # one call per tile, on the sweep's own thread
    calls = []

    def interrupted(plan, X0, P):
        if len(calls) == 5:
            raise KeyboardInterrupt
        calls.append(1)
        return original(plan, X0, P)

    monkeypatch.setattr(tiles_module, "evaluate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sweep(bistable, tmp_path / "run", "x", xs, "y", ys, **kw)
    partial = read_sweep(tmp_path / "run")
    assert not partial.complete
    assert int(partial.definition["tile"][0]) == 6
    assert int((zarr.open_group(tmp_path / "run", mode="r")["done"][:] == 1).sum()) == 5  # every one begun
    resumed = []
    monkeypatch.setattr(tiles_module, "evaluate",
                        lambda plan, X0, P: resumed.append(1) or original(plan, X0, P))
    sweep(bistable, tmp_path / "run", "x", xs, "y", ys, **kw)
    assert len(resumed) == 4 * 5 - 5  # only the tiles not done
    ref, run = (zarr.open_group(tmp_path / name, mode="r") for name in ("ref", "run"))
    assert dict(ref.attrs) == dict(run.attrs)
    for name in ("label", "local", "period", "done", "tile_attractors", "xs", "ys"):
        assert np.array_equal(ref[name][:], run[name][:], equal_nan=True), name


def test_dask_path_equals_local_path(bistable, henon, tmp_path):
    distributed = pytest.importorskip("distributed")
    xs, ys = np.linspace(-1.6, 1.6, 20), np.linspace(-1, 1, 12)
    a, b = np.linspace(1.0, 1.4, 8), np.linspace(0.1, 0.3, 6)
    local = [sweep(bistable, tmp_path / "l1", "x", xs, "y", ys, tile=5, progress=False),
             sweep(henon, tmp_path / "l2", "a", a, "b", b, "lyapunov", x0=[0.1, 0.1], n=300, tile=3,
                   progress=False)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        remote = [sweep(bistable, tmp_path / "d1", "x", xs, "y", ys, tile=5, progress=False, cluster=client),
                  sweep(henon, tmp_path / "d2", "a", a, "b", b, "lyapunov", x0=[0.1, 0.1], n=300, tile=3,
                        progress=False, cluster=client)]
        written = sweep(bistable, tmp_path / "d3", "x", xs, "y", ys, tile=5, progress=False, cluster=client,
                        shared=True)  # the workers write the tiles
    for mine, theirs in zip(local + local[:1], remote + [written]):
        assert np.array_equal(mine.values[:], theirs.values[:], equal_nan=True)
        assert [c.tolist() for c in mine.attractors] == [c.tolist() for c in theirs.attractors]
    assert tree_digest(tmp_path / "l1") == tree_digest(tmp_path / "d3")


def test_store_of_another_sweep_is_refused_and_left_untouched(bistable, henon, tmp_path):
    xs, ys = np.linspace(-1.6, 1.6, 10), np.linspace(-1, 1, 8)
    path = tmp_path / "s"
    sweep(bistable, path, "x", xs, "y", ys, tile=4, progress=False)
    before = tree_digest(path)
    other_map = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/3"}, {"c": 0.5})
    cases = [
        ((other_map, path, "x", xs, "y", ys), {}, "map.updates"),
        ((bistable, path, "x", xs + 0.01, "y", ys), {}, "grid of x"),
        ((bistable, path, "x", np.linspace(-1.6, 1.6, 11), "y", ys), {}, "axes[0].size"),
        ((bistable, path, "x", xs, "y", ys), {"tol": 1e-8}, "settings.tol"),
        ((bistable, path, "x", xs, "y", ys, "period"), {}, "quantity"),
        ((bistable, path, "x", xs, "y", ys), {"params": {"c": 0.6}}, "parameters.c"),
        ((bistable, path, "x", xs, "y", ys), {"tile": 5}, "tile"),
    ]
    for args, kwargs, what in cases:
        with pytest.raises(bifurc.InputError, match="holds a different sweep") as error:
            sweep(*args, progress=False, **kwargs)
        assert what in str(error.value)
    assert tree_digest(path) == before
    (tmp_path / "plain").mkdir()
    with pytest.raises(bifurc.InputError, match="no bifurc sweep store"):
        sweep(bistable, tmp_path / "plain", "x", xs, "y", ys, progress=False)
    assert not any((tmp_path / "plain").iterdir())
    with pytest.raises(bifurc.InputError, match="no bifurc sweep store"):
        sweep(bistable, path / "xs", "x", xs, "y", ys, progress=False)  # a zarr array, not a sweep
    assert tree_digest(path) == before


def test_too_many_attractors_is_refused(bistable, tmp_path):
    with pytest.raises(bifurc.InputError, match="max_attractors=1"):
        sweep(bistable, tmp_path / "s", "x", [-1.2, 1.2], "y", [0.0], max_attractors=1, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"xaxis": "q"}, "xaxis 'q' is neither"),
        ({"yaxis": "x"}, "must differ"),
        ({"quantity": "colour"}, "quantity must be one of"),
        ({"yaxis": "c", "ys": [0.5, 0.6]}, "x0 is needed: the state variables y"),
        ({"quantity": "observable"}, "observable"),
        ({"observable": "x*z", "quantity": "observable"}, "unknown symbol 'z'"),
        ({"tile": 0}, "tile rows"),
        ({"xs": [1.0, 1.0]}, "xaxis grid"),
        ({"workers": 0}, "workers"),
        ({"cluster": "nowhere"}, "cluster must be"),
    ],
)
def test_bad_arguments_are_named(bistable, tmp_path, kwargs, message):
    args = dict(xaxis="x", xs=[0.5, 1.0], yaxis="y", ys=[0.0, 1.0]) | kwargs
    with pytest.raises(bifurc.InputError, match=message):
        sweep(bistable, tmp_path / "s", **args, progress=False)
    assert not (tmp_path / "s").exists()


def test_core_imports_without_zarr_and_sweeps_say_how_to_install():
    code = (
        "import sys; sys.modules['zarr'] = None; sys.modules['distributed'] = None\n"
        "import bifurc, bifurc.cli, bifurc.sweep\n"
        "from bifurc.sweep.store import zarr_module\n"
        "try:\n    zarr_module()\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'bifurc[sweep]'" in out.stdout


def test_cli_sweep_plot_and_refusal(tmp_path, capsys):
    store = str(tmp_path / "plane.zarr")
    args = ["sweep", "henon", store, "--x", "a=1:1.4:13", "--y", "b=0.1:0.3:9", "--quantity", "period",
            "--x0", "0.1,0.1", "--tile", "4", "--quiet", "--json"]
    assert main(args) == 0
    payload = json.loads(capsys.readouterr().out)
    a, b = np.linspace(1, 1.4, 13), np.linspace(0.1, 0.3, 9)
    plane = bifurc.parameter_plane(bifurc.maps.henon, "a", a, "b", b, [0.1, 0.1])
    values, counts = np.unique(plane.values, return_counts=True)
    assert payload["shares"] == {str(v): c / plane.values.size for v, c in zip(values, counts)}
    assert main(["plot-sweep", store, "--out", str(tmp_path / "plane.png")]) == 0
    assert (tmp_path / "plane.png").stat().st_size > 0
    capsys.readouterr()
    assert main([*args[:4], "a=1:1.4:14", *args[5:]]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    assert main(["plot-sweep", str(tmp_path / "none.zarr")]) == 2
    (tmp_path / "file").write_text("")  # a store under a file cannot be created: one line, exit 2
    assert main([*args[:2], str(tmp_path / "file" / "s.zarr"), *args[3:]]) == 2
    assert "cannot be created" in capsys.readouterr().err


def test_killed_process_resumes_to_the_same_store(henon, tmp_path):
    args = ["--x", "a=1:1.4:200", "--y", "b=0:0.3:120", "--quantity", "lyapunov", "--x0", "0.1,0.1",
            "--n", "1500", "--tile", "20", "--quiet"]
    killed = tmp_path / "killed.zarr"
    child = subprocess.Popen([sys.executable, "-m", "bifurc", "sweep", "henon", str(killed), *args],
                             env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = 0
    deadline = time.monotonic() + 120
    while done < 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        if (killed / "done").exists():
            done = int(zarr.open_group(killed, mode="r")["done"][:].sum())
    child.send_signal(signal.SIGKILL)
    child.wait()
    partial = zarr.open_group(killed, mode="r")
    assert 0 < int(partial["done"][:].sum()) < partial["done"].size  # killed mid-sweep
    assert main(["sweep", "henon", str(killed), *args]) == 0
    assert main(["sweep", "henon", str(tmp_path / "whole.zarr"), *args]) == 0
    assert tree_digest(killed) == tree_digest(tmp_path / "whole.zarr")


def test_resume_removes_partial_chunk_files_of_a_killed_write(henon, tmp_path):
    a, b = np.linspace(1, 1.4, 9), np.linspace(0, 0.3, 7)

    def run(path):
        return sweep(henon, path, "a", a, "b", b, "lyapunov", x0=[0.1, 0.1], n=300, tile=4, progress=False)

    run(tmp_path / "resumed")
    group = zarr.open_group(tmp_path / "resumed", mode="r+")  # as a run killed writing tile (1, 0) leaves it
    group.attrs["complete"] = False
    (tmp_path / "resumed" / "done" / "c" / "1" / "0").unlink()
    chunk = tmp_path / "resumed" / "lyapunov" / "c" / "1" / "0"
    stray = chunk.with_suffix(".0123abcd.partial")  # how zarr names a chunk write in flight
    stray.write_bytes(b"cut short")
    run(tmp_path / "resumed")
    assert not stray.exists()
    run(tmp_path / "fresh")
    assert tree_digest(tmp_path / "resumed") == tree_digest(tmp_path / "fresh")
