"""The sweep: plan, store, tiles computed here or on Dask, written as they complete."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

import numba

from ..analysis.arguments import positive_int, warn_escape
from ..analysis.orbits import DEFAULT_ESCAPE
from ..definition.iterated_map import Map
from . import tiles
from .distributed import check_cluster, client_for, run_tiles, worker_count
from .plan import SweepPlan, auto_tile, make_plan
from .progress import Progress
from .result import SweepResult, read_sweep
from .store import SweepStore, interrupt_safe

__all__ = ["sweep"]


#: Compute threads per writer thread: laying out, compressing and writing a tile take about a
#: twentieth of its computation on one core (some 400 ns against 8 µs or more per cell, on a
#: loaded machine), so one writer keeps up with about 16 threads with nothing to spare, and
#: two share the work of 16 (the benchmark's simulation: 0.84 with one writer on Zhu's map).
THREADS_PER_WRITER = 8


class _Writer:
    """Makes and writes tiles on ``lanes`` threads of its own, so that the next tile's kernel
    runs meanwhile (the kernels, and zarr's compression, release the GIL); at most ``lanes``
    tiles wait in memory. Tiles are separate chunk files, so their writes never meet."""

    def __init__(self, store: SweepStore, report: Progress, lanes: int = 1) -> None:
        self.store, self.report, self.lanes = store, report, lanes
        self.pool = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="bifurc-sweep-writer")
        self.pending: deque[Future] = deque()
        self.counting = threading.Lock()

    def __call__(self, make: Callable[..., tiles.Tile], *args: object) -> None:
        """Write the tile ``make(*args)`` once a lane is free."""
        while len(self.pending) >= self.lanes:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(self._write, make, args))

    def _write(self, make: Callable[..., tiles.Tile], args: tuple) -> None:
        tile = make(*args)
        self.store.write(tile)
        with self.counting:
            self.report.update(next(iter(tile.arrays.values())).size)

    def close(self) -> None:
        """Finish the writes in flight (raising the first error), then stop the threads."""
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.pool.shutdown(wait=True)


def _run_here(plan: SweepPlan, pending: list[tuple[int, int]], writer: _Writer) -> None:
    """The tiles on numba's threads, one kernel call each, pipelined: while tile k's kernel runs
    on every thread, one helper thread lays out tile k + 1's cells and another assembles and
    writes tile k - 1 (numpy and zarr only: every compiled call stays on this thread)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bifurc-sweep-cells") as helper:
        upcoming = helper.submit(tiles.tile_cells, plan, *pending[0])
        for k, (ty, tx) in enumerate(pending):
            X0, P, order = upcoming.result()
            if k + 1 < len(pending):
                upcoming = helper.submit(tiles.tile_cells, plan, *pending[k + 1])
            writer(tiles.assemble, plan, ty, tx, order, tiles.evaluate(plan, X0, P))


def sweep(
    m: Map,
    path: str | os.PathLike,
    xaxis: str,
    xs: object,
    yaxis: str,
    ys: object,
    quantity: str = "attractor",
    *,
    x0: object = None,
    params: Mapping[str, float] | None = None,
    observable: object = None,
    n: int = 2000,
    transient: int = 1000,
    max_period: int = 64,
    tol: float = 1e-9,
    escape: float = DEFAULT_ESCAPE,
    max_attractors: int = 256,
    tile: int | tuple[int, int] | None = None,
    cluster: object = None,
    workers: int = 2,
    shared: bool | None = None,
    progress: bool = True,
) -> SweepResult:
    """Compute a quantity over a 2D grid, tile by tile, streaming to a zarr store; resumable.

    Each axis is a state variable or a parameter (two parameters, two initial coordinates,
    or one of each); the others keep ``x0`` and ``params``. Each tile is one parallel
    numba kernel call over its cells and one chunk of the store; a tile is marked done
    once written, so an interrupted sweep, called again with the same arguments, computes
    only the tiles not done. The values do not depend on the tiling, the order of the
    tiles, the number of threads, or whether they ran here or on Dask. One process at a
    time writes a store (a second is refused while the first runs); a sweep that cannot
    finish (too many tiles, a store larger than the free disk) is refused before anything
    is written.

    Parameters
    ----------
    m
        The map.
    path
        The store (a folder; made if absent). A store holding another sweep (other map,
        grid, quantity or settings) is refused and left untouched, as is a damaged one
        (arrays missing or of other shapes); tiles marked done whose chunks are missing are
        computed again, with a warning.
    xaxis, xs, yaxis, ys
        The axes (state variable or parameter names) and their grids; ``values[i, j]``
        belongs to (xs[j], ys[i]).
    quantity
        ``"attractor"``: label of the attracting cycle reached (-1 escaped, -2 no period up
        to ``max_period``), numbered in order of first appearance in the grid, as by
        :func:`bifurc.basins`; ``"period"``: as :func:`bifurc.period`; ``"lyapunov"``: the
        largest exponent from ``n`` steps; ``"escape"``: the step at which the orbit left
        the escape radius (0 if not within ``n``); ``"observable"``: the expression
        ``observable`` at the final state (the canonical point of the cycle reached, or the
        state after the transient if none; NaN if escaped). Attractor and observable
        sweeps store each cell's period too.
    x0
        The start of every orbit (its swept coordinates replaced); needed unless every
        state variable is swept (then zeros).
    params
        Overrides of the map's parameters.
    observable
        A formula or sympy expression in the state and parameters, e.g. the sharpness
        that :func:`bifurc.eos.minimalist` derives; compiled like the map.
    n, transient, max_period, tol, escape
        Iteration settings, as for :func:`bifurc.parameter_plane` and :func:`bifurc.basins`.
    max_attractors
        Most distinct cycles an attractor sweep may hold.
    tile
        Rows and columns of a tile (one number for square tiles). By default chosen from the
        grid and the workers (:func:`bifurc.sweep.plan.auto_tile`): on numba's threads, tiles
        of 4096 cells per thread (at least 256 x 256); on a cluster, eight or more tiles per
        worker; a store being resumed keeps its tiles.
    cluster
        None: compute here (numba threads); ``"local"``: a Dask LocalCluster of
        ``workers`` processes; a scheduler address (``"tcp://host:8786"``, given
        :data:`~bifurc.sweep.distributed.CONNECT_TIMEOUT` seconds to answer) or a
        ``distributed.Client``: that cluster.
    workers
        Processes of the LocalCluster.
    shared
        On a cluster: the workers write their tiles to ``path`` themselves (which they must
        all see, e.g. on a shared file system) instead of sending them here to be written
        (where this one process's writes bound the speed of 16 workers or more). By default
        True on a LocalCluster (its workers share this machine's files), else False.
    progress
        Print progress to standard error on sweeps that last more than a second.

    Returns
    -------
    SweepResult
        Read back from the store.

    Raises
    ------
    ValueError
        For bad arguments, naming them; for a store holding another sweep, damaged, being
        written by another process, or not writable (a full disk, a read-only file system:
        the tiles done so far are kept); for a sweep that cannot finish; for a cluster
        address that does not answer.
    ImportError
        If zarr (``pip install 'bifurc[sweep]'``) or, for a cluster, dask.distributed
        (``pip install 'bifurc[dask]'``) is missing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import bifurc
    >>> from bifurc.sweep import sweep
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     s = sweep(bifurc.maps.logistic, Path(folder) / "store", "r", [2.8, 3.2, 3.5], "x", [0.2, 0.7],
    ...               "period", progress=False)
    ...     periods = s.values[:]
    >>> periods.tolist()  # the period doubles at r = 3 and r = 1 + sqrt 6 = 3.449..., whatever the start
    [[1, 2, 4], [1, 2, 4]]
    >>> s.complete, s.axes
    (True, ('r', 'x'))
    """
    plan = make_plan(m, xaxis, xs, yaxis, ys, quantity, x0, params, observable, n, transient, max_period, tol,
                     escape, max_attractors, tile)
    workers = positive_int(workers, "workers")
    check_cluster(cluster)
    if shared is None:
        shared = cluster == "local"
    with interrupt_safe(), ExitStack() as stack:
        client = None if cluster is None else stack.enter_context(client_for(cluster, workers))
        if plan.tile is None:
            count = numba.get_num_threads() if client is None else worker_count(client)
            chosen = SweepStore.stored_tile(path) or auto_tile(plan.shape, count, client is not None)
            plan = plan.with_tile(chosen)
        store = SweepStore.open_for(path, plan)
        stack.callback(store.close)
        done = store.done()
        pending = [(int(ty), int(tx)) for ty, tx in zip(*(~done).nonzero())]
        report = Progress(len(pending), quiet=not progress)
        stack.callback(report.close)
        if pending:
            lanes = 1 if client is not None else -(-numba.get_num_threads() // THREADS_PER_WRITER)
            writer = _Writer(store, report, lanes)
            with ExitStack() as writing:
                writing.callback(writer.close)
                if client is None:
                    _run_here(plan, pending, writer)
                else:
                    run_tiles(client, plan, pending, lambda tile: writer(lambda: tile), report.update,
                              str(store.path.resolve()) if shared else None)
        if not store.complete:
            store.finish(plan)
    if quantity in ("lyapunov", "observable"):  # their escaped cells are NaN
        result = read_sweep(path)
        warn_escape(result.escaped, plan.shape[0] * plan.shape[1], "orbits")
        return result
    return read_sweep(path)
