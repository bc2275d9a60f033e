"""Ctrl-C during a write leaves no partial file: every writer goes through bifurc.atomic.replacing.

The fixture makes the first write to any file opened by ``replacing`` write part of its
data and then raise KeyboardInterrupt, as a Ctrl-C in the middle of a write would.
"""

import os
import pickle

import numpy as np
import pytest
from matplotlib.figure import Figure

import bifurc
import bifurc.atomic
import bifurc.figures
from bifurc.cli import main


class _Interrupted:
    """A file wrapper whose first write is cut short by KeyboardInterrupt."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        self._handle.write(data[: max(1, len(data) // 2)])
        self._handle.flush()
        raise KeyboardInterrupt

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)


@pytest.fixture
def interrupt(monkeypatch):
    real = bifurc.atomic.tempfile.NamedTemporaryFile
    monkeypatch.setattr(bifurc.atomic.tempfile, "NamedTemporaryFile",
                        lambda *args, **kwargs: _Interrupted(real(*args, **kwargs)))


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_replacing_keeps_the_old_file_on_interrupt(tmp_path, interrupt):
    target = tmp_path / "result.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with bifurc.atomic.replacing(target, "w", encoding="utf-8") as handle:
            handle.write("new content")
    assert target.read_text() == "old" and _files(tmp_path) == ["result.txt"]


def test_replacing_writes_whole_files_with_ordinary_permissions(tmp_path):
    target = tmp_path / "sub" / "a.bin"
    with bifurc.atomic.replacing(target) as handle:
        handle.write(b"123")
    assert target.read_bytes() == b"123" and _files(tmp_path) == ["a.bin"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600


def test_save_interrupted(tmp_path, interrupt, logistic):
    c = bifurc.cascade(logistic, "r", 2.8, 3.5, 0.3, count=2)
    with pytest.raises(KeyboardInterrupt):
        bifurc.save(c, tmp_path / "c.npz")
    assert _files(tmp_path) == []


def test_cli_out_interrupted_exits_130_in_one_line(tmp_path, interrupt, capsys):
    for out in ("d.png", "d.npz"):
        status = main(["diagram", "logistic", "--sweep", "r=3:4:50", "--keep", "10",
                       "--out", str(tmp_path / out)])
        _, err = capsys.readouterr()
        assert status == 130 and err == "bifurc: interrupted\n"
    assert _files(tmp_path) == []


def test_figures_write_all_interrupted(tmp_path, interrupt, monkeypatch):
    def tiny(quick=False):
        fig = Figure()
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig

    monkeypatch.setitem(bifurc.figures.FIGURES, "classics-logistic", tiny)
    with pytest.raises(KeyboardInterrupt):
        bifurc.figures.write_all(tmp_path, only="classics-logistic")
    assert _files(tmp_path) == []


def test_symbolic_cache_interrupted(tmp_path, interrupt, monkeypatch):
    from bifurc.eos.cache import derived

    monkeypatch.setenv("BIFURC_CACHE_DIR", str(tmp_path))

    @derived
    def square(n: int) -> list:
        return [n * n] * 1000

    with pytest.raises(KeyboardInterrupt):
        square(7)
    assert _files(tmp_path) == []


def test_symbolic_cache_of_an_unpicklable_value_leaves_nothing(tmp_path, monkeypatch):
    from bifurc.eos.cache import derived

    monkeypatch.setenv("BIFURC_CACHE_DIR", str(tmp_path))

    @derived
    def unpicklable() -> object:
        return lambda: 0

    assert unpicklable()() == 0  # kept in memory
    assert _files(tmp_path) == []
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(lambda: 0)


def test_kernel_module_interrupted(tmp_path, interrupt, monkeypatch):
    from bifurc.compilation import loader

    monkeypatch.setenv("BIFURC_CACHE_DIR", str(tmp_path))
    source = f"# a kernel module that was never written {np.random.default_rng(0).random()}\n"
    with pytest.raises(KeyboardInterrupt):
        loader.load_kernels(source)
    assert _files(tmp_path) == []
