"""How sweeps cut and share out work: interleaved cells, tiles sized from the grid and the workers."""

import math

import numpy as np
import pytest

from bifurc.sweep.plan import CLUSTER_TILE, THREAD_TILE, TILES_PER_WORKER, auto_tile
from bifurc.sweep.tiles import interleaved

zarr = pytest.importorskip("zarr")

from bifurc.sweep import sweep  # noqa: E402


@pytest.mark.parametrize("count", [1, 2, 1000, 51200, 65536])
def test_interleaved_is_a_permutation_whose_runs_cover_the_tile_evenly(count):
    order = interleaved(count)
    assert np.array_equal(np.sort(order), np.arange(count))
    for threads in (16, 64):
        run = count // threads  # numba gives each thread one contiguous run of the iterations
        if run < 8:
            continue
        for r in range(threads):
            bands = np.bincount(order[r * run: (r + 1) * run] * 16 // count, minlength=16)
            # a run of L points k g / N (mod 1), g / N near the golden ratio, is a Kronecker sequence
            # of discrepancy O(log L / L): each of 16 bands of rows holds L/16 of them, to log L / L
            assert np.abs(bands - run / 16).max() / run <= math.log(run) / run
    # the row-major order itself puts each run in one band: the check above rejects it
    plain = np.arange(65536)[:4096] * 16 // 65536
    assert np.abs(np.bincount(plain, minlength=16) - 4096 / 16).max() / 4096 > 0.9


@pytest.mark.parametrize("workers", [1, 2, 16, 64, 2048])
def test_cluster_tiles_give_every_worker_many(workers):
    for shape in ((2048, 2048), (1024, 1024), (65536, 65536), (300, 7)):
        h, w = auto_tile(shape, workers, distributed=True)
        cells, tiles = h * w, math.ceil(shape[0] / h) * math.ceil(shape[1] / w)
        assert h <= shape[0] and w <= shape[1]
        assert cells <= CLUSTER_TILE[1]
        if cells > CLUSTER_TILE[0] * 1.01 and h < shape[0]:  # not held up by the smallest tile
            assert tiles >= TILES_PER_WORKER * workers * 0.99
        if shape[0] * shape[1] >= TILES_PER_WORKER * workers * CLUSTER_TILE[0]:
            assert cells >= CLUSTER_TILE[0]  # a grid large enough is not cut below the smallest tile


@pytest.mark.parametrize("threads", [1, 2, 16, 64, 512])
def test_thread_tiles_hold_4096_cells_per_thread(threads):
    h, w = auto_tile((65536, 65536), threads, distributed=False)
    assert h * w == min(max(4096 * threads, THREAD_TILE[0]), THREAD_TILE[1])
    assert auto_tile((10, 3), threads, distributed=False) == (10, 3)  # never beyond the grid


def test_a_resumed_store_keeps_its_tiles(henon, tmp_path):
    a, b = np.linspace(1, 1.4, 40), np.linspace(0.1, 0.3, 30)
    first = sweep(henon, tmp_path / "s", "a", a, "b", b, "period", x0=[0.1, 0.1], tile=(7, 9), progress=False)
    again = sweep(henon, tmp_path / "s", "a", a, "b", b, "period", x0=[0.1, 0.1], progress=False)
    assert again.definition["tile"] == [7, 9]
    assert np.array_equal(first.values[:], again.values[:])
