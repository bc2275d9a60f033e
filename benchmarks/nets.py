"""Speed of the numpy networks: GD steps per second and the cost of one sharpness estimate.

A width-256, 3-layer tanh network (input dimension 64, log-cosh loss) on one point and on
200 points (the digits 0 vs 1 when scikit-learn is installed, synthetic data otherwise):
``steps`` GD steps with the sharpness measured by Lanczos every 10 steps, reported as steps
per second, and one cold sharpness estimate in Hessian-vector products and in gradient
evaluations (its time over the time of one forward-and-backward evaluation), and the peak
memory (tracemalloc) of a short run against the size of the parameter vector: memory stays
O(parameters) (no dense Hessian is ever formed).

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/nets.py [--steps 2000]``. The matrices are
small (at most 256×256 times 200 rows), so threaded BLAS gains little and, on a shared
machine, loses up to 10× to contention; one thread gives steady numbers.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np

from bifurc import losses, nets
from bifurc.bench import best_time


def _data(n: int) -> nets.Dataset:
    if n == 1:
        return nets.one_point(64, seed=0)
    try:
        return nets.digits(n=n, classes=(0, 1), seed=0)
    except ImportError:
        return nets.synthetic(n, 64, seed=0)


def bench(n: int, steps: int) -> dict[str, float]:
    """Time training and one sharpness estimate on ``n`` points."""
    net = nets.MLP(input_dim=64, width=256, depth=3, activation="tanh")
    objective = nets.Objective(net, _data(n), losses.logcosh)
    theta = net.initial(seed=0)
    eta = 2 / nets.ntk_max(nets.evaluate(objective, theta))  # q = 1 at the start
    start = time.perf_counter()
    run = nets.train(objective, theta, eta, steps, sharpness_every=10)
    with_sharpness = steps / (time.perf_counter() - start)
    tracemalloc.start()  # a separate, short run: tracing slows the allocations it counts
    nets.train(objective, theta, eta, 20, sharpness_every=10)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    start = time.perf_counter()
    nets.train(objective, theta, eta, steps)
    plain = steps / (time.perf_counter() - start)
    gradient = best_time(lambda: nets.evaluate(objective, theta).gradient, 20)
    ev = nets.evaluate(objective, theta)
    hvp = best_time(lambda: nets.hessian_vector_product(ev, theta), 20)
    estimates = []
    estimate = best_time(lambda: estimates.append(nets.sharpness(ev, tol=1e-8)), 3)
    return {"points": n, "parameters": net.n_params, "steps/s (sharpness every 10)": with_sharpness,
            "steps/s (no sharpness)": plain, "HVPs per cold estimate": estimates[0].matvecs,
            "mean HVPs per warm-started estimate in training": float(np.mean(run.hvps[1:])),
            "HVP / gradient time": hvp / gradient,
            "cold estimate in gradient evaluations": estimate / gradient,
            "peak memory of 20 steps with 2 estimates (MB)": peak / 2**20,
            "peak memory / (8 bytes x parameters)": peak / (8 * net.n_params)}


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="GD steps per run (default 2000)")
    steps = parser.parse_args().steps
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, {steps} steps")
    for n in (1, 200):
        print(f"--- width 256, depth 3, tanh, {n} point{'s' * (n > 1)}")
        for key, value in bench(n, steps).items():
            print(f"{key:>50}: {value:.4g}" if isinstance(value, float) else f"{key:>50}: {value}")


if __name__ == "__main__":
    main()
