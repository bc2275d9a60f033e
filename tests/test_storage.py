"""Results survive a round trip through a file; foreign or incompatible files are refused."""

import dataclasses
import json

import numpy as np
import pytest

import bifurc
from bifurc.analysis import storage


def _equal(a, b):
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=True) and x.dtype == y.dtype
        elif isinstance(x, list) and x and isinstance(x[0], np.ndarray):
            assert all(np.array_equal(u, v) for u, v in zip(x, y))
        else:
            assert x == y, f.name


def test_round_trips(tmp_path, logistic, henon):
    results = [
        bifurc.orbit_diagram(logistic, "r", np.linspace(3, 3.9, 7), 0.3, transient=10, keep=5),
        bifurc.lyapunov_sweep(logistic, "r", np.linspace(3, 3.9, 7), 0.3, n=100),
        bifurc.cascade(logistic, "r", 2.8, 3.57, 0.3, count=4),
        bifurc.basins(henon, np.linspace(-1, 1, 4), np.linspace(-1, 1, 3), transient=200),
        bifurc.parameter_plane(henon, "a", [0.2, 0.4], "b", [0.1, 0.2], [0.1, 0.1], transient=100),
        bifurc.fixed_points(logistic, [(-0.5, 1.5)])[1],
    ]
    for i, r in enumerate(results):
        path = bifurc.save(r, tmp_path / f"r{i}")
        assert path.suffix == ".npz"
        _equal(r, bifurc.load(path))


def test_nan_of_escaped_orbits_survives(tmp_path, logistic):
    with pytest.warns(bifurc.EscapeWarning):
        d = bifurc.orbit_diagram(logistic, "r", [3.9, 4.5], 0.3, transient=200, keep=3)
    back = bifurc.load(bifurc.save(d, tmp_path / "d.npz"))
    assert back.escaped.tolist() == [False, True] and np.isnan(back.points[1]).all()


def test_refusals(tmp_path, logistic):
    with pytest.raises(bifurc.InputError, match="cannot save"):
        bifurc.save(logistic, tmp_path / "m")
    with pytest.raises(bifurc.InputError, match="no such file"):
        bifurc.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "foreign.npz", x=np.arange(3))
    with pytest.raises(bifurc.InputError, match="not a bifurc result"):
        bifurc.load(tmp_path / "foreign.npz")
    d = bifurc.orbit_diagram(logistic, "r", [3.2], 0.3, transient=1, keep=1)
    path = bifurc.save(d, tmp_path / "d")
    with np.load(path) as data:
        contents = {k: data[k] for k in data.files}
    meta = json.loads(str(contents["__bifurc__"]))
    meta["format"] = storage.FORMAT + 1
    contents["__bifurc__"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "future.npz", **contents)
    with pytest.raises(bifurc.InputError, match="result format 2"):
        bifurc.load(tmp_path / "future.npz")
