"""The numerics of one tile: its cells, one parallel kernel call, and the tile's arrays.

A tile's values depend only on the plan and the tile's cells (every cell is computed
independently, by the same compiled code), so a tile gives the same bits wherever and in
whatever order it runs: serially, on numba's threads, or on a Dask worker.

The kernel receives the tile's cells in an interleaved order (:func:`interleaved`):
numba's ``prange`` hands each thread one contiguous range of the cells, and cells that
escape early or converge fast come in regions of the grid; interleaved, every range
samples the whole tile, so the threads' shares of work are alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..analysis.basins import group_cycles, mesh, settle_cells
from ..analysis.lyapunov import spectra
from ..errors import InputError
from .plan import SweepPlan

__all__ = ["Tile", "cells", "interleaved", "tile_cells", "evaluate", "assemble", "compute_tile", "ARRAYS",
           "PRIMARY"]

#: The arrays a tile of each quantity fills (name -> dtype).
ARRAYS = {
    "attractor": {"local": "int32", "period": "int32"},
    "period": {"period": "int32"},
    "lyapunov": {"lyapunov": "float64"},
    "escape": {"escape": "int32"},
    "observable": {"observable": "float64", "period": "int32"},
}

#: The array that holds each quantity's result (for ``attractor``, written once all tiles are done).
PRIMARY = {"attractor": "label", "period": "period", "lyapunov": "lyapunov", "escape": "escape",
           "observable": "observable"}


@dataclass(frozen=True, eq=False)
class Tile:
    """The computed arrays of one tile.

    Attributes
    ----------
    index : tuple of int
        (ty, tx).
    arrays : dict of str to numpy.ndarray
        Each of the quantity's :data:`ARRAYS`, shaped like the tile.
    escaped : int
        Cells whose orbit escaped.
    attractors : numpy.ndarray or None
        For ``attractor``: one row per cycle found in the tile, in order of first appearance:
        period, row-major index of its first cell in the whole grid, canonical point.
        ``arrays["local"]`` holds indices into these rows (or -1 escaped, -2 unresolved).
    """

    index: tuple[int, int]
    arrays: dict
    escaped: int
    attractors: np.ndarray | None = None


def cells(plan: SweepPlan, rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
    """Starts (N, dim) and parameters (N, npar) of the cells in ``rows`` x ``cols``, row-major."""
    cx, cy = mesh(plan.x.values[cols], plan.y.values[rows])
    X0 = np.repeat(plan.x0[None, :], cx.size, axis=0)
    P = np.repeat(plan.params[None, :], cx.size, axis=0)
    for axis, values in ((plan.x, cx), (plan.y, cy)):
        (X0 if axis.kind == "state" else P)[:, axis.index] = values
    return X0, P


def interleaved(count: int) -> np.ndarray:
    """A permutation of ``range(count)`` whose every contiguous run is spread over the whole range.

    ``order[k] = k g mod count`` with ``g`` the integer nearest ``count`` / golden ratio that
    is prime to ``count``: the points k g / count mod 1 of a run of k form a low-discrepancy
    (Kronecker) sequence, so each thread's contiguous share of the permuted cells covers
    the tile evenly.
    """
    g = max(1, round(count * (math.sqrt(5) - 1) / 2))
    while math.gcd(g, count) != 1:
        g += 1
    return (np.arange(count, dtype=np.int64) * g) % max(count, 1)


def evaluate(plan: SweepPlan, X0: np.ndarray, P: np.ndarray) -> dict[str, np.ndarray]:
    """The kernel's results for cells with starts ``X0`` and parameters ``P``, in their order.

    Every compiled (parallel) call of a tile is made here: ``period`` and ``final`` (the
    canonical cycle point) for ``attractor`` and ``period``, and ``observable`` (at the final
    point; NaN escaped) with them for ``observable``; ``lyapunov`` and ``escaped``; ``escape``.
    """
    m, q = plan.map, plan.quantity
    if q in ("attractor", "period", "observable"):
        periods, finals = settle_cells(m, X0, P, plan.transient, plan.max_period, plan.tol, plan.escape)
        if q == "observable":
            return {"period": periods, "final": finals,
                    "observable": np.where(periods < 0, np.nan, _observe(plan, finals, P))}
        return {"period": periods, "final": finals}
    if q == "lyapunov":
        exponents, escaped = spectra(m, X0, P, plan.n, plan.transient, plan.escape)
        return {"lyapunov": exponents[:, 0], "escaped": escaped}
    times = np.empty(X0.shape[0], dtype=np.int64)
    m.kernels.escape_times(np.ascontiguousarray(X0), np.ascontiguousarray(P), plan.n, plan.escape, times)
    return {"escape": times}


def _observe(plan: SweepPlan, finals: np.ndarray, P: np.ndarray) -> np.ndarray:
    out = np.empty_like(finals)
    plan.observable_map.kernels.step_many(finals, P, out)
    return out[:, 0]


def tile_cells(plan: SweepPlan, ty: int, tx: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts and parameters of tile (ty, tx)'s cells in the kernel's (interleaved) order, and
    that order (``order[k]``: the row-major index in the tile of the k-th cell given)."""
    X0, P = cells(plan, *plan.tile_slices(ty, tx))
    order = interleaved(X0.shape[0])
    return X0[order], P[order], order


def assemble(plan: SweepPlan, ty: int, tx: int, order: np.ndarray, results: dict[str, np.ndarray]) -> Tile:
    """Tile (ty, tx) from the kernel's ``results`` (:func:`evaluate`) on its cells taken in ``order``.

    numpy only (no compiled call), so that it may run on another thread while the next
    tile's kernel runs.

    Raises
    ------
    ValueError
        For ``attractor``, if the tile holds more than ``plan.max_attractors`` distinct cycles
        (a continuum of attractors, such as a curve of minima, has no finite labelling).
    """
    rows, cols = plan.tile_slices(ty, tx)
    shape = (rows.stop - rows.start, cols.stop - cols.start)
    unshuffled = {}
    for name, value in results.items():  # back to row-major order
        unshuffled[name] = np.empty_like(value)
        unshuffled[name][order] = value
    results = unshuffled
    q = plan.quantity
    table = None
    if q in ("attractor", "period", "observable"):
        periods, finals = results["period"], results["final"]
        escaped = periods < 0
        arrays = {"period": periods.astype(np.int32)}
        if q == "observable":
            arrays["observable"] = results["observable"]
        if q == "attractor":
            labels, firsts = group_cycles(periods, finals, plan.tol)
            if len(firsts) > plan.max_attractors:
                raise InputError(
                    f"tile {(ty, tx)} holds more than max_attractors={plan.max_attractors} distinct cycles; "
                    "raise max_attractors, or, for a continuum of attractors (a curve of minima), sweep "
                    "'period' or an 'observable' instead"
                )
            first = np.array(firsts, dtype=np.int64)
            flat = (rows.start + first // shape[1]) * plan.shape[1] + cols.start + first % shape[1]
            table = np.column_stack([periods[first], flat, finals[first]]).astype(np.float64)
            arrays["local"] = labels.astype(np.int32)
    elif q == "lyapunov":
        escaped = results["escaped"]
        arrays = {"lyapunov": results["lyapunov"]}
    else:
        escaped = results["escape"] > 0
        arrays = {"escape": results["escape"].astype(np.int32)}
    return Tile((ty, tx), {k: v.reshape(shape) for k, v in arrays.items()}, int(escaped.sum()), table)


def compute_tile(plan: SweepPlan, ty: int, tx: int) -> Tile:
    """Compute tile (ty, tx) of ``plan``: one parallel kernel call over its cells, interleaved
    (:func:`tile_cells`, :func:`evaluate`, :func:`assemble`)."""
    X0, P, order = tile_cells(plan, ty, tx)
    return assemble(plan, ty, tx, order, evaluate(plan, X0, P))
