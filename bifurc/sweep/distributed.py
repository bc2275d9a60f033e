"""Running a sweep's tiles on Dask (``dask.distributed``): a LocalCluster or any scheduler.

The workers compute tiles (:func:`bifurc.sweep.tiles.compute_tile`, the same function as
the local path) and send them back; this process writes each one to the store as it
arrives, so the store needs no file system shared with the workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ..errors import InputError
from .plan import SweepPlan
from .store import MissingDependencyError
from .tiles import Tile, compute_tile

__all__ = ["client_for", "run_tiles"]


def _distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("Dask sweeps need distributed: pip install 'bifurc[dask]'") from None
    return distributed


@contextmanager
def client_for(cluster: object, workers: int) -> Iterator[object]:
    """A ``distributed.Client`` for ``cluster``.

    ``"local"``: a new LocalCluster of ``workers`` processes, one task each, numba's
    threads shared out between them (closed afterwards); a string with ``://``: the
    scheduler at that address; a ``distributed.Client``: used as it is (not closed).
    """
    distributed = _distributed()
    if isinstance(cluster, distributed.Client):
        yield cluster
        return
    if cluster == "local":
        threads = max(1, (os.cpu_count() or 1) // workers)
        env = {"NUMBA_NUM_THREADS": str(threads)}
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, env=env) as local, \
                distributed.Client(local) as client:
            yield client
        return
    if isinstance(cluster, str) and "://" in cluster:
        with distributed.Client(cluster) as client:
            yield client
        return
    raise InputError(f"cluster must be None, 'local', a scheduler address such as 'tcp://host:8786' "
                     f"or a distributed.Client, got {cluster!r}")


def run_tiles(client: object, plan: SweepPlan, pending: Iterable[tuple[int, int]],
              on_tile: Callable[[Tile], None]) -> None:
    """Compute the ``pending`` tiles on the cluster; ``on_tile`` receives each as it completes.

    The plan is sent once to every worker. If this process is interrupted, the tiles
    already received have been handed to ``on_tile``; the others are cancelled.
    """
    distributed = _distributed()
    shared = client.scatter(plan, broadcast=True)
    futures = [client.submit(compute_tile, shared, ty, tx, pure=False) for ty, tx in pending]
    try:
        for future in distributed.as_completed(futures):
            on_tile(future.result())
            future.release()
    finally:
        client.cancel(futures)
