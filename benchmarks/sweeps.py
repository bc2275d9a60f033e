"""Speed and scaling of large sweeps: measured here, and predicted for many workers from serial tile times.

Two workloads of issue 8: the basin map of Zhu et al.'s minimalist model (final sharpness,
the quantity ``observable``: settle 1000 steps, period up to 1, over starts in [0, 3]² at
η = 0.1), 4096 x 4096 cells; and the largest Lyapunov exponent of the Hénon map over
(a, b) in [1, 1.4] x [0, 0.3] (200 transient steps, 1000 averaged), 2048 x 2048 cells.
``--scale s`` multiplies both sides of each grid by s (``small`` = 0.125: 512² and 256²;
``half`` = 0.5, the size of issue 23's 16-core measurement).

**Measured.** Each sweep runs once per mode into a fresh store in a temporary folder
(store writes included), tiles chosen by the sweep for that mode's workers unless
``--tile`` fixes them: ``serial`` (numba on one thread), ``parallel`` (numba on every
core), ``dask`` (a LocalCluster of ``--workers`` processes, one numba thread each, started
and with the kernels loaded before the clock starts; the tiles come back and are written
here), ``dask-shared`` (the same, the workers writing the tiles). Reported: cells/s;
scaling efficiency serial / (cores x parallel) and serial / (workers x dask); the CPU time
each mode used (this process and the workers) and the cores it obtained (CPU / wall), since
a shared machine may give a run less than its cores. Dask and serial results are compared
bit for bit.

**Predicted** (``--simulate-workers 16,64,2048``, and the measured worker counts, so that
prediction and measurement can be compared). For the tiling the sweep would choose for W
workers, every tile is computed serially (one thread), timing each part as the sweep's
scheduler hands it out: laying out the cells, the kernel on each of the contiguous runs of
the (interleaved) cells that numba's ``prange`` gives its threads, assembling the tile,
and writing it. The schedule is then simulated:

- *numba threads* (one tile at a time on W threads): a tile's kernel lasts as long as its
  costliest thread's share: numba's ``prange`` gives each thread one contiguous range of
  the call's cells; an engine that runs chunks on a thread pool (``in_chunks``: four
  chunks per thread, each taken by the first thread free) is simulated as that list
  schedule (the benchmark says which it found). Meanwhile a helper lays out the next tile
  and the writers (one per 16 threads) assemble and write the previous ones, their CPU
  time taken from the W cores;
- *Dask* (W single-threaded workers take whole tiles in order, each as soon as it is free):
  each task costs its tile plus the worker's fixed cost per task; the scheduler dispatches
  one task per its cost per task, in sequence; the client receives and writes each tile in
  sequence (``dask-shared``: the workers write). The fixed costs are the CPU seconds per
  task of workers, scheduler and client, measured with tiles that cost nothing to compute.

With ``--cluster-grid N`` (default 65536) the Dask schedule is also simulated on an N x N
grid of the same domain, cut as the sweep would cut it for W workers, each tile costing per
cell what the profiled tile holding its centre cost per cell (an extrapolation: the cost
varies on scales larger than a profiled tile; the per-task costs are this machine's).

Predicted efficiency = serial work / (W x simulated wall time). What it leaves out:
memory bandwidth and caches shared by many cores, clock speeds that fall as more cores
run, the network of a real cluster, and stragglers.

Run: ``python benchmarks/sweeps.py [--scale small] [--workers 2] [--modes ...]
[--simulate-workers 16,64,2048] [--json]``.
"""

from __future__ import annotations

import argparse
import heapq
import inspect
import json
import os
import shutil
import tempfile
import time
import warnings

import numba
import numpy as np

from bifurc import eos, maps
from bifurc.sweep import sweep
from bifurc.sweep.plan import auto_tile, make_plan
from bifurc.sweep.run import THREADS_PER_WRITER
from bifurc.sweep.store import SweepStore
from bifurc.sweep.tiles import assemble, evaluate, tile_cells

SCALES = {"small": 0.125, "half": 0.5, "full": 1.0}
#: Fewest cells in one run of a profiled kernel call (each call costs some microseconds).
MIN_RUN = 32
#: Timings of each profiled kernel run; the least is kept.
REPEATS = 2
#: The profile's clock: CPU seconds of this process (its threads, zarr's I/O thread), which a
#: shared machine does not inflate as it does wall time by preempting the process.
clock = time.process_time


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


def shape_of(kwargs: dict) -> tuple[int, int]:
    return kwargs["ys"].size, kwargs["xs"].size


# --- measured --------------------------------------------------------------------------
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


def fixed_costs(folder: str, client: object, tiles: int = 256) -> dict[str, float]:
    """Seconds per tile of sweeps whose tiles cost nothing to compute (64 cells, one escape
    step): wall time here and on the cluster, and the CPU seconds per task of the workers,
    the scheduler and this process (the client) on the cluster."""
    empty = dict(m=maps.henon, xaxis="x", xs=np.linspace(-1, 1, 8 * tiles), yaxis="y",
                 ys=np.linspace(-1, 1, 8), quantity="escape", n=1)
    timed(folder, "warm", empty, tile=8)
    timed(folder, "warm", empty, client, tile=8)
    out = {"local s per empty tile": timed(folder, "local", empty, tile=8)[0] / tiles}
    for name, shared in (("dask", False), ("dask-shared", True)):
        workers = client.run(time.process_time)
        own = time.process_time()
        wall = timed(folder, name, empty, client, tile=8, shared=shared)[0]
        own = time.process_time() - own
        workers = sum(client.run(time.process_time).values()) - sum(workers.values())
        out[f"{name} s per empty tile"] = wall / tiles
        out[f"{name} worker CPU s per task"] = workers / tiles
        # a LocalCluster's scheduler runs in this process, beside the client: one CPU figure for both
        out[f"{name} scheduler and client CPU s per task"] = own / tiles
    return out


# --- profiled (serial, per part of each tile) ---------------------------------------------
def profile(kwargs: dict, tile: tuple[int, int], runs: int, folder: str) -> dict[str, object]:
    """Every tile of ``kwargs``'s sweep cut in ``tile``, computed on one thread, each part timed:
    ``cells``, ``kernel`` (one row per tile: each of ``runs`` contiguous runs of the interleaved
    cells, as numba's threads take them; fewer if a run would hold under MIN_RUN cells),
    ``assemble``, ``write`` (seconds)."""
    defaults = {k: p.default for k, p in inspect.signature(sweep).parameters.items()
                if p.default is not inspect.Parameter.empty}
    args = defaults | {k: v for k, v in kwargs.items() if k not in ("m", "xaxis", "xs", "yaxis", "ys")}
    plan = make_plan(kwargs["m"], kwargs["xaxis"], kwargs["xs"], kwargs["yaxis"], kwargs["ys"],
                     args["quantity"], args["x0"], args["params"], args["observable"], args["n"],
                     args["transient"], args["max_period"], args["tol"], args["escape"],
                     args["max_attractors"], tile)
    path = os.path.join(folder, "profile")
    shutil.rmtree(path, ignore_errors=True)
    store = SweepStore.open_for(path, plan)
    parts = {"cells": [], "kernel": [], "assemble": [], "write": [], "size": []}
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for ty, tx in np.ndindex(*plan.tiles):
            start = clock()
            X0, P, order = tile_cells(plan, ty, tx)
            parts["cells"].append(clock() - start)
            size = X0.shape[0]
            bounds = np.linspace(0, size, min(runs, max(1, size // MIN_RUN)) + 1).astype(int)
            pieces, times = [], []
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                best = np.inf
                for _ in range(REPEATS):  # the least of a few: a shared machine preempts runs at random
                    start = clock()
                    piece = evaluate(plan, X0[lo:hi], P[lo:hi])
                    best = min(best, clock() - start)
                pieces.append(piece)
                times.append(best)
            results = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
            start = clock()
            made = assemble(plan, ty, tx, order, results)
            parts["assemble"].append(clock() - start)
            start = clock()
            store.write(made)
            parts["write"].append(clock() - start)
            parts["kernel"].append(np.array(times))
            parts["size"].append(size)
    finally:
        numba.set_num_threads(threads)
        store.close()
    return parts


def serial_work(parts: dict) -> float:
    """Seconds of the whole sweep on one core: every part of every tile."""
    return float(sum(parts["cells"]) + sum(k.sum() for k in parts["kernel"]) + sum(parts["assemble"])
                 + sum(parts["write"]))


def thread_schedule(kwargs: dict) -> str:
    """How the map's compiled kernels share a call's cells among threads: ``"chunks"`` (the
    engine's ``in_chunks``: four contiguous chunks per thread, taken by the threads as they
    free up) or ``"prange"`` (numba's static split: one contiguous range per thread)."""
    return "chunks" if hasattr(kwargs["m"].kernels, "in_chunks") else "prange"


def kernel_on(runs: np.ndarray, threads: int, schedule: str) -> float:
    """A tile's kernel on ``threads`` threads, from the profiled runs of its interleaved cells
    (each run joins the range or chunk its first cell falls in)."""
    pieces = threads if schedule == "prange" else 4 * threads
    owner = np.arange(runs.size) * pieces // runs.size
    costs = np.bincount(owner, weights=runs, minlength=pieces)
    if schedule == "prange":
        return float(costs.max())
    free = [0.0] * threads  # the chunks, in order, each to the first thread free
    for cost in costs:
        heapq.heappush(free, heapq.heappop(free) + cost)
    return max(free)


def simulate_threads(parts: dict, threads: int, schedule: str) -> float:
    """Wall seconds of the sweep on ``threads`` threads, pipelined as the sweep runs it: while
    a tile's kernel runs, one helper lays out the next tile and ``THREADS_PER_WRITER``-th as
    many writers assemble and write the tiles before it (their CPU time taken from the cores)."""
    lanes = -(-threads // THREADS_PER_WRITER)
    total = parts["cells"][0]
    count = len(parts["kernel"])
    for k in range(count):
        following = parts["cells"][k + 1] if k + 1 < count else 0.0
        writing = parts["assemble"][k - 1] + parts["write"][k - 1] if k else 0.0
        kernel = kernel_on(parts["kernel"][k], threads, schedule)
        total += max(kernel + (following + writing) / threads, following, writing / lanes)
    return total + parts["assemble"][-1] + parts["write"][-1]


def coarsen(parts: dict, fine: tuple[int, int], tiles: tuple[int, int], tile: tuple[int, int]) -> dict:
    """The parts of tiling ``tile`` (a multiple of ``fine``) as sums over the fine tiles it holds
    (``tiles``: the fine tiling's count per axis); a tile's kernel becomes one run."""
    fy, fx = tile[0] // fine[0], tile[1] // fine[1]
    rows, cols = -(-tiles[0] // fy), -(-tiles[1] // fx)
    out = {key: np.zeros(rows * cols) for key in ("cells", "assemble", "write", "size")}
    kernel = np.zeros(rows * cols)
    for index, (i, j) in enumerate(np.ndindex(*tiles)):
        target = (i // fy) * cols + j // fx
        for key in out:
            out[key][target] += parts[key][index]
        kernel[target] += parts["kernel"][index].sum()
    return {key: list(value) for key, value in out.items()} | {"kernel": [np.array([k]) for k in kernel]}


def simulate_dask(parts: dict, workers: int, costs: dict[str, float], shared: bool) -> float:
    """Wall seconds of the sweep on ``workers`` single-threaded Dask workers (list scheduling
    in submission order). The scheduler and the client, in one process, are one server in
    sequence: half its measured CPU per task (with the tiles written by the workers) to
    dispatch a task, half to receive it, and, unless ``shared``, the tile's write."""
    worker = costs["dask worker CPU s per task"]
    central = costs["dask-shared scheduler and client CPU s per task"]
    free = [0.0] * workers
    dispatched = 0.0
    finished = []
    for k in range(len(parts["kernel"])):
        task = worker + parts["cells"][k] + parts["kernel"][k].sum() + parts["assemble"][k]
        task += parts["write"][k] if shared else 0.0
        start = max(heapq.heappop(free), dispatched)
        dispatched = start + central / 2
        heapq.heappush(free, start + task)
        finished.append((start + task, parts["write"][k]))
    done = 0.0
    for end, write in sorted(finished):  # the client takes the tiles as they come
        done = max(done, end) + central / 2 + (0.0 if shared else write)
    return max(done, max(free))


#: Most threads simulated on one machine (beyond, a node is a cluster of workers).
MAX_THREADS = 256
#: Threads of a cluster node, for the cluster grid's node-level schedule (a worker per node
#: computing one tile at a time on all its threads, taken as perfectly shared out: the
#: threads' own schedule is the ``threads`` prediction).
NODE_THREADS = 32


def predictions(kwargs: dict, counts: list[int], costs: dict | None, folder: str,
                side: int = 0) -> dict[str, dict]:
    """Predicted efficiency per schedule and worker count, from serial profiles of the tilings the
    sweep chooses for each (a cluster's tilings summed from the finest, their multiples); with
    ``side``, also on Dask for a ``side`` x ``side`` grid of the same domain (extrapolated)."""
    shape = shape_of(kwargs)
    schedule = thread_schedule(kwargs)
    out: dict[str, dict] = {f"threads ({schedule})": {}}
    tilings: dict[str, dict] = {}
    rates: dict[str, float] = {}
    threads = [w for w in counts if w <= MAX_THREADS]
    runs: dict[tuple[int, int], int] = {}  # one profile per tiling, in runs enough for its most threads
    for w in threads:
        tile = auto_tile(shape, w, distributed=False)
        runs[tile] = max(runs.get(tile, 0), 4 * w)
    profiled = {tile: profile(kwargs, tile, count, folder) for tile, count in runs.items()}
    for w in threads:
        tile = auto_tile(shape, w, distributed=False)
        parts = profiled[tile]
        rates = {key: sum(parts[key]) / sum(parts["size"]) for key in ("cells", "assemble", "write")}
        tilings[f"threads {w}: {tile[0]}x{tile[1]}"] = {"tiles": len(parts["kernel"]),
                                                       "serial s": serial_work(parts)}
        out[f"threads ({schedule})"][w] = serial_work(parts) / (w * simulate_threads(parts, w, schedule))
    if costs is not None:
        out |= {"dask": {}, "dask-shared": {}}
        fine = auto_tile(shape, max(counts), distributed=True)
        fine_parts = profile(kwargs, fine, 1, folder)
        fine_tiles = (-(-shape[0] // fine[0]), -(-shape[1] // fine[1]))
        for w in counts:
            tile = auto_tile(shape, w, distributed=True)
            if tile[0] % fine[0] == 0 and tile[1] % fine[1] == 0:
                parts = coarsen(fine_parts, fine, fine_tiles, tile)
            else:
                parts = profile(kwargs, tile, 1, folder)
            tilings[f"dask {w}: {tile[0]}x{tile[1]}"] = {"tiles": len(parts["kernel"]),
                                                        "serial s": serial_work(parts)}
            for mode in ("dask", "dask-shared"):
                seconds = simulate_dask(parts, w, costs, mode == "dask-shared")
                out[mode][w] = serial_work(parts) / (w * seconds)
        if side:
            grid = f"{side}x{side}"
            out |= {f"dask {grid}": {}, f"dask-shared {grid}": {}}
            for w in counts:
                tile = auto_tile((side, side), w, distributed=True)
                parts = extrapolate(fine_parts, fine, shape, side, tile, rates)
                tilings[f"dask {w} on {grid}: {tile[0]}x{tile[1]}"] = {
                    "tiles": len(parts["kernel"]), "serial s": serial_work(parts)}
                for mode in ("dask", "dask-shared"):
                    seconds = simulate_dask(parts, w, costs, mode == "dask-shared")
                    out[f"{mode} {grid}"][w] = serial_work(parts) / (w * seconds)
                    out.setdefault(f"{mode} {grid} wall s", {})[w] = seconds
                if w % NODE_THREADS == 0:  # w cores as w / 32 workers (nodes), each a tile on 32 threads
                    nodes = w // NODE_THREADS
                    tile = auto_tile((side, side), nodes, distributed=True)
                    parts = extrapolate(fine_parts, fine, shape, side, tile, rates)
                    fast = dict(parts, kernel=[k / NODE_THREADS for k in parts["kernel"]])
                    tilings[f"dask {nodes} nodes on {grid}: {tile[0]}x{tile[1]}"] = {
                        "tiles": len(parts["kernel"]), "serial s": serial_work(parts)}
                    key = f"dask-shared {grid}, nodes of {NODE_THREADS} threads"
                    seconds = simulate_dask(fast, nodes, costs, shared=True)
                    out.setdefault(key, {})[w] = serial_work(parts) / (w * seconds)
                    out.setdefault(f"{key} wall s", {})[w] = seconds
    out["tiles"] = tilings
    return out


def extrapolate(parts: dict, fine: tuple[int, int], shape: tuple[int, int], side: int,
                tile: tuple[int, int], rates: dict[str, float]) -> dict:
    """The parts of a ``side`` x ``side`` grid over the same domain, cut in ``tile``: each of its
    tiles' kernels costs per cell what the profiled fine tile holding its centre cost per cell
    (assuming the cost per cell varies on scales larger than a fine tile); laying out,
    assembling and writing cost ``rates`` (seconds per cell, from the largest profiled tiles,
    since the small ones' are mostly fixed costs)."""
    rows, cols = -(-side // tile[0]), -(-side // tile[1])
    fine_cols = -(-shape[1] // fine[1])
    out: dict[str, list] = {key: [] for key in ("cells", "kernel", "assemble", "write", "size")}
    for i, j in np.ndindex(rows, cols):
        h, w = min(tile[0], side - i * tile[0]), min(tile[1], side - j * tile[1])
        centre = ((i * tile[0] + h / 2) / side * shape[0], (j * tile[1] + w / 2) / side * shape[1])
        index = int(centre[0] // fine[0]) * fine_cols + int(centre[1] // fine[1])
        factor = h * w / parts["size"][index]
        for key in ("cells", "assemble", "write"):
            out[key].append(rates[key] * h * w)
        out["kernel"].append(np.array([parts["kernel"][index].sum() * factor]))
        out["size"].append(h * w)
    return out


def scale_of(text: str) -> float:
    return SCALES[text] if text in SCALES else float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=scale_of, default=1.0,
                        help="grid sides times this, or small (0.125), half, full (default 1)")
    parser.add_argument("--tile", type=int,
                        help="tile side of the measured runs (default: the sweep's choice)")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (default 2)")
    parser.add_argument("--modes", default="serial,parallel,dask,dask-shared")
    parser.add_argument("--simulate-workers", default="16,64,2048",
                        help="worker counts to predict the efficiency for ('' for none)")
    parser.add_argument("--cluster-grid", type=int, default=65536,
                        help="also predict Dask on this grid side, extrapolated from the profile (0: no)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cores = numba.config.NUMBA_NUM_THREADS
    modes = [m for m in args.modes.split(",") if m]
    simulated = sorted({int(w) for w in args.simulate_workers.split(",") if w} | {cores, args.workers})
    records = []
    summary: dict[str, object] = {"cores": cores, "workers": args.workers, "scale": args.scale,
                                  "load average before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as folder:
        cluster = client = None
        if any(mode.startswith("dask") for mode in modes) or simulated:  # the latter for per-task costs
            from distributed import Client, LocalCluster

            start = time.perf_counter()
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", env={"NUMBA_NUM_THREADS": "1"})
            client = Client(cluster)
            summary["dask cluster start s"] = time.perf_counter() - start
        costs = fixed_costs(folder, client) if client is not None else None
        if costs is not None:
            summary |= costs
        for name, kwargs in workloads(args.scale).items():
            small = dict(kwargs, xs=kwargs["xs"][:16], ys=kwargs["ys"][:16])
            timed(folder, "warm", small, tile=8)  # compile / load the kernels here
            if client is not None:
                timed(folder, "warm", small, client, tile=8)  # and in every worker
            cells = kwargs["xs"].size * kwargs["ys"].size
            record: dict[str, object] = {"workload": name, "cells": cells}
            results = {}
            for mode in modes:
                tile = {} if args.tile is None else {"tile": args.tile}
                if mode.startswith("dask"):
                    seconds, cpu, results[mode] = timed(folder, mode, kwargs, client,
                                                        shared=mode == "dask-shared", **tile)
                else:
                    numba.set_num_threads(1 if mode == "serial" else cores)
                    seconds, cpu, results[mode] = timed(folder, mode, kwargs, **tile)
                    numba.set_num_threads(cores)
                record[f"{mode} tile"] = "x".join(map(str, results[mode].definition["tile"]))
                record[f"{mode} s"] = seconds
                record[f"{mode} cells/s"] = cells / seconds
                record[f"{mode} cores obtained"] = cpu / seconds
            if "serial" in modes and "parallel" in modes:
                record["parallel efficiency"] = record["serial s"] / (cores * record["parallel s"])
            for mode in (m for m in modes if m.startswith("dask") and "serial" in modes):
                record[f"{mode} efficiency"] = record["serial s"] / (args.workers * record[f"{mode} s"])
                record[f"{mode} equals serial"] = bool(np.array_equal(
                    results[mode].values[:], results["serial"].values[:], equal_nan=True))
            if simulated:
                predicted = predictions(kwargs, simulated, costs, folder, args.cluster_grid)
                record["profiled tilings"] = predicted.pop("tiles")
                record["predicted_efficiency"] = predicted
            records.append(record)
        if client is not None:
            client.close()
            cluster.close()
    summary["load average after"] = os.getloadavg()
    summary["records"] = records
    if args.json:
        print(json.dumps(summary, indent=1, default=str))
        return
    print(f"cores {cores}, Dask workers {args.workers}, grid scale {args.scale}, load average before "
          f"{summary['load average before'][0]:.1f}, after {summary['load average after'][0]:.1f}")
    for key, value in summary.items():
        if key.startswith("dask"):
            print(f"{key}: {value * 1e3:.2f} ms" if "per" in key else f"{key}: {value:.2f}")
    for r in records:
        print(f"\n{r['workload']}: {r['cells']} cells")
        for key, value in r.items():
            if key in ("workload", "cells", "predicted_efficiency", "profiled tilings"):
                continue
            print(f"  {key:34s} {value:.4g}" if isinstance(value, float) else f"  {key:34s} {value}")
        for tile, p in r.get("profiled tilings", {}).items():
            print(f"  profiled tiling {tile}: {p['tiles']} tiles, {p['serial s']:.2f} s serial")
        for mode, by_count in r.get("predicted_efficiency", {}).items():
            print(f"  predicted {mode:24s} " + ", ".join(f"{w}: {e:.3g}" for w, e in by_count.items()))


if __name__ == "__main__":
    main()
