"""The on-disk store of a sweep: a zarr (v3) group, one chunk per tile, resumable.

Layout: the group's attribute ``bifurc_sweep`` holds the sweep's definition
(:meth:`~bifurc.sweep.plan.SweepPlan.definition`); arrays ``xs`` and ``ys`` hold the grids;
the quantity's arrays (:data:`~bifurc.sweep.tiles.ARRAYS`) are chunked by tile; ``done``
(one chunk per tile) is set to 1 after a tile's chunks and its count of escaped orbits
(``escaped``, one chunk per tile) are written, so a tile counts only
once all of it is on disk (zarr writes each chunk atomically). For ``attractor``, each
tile's cycles go to ``tile_attractors`` before ``done``; once every tile is done, the
cycles are merged into global labels (``label``) and the attribute ``attractors``.
A new store is made in a temporary folder and renamed into place, so that it is never
seen half made.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..analysis.basins import cycle_points, group_cycles
from ..errors import InputError
from .plan import SweepPlan
from .tiles import ARRAYS, Tile, cells

__all__ = ["SweepStore", "MissingDependencyError", "zarr_module", "NOT_COMPUTED", "KEY"]

#: Value of an integer cell not computed yet (float cells are NaN).
NOT_COMPUTED = -3
#: The group attribute that holds the definition.
KEY = "bifurc_sweep"


class MissingDependencyError(ImportError):
    """An optional dependency (an extra of bifurc) is not installed."""


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


class SweepStore:
    """A sweep's zarr group on disk (open with :meth:`open_for`, or :meth:`read` for results)."""

    def __init__(self, path: Path, group) -> None:
        self.path = path
        self.group = group
        self.tile = tuple(group.attrs[KEY]["tile"])

    # --- opening ----------------------------------------------------------------
    @classmethod
    def read(cls, path: str | os.PathLike) -> SweepStore:
        """Open an existing store read-only.

        Raises
        ------
        ValueError
            If there is no bifurc sweep store at ``path``.
        """
        zarr = zarr_module()
        target = Path(path)
        try:
            group = zarr.open_group(store=zarr.storage.LocalStore(target, read_only=True), mode="r")
        except (OSError, zarr.errors.BaseZarrError):  # nothing there, a file, a zarr array, bad metadata
            raise InputError(f"store {str(target)!r}: no bifurc sweep store there") from None
        if KEY not in group.attrs:
            raise InputError(f"store {str(target)!r} is a zarr group but not a bifurc sweep store")
        return cls(target, group)

    @classmethod
    def open_for(cls, path: str | os.PathLike, plan: SweepPlan) -> SweepStore:
        """The store of ``plan`` at ``path``: made if absent, reopened (to resume) if it holds the same sweep.

        Reopening removes the temporary files of chunk writes that a killed run left behind
        (zarr writes each chunk to ``<chunk>.<uuid>.partial`` and renames it into place); the
        tiles they belonged to are not marked done and are computed again.

        Raises
        ------
        ValueError
            If ``path`` holds something else (another sweep, naming what differs, or not a
            store; nothing there is changed), or a store cannot be created there.
        """
        target = Path(path)
        if not target.exists():
            cls._create(target, plan)
        existing = cls.read(target)
        problems = _differences(dict(existing.group.attrs[KEY]), plan.definition(), "")
        for name, axis in (("xs", plan.x), ("ys", plan.y)):
            stored = existing.group[name][:]
            if stored.shape == axis.values.shape and not np.array_equal(stored, axis.values):
                problems.append(f"grid of {axis.name} ({name}) differs")
        if problems:
            raise InputError(f"store {str(target)!r} holds a different sweep, left untouched ("
                             + "; ".join(problems) + "); use another path or delete it")
        for partial in target.rglob("*.partial"):  # zarr's temporary files of writes cut short by a kill
            partial.unlink(missing_ok=True)
        return cls.writable(target)

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
            names = dict(ARRAYS[plan.quantity])
            if plan.quantity == "attractor":
                names["label"] = "int32"
                row = (plan.max_attractors, 2 + plan.map.dim)
                group.create_array("tile_attractors", shape=(*plan.tiles, *row), chunks=(1, 1, *row),
                                   dtype="float64", fill_value=np.nan)
            for name, dtype in names.items():
                fill = np.nan if dtype == "float64" else NOT_COMPUTED
                group.create_array(name, shape=plan.shape, chunks=plan.tile, dtype=dtype, fill_value=fill)
            group.create_array("done", shape=plan.tiles, chunks=(1, 1), dtype="uint8", fill_value=0)
            group.create_array("escaped", shape=plan.tiles, chunks=(1, 1), dtype="int64", fill_value=0)
            group.attrs[KEY] = plan.definition()
            group.attrs["complete"] = False
            try:
                os.rename(staging / "store", target)  # atomic; fails if another process made it first
            except OSError:
                if not target.exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # --- tiles ------------------------------------------------------------------
    def done(self) -> np.ndarray:
        """Boolean (tiles rows, tiles columns): which tiles are on disk."""
        return self.group["done"][:] == 1

    def write(self, tile: Tile) -> None:
        """Write a tile's chunks, then mark it done (so an interruption loses at most this tile)."""
        ty, tx = tile.index
        h, w = self.tile
        for name, values in tile.arrays.items():
            self.group[name][ty * h: ty * h + values.shape[0], tx * w: tx * w + values.shape[1]] = values
        if tile.attractors is not None:
            table = np.full(self.group["tile_attractors"].shape[2:], np.nan)
            table[: tile.attractors.shape[0]] = tile.attractors
            self.group["tile_attractors"][ty, tx] = table
        self.group["escaped"][ty, tx] = tile.escaped
        self.group["done"][ty, tx] = 1

    # --- completion -------------------------------------------------------------
    def finish(self, plan: SweepPlan) -> None:
        """Once every tile is done: merge the tiles' cycles into global labels (``attractor``),
        and mark the store complete. Deterministic, and safe to repeat after an interruption."""
        if plan.quantity == "attractor":
            self._merge(plan)
        self.group.attrs["complete"] = True

    def _merge(self, plan: SweepPlan) -> None:
        """Global labels: the tiles' cycles in order of their first cell in the grid, grouped as
        :func:`bifurc.analysis.basins.group_cycles` groups cells, so numbered as on the untiled grid."""
        tables = self.group["tile_attractors"][:]
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
            local = self.group["local"][r, c]
            lookup = np.append(relabel[start[t]: start[t + 1]], -1)  # the -1: index of cells with no cycle
            self.group["label"][r, c] = np.where(local >= 0, lookup[np.maximum(local, -1)], local)
        attractors = []
        for first in firsts:
            row = rows[order[first]]
            index = int(row[1])
            i, j = divmod(index, plan.shape[1])
            _, P = cells(plan, slice(i, i + 1), slice(j, j + 1))
            cycle = cycle_points(plan.map, row[2:], P[0], int(row[0]))
            attractors.append({"points": cycle.tolist(), "cell": [i, j]})
        self.group.attrs["attractors"] = attractors
