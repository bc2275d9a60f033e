"""Speed and memory of the numpy networks per architecture, at the sizes of the Kalra checks.

For the CNN and the ResNet of ``kalra/cnn`` and ``kalra/resnet`` (and the FCN of
``kalra/fcn`` for comparison), on the digits 3 vs 5 with the squared loss, at the checks'
16 points and at 64: GD steps per second without and with the sharpness every 10 steps,
the time of one Hessian-vector product over one gradient evaluation (both measured in this
process: ratios, not absolute times, are comparable between machines), the Hessian-vector
products of one warm-started Lanczos estimate, and the peak memory (tracemalloc) of a
20-step training run with two sharpness estimates, beside the size of the parameter vector.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/architectures.py [--steps 200]`` (one BLAS
thread: the matrices are small and a shared machine otherwise adds contention noise).
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np

from bifurc import nets
from bifurc.bench import best_time
from bifurc.nets.kalra import squared_loss
from bifurc.verify.checks.architectures import POINTS, architecture_objective


def _objectives(points: int) -> dict[str, nets.Objective]:
    fcn = nets.MLP(64, 16, 4, "tanh")
    return {"cnn": architecture_objective("cnn", "standard", points),
            "resnet": architecture_objective("resnet", "standard", points),
            "fcn (width 16, depth 4)": nets.Objective(fcn, nets.digits(n=points, classes=(3, 5), seed=0),
                                                      squared_loss())}


def bench(objective: nets.Objective, steps: int) -> dict[str, float]:
    """Time training, gradients and HVPs, and the peak memory of a run, for one objective."""
    theta = objective.net.initial(0)
    eta = 0.5 / nets.sharpness(nets.evaluate(objective, theta)).values[0]
    start = time.perf_counter()
    nets.train(objective, theta, eta, steps)
    plain = steps / (time.perf_counter() - start)
    start = time.perf_counter()
    run = nets.train(objective, theta, eta, steps, sharpness_every=10, tol=1e-6)
    with_sharpness = steps / (time.perf_counter() - start)
    tracemalloc.start()  # a separate, shorter run: tracing slows the allocations it counts
    nets.train(objective, theta, eta, 20, sharpness_every=10, tol=1e-6)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    gradient = best_time(lambda: nets.evaluate(objective, theta).gradient, 20)
    ev = nets.evaluate(objective, theta)
    v = np.random.default_rng(0).standard_normal(theta.size)
    hvp = best_time(lambda: nets.hessian_vector_product(ev, v), 20)
    return {"parameters": objective.net.n_params, "steps/s (no sharpness)": plain,
            "steps/s (sharpness every 10)": with_sharpness, "HVP / gradient time": hvp / gradient,
            "HVPs per warm-started estimate": float(np.mean(run.hvps[1:])),
            "peak memory (MB)": peak / 2**20, "parameter vector (MB)": theta.nbytes / 2**20}


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="GD steps per timed run (default 200)")
    steps = parser.parse_args().steps
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, {steps} steps")
    for points in (POINTS, 64):
        for name, objective in _objectives(points).items():
            print(f"--- {name}, {points} digits")
            for key, value in bench(objective, steps).items():
                print(f"{key:>36}: {value:.4g}" if isinstance(value, float) else f"{key:>36}: {value}")


if __name__ == "__main__":
    main()
