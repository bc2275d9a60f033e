"""Speed of a continuation: points per second on a branch of a 2D map, against a plain Newton loop.

The branch: Hénon's fixed point x = (-(1 - b) + sqrt((1 - b)^2 + 4a))/(2a), y = b x at
b = 0.3, followed in a from 0.1 by :func:`bifurc.continuation.continuation` with a fixed
arclength step 2e-3 until it holds 1000 points (``status == "max_points"``), Newton's
tolerance 1e-12; at every point the multipliers are computed and the test functions of
folds, flips, Neimark-Sacker and branch points watched, and the flip at a = 3(1 - b)^2/4
on the way is located and given its normal-form coefficient. Timed once compiled (a first
run compiles or loads the kernels and is not counted), best of ``--repeat`` runs.

The baseline does less, by hand: at the same 1000 values of a (in order), Newton's method on
F(x) - x = 0 with a hand-written Jacobian, each value started from the previous solution,
stopping at the same relative step 1e-12, then the multipliers (numpy.linalg.eigvals);
``numpy``: the Newton loop in numpy; ``scipy``: :func:`scipy.optimize.fsolve` with
``xtol=1e-12`` and the same Jacobian. It cannot pass a fold (it needs the parameter to be
monotonic along the branch), locates nothing and needs its derivatives written by hand;
bifurc derives them from the formula. Both give the same points (the largest difference
is reported).

Run: ``python benchmarks/continuation.py [--points 1000] [--repeat 5] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
from scipy.optimize import fsolve

from bifurc import maps
from bifurc.continuation import continuation

B = 0.3
START = 0.1
STEP = 2e-3
TOL = 1e-12


def branch(points: int):
    """The continued branch of ``points`` points."""
    w = 1 - B
    x = (-w + math.sqrt(w * w + 4 * START)) / (2 * START)
    return continuation(maps.henon, "a", [x, B * x], START, 1e3, params={"b": B}, step=STEP,
                        min_step=1e-12, max_step=STEP, max_points=points, tol=TOL)


def _residual(x: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
    F = np.array([1 - a * x[0] ** 2 + x[1], B * x[0]])
    J = np.array([[-2 * a * x[0], 1.0], [B, 0.0]])
    return F - x, J - np.eye(2)


def newton_loop(values: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fixed points and multipliers at each of ``values`` by plain Newton steps in numpy."""
    states, mults = np.empty((values.size, 2)), np.empty((values.size, 2), dtype=complex)
    x = np.array(x0, dtype=np.float64)
    for i, a in enumerate(values):
        for _ in range(50):
            G, DG = _residual(x, a)
            dx = np.linalg.solve(DG, -G)
            x = x + dx
            if np.max(np.abs(dx)) <= TOL * (1 + np.max(np.abs(x))):
                break
        states[i] = x
        mults[i] = np.linalg.eigvals(_residual(x, a)[1] + np.eye(2))
    return states, mults


def fsolve_loop(values: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same with :func:`scipy.optimize.fsolve`."""
    states, mults = np.empty((values.size, 2)), np.empty((values.size, 2), dtype=complex)
    x = np.array(x0, dtype=np.float64)
    for i, a in enumerate(values):
        x = fsolve(lambda z, a=a: _residual(z, a)[0], x, fprime=lambda z, a=a: _residual(z, a)[1], xtol=TOL)
        states[i] = x
        mults[i] = np.linalg.eigvals(_residual(x, a)[1] + np.eye(2))
    return states, mults


def best_of(repeat: int, run) -> tuple[float, object]:
    """The shortest wall time of ``repeat`` runs, and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str] | None = None) -> dict:
    """Measure and print the report (JSON with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000, help="points on the branch (default 1000)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each, the best kept (default 5)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    b = branch(args.points)
    first = time.perf_counter() - t
    assert b.status == "max_points" and b.values.size == args.points, b.message
    assert np.all(np.diff(b.values) > 0)  # no fold on this branch: the baseline can take the same points
    seconds, b = best_of(args.repeat, lambda: branch(args.points))
    report = {
        "branch": f"Henon fixed points, b = {B}, a from {START} to {b.values[-1]:.4g}",
        "points": int(b.values.size), "special points": [p.kind for p in b.points],
        "first run s (compiling or loading kernels)": round(first, 3),
        "continuation s": round(seconds, 4), "continuation points/s": round(b.values.size / seconds),
    }
    for name, loop in (("numpy", newton_loop), ("scipy", fsolve_loop)):
        s, (states, mults) = best_of(args.repeat, lambda loop=loop: loop(b.values, b.states[0]))
        report[f"{name} Newton loop s"] = round(s, 4)
        report[f"{name} Newton loop points/s"] = round(b.values.size / s)
        report[f"{name} loop / continuation time"] = round(s / seconds, 3)
        report[f"{name} largest state difference"] = float(np.max(np.abs(states - b.states)))
    print(json.dumps(report, indent=1) if args.json else
          "\n".join(f"{k}: {v}" for k, v in report.items()))
    return report


if __name__ == "__main__":
    main()
