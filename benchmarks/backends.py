"""Sharpness estimates in the three back-ends: numpy (bifurc.nets), PyTorch (bifurc.torch), JAX (bifurc.jax).

One MLP of about 1e5 parameters (64 → 256 → 256 → 1, tanh, biases: 82,689 parameters) with the
log-cosh loss on the digits 0 vs 1 (200 images; synthetic data without scikit-learn), the same
weights in all three. For each back-end, λmax(∇²L) by bifurc's Lanczos to tol 1e-10 (the
recorders' default), at θ₀ and at θ₁ = θ₀ - η∇L(θ₀) (one GD step, η = 2/λmax(NTK) so that q = 1):

* cold: at θ₁ from Lanczos's fixed pseudo-random start;
* warm: at θ₁ from θ₀'s eigenvector, as the recorders do from one logged step to the next.

Reported: estimates per second (each includes building the objective at its θ, as in training),
Hessian-vector products per estimate, the estimate's time in gradient evaluations of the same
back-end, the sharpness itself (the back-ends agree to rounding), and peak memory: tracemalloc
over one cold estimate for numpy; torch and JAX allocate outside Python's allocator, where
tracemalloc sees nothing, so for them the growth of the process's peak resident memory
(ru_maxrss) during the first cold estimate (for JAX this includes compiling its kernels, timed
apart). Each back-end runs in a process of its own, with one thread, so that one back-end's peak
does not hide another's and a shared machine gives steady numbers.

Every estimate goes through :func:`bifurc.backends.curvature.eigenpairs` on the back-end's Hessian
operator (for numpy :func:`bifurc.nets.hessian_operator`), so the three differ only in their
products: cold is scipy's ``eigsh`` (ARPACK), which builds a first factorisation of ncv = 20
vectors before it tests convergence (at least 21 products); warm is the Lanczos of
:mod:`bifurc.backends.lanczos`, which tests after every product and stops as soon as the
residual is below the same tolerance.

Run: ``python benchmarks/backends.py [--quick] [--only numpy|torch|jax]``; ``--quick`` uses 100
images and fewer repeats (about a minute in all). A back-end that is not installed is skipped.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from bifurc import losses, nets
from bifurc.bench import best_time

BACKENDS = ("numpy", "torch", "jax")
#: The recorders' default accuracy.
TOL = 1e-10
WIDTH, DEPTH, INPUTS = 256, 3, 64
#: One thread everywhere (BLAS, torch's and XLA's pools): see the module's description.
THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}


def _setup(points: int) -> tuple[nets.MLP, nets.Dataset, np.ndarray, np.ndarray]:
    """The network, the data, θ₀ and θ₁ (one GD step at q = 1), computed by the numpy back-end."""
    net = nets.MLP(input_dim=INPUTS, width=WIDTH, depth=DEPTH, activation="tanh", bias=True)
    try:
        data = nets.digits(n=points, classes=(0, 1), seed=0)
    except ImportError:
        data = nets.synthetic(points, INPUTS, seed=0)
    theta0 = net.initial(seed=0)
    ev = nets.evaluate(nets.Objective(net, data, losses.logcosh), theta0)
    theta1 = theta0 - 2 / nets.ntk_max(ev) * ev.gradient
    return net, data, theta0, theta1


def _rss() -> float:
    """The process's peak resident memory so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def _numpy(net: nets.MLP, data: nets.Dataset) -> tuple:
    """(estimate at θ → Eigenpairs, gradient at θ) for bifurc.nets."""
    from bifurc.backends.curvature import eigenpairs

    objective = nets.Objective(net, data, losses.logcosh)

    def estimate(theta, v0=None):
        return eigenpairs(nets.hessian_operator(nets.evaluate(objective, theta)), 1, v0, TOL)

    return estimate, lambda theta: nets.evaluate(objective, theta).gradient


def _torch(net: nets.MLP, data: nets.Dataset) -> tuple:
    """(estimate, gradient) for bifurc.torch, on nn.Linear/Tanh layers holding the same entries."""
    import torch

    from bifurc.backends.curvature import eigenpairs
    from bifurc.torch import hessian_operator, problem

    torch.set_num_threads(1)
    nn = torch.nn
    hidden = [m for _ in range(DEPTH - 2) for m in (nn.Tanh(), nn.Linear(WIDTH, WIDTH))]
    layers = [nn.Linear(INPUTS, WIDTH), *hidden]
    model = nn.Sequential(*layers, nn.Tanh(), nn.Linear(WIDTH, 1)).double()
    xy = (torch.as_tensor(data.X), torch.as_tensor(data.y))

    def at(theta):
        torch.nn.utils.vector_to_parameters(torch.as_tensor(theta), model.parameters())
        return problem(model, "logcosh", xy)

    def estimate(theta, v0=None):
        return eigenpairs(hessian_operator(at(theta)), 1, v0, TOL)

    return estimate, lambda theta: at(theta).gradient()


def _jax(net: nets.MLP, data: nets.Dataset) -> tuple:
    """(estimate, gradient) for bifurc.jax, on a pure function of [(W, b), ...] in nets' layout."""
    import jax.numpy as jnp

    from bifurc.backends.curvature import eigenpairs
    from bifurc.jax import hessian_operator, problem

    def f(params, x):
        for W, b in params[:-1]:
            x = jnp.tanh(x @ W.T + b)
        W, b = params[-1]
        return x @ W.T + b

    xy = (jnp.asarray(data.X), jnp.asarray(data.y))

    def at(theta):
        return problem(f, [(jnp.asarray(W), jnp.asarray(b)) for W, b in net.unflatten(theta.copy())],
                       "logcosh", xy)

    def estimate(theta, v0=None):
        return eigenpairs(hessian_operator(at(theta)), 1, v0, TOL)

    return estimate, lambda theta: at(theta).gradient()


def bench(backend: str, points: int, repeats: int) -> dict[str, object]:
    """Measure one back-end (see the module's description)."""
    net, data, theta0, theta1 = _setup(points)
    estimate, gradient = {"numpy": _numpy, "torch": _torch, "jax": _jax}[backend](net, data)
    before = _rss()
    if backend == "numpy":
        tracemalloc.start()
    start = time.perf_counter()
    first = estimate(theta0)
    seconds = time.perf_counter() - start
    if backend == "numpy":
        peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB (tracemalloc, one cold estimate)"
        tracemalloc.stop()
    else:
        peak = f"{_rss() - before:.1f} MB (growth of peak RSS over the first cold estimate)"
    warm_start = first.vectors[:, 0]
    cold, warm = estimate(theta1), estimate(theta1, warm_start)
    time_cold = best_time(lambda: estimate(theta1), repeats, min_seconds=0.1 * repeats)
    time_warm = best_time(lambda: estimate(theta1, warm_start), repeats, min_seconds=0.1 * repeats)
    time_gradient = best_time(lambda: gradient(theta1), 3 * repeats, min_seconds=0.1 * repeats)
    return {"parameters": net.n_params, "points": data.X.shape[0],
            "sharpness at θ₀ / θ₁ (cold / warm)":
                f"{first.values[0]:.12g} / {cold.values[0]:.12g} / {warm.values[0]:.12g}",
            "first cold estimate, incl. compilation (s)": seconds,
            "cold estimates per second": 1 / time_cold, "warm estimates per second": 1 / time_warm,
            "HVPs per estimate: θ₀ cold / θ₁ cold / θ₁ warm":
                f"{first.matvecs} / {cold.matvecs} / {warm.matvecs}",
            "(warm - cold)/cold at θ₁": f"{(warm.values[0] - cold.values[0]) / cold.values[0]:.1e}",
            "cold estimate in gradient evaluations": time_cold / time_gradient,
            "warm estimate in gradient evaluations": time_warm / time_gradient,
            "one gradient evaluation (ms)": 1e3 * time_gradient,
            "peak memory": peak}


def _print(backend: str, rows: dict[str, object]) -> None:
    print(f"--- {backend}")
    for key, value in rows.items():
        print(f"{key:>45}: {value:.4g}" if isinstance(value, float) else f"{key:>45}: {value}")
    sys.stdout.flush()


def _installed(backend: str) -> bool:
    from importlib.util import find_spec

    return backend == "numpy" or find_spec(backend) is not None


def main() -> None:
    """Print the table, each back-end measured in a process of its own."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 images and fewer repeats")
    parser.add_argument("--only", choices=BACKENDS, help="measure one back-end in this process")
    args = parser.parse_args()
    points, repeats = (100, 1) if args.quick else (200, 3)
    if args.only:
        _print(args.only, bench(args.only, points, repeats))
        return
    print(f"MLP {INPUTS}-{WIDTH}-{WIDTH}-1 tanh, log-cosh, {points} points, Lanczos tol {TOL:g}, one thread")
    for backend in BACKENDS:
        if not _installed(backend):
            print(f"--- {backend}: not installed, skipped")
            continue
        command = [sys.executable, __file__, "--only", backend] + ["--quick"] * args.quick
        subprocess.run(command, env={**os.environ, **THREADS}, check=True)


if __name__ == "__main__":
    main()
