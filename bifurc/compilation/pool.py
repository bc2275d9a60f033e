"""The worker threads that every map's kernel module shares in one process.

Each map has its own generated kernel module (:mod:`bifurc.compilation.loader`); their
``in_chunks`` hand chunks of work to these threads. Starting threads on every call costs
more than a small orbit diagram takes, and a pool per module would leave idle threads
behind for every map a session touches, so there is one pool per thread count.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Lock

__all__ = ["shared_pool"]

_POOLS: dict[int, ThreadPoolExecutor] = {}
_LOCK = Lock()


def shared_pool(threads: int) -> ThreadPoolExecutor:
    """The process's pool for work on ``threads`` threads (created on first use): ``threads - 1``
    workers, named ``bifurc-pool{threads}_*``, since the caller's thread works too."""
    with _LOCK:
        pool = _POOLS.get(threads)
        if pool is None:
            pool = _POOLS[threads] = ThreadPoolExecutor(max(1, threads - 1),
                                                        thread_name_prefix=f"bifurc-pool{threads}")
        return pool
