"""Algorithm kernels shared by every map: the text below the marker is a template.

This file is never imported to run. :mod:`bifurc.compilation.loader` writes, for each
map, one module made of that map's generated kernels (``DIM``, ``NPAR``, ``step``,
``jacobian``, ``run_lanes``, ``run_lanes_logdet``, ``run_tangent``; see
:mod:`bifurc.compilation.printer`) followed by the text of this file below the marker
line, so that numba compiles the algorithms with the map inlined and caches them on
disk beside that module. The names bound above the marker only stand in for the
generated ones, so that the template reads (and lints) as ordinary Python.

Conventions: a state is a float64 array of length ``DIM``; parameters are a float64
array of length ``NPAR``; ``R`` is the escape radius: a state with a component that is
not finite or exceeds ``R`` in absolute value has escaped, and the step index at which
that happened is returned so that the caller can report it. Arithmetic is IEEE's
(``error_model="numpy"``): a division by zero at a pole of the map gives inf or NaN, an
escape like any other, not an exception.

Work over many independent orbits (blocks of lanes, cells) is done by a serial kernel
over a range of them, ``*_range(start, stop, ...)``, called by a plain Python function
of the public name on chunks of the range, in ``numba.get_num_threads()`` threads (the
kernels release the GIL). This is as fast as ``prange``, compiles several times faster
(numba's parallel pass costs seconds per kernel), and lets Ctrl-C through between chunks,
which are sized to take tens of milliseconds; a long single orbit is likewise advanced
in chunks (:func:`lyapunov_spectrum`).
"""

from threading import Lock

import numba as nb
import numpy as np

from bifurc.compilation.pool import shared_pool

DIM = NPAR = 1
step = jacobian = run_lanes = run_lanes_logdet = run_tangent = None

# === algorithms ===

LANES = 64  # orbits advanced side by side in one block of an orbit diagram
#: Map evaluations per chunk of work between two chances for Ctrl-C (a multiple of 8).
CHUNK = 1 << 22
#: Map evaluations below which a chunk is not worth handing to another thread (~1 ms).
MIN_CHUNK = 1 << 20
#: Steps per piece of a run of lanes: one block of ``LANES`` lanes in a piece is a chunk.
STEPS = CHUNK // LANES


def chunk_bounds(count, cost, threads):
    """Cut ``range(count)`` into chunks for ``threads`` threads: the (start, stop) pairs.

    ``cost`` is the map evaluations of one item. There are at least four chunks per thread,
    for balance when items differ in cost, and as many more as keep a chunk within ``CHUNK``
    evaluations, but no chunk under ``MIN_CHUNK`` evaluations (each costs a hand-over between
    threads); the count is then rounded up to a multiple of the threads, so that chunks of
    equal cost leave no thread idle at the end, and the chunks differ by at most one item.
    """
    total = count * max(1, cost)
    n = min(max(-(-total // CHUNK), 4 * threads), max(1, total // MIN_CHUNK))
    n = min(count, -(-n // threads) * threads)
    return [(count * i // n, count * (i + 1) // n) for i in range(n)]


def in_chunks(kernel, count, cost, *args):
    """Call ``kernel(start, stop, *args)`` over ``range(count)`` in chunks, in parallel.

    ``cost`` is the map evaluations of one item; :func:`chunk_bounds` cuts the range. The
    caller's thread and ``numba.get_num_threads() - 1`` threads of the process's shared pool
    (:mod:`bifurc.compilation.pool`) take chunks in turn until none is left. On an exception
    in the caller's thread (Ctrl-C) no new chunk is started and the running ones finish first.
    """
    if count <= 0:
        return
    threads = nb.get_num_threads()
    ranges = chunk_bounds(count, cost, threads)
    if threads == 1 or len(ranges) == 1:
        for a, b in ranges:
            kernel(a, b, *args)
        return
    todo = iter(ranges)
    lock = Lock()
    stop = []

    def work():  # take the next chunk until none is left (or the caller was interrupted)
        while not stop:
            with lock:
                chunk = next(todo, None)
            if chunk is None:
                return
            kernel(chunk[0], chunk[1], *args)

    helpers = [shared_pool(threads).submit(work) for _ in range(min(threads, len(ranges)) - 1)]
    try:
        work()  # the caller's thread works too
    except BaseException:
        stop.append(True)
        raise
    finally:
        for helper in helpers:
            helper.result()



@nb.njit(cache=True, nogil=True, error_model="numpy")
def copy_into(src, dst):
    """``dst[:] = src`` for 1D arrays, element by element: numba takes seconds to compile a
    slice assignment the first time, and the kernels are compiled on a user's first call."""
    for i in range(src.shape[0]):
        dst[i] = src[i]


@nb.njit(cache=True, nogil=True, error_model="numpy")
def escaped(x, R):
    """True if a component of ``x`` is not finite or exceeds ``R`` in magnitude."""
    for i in range(x.shape[0]):
        if not abs(x[i]) <= R:
            return True
    return False


@nb.njit(cache=True, nogil=True, error_model="numpy")
def advance(x, p, n, R):
    """Iterate ``x`` in place ``n`` times; return the 1-based step of escape or 0."""
    y = np.empty(DIM)
    for t in range(n):
        step(x, p, y)
        copy_into(y, x)
        if escaped(x, R):
            return t + 1
    return 0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def orbit_rows(x, p, t0, t1, n, R, out):
    """Rows t0..t1 of :func:`orbit`: ``out[t] = x``, then a step (none after row n - 1).

    Returns 0, or the number of rows written in all if the orbit escaped.
    """
    y = np.empty(DIM)
    for t in range(t0, t1):
        for i in range(DIM):
            out[t, i] = x[i]
        if t + 1 < n:
            step(x, p, y)
            copy_into(y, x)
            if escaped(x, R):
                return t + 1
    return 0


def orbit(x0, p, n, transient, R, out):
    """Fill ``out[:n]`` with the orbit after ``transient`` steps, in pieces of ``CHUNK`` steps.

    Returns the number of rows written; fewer than ``n`` if the orbit escaped (0 if it
    escaped in the transient).
    """
    x = x0.copy()
    for done in range(0, transient, CHUNK):
        if advance(x, p, min(CHUNK, transient - done), R) > 0:
            return 0
    for t0 in range(0, n, CHUNK):
        written = orbit_rows(x, p, t0, min(n, t0 + CHUNK), n, R, out)
        if written > 0:
            return written
    return n


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _lanes_in(X, P, big, nan, lo, Xb, Pb, bigb, nanb):
    """Copy lanes lo.. of the states, parameters and escape monitors into the contiguous
    block arrays (element by element: a 2D slice assignment costs numba seconds to compile)."""
    for j in range(Xb.shape[1]):
        for i in range(DIM):
            Xb[i, j] = X[i, lo + j]
        for i in range(P.shape[0]):
            Pb[i, j] = P[i, lo + j]
        bigb[j] = big[lo + j]
        nanb[j] = nan[lo + j]


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _lanes_out(Xb, bigb, nanb, X, big, nan, lo):
    """Copy a block's states and escape monitors back to lanes lo.."""
    for j in range(Xb.shape[1]):
        for i in range(DIM):
            X[i, lo + j] = Xb[i, j]
        big[lo + j] = bigb[j]
        nan[lo + j] = nanb[j]


@nb.njit(cache=True, nogil=True, error_model="numpy")
def lanes_range(b0, b1, X, P, steps, out, skip, big, nan):
    """Advance blocks b0..b1 of the lanes of X in place ``steps`` steps (``run_lanes``:
    the state before local step t is recorded into out[lane, t - skip] if t >= skip)."""
    L = X.shape[1]
    for b in range(b0, b1):
        lo = b * LANES
        n = min(L, lo + LANES) - lo
        Xb, Pb, bigb, nanb = np.empty((DIM, n)), np.empty((P.shape[0], n)), np.empty(n), np.empty(n)
        _lanes_in(X, P, big, nan, lo, Xb, Pb, bigb, nanb)
        run_lanes(Xb, Pb, steps, out, lo, skip, bigb, nanb)
        _lanes_out(Xb, bigb, nanb, X, big, nan, lo)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def logdet_range(b0, b1, X, P, steps, sums, big, nan):
    """Advance blocks b0..b1 of the lanes of X in place ``steps`` steps, adding log|det J|
    at each visited state to ``sums`` (``run_lanes_logdet``)."""
    L = X.shape[1]
    for b in range(b0, b1):
        lo = b * LANES
        n = min(L, lo + LANES) - lo
        Xb, Pb, bigb, nanb = np.empty((DIM, n)), np.empty((P.shape[0], n)), np.empty(n), np.empty(n)
        _lanes_in(X, P, big, nan, lo, Xb, Pb, bigb, nanb)
        sumsb = np.empty(n)
        for j in range(n):
            sumsb[j] = sums[lo + j]
        run_lanes_logdet(Xb, Pb, steps, sumsb, bigb, nanb)
        _lanes_out(Xb, bigb, nanb, X, big, nan, lo)
        for j in range(n):
            sums[lo + j] = sumsb[j]


def _in_steps(kernel, X, P, total, *args):
    """Run ``kernel`` over all blocks of lanes for ``total`` steps, ``STEPS`` at a time
    (a multiple of 8; see :func:`lyapunov_spectrum`), the blocks in parallel chunks.

    ``args`` follow the step count; an argument given as a function of the first step
    of the piece is called with it (the recording offset of :func:`lanes_range`).
    """
    nblocks = (X.shape[1] + LANES - 1) // LANES
    for t0 in range(0, total, STEPS):
        steps = min(STEPS, total - t0)
        values = [a(t0) if callable(a) else a for a in args]
        in_chunks(kernel, nblocks, steps * LANES, X, P, steps, *values)


def diagram(X0, P, transient, keep, R, out, bad):
    """Orbits of many (state, parameter) lanes, advanced side by side in blocks.

    ``X0`` is (DIM, L), ``P`` is (NPAR, L), ``out`` is (L, keep, DIM) and ``bad`` (L,)
    marks lanes that escaped at any step. Blocks of ``LANES`` lanes run in parallel, in
    pieces of ``STEPS`` steps; the result is bit for bit that of one piece.
    """
    X, big, nan = X0.copy(), np.zeros(X0.shape[1]), np.zeros(X0.shape[1])
    _in_steps(lanes_range, X, P, transient + keep, out, lambda t0: transient - t0, big, nan)
    bad[:] = ~((big <= R) & (nan == 0.0))


def logdet_means(X0, P, n, transient, R, out, bad):
    """Orbit means of log|det J| over n steps after a transient, lanes side by side.

    For a 1D map this is the Lyapunov exponent. ``X0`` (DIM, L), ``P`` (NPAR, L); ``out``
    and ``bad`` (escaped at any step) are (L,).
    """
    X, big, nan, sums = X0.copy(), np.zeros(X0.shape[1]), np.zeros(X0.shape[1]), np.zeros(X0.shape[1])
    _in_steps(lanes_range, X, P, transient, np.empty((1, 1, DIM)), STEPS, big, nan)  # records nothing
    _in_steps(logdet_range, X, P, n, sums, big, nan)
    out[:] = sums / n
    bad[:] = ~((big <= R) & (nan == 0.0))


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _close(a, b, tol):
    for i in range(a.shape[0]):
        if not abs(a[i] - b[i]) <= tol * (1.0 + abs(a[i])):
            return False
    return True


@nb.njit(cache=True, nogil=True, error_model="numpy")
def settle_cell(x, p, transient, max_period, tol, R):
    """Iterate ``x`` in place past a transient, then find the orbit's period.

    Returns the smallest k <= max_period with |f^k(x) - x| <= tol (1 + |x|) confirmed over
    a second cycle, 0 if there is none, or -1 if the orbit escaped.
    """
    if advance(x, p, transient, R) > 0:
        return -1
    ref = x.copy()
    y = x.copy()
    z = np.empty(DIM)
    for k in range(1, max_period + 1):
        step(y, p, z)
        copy_into(z, y)
        if escaped(y, R):
            return -1
        if _close(ref, y, tol):
            w = y.copy()  # confirm: the next k steps must come back too
            for _ in range(k):
                step(w, p, z)
                copy_into(z, w)
            if _close(ref, w, tol):
                return k
    return 0


def settle(x, p, transient, max_period, tol, R):
    """:func:`settle_cell` with its transient advanced in pieces of ``CHUNK`` steps."""
    for done in range(0, transient, CHUNK):
        if advance(x, p, min(CHUNK, transient - done), R) > 0:
            return -1
    return settle_cell(x, p, 0, max_period, tol, R)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def canonical_point(x, p, k, out):
    """Write to ``out`` the point of the k-cycle through ``x`` that sorts first."""
    y = x.copy()
    z = np.empty(DIM)
    copy_into(x, out)
    for _ in range(k - 1):
        step(y, p, z)
        copy_into(z, y)
        for i in range(DIM):
            if y[i] < out[i]:
                copy_into(y, out)
                break
            if y[i] > out[i]:
                break


@nb.njit(cache=True, nogil=True, error_model="numpy")
def advance_range(c0, c1, X, P, steps, R, gone, t0):
    """Advance cells c0..c1 (rows of X, in place) ``steps`` steps; a cell that escapes gets
    ``gone[c] = t0 +`` its 1-based step and is not advanced again."""
    for c in range(c0, c1):
        if gone[c] == 0:
            g = advance(X[c], P[c], steps, R)
            if g > 0:
                gone[c] = t0 + g


def _cells_in_steps(kernel, X, P, total, *args):
    """Run ``kernel`` over all cells (rows of X) for ``total`` steps, ``CHUNK`` at a time,
    the cells in parallel chunks; an argument given as a function of the first step of the
    piece is called with it."""
    for t0 in range(0, total, CHUNK):
        steps = min(CHUNK, total - t0)
        in_chunks(kernel, X.shape[0], steps, X, P, steps, *[a(t0) if callable(a) else a for a in args])


@nb.njit(cache=True, nogil=True, error_model="numpy")
def settle_range(c0, c1, X, P, max_period, tol, R, periods, finals, gone):
    """Cells c0..c1 of :func:`settle_many`, past their transient (``gone``: escaped in it)."""
    for c in range(c0, c1):
        x = X[c]
        k = -1 if gone[c] > 0 else settle_cell(x, P[c], 0, max_period, tol, R)
        periods[c] = k
        if k > 0:
            canonical_point(x, P[c], k, finals[c])
        else:
            copy_into(x, finals[c])


def settle_many(X0, P, transient, max_period, tol, R, periods, finals):
    """:func:`settle` for many cells; ``X0`` (N, DIM), ``P`` (N, NPAR) in parallel.

    ``finals[c]`` receives the cycle's first point in sort order (its state if no period).
    """
    X, gone = X0.copy(), np.zeros(X0.shape[0], dtype=np.int64)
    _cells_in_steps(advance_range, X, P, transient, R, gone, lambda t0: t0)
    in_chunks(settle_range, X.shape[0], 2 * max_period, X, P, max_period, tol, R, periods, finals, gone)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def matmul(A, B, C):
    """C = A @ B for small square matrices, without BLAS."""
    n = A.shape[0]
    for a in range(n):
        for b in range(n):
            s = 0.0
            for k in range(n):
                s += A[a, k] * B[k, b]
            C[a, b] = s


@nb.njit(cache=True, nogil=True, error_model="numpy")
def lyapunov_cell(x0, p, n, transient, R, out):
    """Benettin's algorithm: all DIM exponents (unsorted) from n steps, into ``out``.

    The tangent basis is re-orthonormalised by Gram-Schmidt at every step (in the
    generated ``run_tangent``), and the logarithms of the diagonal of R are averaged.
    Returns 0, or the 1-based step (transient included) at which the orbit escaped
    (``out`` is then NaN).
    """
    x = x0.copy()
    for i in range(DIM):
        out[i] = np.nan
    gone = advance(x, p, transient, R)
    if gone > 0:
        return gone
    sums, Q = np.zeros(DIM), np.zeros((DIM, DIM))
    for i in range(DIM):
        Q[i, i] = 1.0
    gone = run_tangent(x, p, n, R, sums, Q)
    if gone > 0:
        return transient + gone
    for i in range(DIM):
        out[i] = sums[i] / n
    return 0


def lyapunov_spectrum(x0, p, n, transient, R, out):
    """:func:`lyapunov_cell` for one orbit, advanced ``CHUNK`` steps at a time.

    The state, the tangent basis and the sums carry over from chunk to chunk, and a chunk
    is a multiple of 8 steps (the stretches are multiplied over 8 steps between
    logarithms), so the result is bit for bit that of one call; Ctrl-C is honoured
    between chunks.
    """
    x = x0.copy()
    out[:] = np.nan
    for done in range(0, transient, CHUNK):
        gone = advance(x, p, min(CHUNK, transient - done), R)
        if gone > 0:
            return done + gone
    sums, Q = np.zeros(DIM), np.eye(DIM)
    for done in range(0, n, CHUNK):
        gone = run_tangent(x, p, min(CHUNK, n - done), R, sums, Q)
        if gone > 0:
            return transient + done + gone
    out[:] = sums / n
    return 0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def tangent_range(c0, c1, X, P, steps, R, sums, Q, status, t0):
    """Advance cells c0..c1 and their tangent bases ``steps`` steps (``run_tangent``); a cell
    that escapes gets ``status[c] = t0 +`` its 1-based step and is not advanced again."""
    for c in range(c0, c1):
        if status[c] == 0:
            g = run_tangent(X[c], P[c], steps, R, sums[c], Q[c])
            if g > 0:
                status[c] = t0 + g


def lyapunov_many(X0, P, n, transient, R, out, status):
    """:func:`lyapunov_cell` for many cells in parallel; ``out`` is (N, DIM).

    Advanced in pieces of ``CHUNK`` steps, carrying states, tangent bases and sums, so
    that Ctrl-C is honoured between them; bit for bit one call per cell.
    """
    N = X0.shape[0]
    X, sums = X0.copy(), np.zeros((N, DIM))
    Q = np.repeat(np.eye(DIM)[None, :, :], N, axis=0)
    status[:] = 0
    _cells_in_steps(advance_range, X, P, transient, R, status, lambda t0: t0)
    _cells_in_steps(tangent_range, X, P, n, R, sums, Q, status, lambda t0: transient + t0)
    out[:] = np.where((status == 0)[:, None], sums / n, np.nan)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def solve_in_place(A, b):
    """Solve A x = b by Gaussian elimination with partial pivoting; b gets x.

    Returns False if A is singular to working precision.
    """
    n = A.shape[0]
    for col in range(n):
        piv = col
        for row in range(col + 1, n):
            if abs(A[row, col]) > abs(A[piv, col]):
                piv = row
        if A[piv, col] == 0.0:
            return False
        if piv != col:
            for k in range(n):
                A[col, k], A[piv, k] = A[piv, k], A[col, k]
            b[col], b[piv] = b[piv], b[col]
        for row in range(col + 1, n):
            f = A[row, col] / A[col, col]
            for k in range(col, n):
                A[row, k] -= f * A[col, k]
            b[row] -= f * b[col]
    for row in range(n - 1, -1, -1):
        s = b[row]
        for k in range(row + 1, n):
            s -= A[row, k] * b[k]
        b[row] = s / A[row, row]
    return True


@nb.njit(cache=True, nogil=True, error_model="numpy")
def flow_with_monodromy(x, p, k, R, y, M):
    """y = f^k(x) and M = D(f^k)(x), the product of Jacobians along the orbit.

    Returns False if the orbit escaped on the way.
    """
    Jx = np.empty((DIM, DIM))
    JM = np.empty((DIM, DIM))
    z = np.empty(DIM)
    copy_into(x, y)
    for i in range(DIM):
        for j in range(DIM):
            M[i, j] = 1.0 if i == j else 0.0
    for _ in range(k):
        jacobian(y, p, Jx)
        matmul(Jx, M, JM)
        for i in range(DIM):
            for j in range(DIM):
                M[i, j] = JM[i, j]
        step(y, p, z)
        copy_into(z, y)
        if escaped(y, R):
            return False
    return True


@nb.njit(cache=True, nogil=True, error_model="numpy")
def newton_cycle(x, p, k, tol, max_iter, R, M):
    """Newton's method on f^k(x) = x (single shooting), in place on ``x``.

    ``M`` receives the monodromy matrix at the solution. Returns the number of
    iterations used, or -1 if Newton failed (escape, singular system, no convergence).
    """
    y = np.empty(DIM)
    A = np.empty((DIM, DIM))
    g = np.empty(DIM)
    for it in range(1, max_iter + 1):
        if not flow_with_monodromy(x, p, k, R, y, M):
            return -1
        for i in range(DIM):
            g[i] = x[i] - y[i]
            for j in range(DIM):
                A[i, j] = M[i, j] - (1.0 if i == j else 0.0)
        if not solve_in_place(A, g):
            return -1
        size = 0.0
        for i in range(DIM):
            x[i] += g[i]
            size = max(size, abs(g[i]) / (1.0 + abs(x[i])))
        if not size <= 1e300:
            return -1
        if size <= tol:
            flow_with_monodromy(x, p, k, R, y, M)
            return it
    return -1


@nb.njit(cache=True, nogil=True, error_model="numpy")
def newton_range(c0, c1, X0, p, k, tol, max_iter, R, status):
    """Starts c0..c1 of :func:`newton_cycles_many`."""
    M = np.empty((DIM, DIM))
    for c in range(c0, c1):
        status[c] = newton_cycle(X0[c], p, k, tol, max_iter, R, M)


def newton_cycles_many(X0, p, k, tol, max_iter, R, status):
    """:func:`newton_cycle` from many starts (rows of ``X0``, solved in place)."""
    in_chunks(newton_range, X0.shape[0], k * max_iter * DIM, X0, p, k, tol, max_iter, R, status)


def escape_times(X0, P, n, R, out):
    """For many cells (rows of ``X0`` (N, DIM), ``P`` (N, NPAR)) in parallel: the 1-based step
    at which the orbit escaped within ``n`` steps, or 0 if it did not (in pieces of ``CHUNK``
    steps, between which Ctrl-C is honoured)."""
    out[:] = 0
    _cells_in_steps(advance_range, X0.copy(), P, n, R, out, lambda t0: t0)


@nb.njit(cache=True, nogil=True, error_model="numpy")
def step_range(c0, c1, X, P, out):
    """Cells c0..c1 of :func:`step_many`."""
    for c in range(c0, c1):
        step(X[c], P[c], out[c])


def step_many(X, P, out):
    """One step of many cells in parallel: ``out[c] = step(X[c], P[c])``."""
    in_chunks(step_range, X.shape[0], 1, X, P, out)
