"""Results survive a round trip through a file; foreign or incompatible files are refused."""

import dataclasses
import io
import json
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- damaged and tampered files: each an InputError, read no further than the damage
@pytest.fixture
def saved(tmp_path, logistic):
    d = bifurc.orbit_diagram(logistic, "r", [3.2, 3.5], 0.3, transient=10, keep=4)
    return d, bifurc.save(d, tmp_path / "d.npz")


def _members(path):
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def _npy(array_header, payload=b""):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, array_header)
    return buffer.getvalue() + payload


def test_empty_truncated_and_foreign_files(tmp_path, saved):
    _, path = saved
    data = path.read_bytes()
    npy = _npy({"descr": "<f8", "fortran_order": False, "shape": (2,)}, bytes(16))
    cases = {"empty": b"", "text": b"x,y\n1,2\n", "half": data[: len(data) // 2], "head": data[:30],
             "tail": data[-100:], "npy": npy}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(bifurc.InputError, match="empty|not a bifurc result|damaged"):
            bifurc.load(tmp_path / name)
    with pytest.raises(bifurc.InputError, match="no such file"):
        bifurc.load(tmp_path)  # a folder


def test_a_header_claiming_a_trillion_values_is_refused_before_reading(tmp_path, saved):
    # it made numpy allocate 8 TB (MemoryError); the header is now checked against the archive
    _, path = saved
    with zipfile.ZipFile(path, "a") as archive:
        huge = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
        archive.writestr("huge.npy", _npy(huge, bytes(8)))
    with pytest.raises(bifurc.InputError, match=r"claims 1,000,000,000,000 values .* but holds 8 bytes"):
        bifurc.load(path)


def test_tampered_metadata_and_fields(tmp_path, saved):
    d, path = saved
    contents = _members(path)
    meta = json.loads(str(contents["__bifurc__"]))

    def tampered(change, **arrays):
        m = json.loads(json.dumps(meta))
        change(m)
        np.savez(tmp_path / "t.npz", **{**contents, **arrays, "__bifurc__": np.array(json.dumps(m))})
        return tmp_path / "t.npz"

    cases = [
        (lambda m: m.pop("type"), "unknown result type None"),
        (lambda m: m.update(type="Map"), "unknown result type 'Map'"),
        (lambda m: m.pop("fields"), "damaged metadata"),
        (lambda m: m.update(lists={"attractors": -1}), "damaged metadata"),
        (lambda m: m["fields"].pop("map_name"), r"fields missing \(map_name\)"),
        (lambda m: m["fields"].update(colour="red"), r"unknown \(colour\)"),
        (lambda m: m["fields"].update(keep="4"), "'keep' of a OrbitDiagram should be int, got str"),
        (lambda m: m["fields"].update(keep=True), "'keep' of a OrbitDiagram should be int, got bool"),
        (lambda m: m["fields"].update(keep=-4), "the field 'keep' must be a non-negative integer, got -4"),
        (lambda m: m["fields"].update(transient=2**63), "the field 'transient' must be at most"),
        (lambda m: m["fields"].update(escape=[1]), "'escape' of a OrbitDiagram should be float"),
        (lambda m: m["fields"].update(params=[]), "'params' of a OrbitDiagram should be dict"),
        (lambda m: m["fields"].update(values=[3.2, 3.5]), "fields stored twice: values"),
        (lambda m: m.update(lists={"state": 2}), "the list 'state' misses"),
    ]
    for change, words in cases:
        with pytest.raises(bifurc.InputError, match=words):
            bifurc.load(tampered(change))
    with pytest.raises(bifurc.InputError, match="'points' of a OrbitDiagram should be np.ndarray"):
        bifurc.load(tampered(lambda m: None, points=np.array(["a", "b"])))
    np.savez(tmp_path / "t.npz", **{**contents, "__bifurc__": np.array("{not json")})
    with pytest.raises(bifurc.InputError, match="metadata is not a JSON object"):
        bifurc.load(tmp_path / "t.npz")
    np.savez(tmp_path / "t.npz", **{**contents, "__bifurc__": np.array([1.0])})
    with pytest.raises(bifurc.InputError, match="metadata is not a JSON object"):
        bifurc.load(tmp_path / "t.npz")
    _equal(d, bifurc.load(tampered(lambda m: None)))  # untouched, it still loads


def test_object_arrays_are_not_unpickled(tmp_path, saved):
    _, path = saved
    with zipfile.ZipFile(path, "a") as archive:
        header = {"descr": "|O", "fortran_order": False, "shape": (1,)}
        archive.writestr("extra.npy", _npy(header, pickle.dumps(np.array([print], dtype=object))))
    with pytest.raises(bifurc.InputError, match="holds Python objects"):
        bifurc.load(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damage_is_an_input_error_or_the_same_result(tmp_path, saved, data):
    d, path = saved
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):  # flip some bytes anywhere
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(0, len(raw)))  # and maybe cut it short
    target = tmp_path / "fuzzed.npz"
    target.write_bytes(bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw))
    try:
        back = bifurc.load(target)
    except bifurc.InputError:
        return
    _equal(d, back)  # a flip the CRCs cannot see (zip bookkeeping) must not change a number
