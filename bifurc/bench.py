"""Benchmark: nanoseconds per map evaluation, bifurc against baselines, peers and C.

Run ``python -m bifurc.bench`` (``--quick`` for a smoke test, ``--workloads W1,W3`` for a
subset, ``--json FILE`` to keep the numbers). Everything is measured in the same run,
so the ratios compare like with like on this machine at this moment.

Workloads (issue 3, "Speed"):

W1
    logistic orbit diagram, 2000 values of r in [2.5, 4], 1000 transient + 1000 kept
    steps, the kept points written to a (2000, 1000) array;
W2
    Lyapunov exponent of the logistic map over the same grid, 10^4 steps each;
W3
    Lyapunov spectrum of the Henon map, one orbit of 10^6 steps.

A "map evaluation" is one step of one orbit, including, for W2 and W3, the tangent
(Jacobian and re-orthonormalisation) work of that step. Implementations:

- bifurc through its public functions, with numba's default number of threads
  ("parallel") and with one thread ("serial": the kernels use ``prange``);
- a pure-Python loop and a numpy-vectorised loop (all parameter values as one array;
  a single W3 orbit cannot be vectorised, so numpy runs one small-array step at a time),
  both on a reduced size and scaled per evaluation;
- the peers pynamicalsys and pynamical (the optional ``bench`` extra), where they have
  the analysis;
- two C references (:mod:`bifurc.bench_c`) if a compiler is present: one orbit at a time
  (latency-bound) and 64 orbits interleaved (the throughput of the vector units).

Each timing is the best of several repeats after a warm-up call. Calls that return a
new array (bifurc's public functions, and the C calls, which allocate theirs the same
way) pay the page faults of fresh memory, as a user's call does; W1 also shows the C
interleaved loop writing into a reused array, to separate that cost. Wall times are
reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numba
import numpy as np

from . import __version__, bench_c, lyapunov, lyapunov_sweep, maps, orbit_diagram

__all__ = ["Row", "Target", "WorkloadReport", "Report", "Sizes", "SIZES", "best_time", "run", "main"]

PEER_HINT = "not installed (pip install bifurc[bench])"
ESCAPE = 1e8  # bifurc's default escape radius, used by the C references too


@dataclass(frozen=True)
class Sizes:
    """Problem sizes of one benchmark run.

    Attributes
    ----------
    values : int
        Parameter values of W1 and W2 (r in [2.5, 4]).
    transient, keep : int
        W1's discarded and kept steps.
    n_sweep : int
        W2's steps per parameter value.
    n_orbit : int
        W3's steps.
    repeats : int
        Timed repeats after the warm-up; the best is reported.
    """

    values: int
    transient: int
    keep: int
    n_sweep: int
    n_orbit: int
    repeats: int


SIZES = {
    "full": Sizes(values=2000, transient=1000, keep=1000, n_sweep=10_000, n_orbit=10**6, repeats=5),
    "quick": Sizes(values=256, transient=200, keep=200, n_sweep=1000, n_orbit=20_000, repeats=2),
}


@dataclass
class Row:
    """One implementation's timing on one workload.

    Attributes
    ----------
    name : str
        The implementation, as printed.
    kind : str
        What it is, for the ratios: ``parallel``, ``serial`` (bifurc), ``python``,
        ``numpy``, ``pynamicalsys``, ``pynamical``, ``c_one``, ``c_lanes`` or ``diagnostic``.
    ns : float or None
        Nanoseconds per map evaluation; None if not measured (see ``note``).
    evals : int
        Map evaluations in the timed call (smaller than the workload's if reduced).
    seconds : float or None
        Best wall time of the timed call.
    note : str
        What differs from the workload, or why there is no number.
    """

    name: str
    kind: str
    ns: float | None
    evals: int = 0
    seconds: float | None = None
    note: str = ""


@dataclass
class Target:
    """One of the issue's speed targets, checked on this run's numbers.

    Attributes
    ----------
    text : str
        The target.
    value : float or None
        The measured quantity (a ratio); None if it could not be measured.
    met : bool or None
        Whether the target holds; None if not applicable or not measured.
    """

    text: str
    value: float | None
    met: bool | None


@dataclass
class WorkloadReport:
    """Rows, derived ratios and targets of one workload."""

    key: str
    title: str
    evals: int
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ns(self, kind: str) -> float | None:
        """The ns/eval of the row of this ``kind`` (see :class:`Row`), or None."""
        return next((r.ns for r in self.rows if r.kind == kind and r.ns is not None), None)


@dataclass
class Report:
    """A whole benchmark run: machine, workloads, compile costs."""

    machine: dict
    workloads: list[WorkloadReport]
    compile: dict | None = None  # start-up and compile costs (:func:`startup`)


# ---------------------------------------------------------------- timing helpers


def best_time(
    call: Callable[[], object],
    repeats: int,
    warmup: Callable[[], object] | None = None,
    min_seconds: float = 0.3,
    max_calls: int = 100,
) -> float:
    """Best wall time, in seconds, of repeated calls of ``call`` after one warm-up.

    Parameters
    ----------
    call
        The timed call.
    repeats
        Timed calls at least (at least 1).
    warmup
        The warm-up call (compilation, caches); ``call`` itself if None.
    min_seconds, max_calls
        Fast calls are repeated until ``min_seconds`` have been spent timing them (at most
        ``max_calls`` calls), so that the best is not one that another process disturbed.
    """
    (warmup or call)()
    best, spent, calls = math.inf, 0.0, 0
    while calls < max(1, repeats) or (spent < min_seconds and calls < max_calls):
        start = time.perf_counter()
        call()
        elapsed = time.perf_counter() - start
        best, spent, calls = min(best, elapsed), spent + elapsed, calls + 1
    return best


def timed_row(
    name: str,
    kind: str,
    call: Callable[[], object],
    evals: int,
    repeats: int,
    note: str = "",
    warmup: Callable[[], object] | None = None,
) -> Row:
    """A :class:`Row` from the best time of ``call``, which performs ``evals`` evaluations."""
    seconds = best_time(call, repeats, warmup)
    return Row(name, kind, seconds / evals * 1e9, evals, seconds, note)


@contextlib.contextmanager
def numba_threads(n: int) -> Iterator[None]:
    """Run numba's parallel kernels on ``n`` threads inside the block."""
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def subset(values: np.ndarray, count: int) -> np.ndarray:
    """``count`` values spread over ``values`` (for reduced-size baselines)."""
    count = max(1, min(count, values.size))
    return values[np.linspace(0, values.size - 1, count).round().astype(int)]


def reduced(part: int, whole: int) -> str:
    """A note saying a baseline ran on a fraction of the workload."""
    return "" if part >= whole else f"reduced: {part:.3g} of {whole:.3g} evals, scaled"


# ---------------------------------------------------------------- W1 baselines


def w1_python(values: Sequence[float], x0: float, transient: int, keep: int) -> list[list[float]]:
    """Orbit diagram of the logistic map in pure Python (no escape checks)."""
    rows = []
    for r in values:
        x = x0
        for _ in range(transient):
            x = r * x * (1.0 - x)
        row = []
        for _ in range(keep):
            row.append(x)
            x = r * x * (1.0 - x)
        rows.append(row)
    return rows


def w1_numpy(values: np.ndarray, x0: float, transient: int, keep: int) -> np.ndarray:
    """Orbit diagram with all parameter values advanced as one numpy array per step."""
    x = np.full(values.size, x0)
    out = np.empty((values.size, keep))
    for _ in range(transient):
        x = values * x * (1.0 - x)
    for t in range(keep):
        out[:, t] = x
        x = values * x * (1.0 - x)
    return out


# ---------------------------------------------------------------- W2 baselines


def w2_python(values: Sequence[float], x0: float, n: int) -> list[float]:
    """Logistic exponent per value in pure Python: the average of log |f'(x)|.

    In one dimension Benettin's tangent vector stays +-1 after normalisation, so this is
    the same quantity as bifurc's.
    """
    result = []
    for r in values:
        x, s = x0, 0.0
        for _ in range(n):
            d = abs(r * (1.0 - 2.0 * x))
            s += math.log(d) if d > 0.0 else -math.inf
            x = r * x * (1.0 - x)
        result.append(s / n)
    return result


def w2_numpy(values: np.ndarray, x0: float, n: int) -> np.ndarray:
    """Logistic exponents with all parameter values advanced as one array per step."""
    x = np.full(values.size, x0)
    s = np.zeros(values.size)
    with np.errstate(divide="ignore"):
        for _ in range(n):
            s += np.log(np.abs(values * (1.0 - 2.0 * x)))
            x = values * x * (1.0 - x)
    return s / n


# ---------------------------------------------------------------- W3 baselines


def w3_python(x0: float, y0: float, a: float, b: float, n: int) -> tuple[float, float]:
    """Henon spectrum by Benettin's method (modified Gram-Schmidt) in pure Python."""
    x, y = x0, y0
    q00, q01, q10, q11 = 1.0, 0.0, 0.0, 1.0
    s0 = s1 = 0.0
    for _ in range(n):
        j00 = -2.0 * a * x
        c00, c10 = j00 * q00 + q10, b * q00
        c01, c11 = j00 * q01 + q11, b * q01
        n0 = math.sqrt(c00 * c00 + c10 * c10)
        c00, c10 = c00 / n0, c10 / n0
        d = c00 * c01 + c10 * c11
        c01, c11 = c01 - d * c00, c11 - d * c10
        n1 = math.sqrt(c01 * c01 + c11 * c11)
        q00, q01, q10, q11 = c00, c01 / n1, c10, c11 / n1
        s0 += math.log(n0)
        s1 += math.log(n1)
        x, y = 1.0 - a * x * x + y, b * x
    return s0 / n, s1 / n


def w3_numpy(x0: float, y0: float, a: float, b: float, n: int) -> np.ndarray:
    """Henon spectrum with numpy, one step at a time (QR of the 2x2 tangent basis)."""
    x, y = x0, y0
    Q = np.eye(2)
    sums = np.zeros(2)
    for _ in range(n):
        J = np.array([[-2.0 * a * x, 1.0], [b, 0.0]])
        Q, R = np.linalg.qr(J @ Q)
        sums += np.log(np.abs(np.diag(R)))
        x, y = 1.0 - a * x * x + y, b * x
    return sums / n


# ---------------------------------------------------------------- peers


def _pynamicalsys(model: str) -> object | None:
    try:
        from pynamicalsys import DiscreteDynamicalSystem
    except ImportError:
        return None
    return DiscreteDynamicalSystem(model=model)


def _pynamical() -> object | None:
    try:
        import pynamical
    except ImportError:
        return None
    return pynamical


# ---------------------------------------------------------------- workloads


def bifurc_rows(call: Callable[[], object], evals: int, repeats: int) -> list[Row]:
    """bifurc with the default threads, then with one."""
    default = numba.get_num_threads()
    rows = [timed_row(f"bifurc parallel ({default} threads)", "parallel", call, evals, repeats)]
    with numba_threads(1):
        rows.append(timed_row("bifurc serial (1 thread)", "serial", call, evals, repeats))
    return rows


def w1(sizes: Sizes, c: bench_c.CReference | None) -> WorkloadReport:
    """The logistic orbit diagram."""
    values = np.linspace(2.5, 4.0, sizes.values)
    x0, transient, keep, reps = 0.5, sizes.transient, sizes.keep, sizes.repeats
    steps = transient + keep
    evals = values.size * steps
    report = WorkloadReport(
        "W1",
        f"logistic orbit diagram: {values.size} values of r in [2.5, 4], "
        f"{transient} transient + {keep} kept steps",
        evals,
    )
    m = maps.logistic
    report.rows += bifurc_rows(
        lambda: orbit_diagram(m, "r", values, x0, transient=transient, keep=keep), evals, reps
    )
    report.notes.append(chunk_cost_w1(m, values, x0, transient, keep, reps))

    few = subset(values, max(4, values.size // 100)).tolist()
    report.rows.append(timed_row(
        "pure Python loop", "python", lambda: w1_python(few, x0, transient, keep), len(few) * steps, 2,
        reduced(len(few) * steps, evals),
    ))
    report.rows.append(timed_row(
        "numpy, all r as one array", "numpy", lambda: w1_numpy(values, x0, transient, keep),
        evals, min(reps, 3),
    ))

    ds = _pynamicalsys("logistic map")
    if ds is None:
        report.rows.append(Row("pynamicalsys", "pynamicalsys", None, note=PEER_HINT))
    else:
        report.rows.append(timed_row(
            "pynamicalsys bifurcation_diagram", "pynamicalsys",
            lambda: ds.bifurcation_diagram([x0], 0, values, steps, transient_time=transient),
            evals, min(reps, 3),
            "Python loop over r, numba per orbit",
        ))
    pn = _pynamical()
    if pn is None:
        report.rows.append(Row("pynamical", "pynamical", None, note=PEER_HINT))
    else:
        report.rows.append(timed_row(
            "pynamical simulate", "pynamical",
            lambda: pn.simulate(
                num_gens=keep, rate_min=values[0], rate_max=values[-1], num_rates=values.size,
                num_discard=transient, initial_pop=x0,
            ),
            evals, min(reps, 3),
            "re-JITs its simulator each call; returns a DataFrame",
        ))

    if c is not None:
        def c_call(name: str, out: np.ndarray | None = None) -> Callable[[], object]:
            def call() -> np.ndarray:
                o = np.empty((values.size, keep)) if out is None else out
                bad = np.empty(values.size, dtype=np.uint8)
                getattr(c, name)(values, values.size, x0, transient, keep, ESCAPE, o, bad)
                return o
            return call

        report.rows.append(timed_row("C one orbit at a time", "c_one", c_call("w1_one"), evals, reps))
        report.rows.append(timed_row("C 64 orbits interleaved", "c_lanes", c_call("w1_lanes"), evals, reps))
        reused = np.empty((values.size, keep))
        report.rows.append(timed_row(
            "C 64 interleaved, reused output", "diagnostic", c_call("w1_lanes", reused), evals, reps,
            "diagnostic: no page faults on the output",
        ))
        check = orbit_diagram(m, "r", values, x0, transient=transient, keep=keep).points[:, :, 0]
        same = np.array_equal(check, c_call("w1_lanes")(), equal_nan=True)
        report.notes.append(
            "check: C and bifurc orbit diagrams are " + ("bitwise equal" if same else "NOT equal (warning)")
        )
    return report


def w2(sizes: Sizes, c: bench_c.CReference | None) -> WorkloadReport:
    """The logistic exponent sweep."""
    values = np.linspace(2.5, 4.0, sizes.values)
    x0, n, reps = 0.3, sizes.n_sweep, max(2, sizes.repeats - 2)
    evals = values.size * n
    report = WorkloadReport(
        "W2", f"logistic Lyapunov sweep: {values.size} values of r, {n} steps each", evals
    )
    m = maps.logistic
    report.rows += bifurc_rows(
        lambda: lyapunov_sweep(m, "r", values, x0, n=n, transient=0), evals, reps
    )

    few = subset(values, max(2, values.size // 200)).tolist()
    report.rows.append(timed_row(
        "pure Python loop", "python", lambda: w2_python(few, x0, n), len(few) * n, 2,
        reduced(len(few) * n, evals),
    ))
    report.rows.append(timed_row(
        "numpy, all r as one array", "numpy", lambda: w2_numpy(values, x0, n), evals, min(reps, 2),
        "log|f'(x)| per step; numpy's log is SIMD-vectorised",
    ))

    ds = _pynamicalsys("logistic map")
    if ds is None:
        report.rows.append(Row("pynamicalsys", "pynamicalsys", None, note=PEER_HINT))
    else:
        part = subset(values, max(4, values.size // 10))

        def sweep() -> list[float]:
            return [ds.lyapunov([x0], n, parameters=[r]) for r in part]

        report.rows.append(timed_row(
            "pynamicalsys lyapunov per r", "pynamicalsys", sweep, part.size * n, min(reps, 2),
            "Python loop over r; " + reduced(part.size * n, evals),
        ))
    report.rows.append(Row("pynamical", "pynamical", None, note="n/a: no Lyapunov exponents"))

    if c is not None:
        def c_call(name: str) -> Callable[[], object]:
            def call() -> np.ndarray:
                out = np.empty(values.size)
                status = np.empty(values.size, dtype=np.int64)
                getattr(c, name)(values, values.size, x0, n, ESCAPE, out, status)
                return out
            return call

        report.rows.append(timed_row("C one orbit at a time", "c_one", c_call("w2_one"), evals, reps))
        report.rows.append(timed_row(
            "C 64 orbits interleaved", "c_lanes", c_call("w2_lanes"), evals, reps,
            "glibc log stays scalar at -O3: bounds this loop",
        ))
        ours = lyapunov_sweep(m, "r", values, x0, n=n, transient=0).largest
        theirs = c_call("w2_one")()
        both = np.isfinite(ours) & np.isfinite(theirs)
        report.notes.append(
            f"check: max |bifurc - C| exponent {np.max(np.abs(ours - theirs)[both], initial=0.0):.2g} "
            f"over {both.sum()} finite values"
        )
    return report


def w3(sizes: Sizes, c: bench_c.CReference | None) -> WorkloadReport:
    """The Henon spectrum of one orbit."""
    a, b, n, reps = 1.4, 0.3, sizes.n_orbit, max(2, sizes.repeats - 2)
    x0 = [0.1, 0.1]
    report = WorkloadReport("W3", f"Henon Lyapunov spectrum: one orbit, {n} steps", n)
    m = maps.henon
    report.rows += bifurc_rows(lambda: lyapunov(m, x0, n, transient=0), n, reps)
    report.notes.append("one orbit is sequential: bifurc runs it on one thread either way")
    report.notes.append(chunk_cost_w3(m, x0, reps))

    few = max(1000, n // 20)
    report.rows.append(timed_row(
        "pure Python loop", "python", lambda: w3_python(*x0, a, b, few), few, 2, reduced(few, n)
    ))
    fewer = max(200, n // 500)
    report.rows.append(timed_row(
        "numpy, one step at a time", "numpy", lambda: w3_numpy(*x0, a, b, fewer), fewer, 2,
        "one orbit cannot be vectorised; np.linalg.qr per step; " + reduced(fewer, n),
    ))

    ds = _pynamicalsys("henon map")
    if ds is None:
        report.rows.append(Row("pynamicalsys", "pynamicalsys", None, note=PEER_HINT))
    else:
        report.rows.append(timed_row(
            "pynamicalsys lyapunov (QR)", "pynamicalsys",
            lambda: ds.lyapunov(x0, n, parameters=[a, b], method="QR"), n, min(reps, 2),
            warmup=lambda: ds.lyapunov(x0, 1000, parameters=[a, b], method="QR"),
        ))
    report.rows.append(Row("pynamical", "pynamical", None, note="n/a: one-dimensional maps only"))

    if c is not None:
        out = np.empty(2)
        report.rows.append(timed_row(
            "C one orbit at a time", "c_one", lambda: c.w3_one(*x0, a, b, n, ESCAPE, out), n, reps
        ))
        ours = lyapunov(m, x0, n, transient=0)
        report.notes.append(
            f"check: exponents bifurc ({ours[0]:.4f}, {ours[1]:.4f}), C ({out[0]:.4f}, {out[1]:.4f}); "
            "chaotic orbits part after rounding differences, so they agree statistically, not bitwise"
        )
        X0 = np.column_stack([np.linspace(0.05, 0.15, bench_c.LANES), np.full(bench_c.LANES, 0.1)])
        X0 = np.ascontiguousarray(X0)
        lanes_out = np.empty((bench_c.LANES, 2))
        steps = max(1, n // bench_c.LANES)
        report.rows.append(timed_row(
            "C 64 orbits interleaved", "c_lanes",
            lambda: c.w3_lanes(X0, a, b, steps, ESCAPE, lanes_out), steps * bench_c.LANES, reps,
            "64 different orbits: a throughput bound one orbit cannot reach",
        ))
    return report


def chunk_cost_w1(m: object, values: np.ndarray, x0: float, transient: int, keep: int, reps: int) -> str:
    """W1 serial through the chunked entry (Ctrl-C between chunks) against one kernel call."""
    k = m.kernels
    X, P = np.full((1, values.size), x0), np.ascontiguousarray(values[None, :])
    out, bad = np.empty((values.size, keep, 1)), np.zeros(values.size, dtype=np.bool_)
    blocks = (values.size + k.LANES - 1) // k.LANES
    big, nan = np.zeros(values.size), np.zeros(values.size)

    def whole_call() -> None:
        k.lanes_range(0, blocks, X.copy(), P, transient + keep, out, transient, big, nan)

    with numba_threads(1):
        chunked = best_time(lambda: k.diagram(X, P, transient, keep, ESCAPE, out, bad), reps)
        whole = best_time(whole_call, reps)
    return f"interrupt chunks: serial diagram in chunks / one kernel call = {chunked / whole:.3f}"


def chunk_cost_w3(m: object, x0: Sequence[float], reps: int) -> str:
    """One orbit's spectrum in chunks of ``CHUNK`` steps (Ctrl-C between them) against one call."""
    k = m.kernels
    n = 4 * k.CHUNK + 1  # five chunks
    x, p, out = np.array(x0, dtype=np.float64), m.parameter_vector(), np.empty(2)
    chunked = best_time(lambda: k.lyapunov_spectrum(x, p, n, 0, ESCAPE, out), min(reps, 2))
    whole = best_time(lambda: k.lyapunov_cell(x, p, n, 0, ESCAPE, out), min(reps, 2))
    return f"interrupt chunks: {n} steps in chunks of {k.CHUNK} / one kernel call = {chunked / whole:.3f}"


WORKLOADS: dict[str, Callable[[Sizes, bench_c.CReference | None], WorkloadReport]] = {
    "W1": w1, "W2": w2, "W3": w3,
}


# ---------------------------------------------------------------- ratios and targets


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def add_targets(w: WorkloadReport) -> None:
    """Check the issue's targets on ``w``'s numbers (None where they do not apply)."""
    serial, parallel = w.ns("serial"), w.ns("parallel")
    c_one, c_lanes = w.ns("c_one"), w.ns("c_lanes")
    many = w.key in ("W1", "W2")  # independent orbits: interleaving and threads apply

    def target(text: str, value: float | None, ok: Callable[[float], bool], applies: bool = True) -> None:
        met = None if value is None or not applies else ok(value)
        w.targets.append(Target(text if applies else f"{text} (n/a: one orbit)", value, met))

    target("serial bifurc no slower than C one-orbit (serial / C <= 1)",
           _ratio(serial, c_one), lambda v: v <= 1.0)
    target("serial bifurc within 2x of C interleaved (serial / C <= 2)",
           _ratio(serial, c_lanes), lambda v: v <= 2.0, many)
    target("parallel speed-up >= 1.9 (serial / parallel)",
           _ratio(serial, parallel), lambda v: v >= 1.9, many)
    if w.key == "W1":
        target("10x faster than pynamicalsys (pynamicalsys / bifurc parallel)",
               _ratio(w.ns("pynamicalsys"), parallel), lambda v: v >= 10.0)
        target("100x faster than pynamical (pynamical / bifurc parallel)",
               _ratio(w.ns("pynamical"), parallel), lambda v: v >= 100.0)


# ---------------------------------------------------------------- start-up and compile cost

#: The start-up targets of issue 16, in seconds, by the label of :func:`startup`'s rows.
STARTUP_TARGETS = {"import bifurc": 0.4, "bifurc --help": 0.3, "bifurc maps": 0.3,
                   "CLI analysis, warm cache": 0.7, "W1 first call, empty cache": 3.0,
                   "W1 first call, empty cache, compiled": 3.0}

_W1_FIRST = (
    "import numpy as np, bifurc; "
    "bifurc.orbit_diagram(bifurc.maps.logistic, 'r', np.linspace(2.5, 4.0, 64), 0.5, transient=10, keep=10)"
)
_PEER_FIRST = (
    "import numpy as np; from pynamicalsys import DiscreteDynamicalSystem as D; "
    "D(model='logistic map').bifurcation_diagram([0.5], 0, np.linspace(2.5, 4.0, 64), 20, transient_time=10)"
)
_ANALYSIS = ["period", "logistic", "--sweep", "r=3.2:3.9:8", "--x0", "0.3"]

# Each kernel's first call in a process with an empty cache, in the order W1 and then
# the other analyses meet them; a row is what that call adds (its callees compiled
# before it are not counted again).
_PER_KERNEL = """
import sys, time
t0 = time.perf_counter()
import numpy as np
import bifurc
m = bifurc.maps.logistic
rows = [("import numpy, bifurc", time.perf_counter() - t0)]
def timed(label, call):
    start = time.perf_counter()
    call()
    rows.append((label, time.perf_counter() - start))
timed("import sympy", lambda: __import__("sympy"))
from bifurc.compilation.printer import kernel_source
timed("parse formulas, derive Jacobian, print kernels (sympy)",
      lambda: kernel_source(m.updates, m.jacobian, m.state_symbols, m.param_symbols))
timed("write and import the kernel module (numba imported)", lambda: m.kernels)
k = m.kernels
import numba
timed("numba's first compilation (a trivial function)", lambda: numba.njit(lambda v: v + 1.0)(1.0))
L = 64
X = np.full((1, L), 0.5); P = np.full((1, L), 3.5)
out = np.empty((L, 10, 1)); bad = np.zeros(L, dtype=np.bool_); big = np.zeros(L); nan = np.zeros(L)
timed("run_lanes (the map's lanes kernel)", lambda: k.run_lanes(X, P, 10, out, 0, 0, big, nan))
timed("lanes_range (W1's kernel: the orbit diagram)", lambda: k.diagram(X, P, 10, 10, 1e8, out, bad))
x = np.array([0.3]); p = np.array([3.5])
timed("orbit_rows, advance (one orbit)", lambda: k.orbit(x, p, 10, 10, 1e8, np.empty((10, 1))))
timed("logdet_range (W2's kernel)",
      lambda: k.logdet_means(X, P, 10, 10, 1e8, np.empty(L), np.zeros(L, dtype=np.bool_)))
timed("run_tangent (W3's kernel)",
      lambda: k.lyapunov_spectrum(x, p, 10, 10, 1e8, np.empty(1)))
X1 = np.full((4, 1), 0.3); P1 = np.full((4, 1), 3.5)
timed("settle_range (period)",
      lambda: k.settle_many(X1, P1, 10, 8, 1e-9, 1e8, np.empty(4, np.int64), np.empty((4, 1))))
for label, seconds in rows:
    print(f"{seconds:.4f} {label}")
"""


def _seconds(argv: Sequence[str], env: dict, prepare: Callable[[], None] | None = None,
             runs: int = 3) -> float:
    """Best wall time of ``argv`` as a new process over ``runs`` runs (``prepare`` before each)."""
    best = math.inf
    for _ in range(runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def startup(runs: int = 3) -> dict:
    """Wall times of whole commands in new processes, best of ``runs``, and the floor.

    Rows: a bare ``python -c "import numpy, numba"`` (the floor a numba package stands
    on), ``import bifurc``, ``bifurc --help``, ``bifurc maps``, a CLI analysis of a
    catalogued map with a warm cache, W1's first orbit diagram with an empty cache, and
    pynamicalsys's first orbit diagram (if installed); then each kernel's compile time
    with an empty cache (:data:`_PER_KERNEL`).

    Returns
    -------
    dict
        ``{"rows": [[label, seconds or None, note], ...], "kernels": [[label, seconds], ...]}``.
    """
    python = sys.executable
    cli = [python, "-m", "bifurc"]
    rows: list[list] = []
    with tempfile.TemporaryDirectory(prefix="bifurc-bench-cache-") as folder:
        warm = dict(os.environ, BIFURC_CACHE_DIR=str(Path(folder) / "warm"))
        cold_folder = Path(folder) / "cold"
        cold = dict(os.environ, BIFURC_CACHE_DIR=str(cold_folder))
        subprocess.run([*cli, *_ANALYSIS], env=warm, capture_output=True, check=True)  # fills the cache

        def empty() -> None:
            shutil.rmtree(cold_folder, ignore_errors=True)

        def compiled(env: dict) -> dict:  # no plain-Python runs (bifurc.compilation.interpreted)
            return dict(env, BIFURC_PLAIN_BUDGET="0")

        floor = _seconds([python, "-c", "import numpy, numba"], warm, runs=runs)
        rows.append(["python -c 'import numpy, numba' (floor)", floor, ""])
        ready = ("import numpy, numba; from numba.core.registry import cpu_target; "
                 "cpu_target.target_context.refresh()")
        rows.append(["numba ready to load compiled code", _seconds([python, "-c", ready], warm, runs=runs),
                     "the floor of any cached numba call (numba's registries)"])
        rows.append(["import bifurc", _seconds([python, "-c", "import bifurc"], warm, runs=runs), ""])
        rows.append(["bifurc --help", _seconds([*cli, "--help"], warm, runs=runs), ""])
        rows.append(["bifurc maps", _seconds([*cli, "maps"], warm, runs=runs), ""])
        rows.append(["CLI analysis, warm cache", _seconds([*cli, *_ANALYSIS], warm, runs=runs),
                     "bifurc " + " ".join(_ANALYSIS) + " (plain Python: small)"])
        rows.append(["CLI analysis, warm cache, compiled",
                     _seconds([*cli, *_ANALYSIS], compiled(warm), runs=runs),
                     "BIFURC_PLAIN_BUDGET=0: numba loads the cached kernels (its floor above)"])
        rows.append(["W1 first call, empty cache", _seconds([python, "-c", _W1_FIRST], cold, empty, runs=2),
                     "import, derive, 64 values (plain Python: small)"])
        rows.append(["W1 first call, empty cache, compiled",
                     _seconds([python, "-c", _W1_FIRST], compiled(cold), empty, runs=2),
                     "import, derive, compile, 64 values"])
        try:
            import pynamicalsys  # noqa: F401
        except ImportError:
            rows.append(["pynamicalsys first call", None, PEER_HINT])
        else:
            rows.append(["pynamicalsys first call", _seconds([python, "-c", _PEER_FIRST], warm, runs=runs),
                         "its own numba cache warm after the first run"])
        empty()
        done = subprocess.run([python, "-c", _PER_KERNEL], env=compiled(cold), capture_output=True, text=True,
                              check=True)
        kernels = [[line.split(" ", 1)[1], float(line.split(" ", 1)[0])] for line in done.stdout.splitlines()]
    return {"rows": rows, "kernels": kernels}


# ---------------------------------------------------------------- machine and output


def machine(c: bench_c.CReference | None, load: float | None) -> dict:
    """What the numbers were measured on; ``load`` is the load average before measuring."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        layer = None
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average_1min": load,
        "load_average_1min_end": _load(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": layer,
        "bifurc": __version__,
        "c_compiler": None if c is None else c.version,
        "c_command": None if c is None else c.command,
    }


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _fmt(value: float | None, digits: int = 3, suffix: str = "") -> str:
    if value is None:
        return "-"
    if value == 0 or not math.isfinite(value):
        return f"{value}{suffix}"
    return f"{value:.{digits}g}{suffix}"


def format_report(report: Report) -> str:
    """The report as plain-text tables."""
    mc = report.machine
    lines = [
        "bifurc benchmark: nanoseconds per map evaluation (best of repeats after a warm-up)",
        f"machine: {mc['cpu']}, {mc['cpus']} CPUs; Python {mc['python']}, numpy {mc['numpy']}, "
        f"numba {mc['numba']} ({mc['numba_threads']} threads, "
        f"layer {mc['numba_threading_layer'] or '-'})",
    ]
    if report.workloads:  # a start-up-only report builds no C reference
        lines.append(f"C: {mc['c_command'] or 'no compiler found: C references skipped'}"
                     + (f"  [{mc['c_compiler']}]" if mc["c_compiler"] else ""))
    start, end = mc.get("load_average_1min"), mc.get("load_average_1min_end")
    if start is not None and end is not None:
        # this process adds up to about 1 while it measures; more means another process
        busy = start >= 0.5 or end >= 1.5
        lines.append(
            f"load average: {start:.2f} at start, {end:.2f} at end"
            + (" -- other processes are running: parallel numbers are unreliable" if busy else "")
        )
    for w in report.workloads:
        c_one, c_lanes = w.ns("c_one"), w.ns("c_lanes")
        lines += ["", f"{w.key}  {w.title}  ({w.evals:.3g} evaluations)"]
        header = f"  {'implementation':<36} {'ns/eval':>9} {'/ C 1-orbit':>11} {'/ C 64-lane':>11}  note"
        lines += [header, "  " + "-" * (len(header) + 8)]
        for r in w.rows:
            ns = _fmt(r.ns, 3) if r.ns is not None else "n/a"
            lines.append(
                f"  {r.name:<36} {ns:>9} {_fmt(_ratio(r.ns, c_one), 3, 'x'):>11} "
                f"{_fmt(_ratio(r.ns, c_lanes), 3, 'x'):>11}  {r.note}"
            )
        serial, parallel = w.ns("serial"), w.ns("parallel")
        lines.append(f"  parallel speed-up (serial / parallel): {_fmt(_ratio(serial, parallel), 3, 'x')}")
        for name in ("pynamicalsys", "pynamical"):
            peer = w.ns(name)
            if peer is not None:
                lines.append(
                    f"  bifurc vs {name}: parallel {_fmt(_ratio(peer, parallel), 3, 'x')} faster, "
                    f"serial {_fmt(_ratio(peer, serial), 3, 'x')} faster"
                )
        lines += [f"  {note}" for note in w.notes]
        for t in w.targets:
            flag = {True: "MET    ", False: "NOT MET", None: "n/a    "}[t.met]
            lines.append(f"  [{flag}] {t.text}: {_fmt(t.value, 3)}")
    if report.compile:
        lines += ["", *format_startup(report.compile)]
    return "\n".join(lines)


def format_startup(data: dict) -> list[str]:
    """Lines of the start-up table and of the per-kernel compile table."""
    floor = data["rows"][0][1]
    lines = ["start-up: whole commands in new processes (best wall time, seconds)",
             f"  {'command':<42} {'seconds':>8} {'/ floor':>8} {'target':>7}"]
    for label, seconds, note in data["rows"]:
        target = STARTUP_TARGETS.get(label)
        flag = "" if target is None or seconds is None else ("  MET" if seconds < target else "  NOT MET")
        lines.append(f"  {label:<42} {_fmt(seconds, 3):>8} {_fmt(_ratio(seconds, floor), 3, 'x'):>8} "
                     f"{_fmt(target, 2):>7}{flag}  {note}")
    lines += ["", "compile time per kernel, empty cache, one process (seconds; each row adds to the last)"]
    lines += [f"  {label:<58} {seconds:7.3f}" for label, seconds in data["kernels"]]
    return lines


def run(keys: Sequence[str], sizes: Sizes, with_compile: bool = True) -> Report:
    """Measure the workloads ``keys`` at ``sizes``.

    Parameters
    ----------
    keys
        Workload names among ``W1``, ``W2``, ``W3``.
    sizes
        Problem sizes and repeats.
    with_compile
        Also measure start-up and compile costs in new processes (:func:`startup`; only
        if W1 is among ``keys``).

    Returns
    -------
    Report
    """
    load = _load()
    c = bench_c.build()
    workloads = []
    for key in keys:
        w = WORKLOADS[key](sizes, c)
        add_targets(w)
        workloads.append(w)
    info = machine(c, load)
    compile_info = startup() if with_compile and "W1" in keys else None
    return Report(info, workloads, compile_info)


def _workloads(text: str) -> list[str]:
    keys = [k.strip().upper() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(
            f"unknown workload(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(WORKLOADS)}"
        )
    return keys


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``python -m bifurc.bench``."""
    parser = argparse.ArgumentParser(
        prog="python -m bifurc.bench", description="Nanoseconds per map evaluation, bifurc vs references."
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke test)")
    parser.add_argument(
        "--workloads", type=_workloads, default=list(WORKLOADS), metavar="W1,W2,W3",
        help="comma-separated subset of W1, W2, W3 (default: all)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the numbers to FILE as JSON")
    parser.add_argument("--startup", action="store_true",
                        help="only start-up and compile times (whole commands in new processes)")
    args = parser.parse_args(argv)
    if args.startup:
        report = Report(machine(None, _load()), [], startup())
    else:
        report = run(args.workloads, SIZES["quick" if args.quick else "full"])
    print(format_report(report), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(asdict(report), f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
