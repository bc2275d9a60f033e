"""The on-disk store of a sweep: a zarr (v3) group, one chunk per tile, resumable.

Layout: the group's attribute ``bifurc_sweep`` holds the sweep's definition
(:meth:`~bifurc.sweep.plan.SweepPlan.definition`); arrays ``xs`` and ``ys`` hold the grids;
the quantity's arrays (:data:`~bifurc.sweep.tiles.ARRAYS`) are chunked by tile; ``done``
(one chunk per tile) is set to 1 after a tile's chunks and its count of escaped orbits
(``escaped``, one chunk per tile) are written, so a tile counts only
once all of it is on disk (zarr writes each chunk atomically). Every chunk of a tile is
written, even one that equals the fill value, so that a done tile whose chunk is missing
is seen to be damaged. For ``attractor``, each tile's cycles go to ``tile_attractors``
before ``done``; once every tile is done, the cycles are merged into global labels
(``label``) and the attribute ``attractors``.
A new store is made in a temporary folder and renamed into place, so that it is never
seen half made. One process at a time writes a store: it holds an advisory lock
(``fcntl.flock``) on the file ``.bifurc-lock`` inside it, which the system releases when
the process ends, however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import math
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..analysis.arguments import affordable
from ..analysis.basins import cycle_points, group_cycles
from ..errors import InputError
from .plan import SweepPlan
from .tiles import ARRAYS, Tile, cells

__all__ = ["SweepStore", "MissingDependencyError", "zarr_module", "NOT_COMPUTED", "KEY", "MAX_TILES",
           "footprint", "check_footprint", "drain"]

#: Value of an integer cell not computed yet (float cells are NaN).
NOT_COMPUTED = -3
#: The group attribute that holds the definition.
KEY = "bifurc_sweep"
#: The most tiles a sweep may have: every array holds one chunk (a file) per tile, and a
#: resume lists them; 2**22 tiles of 256 x 256 cells is a 524288² grid.
MAX_TILES = 2**22
#: The lock file inside a store.
LOCK = ".bifurc-lock"


class MissingDependencyError(ImportError):
    """An optional dependency (an extra of bifurc) is not installed.

    Examples
    --------
    >>> from bifurc.sweep import MissingDependencyError
    >>> issubclass(MissingDependencyError, ImportError)  # raised by sweeps when zarr or dask is missing
    True
    """


def zarr_module():
    """The ``zarr`` module (version >= 3), or :class:`MissingDependencyError` saying how to install it."""
    try:
        import zarr
    except ImportError:
        raise MissingDependencyError("sweeps need zarr >= 3: pip install 'bifurc[sweep]'") from None
    if int(zarr.__version__.split(".")[0]) < 3:
        raise MissingDependencyError(
            f"sweeps need zarr >= 3 (found {zarr.__version__}): pip install 'bifurc[sweep]'"
        )
    return zarr


def drain(timeout: float = 10.0) -> None:
    """Let zarr's background event loop finish the operations in flight.

    zarr runs its I/O on an event loop in a thread of its own; when Ctrl-C stops the main
    thread while it waits on that loop, the operation goes on there, and at exit the loop
    is torn down under it (``Task was destroyed but it is pending!`` on standard error).
    Called on an interrupt, this waits (at most ``timeout`` seconds) for those tasks.
    """
    try:
        from zarr.core.sync import _get_loop
    except ImportError:  # zarr absent, or its internals moved: nothing known to wait for
        return

    async def settle() -> None:
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=timeout)

    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(settle(), _get_loop()).result(timeout + 1)


def _differences(old: object, new: object, where: str) -> list[str]:
    """Where two JSON-like values differ, as 'where: store has A, requested B' lines."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in list(old) + [k for k in new if k not in old]:
            out += _differences(old.get(key), new.get(key), f"{where}.{key}" if where else str(key))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in _differences(a, b, f"{where}[{i}]")]
    if old == new:
        return []

    def short(value: object) -> str:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."

    return [f"{where}: store has {short(old)}, requested {short(new)}"]


def _layout(plan: SweepPlan) -> dict[str, tuple[tuple[int, ...], tuple[int, ...], str]]:
    """Every array of ``plan``'s store (grids apart): name -> (shape, chunks, dtype)."""
    names = dict(ARRAYS[plan.quantity])
    if plan.quantity == "attractor":
        names["label"] = "int32"
    out = {name: (plan.shape, plan.tile, dtype) for name, dtype in names.items()}
    if plan.quantity == "attractor":
        row = (plan.max_attractors, 2 + plan.map.dim)
        out["tile_attractors"] = ((*plan.tiles, *row), (1, 1, *row), "float64")
    out["done"] = (plan.tiles, (1, 1), "uint8")
    out["escaped"] = (plan.tiles, (1, 1), "int64")
    return out


def footprint(plan: SweepPlan) -> dict[str, int]:
    """What ``plan``'s sweep needs: ``tiles``; ``store bytes`` (uncompressed: every array and
    grid); ``tile bytes`` (the memory of one tile's cells and results while it is computed)."""
    tiles = math.prod(plan.tiles)
    store = 8 * (plan.shape[0] + plan.shape[1])
    for shape, _, dtype in _layout(plan).values():
        store += math.prod(shape) * np.dtype(dtype).itemsize
    dim, npar = plan.map.dim, plan.params.size
    # starts, parameters, final states and the observable's step (dim each), results and the reorder
    per_cell = 8 * (3 * dim + npar + 6)
    return {"tiles": tiles, "store bytes": store, "tile bytes": math.prod(plan.tile) * per_cell}


def _size(count: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError  # the loop returns


def check_footprint(plan: SweepPlan, target: Path) -> None:
    """Refuse, before anything is allocated or written, a sweep that cannot finish: more than
    :data:`MAX_TILES` tiles, a tile that does not fit in memory, or a store larger (uncompressed)
    than the free space of the file system it goes to.

    Raises
    ------
    ValueError
        Naming the limit and the size asked for.
    """
    need = footprint(plan)
    if need["tiles"] > MAX_TILES:
        raise InputError(f"the sweep would have {need['tiles']:,} tiles of {plan.tile[0]} x {plan.tile[1]} "
                         f"cells, more than {MAX_TILES:,}; use larger tiles or a coarser grid")
    affordable((need["tile bytes"],), f"a tile of {plan.tile[0]} x {plan.tile[1]} cells", itemsize=1)
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:  # the file system does not say: creating the store will tell
        return
    if need["store bytes"] > free:
        raise InputError(f"store {str(target)!r} would need up to {_size(need['store bytes'])} "
                         f"({plan.shape[0]:,} x {plan.shape[1]:,} cells, uncompressed), but its file system "
                         f"has {_size(free)} free; use a coarser grid or another place")


class SweepStore:
    """A sweep's zarr group on disk (open with :meth:`open_for`, or :meth:`read` for results)."""

    def __init__(self, path: Path, group) -> None:
        self.path = path
        self.group = group
        self.tile = tuple(group.attrs[KEY]["tile"])
        self._lock: int | None = None

    # --- opening ----------------------------------------------------------------
    @classmethod
    def read(cls, path: str | os.PathLike) -> SweepStore:
        """Open an existing store read-only.

        Raises
        ------
        ValueError
            If there is no bifurc sweep store at ``path``, or its metadata is damaged.
        """
        zarr = zarr_module()
        target = Path(path)
        metadata = target / "zarr.json"
        try:
            if metadata.is_file():
                json.loads(metadata.read_bytes())
        except (ValueError, OSError):
            raise InputError(f"store {str(target)!r} is damaged: its metadata (zarr.json) is not "
                             "valid JSON") from None
        try:
            group = zarr.open_group(store=zarr.storage.LocalStore(target, read_only=True), mode="r")
            definition = group.attrs.get(KEY)
        except (OSError, ValueError, TypeError, KeyError, zarr.errors.BaseZarrError):
            # nothing there, a file, a zarr array, metadata that is not a zarr group's
            raise InputError(f"store {str(target)!r}: no bifurc sweep store there") from None
        if definition is None:
            raise InputError(f"store {str(target)!r} is a zarr group but not a bifurc sweep store")
        if not isinstance(definition, dict) or not isinstance(definition.get("tile"), list):
            raise InputError(f"store {str(target)!r} is damaged: its definition ({KEY}) is not valid")
        return cls(target, group)

    @classmethod
    def stored_tile(cls, path: str | os.PathLike) -> tuple[int, int] | None:
        """The tile of the store at ``path``, or None if there is none (to resume with its tiling)."""
        target = Path(path)
        if not (target / "zarr.json").exists():
            return None
        return cls.read(target).tile

    @classmethod
    def open_for(cls, path: str | os.PathLike, plan: SweepPlan) -> SweepStore:
        """The store of ``plan`` at ``path``, made if absent or reopened (to resume) if it holds the
        same sweep, locked against other writers, and checked.

        Reopening removes the temporary files of chunk writes that a killed run left behind
        (zarr writes each chunk to ``<chunk>.<uuid>.partial`` and renames it into place); the
        tiles they belonged to are not marked done and are computed again. Tiles marked done
        whose chunks are missing (deleted) are unmarked, with a warning, to be computed again.
        A store that is complete and whole is opened read-only (it may be on a read-only file
        system).

        Raises
        ------
        ValueError
            If ``path`` holds something else (another sweep, naming what differs, or not a
            store; nothing there is changed), its arrays are not those of the sweep (a
            damaged store), another process is writing it, or it cannot be created or written.
        """
        target = Path(path)
        if not target.exists():
            check_footprint(plan, target)
            cls._create(target, plan)
        existing = cls.read(target)
        problems = _differences(dict(existing.group.attrs[KEY]), plan.definition(), "")
        if problems:
            raise InputError(f"store {str(target)!r} holds a different sweep, left untouched ("
                             + "; ".join(problems) + "); use another path or delete it")
        existing.verify(plan)
        missing = existing.missing_chunks(existing.done())
        if existing.complete and not missing:
            return existing
        store = cls.writable(target)
        store.lock()
        for partial in target.rglob("*.partial"):  # zarr's temporary files of writes cut short by a kill
            partial.unlink(missing_ok=True)
        if missing:
            warnings.warn(f"store {str(target)!r}: {len(missing)} tiles marked done have chunks missing "
                          f"(first {missing[0]}); computing them again", RuntimeWarning, stacklevel=3)
            store.unmark(missing)
        return store

    @classmethod
    def writable(cls, path: str | os.PathLike) -> SweepStore:
        """An existing store, opened to write tiles (its definition already checked by the caller)."""
        zarr = zarr_module()
        return cls(Path(path), zarr.open_group(store=zarr.storage.LocalStore(path), mode="r+"))

    @staticmethod
    def _create(target: Path, plan: SweepPlan) -> None:
        zarr = zarr_module()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        except OSError as error:
            raise InputError(f"store {str(target)!r} cannot be created: {error.strerror or error}") from None
        try:
            group = zarr.open_group(store=zarr.storage.LocalStore(staging / "store"), mode="w-")
            group.create_array("xs", data=plan.x.values)
            group.create_array("ys", data=plan.y.values)
            for name, (shape, chunks, dtype) in _layout(plan).items():
                fill = {"float64": np.nan, "uint8": 0, "int64": 0}.get(dtype, NOT_COMPUTED)
                group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, fill_value=fill)
            group.attrs[KEY] = plan.definition()
            group.attrs["complete"] = False
            try:
                os.rename(staging / "store", target)  # atomic; fails if another process made it first
            except OSError:
                if not target.exists():
                    raise
        except OSError as error:
            raise InputError(f"store {str(target)!r} cannot be created: {error.strerror or error}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # --- locking ----------------------------------------------------------------
    def lock(self) -> None:
        """Take the store's write lock (held until :meth:`close` or the end of the process).

        Raises
        ------
        ValueError
            If another process holds it (naming its process id), or the store is not writable.
        """
        import fcntl

        path = self.path / LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InputError(f"store {str(self.path)!r} is not writable ({error.strerror or error}) and "
                             "not complete; make it writable, or copy it elsewhere, to resume") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise InputError(f"store {str(self.path)!r} is being written by another bifurc sweep "
                                 f"(process {holder}); wait for it to finish, or stop it") from None
            raise InputError(f"store {str(self.path)!r} cannot be locked ({error.strerror})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock = fd

    def close(self) -> None:
        """Release the write lock, if held."""
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None

    # --- integrity --------------------------------------------------------------
    def _damaged(self, what: str) -> InputError:
        return InputError(f"store {str(self.path)!r} is damaged: {what}; delete it to start again")

    def verify(self, plan: SweepPlan) -> None:
        """Check that the store's arrays are those of ``plan`` (names, shapes, chunks, types, grids).

        Raises
        ------
        ValueError
            Naming the first damage found.
        """
        zarr = zarr_module()
        expected = {"xs": ((plan.x.values.size,), None, "float64"),
                    "ys": ((plan.y.values.size,), None, "float64")} | _layout(plan)
        for name, (shape, chunks, dtype) in expected.items():
            try:
                array = self.group[name]
            except KeyError:
                raise self._damaged(f"array {name!r} is missing") from None
            except (zarr.errors.BaseZarrError, ValueError, TypeError, OSError):
                raise self._damaged(f"the metadata of array {name!r} cannot be read") from None
            if (not isinstance(array, zarr.Array) or array.shape != shape or array.dtype != np.dtype(dtype)
                    or (chunks is not None and array.chunks != chunks)):
                found = getattr(array, "shape", None), getattr(array, "dtype", None)
                raise self._damaged(f"array {name!r} has shape {found[0]}, dtype {found[1]}, not {shape}, "
                                    f"{dtype} as the sweep needs")
        for name, axis in (("xs", plan.x), ("ys", plan.y)):
            if not np.array_equal(self._read(name), axis.values):
                raise InputError(f"store {str(self.path)!r} holds a different sweep, left untouched (grid of "
                                 f"{axis.name} ({name}) differs); use another path or delete it")

    def _read(self, name: str, selection: object = slice(None)) -> np.ndarray:
        """``self.group[name][selection]``, a chunk that cannot be decoded reported as damage."""
        try:
            return self.group[name][selection]
        except (RuntimeError, ValueError, TypeError, OSError) as error:  # zstd, codec and shape errors
            raise self._damaged(f"a chunk of {name!r} cannot be read ({error})") from None

    def _chunks(self, name: str) -> set[tuple[int, int]]:
        """The tiles (row, column) whose chunk of array ``name`` (chunked one per tile) is on disk:
        the files ``name/c/<row>/<column>`` (``.../<column>/0/0`` for ``tile_attractors``), listed."""
        found = set()
        root = self.path / name / "c"
        for row in (os.scandir(root) if root.is_dir() else ()):
            if not (row.is_dir() and row.name.isdigit()):
                continue
            for col in os.scandir(row.path):
                inner = Path(col.path)
                while inner.is_dir():  # the trailing zero indices of tile_attractors' chunks
                    inner = inner / "0"
                if col.name.isdigit() and inner.is_file():
                    found.add((int(row.name), int(col.name)))
        return found

    @property
    def complete(self) -> bool:
        """Every tile is done (and, for ``attractor``, the labels are merged)."""
        return bool(self.group.attrs.get("complete"))

    def done(self) -> np.ndarray:
        """Boolean (tiles rows, tiles columns): which tiles are on disk.

        Found from the files of ``done`` (a listing, not one read per tile); their values
        are read and must be 1.
        """
        try:
            array = self.group["done"]
        except (KeyError, ValueError, TypeError, OSError):
            raise self._damaged("array 'done' is missing or unreadable") from None
        flags = np.zeros(array.shape, dtype=bool)
        listed = sorted(self._chunks("done"))
        if listed:
            rows, cols = (np.array(v) for v in zip(*listed))
            if np.any(rows >= flags.shape[0]) or np.any(cols >= flags.shape[1]):
                raise self._damaged("array 'done' has chunks outside the grid of tiles")
            try:
                values = array.vindex[rows, cols]
            except (RuntimeError, ValueError, TypeError, OSError) as error:
                raise self._damaged(f"a chunk of 'done' cannot be read ({error})") from None
            flags[rows[values == 1], cols[values == 1]] = True
        return flags

    def missing_chunks(self, done: np.ndarray) -> list[tuple[int, int]]:
        """Tiles marked ``done`` some chunk of which is not on disk (deleted, or never written)."""
        quantity = self.group.attrs[KEY].get("quantity")
        names = [*ARRAYS.get(quantity, {}), "escaped"]
        if quantity == "attractor":
            names += ["tile_attractors"] + (["label"] if self.complete else [])
        marked = set(zip(*(index.tolist() for index in done.nonzero())))
        missing: set[tuple[int, int]] = set()
        for name in names:
            missing |= marked - self._chunks(name)
        return sorted(missing)

    def unmark(self, tiles: list[tuple[int, int]]) -> None:
        """Mark ``tiles`` not done (to compute them again), and the store not complete."""
        for ty, tx in tiles:
            (self.path / "done" / "c" / str(ty) / str(tx)).unlink(missing_ok=True)
        if tiles:
            self.group.attrs["complete"] = False

    # --- tiles ------------------------------------------------------------------
    def write(self, tile: Tile) -> None:
        """Write a tile's chunks, then mark it done (so an interruption loses at most this tile).

        Raises
        ------
        ValueError
            If the store cannot be written (a full disk, a read-only file system): the tiles
            done so far are kept.
        """
        ty, tx = tile.index
        h, w = self.tile
        try:
            for name, values in tile.arrays.items():
                self._array(name)[ty * h: ty * h + values.shape[0], tx * w: tx * w + values.shape[1]] = values
            if tile.attractors is not None:
                table = np.full(self.group["tile_attractors"].shape[2:], np.nan)
                table[: tile.attractors.shape[0]] = tile.attractors
                self._array("tile_attractors")[ty, tx] = table
            self._array("escaped")[ty, tx] = tile.escaped
            self._array("done")[ty, tx] = 1
        except OSError as error:
            raise InputError(f"store {str(self.path)!r}: writing tile {tile.index} failed "
                             f"({error.strerror or error}); the tiles done so far are kept, run the sweep "
                             "again to resume") from None

    def _array(self, name: str):
        """Array ``name`` set to write every chunk, even one equal to the fill value."""
        return self.group[name].with_config({"write_empty_chunks": True})

    # --- completion -------------------------------------------------------------
    def finish(self, plan: SweepPlan) -> None:
        """Once every tile is done: merge the tiles' cycles into global labels (``attractor``),
        and mark the store complete. Deterministic, and safe to repeat after an interruption."""
        try:
            if plan.quantity == "attractor":
                self._merge(plan)
            self.group.attrs["complete"] = True
        except OSError as error:
            raise InputError(f"store {str(self.path)!r}: finishing failed ({error.strerror or error}); "
                             "run the sweep again to finish it") from None

    def _merge(self, plan: SweepPlan) -> None:
        """Global labels: the tiles' cycles in order of their first cell in the grid, grouped as
        :func:`bifurc.analysis.basins.group_cycles` groups cells, so numbered as on the untiled grid."""
        tables = self._read("tile_attractors")
        count = np.sum(~np.isnan(tables[..., 0]), axis=-1)
        rows = np.concatenate([tables[ty, tx, : count[ty, tx]] for ty, tx in np.ndindex(*plan.tiles)])
        order = np.argsort(rows[:, 1], kind="stable")
        labels, firsts = group_cycles(rows[order, 0].astype(np.int64), rows[order, 2:], plan.tol)
        if len(firsts) > plan.max_attractors:
            raise InputError(f"the sweep holds more than max_attractors={plan.max_attractors} cycles")
        relabel = np.empty(rows.shape[0], dtype=np.int32)
        relabel[order] = labels
        start = np.concatenate([[0], np.cumsum(count.ravel())])
        for t, (ty, tx) in enumerate(np.ndindex(*plan.tiles)):
            r, c = plan.tile_slices(ty, tx)
            local = self._read("local", (r, c))
            lookup = np.append(relabel[start[t]: start[t + 1]], -1)  # the -1: index of cells with no cycle
            self._array("label")[r, c] = np.where(local >= 0, lookup[np.maximum(local, -1)], local)
        attractors = []
        for first in firsts:
            row = rows[order[first]]
            index = int(row[1])
            i, j = divmod(index, plan.shape[1])
            _, P = cells(plan, slice(i, i + 1), slice(j, j + 1))
            cycle = cycle_points(plan.map, row[2:], P[0], int(row[0]))
            attractors.append({"points": cycle.tolist(), "cell": [i, j]})
        self.group.attrs["attractors"] = attractors


@contextlib.contextmanager
def interrupt_safe() -> Iterator[None]:
    """On Ctrl-C inside the block, let zarr's operations in flight end before the interrupt goes on."""
    try:
        yield
    except KeyboardInterrupt:
        drain()
        raise
