"""Speed of large sweeps: cells per second serially, on numba's threads, and on a Dask LocalCluster.

Two workloads of issue 8: the basin map of Zhu et al.'s minimalist model (final sharpness,
the quantity ``observable``: settle 1000 steps, period up to 1, over starts in [0, 3]² at
η = 0.1), 4096 x 4096 cells; and the largest Lyapunov exponent of the Hénon map over
(a, b) in [1, 1.4] x [0, 0.3] (200 transient steps, 1000 averaged), 2048 x 2048 cells.
``--scale s`` multiplies both sides of each grid by s (0.25: 1024² and 512²).

Each sweep runs once per mode into a fresh store in a temporary folder (store writes
included): ``serial`` (numba on one thread), ``parallel`` (numba on every core),
``dask`` (a LocalCluster of ``--workers`` processes, one numba thread each; the cluster
is started, and each worker has loaded the kernels, before the clock starts; the tiles
come back and are written here), ``dask-shared`` (the same, the workers writing the tiles).
Reported: cells/s; scaling efficiency serial / (cores x parallel) and serial / (workers x
dask); Dask's overhead per tile, (workers x T_dask - T_serial) / tiles, the worker time
each tile costs beyond its computation; the mean serial time of one tile; and, since a
shared machine may give a run less than its cores, the CPU time each mode used (this
process and the Dask workers): cells per CPU second and the cores obtained (CPU / wall).
The dask and serial results are compared bit for bit.

Run: ``python benchmarks/sweeps.py [--scale 0.25] [--tile 256] [--workers 2] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time

import numba
import numpy as np

from bifurc import eos, maps
from bifurc.sweep import sweep


def workloads(scale: float) -> dict[str, dict]:
    """The two sweeps' arguments, grids scaled by ``scale``."""
    zhu = eos.minimalist()
    side = max(8, int(4096 * scale)), max(8, int(2048 * scale))
    grid = np.linspace(0.0, 3.0, side[0])
    return {
        "zhu basin map (final sharpness)": dict(
            m=zhu.map, xaxis="x", xs=grid, yaxis="y", ys=grid, quantity="observable",
            observable=zhu.results["sharpness at a minimum"], params={"eta": 0.1}, transient=1000,
            max_period=1, tol=1e-10, escape=1e6),
        "henon lyapunov plane": dict(
            m=maps.henon, xaxis="a", xs=np.linspace(1.0, 1.4, side[1]), yaxis="b",
            ys=np.linspace(0.0, 0.3, side[1]), quantity="lyapunov", x0=[0.1, 0.1], n=1000, transient=200),
    }


def cpu_seconds(client: object) -> float:
    """CPU time used so far by this process and, given a Dask client, by its workers."""
    used = time.process_time()
    if client is not None:
        used += sum(client.run(time.process_time).values())
    return used


def timed(folder: str, name: str, kwargs: dict, client: object = None,
          **extra) -> tuple[float, float, object]:
    """Wall and CPU seconds (this process and the workers) of one sweep into a fresh store, and its result."""
    path = os.path.join(folder, name)
    shutil.rmtree(path, ignore_errors=True)
    args = dict(kwargs)
    m, xaxis, xs, yaxis, ys = (args.pop(k) for k in ("m", "xaxis", "xs", "yaxis", "ys"))
    cpu, start = cpu_seconds(client), time.perf_counter()
    result = sweep(m, path, xaxis, xs, yaxis, ys, progress=False, cluster=client, **args, **extra)
    return time.perf_counter() - start, cpu_seconds(client) - cpu, result


def per_tile_overhead(folder: str, client: object, tiles: int = 256) -> dict[str, float]:
    """Seconds per tile of a sweep whose tiles cost nothing to compute (one escape-check step
    of 64 cells each): here, and on the cluster with the tiles written here or by the workers."""
    empty = dict(m=maps.henon, xaxis="x", xs=np.linspace(-1, 1, 8 * tiles), yaxis="y",
                 ys=np.linspace(-1, 1, 8), quantity="escape", n=1)
    timed(folder, "warm", empty, tile=8)
    timed(folder, "warm", empty, client, tile=8)
    out = {}
    for name, on, shared in (("local", None, False), ("dask", client, False), ("dask-shared", client, True)):
        out[f"{name} s per empty tile"] = timed(folder, name, empty, on, tile=8, shared=shared)[0] / tiles
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="grid sides times this (default 1)")
    parser.add_argument("--tile", type=int, default=256, help="tile side (default 256)")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--modes", default="serial,parallel,dask,dask-shared")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import warnings

    from distributed import Client, LocalCluster

    warnings.simplefilter("ignore")
    cores = numba.config.NUMBA_NUM_THREADS
    modes = args.modes.split(",")
    records = []
    with tempfile.TemporaryDirectory() as folder:
        cluster = client = None
        if any(mode.startswith("dask") for mode in modes):
            start = time.perf_counter()
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", env={"NUMBA_NUM_THREADS": "1"})
            client = Client(cluster)
            startup = time.perf_counter() - start
        for name, kwargs in workloads(args.scale).items():
            small = dict(kwargs, xs=kwargs["xs"][:16], ys=kwargs["ys"][:16])
            timed(folder, "warm", small, tile=8)  # compile / load the kernels here
            if client is not None:
                timed(folder, "warm", small, client, tile=8)  # and in every worker
            cells = kwargs["xs"].size * kwargs["ys"].size
            tiles = -(-kwargs["xs"].size // args.tile) * -(-kwargs["ys"].size // args.tile)
            record = {"workload": name, "cells": cells, "tiles": tiles, "tile": args.tile}
            results = {}
            for mode in modes:
                if mode.startswith("dask"):
                    seconds, cpu, results[mode] = timed(folder, mode, kwargs, client, tile=args.tile,
                                                        shared=mode == "dask-shared")
                else:
                    numba.set_num_threads(1 if mode == "serial" else cores)
                    seconds, cpu, results[mode] = timed(folder, mode, kwargs, tile=args.tile)
                record[f"{mode} s"] = seconds
                record[f"{mode} cells/s"] = cells / seconds
                record[f"{mode} cells per CPU s"] = cells / cpu
                record[f"{mode} cores obtained"] = cpu / seconds
            numba.set_num_threads(cores)
            if "serial" in modes and "parallel" in modes:
                record["parallel efficiency"] = record["serial s"] / (cores * record["parallel s"])
            if "serial" in modes:
                record["serial s per tile"] = record["serial s"] / tiles
            for mode in (m for m in modes if m.startswith("dask") and "serial" in modes):
                record[f"{mode} efficiency"] = record["serial s"] / (args.workers * record[f"{mode} s"])
                extra = args.workers * record[f"{mode} s"] - record["serial s"]
                record[f"{mode} overhead s per tile"] = extra / tiles
                record[f"{mode} equals serial"] = bool(np.array_equal(
                    results[mode].values[:], results["serial"].values[:], equal_nan=True))
            records.append(record)
        if client is not None:
            fixed = per_tile_overhead(folder, client)
            client.close()
            cluster.close()
    summary = {"cores": cores, "workers": args.workers, "scale": args.scale, "records": records}
    if client is not None:
        summary["dask cluster start s"] = startup
        summary |= fixed
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(f"cores {cores}, Dask workers {args.workers}, grid scale {args.scale}, tile {args.tile}")
    for r in records:
        print(f"\n{r['workload']}: {r['cells']} cells in {r['tiles']} tiles")
        for key, value in r.items():
            if key not in ("workload", "cells", "tiles", "tile"):
                print(f"  {key:34s} {value:.4g}" if isinstance(value, float) else f"  {key:34s} {value}")
    if client is not None:
        print(f"\nDask LocalCluster start-up: {startup:.2f} s")
        print("\n".join(f"{key}: {value * 1e3:.1f} ms" for key, value in fixed.items()))


if __name__ == "__main__":
    main()
