"""Sweeps under careless or hostile use: sizes that cannot finish, damaged and tampered stores,
two writers, interrupts, read-only stores, a full disk, an unreachable cluster. Each is refused
or reported in one line (exit 2 on the command line), never a traceback or a wrong number."""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import bifurc

zarr = pytest.importorskip("zarr")

from bifurc.cli import main  # noqa: E402
from bifurc.sweep import read_sweep, sweep  # noqa: E402
from bifurc.sweep import store as store_module  # noqa: E402
from bifurc.sweep.plan import make_plan  # noqa: E402
from bifurc.sweep.store import SweepStore  # noqa: E402

A, B = np.linspace(1, 1.4, 9), np.linspace(0.1, 0.3, 7)
CLI = ["--x", "a=1:1.4:9", "--y", "b=0.1:0.3:7", "--quantity", "period", "--x0", "0.1,0.1", "--tile", "4",
       "--quiet"]


def period_plane(henon, path, **kwargs):
    return sweep(henon, path, "a", A, "b", B, "period", x0=[0.1, 0.1], tile=4, progress=False, **kwargs)


def one_line_error(capsys, status: int) -> str:
    """The command's error, checked to be one line with exit status 2."""
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.startswith("bifurc: error: ") and err.count("\n") == 1, err
    return err


# --- sizes that cannot finish ------------------------------------------------------
def test_a_million_squared_grid_is_refused_before_anything_is_made(tmp_path, capsys):
    status = main(["sweep", "henon", str(tmp_path / "s"), "--x", "a=1:1.4:1000000", "--y", "b=0:0.3:1000000",
                   "--x0", "0.1,0.1", "--quiet"])
    err = one_line_error(capsys, status)
    # 10^12 cells in auto tiles of 2^16 cells: 15.3 million tiles, over the limit of 2^22
    assert "tiles" in err and f"{store_module.MAX_TILES:,}" in err
    assert not (tmp_path / "s").exists()
    status = main(["sweep", "henon", str(tmp_path / "s"), "--x", "a=1:1.4:1000000", "--y", "b=0:0.3:1000000",
                   "--x0", "0.1,0.1", "--tile", "1000000", "--quiet"])
    assert "a tile of 1000000 x 1000000 cells would need" in one_line_error(capsys, status)
    assert not (tmp_path / "s").exists()


def test_a_store_larger_than_the_free_disk_is_refused(henon, tmp_path, monkeypatch):
    real = shutil.disk_usage
    monkeypatch.setattr(store_module.shutil, "disk_usage", lambda p: real(p)._replace(free=10_000))
    grid = np.linspace(1, 1.4, 64)
    # 64 x 64 int32 periods, plus the grids and the tiles' flags: more than 10 kB uncompressed
    with pytest.raises(bifurc.InputError, match=r"would need up to 17\.\d kB .* has 10\.0 kB free"):
        sweep(henon, tmp_path / "s", "a", grid, "b", grid * 0.2, "period", x0=[0.1, 0.1], tile=32,
              progress=False)
    assert not (tmp_path / "s").exists()


def test_footprint_counts_every_array(henon):
    plan = make_plan(henon, "a", np.linspace(1, 1.4, 100), "b", np.linspace(0, 0.3, 30), "attractor",
                     [0.1, 0.1], None, None, 10, 10, 4, 1e-9, 1e8, 5, (8, 16))
    need = store_module.footprint(plan)
    tiles = 4 * 7  # ceil(30 / 8) x ceil(100 / 16)
    # local + period + label int32 per cell; grids; done, escaped and 5 cycles of (period, cell, x, y)
    assert need == {"tiles": tiles, "store bytes": 3000 * 12 + 130 * 8 + tiles * (1 + 8 + 5 * 4 * 8),
                    "tile bytes": 128 * 8 * (3 * 2 + 2 + 6)}


# --- integrity on resume -----------------------------------------------------------
def test_a_deleted_chunk_of_a_done_tile_is_computed_again(henon, tmp_path):
    period_plane(henon, tmp_path / "fresh")
    period_plane(henon, tmp_path / "s")
    shutil.rmtree(tmp_path / "s" / "period" / "c" / "1")  # the chunks of tiles (1, 0), (1, 1), (1, 2)
    with pytest.raises(bifurc.InputError, match=r"3 tiles marked done have chunks missing \(first \(1, 0"):
        read_sweep(tmp_path / "s")  # not reported complete with NaN
    with pytest.warns(RuntimeWarning, match="3 tiles marked done have chunks missing"):
        resumed = period_plane(henon, tmp_path / "s")
    assert resumed.complete
    assert np.array_equal(resumed.values[:], read_sweep(tmp_path / "fresh").values[:])
    assert np.all(resumed.values[:] >= -1)  # no cell left at NOT_COMPUTED


def test_grids_of_another_length_are_refused(henon, tmp_path, capsys):
    period_plane(henon, tmp_path / "s")
    group = zarr.open_group(tmp_path / "s", mode="r+")
    del group["xs"]
    group.create_array("xs", data=np.linspace(1, 1.4, 10))  # 10 values for a 9-column sweep
    with pytest.raises(bifurc.InputError, match=r"damaged: array 'xs' has shape \(10,\)"):
        period_plane(henon, tmp_path / "s")
    with pytest.raises(bifurc.InputError, match="damaged: grids of 10 x 7"):
        read_sweep(tmp_path / "s")
    status = main(["sweep", "henon", str(tmp_path / "s"), *CLI])
    assert "array 'xs' has shape (10,)" in one_line_error(capsys, status)


@pytest.mark.parametrize("damage", ["group metadata", "array metadata", "array missing", "definition keys",
                                    "garbage values chunk", "garbage done chunk"])
def test_tampered_stores_are_reported_in_one_line(henon, tmp_path, capsys, damage):
    path = tmp_path / "s"
    period_plane(henon, path)
    if damage == "group metadata":
        (path / "zarr.json").write_text("{not json")
    elif damage == "array metadata":
        (path / "period" / "zarr.json").write_text('{"zarr_format": 3, "node_type": "array"}')
    elif damage == "array missing":
        shutil.rmtree(path / "done")
    elif damage == "definition keys":
        meta = json.loads((path / "zarr.json").read_text())
        del meta["attributes"]["bifurc_sweep"]["quantity"]
        (path / "zarr.json").write_text(json.dumps(meta))
    else:
        name = "period" if damage == "garbage values chunk" else "done"
        (path / name / "c" / "0" / "0").write_bytes(b"\x00garbage, not zstd")
    for command in (["sweep", "henon", str(path), *CLI], ["plot-sweep", str(path), "--out",
                                                            str(tmp_path / "p.png")]):
        err = one_line_error(capsys, main(command))
        assert "damaged" in err or "holds a different sweep" in err, err


# --- concurrency -------------------------------------------------------------------
def test_a_second_writer_is_refused_while_the_first_holds_the_store(henon, tmp_path, capsys):
    path = tmp_path / "s"
    plan = make_plan(henon, "a", A, "b", B, "period", [0.1, 0.1], None, None, 2000, 1000, 64, 1e-9, 1e8, 256,
                     4)
    first = SweepStore.open_for(path, plan)  # made, and locked as a running sweep holds it
    try:
        with pytest.raises(bifurc.InputError, match=rf"being written by another bifurc sweep \(process "
                                                    rf"{os.getpid()}\)"):
            period_plane(henon, path)
        child = subprocess.run([sys.executable, "-m", "bifurc", "sweep", "henon", str(path), *CLI],
                               capture_output=True, text=True)
        assert child.returncode == 2
        assert child.stderr.count("\n") == 1 and "being written by another bifurc sweep" in child.stderr
    finally:
        first.close()
    assert period_plane(henon, path).complete  # released: the next run goes ahead


def test_the_lock_of_a_killed_process_does_not_block(henon, tmp_path):
    path = tmp_path / "s"
    holder = textwrap.dedent(f"""
        import sys, time, numpy as np
        from bifurc import maps
        from bifurc.sweep.plan import make_plan
        from bifurc.sweep.store import SweepStore
        plan = make_plan(maps.henon, "a", np.linspace(1, 1.4, 9), "b", np.linspace(0.1, 0.3, 7), "period",
                         [0.1, 0.1], None, None, 2000, 1000, 64, 1e-9, 1e8, 256, 4)
        SweepStore.open_for({str(path)!r}, plan)
        print("locked", flush=True)
        time.sleep(120)
    """)
    child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(bifurc.InputError, match=f"process {child.pid}"):
            period_plane(henon, path)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert (path / ".bifurc-lock").read_text().strip() == str(child.pid)  # the stale lock file stays
    assert period_plane(henon, path).complete  # and does not block


# --- interrupts --------------------------------------------------------------------
def test_ctrl_c_inside_a_store_operation_of_the_set_up_prints_one_line(tmp_path):
    # SIGINT lands while the main thread waits on zarr's I/O thread (the store being made)
    script = textwrap.dedent(f"""
        import asyncio, os, signal, sys, threading
        import zarr
        original = zarr.storage.LocalStore.set
        calls = []
        async def slow_set(self, key, value):
            calls.append(key)
            if len(calls) == 3:
                threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
                await asyncio.sleep(0.5)
            return await original(self, key, value)
        zarr.storage.LocalStore.set = slow_set
        from bifurc.cli import main
        sys.exit(main(["sweep", "henon", {str(tmp_path / "s")!r}, *{CLI!r}]))
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert child.returncode == 130
    assert child.stderr == "bifurc: interrupted\n"


# --- unwritable stores -------------------------------------------------------------
def make_read_only(path):
    """Make ``path`` read-only (chmod; as root, which chmod does not stop, the immutable flag);
    returns the undo, or skips where neither works."""
    modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
    for p in modes:
        p.chmod(modes[p] & 0o555)
    undo = [lambda: [p.chmod(m) for p, m in modes.items()]]
    probe = path / "probe"
    try:
        probe.touch()
    except OSError:
        return undo[0]
    probe.unlink()
    if shutil.which("chattr") and subprocess.run(["chattr", "-R", "+i", str(path)]).returncode == 0:
        undo.insert(0, lambda: subprocess.run(["chattr", "-R", "-i", str(path)], check=True))
        return lambda: [u() for u in undo]
    undo[0]()
    pytest.skip("cannot make a folder read-only here")


def test_read_only_stores(henon, tmp_path, capsys):
    done, partial = tmp_path / "done", tmp_path / "partial"
    reference = period_plane(henon, done).values[:]
    period_plane(henon, partial)
    group = zarr.open_group(partial, mode="r+")  # as an interrupted run leaves it
    group.attrs["complete"] = False
    (partial / "done" / "c" / "0" / "0").unlink()
    undo = [make_read_only(done), make_read_only(partial)]
    try:
        assert np.array_equal(period_plane(henon, done).values[:], reference)  # complete: read only
        err = one_line_error(capsys, main(["sweep", "henon", str(partial), *CLI]))
        assert "is not writable" in err and "not complete" in err
    finally:
        for u in undo:
            u()


def test_a_full_disk_during_a_sweep_keeps_the_tiles_done(henon, tmp_path, capsys, monkeypatch):
    path = tmp_path / "s"
    original = zarr.storage.LocalStore.set
    written = []

    async def full_after_three_tiles(self, key, value):
        if key.startswith("period/c/"):
            written.append(key)
            if len(written) > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return await original(self, key, value)

    monkeypatch.setattr(zarr.storage.LocalStore, "set", full_after_three_tiles)
    err = one_line_error(capsys, main(["sweep", "henon", str(path), *CLI]))
    assert "No space left on device" in err and "tiles done so far are kept" in err
    assert int(zarr.open_group(path, mode="r")["done"][:].sum()) == 3
    monkeypatch.setattr(zarr.storage.LocalStore, "set", original)
    resumed = period_plane(henon, path)
    assert np.array_equal(resumed.values[:], period_plane(henon, tmp_path / "fresh").values[:])


# --- an unreachable cluster --------------------------------------------------------
def test_an_unreachable_scheduler_is_one_line_after_the_timeout(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from bifurc.sweep import distributed as dask_module

    monkeypatch.setattr(dask_module, "CONNECT_TIMEOUT", 2.0)
    # port 9 (discard) on this machine: nothing listens, so connecting is refused until the timeout
    err = one_line_error(capsys, main(["sweep", "henon", str(tmp_path / "s"), *CLI, "--dask",
                                       "tcp://127.0.0.1:9"]))
    assert "no Dask scheduler answered within 2 s" in err
    assert not (tmp_path / "s").exists()
