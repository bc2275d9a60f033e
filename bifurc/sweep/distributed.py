"""Running a sweep's tiles on Dask (``dask.distributed``): a LocalCluster or any scheduler.

The workers compute tiles (:func:`bifurc.sweep.tiles.compute_tile`, the same function as
the local path). By default they send them back and this process writes each one to the
store as it arrives, so the store needs no file system shared with the workers; with
``shared=True`` each worker writes its tiles to the store itself (every tile's chunks,
including its ``done`` flag, are files of their own, so workers never write the same
file), which removes this process's writing from the critical path of a large cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ..errors import InputError
from .plan import SweepPlan
from .store import MissingDependencyError, SweepStore
from .tiles import Tile, compute_tile

__all__ = ["check_cluster", "client_for", "worker_count", "run_tiles", "compute_and_write", "CONNECT_TIMEOUT"]

#: Seconds to wait for a Dask scheduler to answer before giving up.
CONNECT_TIMEOUT = 20.0


def _distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("Dask sweeps need distributed: pip install 'bifurc[dask]'") from None
    return distributed


def check_cluster(cluster: object) -> object:
    """``cluster`` if it is None, ``"local"``, a scheduler address or a client; else InputError."""
    if cluster is None or cluster == "local" or (isinstance(cluster, str) and "://" in cluster):
        return cluster
    if not isinstance(cluster, str) and hasattr(cluster, "submit") and hasattr(cluster, "scatter"):
        return cluster
    raise InputError(f"cluster must be None, 'local', a scheduler address such as 'tcp://host:8786' "
                     f"or a distributed.Client, got {cluster!r}")


@contextmanager
def client_for(cluster: object, workers: int) -> Iterator[object]:
    """A ``distributed.Client`` for ``cluster``.

    ``"local"``: a new LocalCluster of ``workers`` processes, one task each, numba's
    threads shared out between them (closed afterwards); a string with ``://``: the
    scheduler at that address; a ``distributed.Client``: used as it is (not closed).
    """
    distributed = _distributed()
    if cluster == "local":
        threads = max(1, (os.cpu_count() or 1) // workers)
        env = {"NUMBA_NUM_THREADS": str(threads)}
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=":0", env=env) as local, \
                distributed.Client(local) as client:
            yield client
        return
    if isinstance(cluster, str):
        try:
            client = distributed.Client(check_cluster(cluster), timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:  # unreachable, refused, not a Dask address
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InputError(f"cluster {cluster!r}: no Dask scheduler answered within {CONNECT_TIMEOUT:g} s "
                             f"({reason[:120]})") from None
        with client:
            yield client
        return
    yield cluster


def worker_count(client: object) -> int:
    """The number of workers (task slots: threads of every worker) of a cluster, at least 1."""
    workers = client.scheduler_info().get("workers", {}).values()
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers))


def compute_and_write(plan: SweepPlan, path: str, ty: int, tx: int) -> int:
    """On a worker: compute tile (ty, tx) and write it to the store at ``path``; returns its cell count."""
    tile = compute_tile(plan, ty, tx)
    SweepStore.writable(path).write(tile)
    return next(iter(tile.arrays.values())).size


def run_tiles(client: object, plan: SweepPlan, pending: Iterable[tuple[int, int]],
              on_tile: Callable[[Tile], None], on_written: Callable[[int], None], path: str | None) -> None:
    """Compute the ``pending`` tiles on the cluster.

    Without ``path``, ``on_tile`` receives each tile as it completes (to write it); with
    ``path``, the workers write the tiles there and ``on_written`` receives each tile's
    cell count. The plan is sent once to every worker. If this process is interrupted,
    every tile received or written so far is kept; the others are cancelled.
    """
    distributed = _distributed()
    shared = client.scatter(plan, broadcast=True)
    if path is None:
        futures = [client.submit(compute_tile, shared, ty, tx, pure=False) for ty, tx in pending]
    else:
        futures = [client.submit(compute_and_write, shared, path, ty, tx, pure=False) for ty, tx in pending]
    try:
        for future in distributed.as_completed(futures):
            (on_tile if path is None else on_written)(future.result())
            future.release()
    finally:
        client.cancel(futures)
