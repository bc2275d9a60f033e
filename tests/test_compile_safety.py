"""No text a user supplies becomes code, except formulas through the safe printer.

Each injection below would, if written into a generated kernel module, run code that
creates a marker file when the module is imported. The tests compile maps named by (or
defined with a trailing comment holding) those texts and assert that the marker was
never created and that no generated file holds the text.
"""

import errno
import json
import math
import os
import pickle
import stat
import sys
import tempfile
import warnings

import numpy as np
import pytest

import bifurc
from bifurc import Map
from bifurc.cli import main
from bifurc.compilation import interpreted, loader
from bifurc.errors import InputError


def _payloads(marker):
    """Texts that break out of a string literal or a comment and create ``marker``."""
    def text(value):  # a string expression without quotes, so no escaping can defuse it
        return f"bytes({list(value.encode())}).decode()"

    touch = f"__import__({text('pathlib')}).Path({text(str(marker))}).touch()"
    return [
        f'"""+{touch}+"""',
        f"'''+{touch}+'''",
        f'\\"""+{touch}+"""\\',
        f'x"""\n{touch}\n"""',
        f"x'''\n{touch}\n'''",
        f"\\\n{touch}\n",
        f"'+{touch}+'",
        f'"+{touch}+"',
    ]


def _generated(folder):
    return [p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*.py")]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("BIFURC_CACHE_DIR", str(folder))
    return folder


def test_map_name_never_reaches_the_kernel_module(cache, tmp_path):
    marker = tmp_path / "ran"
    for i, name in enumerate(_payloads(marker)):
        m = Map.from_expressions({"x": f"r*x*(1 - x) + {i}*x*0"}, {"r": 3.0}, name=name)
        assert m(0.5)[0] == 0.75  # compiled and imported: 3 * 0.5 * 0.5, exact in binary
        assert not marker.exists(), f"code ran from the name {name!r}"
        assert all(name not in text for text in _generated(cache))


def test_formula_comment_on_the_command_line_never_runs(cache, tmp_path, capsys):
    marker = tmp_path / "ran"
    for i, payload in enumerate(p for p in _payloads(marker) if ";" not in p and "\n" not in p):
        spec = f"x=a*x + {i}*x*0 # {payload}"
        status = main(["lyapunov", spec, "--set", "a=0.5", "--n", "100", "--transient", "0", "--json"])
        out = capsys.readouterr().out
        assert status == 0 and not marker.exists(), f"code ran from the spec {spec!r}"
        # x -> a x has exponent log|a|; the sum of 100 logarithms rounds at 1e-15
        assert math.isclose(json.loads(out)["exponents"][0], math.log(0.5), rel_tol=1e-12)
        assert all(payload not in text for text in _generated(cache))


def test_loss_text_of_verify_never_runs(cache, tmp_path, capsys):
    marker = tmp_path / "ran"
    payload = _payloads(marker)[0]
    loss = f"2*sqrt(4 + p**2) - 4 # {payload}"  # a pseudo-Huber loss with l''(0) = 1, as verify asks
    status = main(["verify", "--only", "song-yun/period-doubling", "--loss", loss])
    capsys.readouterr()
    assert status in (0, 1) and not marker.exists()
    assert all(payload not in text for text in _generated(cache))


# --- the cache is code: private, self-healing, and optional ----------------------------

@pytest.fixture
def fresh(monkeypatch, request):
    """A loader that has loaded nothing and warned of nothing in this process yet; the
    kernels compiled, unless the test is run with ``plain`` (small jobs in plain Python)."""
    monkeypatch.setattr(loader, "_loaded", {})
    monkeypatch.setattr(loader, "_plain", {})
    monkeypatch.setattr(loader, "_private", {})
    monkeypatch.setattr(loader, "_warned", set())
    monkeypatch.setattr(interpreted, "_spent", 0)
    if not getattr(request, "param", False):
        monkeypatch.setattr(interpreted, "BUDGET", 0)
    return loader


def _twin():
    """A new Map object of the same formulas each call (so its kernels are imported again)."""
    return Map.from_expressions({"x": "1 - a*x**2 + y", "y": "b*x"}, {"a": 1.4, "b": 0.3}, name="henon")


def _spectrum(m):
    return bifurc.lyapunov(m, [0.1, 0.1], 2000, transient=10)


def test_cache_folder_is_created_private(cache, fresh):
    assert _twin().kernels.DIM == 2
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700


def test_unwritable_cache_falls_back_to_a_private_folder(tmp_path, monkeypatch, fresh):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("BIFURC_CACHE_DIR", str(blocker / "cache"))  # cannot be created: a file is in the way
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    folder = fresh.kernel_folder()
    assert folder == tmp_path / "tmp" / f"bifurc-{os.getuid()}"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_a_fallback_others_can_write_in_is_refused(tmp_path, monkeypatch, fresh, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("BIFURC_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    planted = tmp_path / "tmp" / f"bifurc-{os.getuid()}"
    planted.mkdir(parents=True)
    planted.chmod(0o777)  # as another user could have made it, to plant a module in it
    with pytest.raises(InputError, match="BIFURC_CACHE_DIR"):
        fresh.kernel_folder()
    fresh._private.clear()
    status = main(["lyapunov", "x=a*x", "--set", "a=0.5", "--n", "10"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "private" in err


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="needs root to make a folder of another user")
def test_a_fallback_of_another_user_is_refused(tmp_path, monkeypatch, fresh):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("BIFURC_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    planted = tmp_path / "tmp" / f"bifurc-{os.getuid()}"
    planted.mkdir(parents=True, mode=0o700)
    os.chown(planted, 65534, 65534)
    with pytest.raises(InputError, match="another user"):
        fresh.kernel_folder()


@pytest.mark.parametrize("fresh", [False, True], ids=["compiled", "plain"], indirect=True)
def test_damaged_module_is_rebuilt_with_one_warning(cache, fresh):
    expected = _spectrum(_twin())
    (module,) = cache.glob("map_*.py")
    for damage in (b"", module.read_bytes()[:200], module.read_bytes() + b"x = 1\n"):
        module.write_bytes(damage)
        fresh._loaded.clear()
        fresh._plain.clear()
        fresh._warned.clear()
        with pytest.warns(loader.CacheWarning, match="damaged"):
            again = _spectrum(_twin())
        assert np.array_equal(again, expected)  # the same kernels, rebuilt: bit for bit
        assert fresh._intact(module.read_text(), module.stem[4:])


@pytest.mark.parametrize("suffix", [".nbi", ".nbc"])
def test_damaged_numba_cache_file_is_discarded_with_one_warning(cache, fresh, suffix, monkeypatch):
    expected = _spectrum(_twin())
    files = sorted((cache / "__pycache__").glob(f"*{suffix}"))
    assert files
    for path in files:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    fresh._loaded.clear()
    for name in [n for n in sys.modules if n.startswith("bifurc_kernels_")]:
        monkeypatch.delitem(sys.modules, name)  # put back afterwards: numba's cached code imports them
    with pytest.warns(loader.CacheWarning, match="damaged"):
        again = _spectrum(_twin())
    assert np.array_equal(again, expected)
    fresh._loaded.clear()
    fresh._warned.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", loader.CacheWarning)  # healed: loads without a warning
        assert np.array_equal(_spectrum(_twin()), expected)


def test_unreadable_derivation_pickle_is_rederived_with_one_warning(cache, fresh, monkeypatch):
    from bifurc.eos import cache as symbolic

    monkeypatch.setattr(symbolic, "_warned", [])
    calls = []

    @symbolic.derived
    def square(v: int) -> int:
        calls.append(v)
        return v * v

    assert square(7) == 49
    (path,) = (cache / "symbolic").glob("*.pkl")
    path.write_bytes(pickle.dumps(49)[:3])
    square.cache_clear()
    with pytest.warns(loader.CacheWarning, match="unreadable"):
        assert square(7) == 49
    assert calls == [7, 7] and pickle.loads(path.read_bytes()) == 49


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("fresh", [False, True], ids=["compiled", "plain"], indirect=True)
def test_full_disk_for_the_module_runs_without_the_cache(cache, fresh, monkeypatch):
    expected = _spectrum(_twin())
    fresh._loaded.clear()
    fresh._plain.clear()
    for path in cache.glob("map_*.py"):
        path.unlink()
    monkeypatch.setattr(loader, "replacing", _full_disk)
    with pytest.warns(loader.CacheWarning, match="running without it"):
        assert np.array_equal(_spectrum(_twin()), expected)
    assert not list(cache.glob("map_*.py"))


def test_full_disk_for_numba_runs_without_the_cache(cache, fresh, monkeypatch):
    from numba.core import caching

    monkeypatch.setattr(caching.IndexDataCacheFile, "save", _full_disk)
    with pytest.warns(loader.CacheWarning, match="running without it"):
        spectrum = _spectrum(_twin())
    assert abs(spectrum.sum() - math.log(0.3)) < 1e-12  # the exponents of Henon's map sum to log b
    assert not list((cache / "__pycache__").glob("*.nbi"))
