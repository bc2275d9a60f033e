"""C reference loops for :mod:`bifurc.bench`, compiled on demand into a temporary folder.

Each workload of the benchmark has two C versions that do the same job as bifurc, with
the same arithmetic, escape bookkeeping and output layout:

``*_one``
    one orbit at a time: every step waits for the previous one, so the loop is bound by
    the latency of the floating-point operations on the orbit's dependency chain;
``*_lanes``
    orbits interleaved in blocks of ``LANES`` = 64, the lane loop innermost, which the
    compiler vectorises: bound by the throughput of the vector units.

The source is kept here as a string (not as a data file) so that it ships with the
package without any packaging configuration, and is compiled with ``cc -O3
-march=native`` into a temporary folder; nothing is ever written into the package.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["C_SOURCE", "CFLAGS", "LANES", "CReference", "compiler", "build"]

#: Orbits per interleaved block, as in bifurc's orbit-diagram kernel.
LANES = 64

#: Flags of the reference build (the issue's "-O3", tuned for this CPU).
CFLAGS = ("-O3", "-march=native", "-shared", "-fPIC")

C_SOURCE = r"""
#include <math.h>
#include <stdint.h>
#define LANES 64

/* ---- W1: logistic orbit diagram -------------------------------------------------
   r (P,), out (P, keep) row-major: out[i, t] = x_{transient + t}. bad[i] = the orbit
   left |x| <= R or became non-finite at some step (bifurc's rule). */

void w1_one(const double *r, int64_t P, double x0, int64_t transient, int64_t keep,
            double R, double *out, uint8_t *bad)
{
    for (int64_t i = 0; i < P; i++) {
        double x = x0, q = r[i], big = 0.0, nan = 0.0;
        for (int64_t t = 0; t < transient; t++) {
            x = q * x * (1.0 - x);
            big = fabs(x) > big ? fabs(x) : big;
            nan += x - x;
        }
        double *row = out + i * keep;
        for (int64_t t = 0; t < keep; t++) {
            row[t] = x;
            x = q * x * (1.0 - x);
            big = fabs(x) > big ? fabs(x) : big;
            nan += x - x;
        }
        bad[i] = !(big <= R && nan == 0.0);
    }
}

static void w1_block(const double *restrict q, int64_t L, int64_t n, double *restrict x,
                     double *restrict big, double *restrict nan, double *restrict out,
                     int64_t keep)
{
    for (int64_t t = 0; t < n; t++) {
        if (out)
            for (int64_t j = 0; j < L; j++) out[j * keep + t] = x[j];
        for (int64_t j = 0; j < L; j++) {
            double v = q[j] * x[j] * (1.0 - x[j]);
            double a = fabs(v);
            x[j] = v;
            big[j] = a > big[j] ? a : big[j];
            nan[j] += v - v;
        }
    }
}

void w1_lanes(const double *r, int64_t P, double x0, int64_t transient, int64_t keep,
              double R, double *out, uint8_t *bad)
{
    for (int64_t lo = 0; lo < P; lo += LANES) {
        int64_t L = P - lo < LANES ? P - lo : LANES;
        double x[LANES], q[LANES], big[LANES], nan[LANES];
        for (int64_t j = 0; j < L; j++) { x[j] = x0; q[j] = r[lo + j]; big[j] = 0.0; nan[j] = 0.0; }
        w1_block(q, L, transient, x, big, nan, 0, keep);
        w1_block(q, L, keep, x, big, nan, out + lo * keep, keep);
        for (int64_t j = 0; j < L; j++) bad[lo + j] = !(big[j] <= R && nan[j] == 0.0);
    }
}

/* ---- W2: Lyapunov exponent of the logistic map over a grid (Benettin in 1D) -------
   The tangent vector Q is multiplied by the Jacobian r (1 - 2x), normalised, and the
   logarithms of the norms are averaged. status[i] = 1-based step of escape, or 0. */

void w2_one(const double *r, int64_t P, double x0, int64_t n, double R, double *out,
            int64_t *status)
{
    for (int64_t i = 0; i < P; i++) {
        double x = x0, q = r[i], Q = 1.0, s = 0.0;
        status[i] = 0;
        for (int64_t t = 0; t < n; t++) {
            double jq = q * (1.0 - 2.0 * x) * Q;
            double norm = sqrt(jq * jq);
            Q = norm > 0.0 ? jq / norm : jq;
            s += log(norm);
            x = q * x * (1.0 - x);
            if (!(fabs(x) <= R)) { status[i] = t + 1; break; }
        }
        out[i] = status[i] ? NAN : s / n;
    }
}

void w2_lanes(const double *r, int64_t P, double x0, int64_t n, double R, double *out,
              int64_t *status)
{
    for (int64_t lo = 0; lo < P; lo += LANES) {
        int64_t L = P - lo < LANES ? P - lo : LANES;
        double x[LANES], q[LANES], Q[LANES], s[LANES], big[LANES], nan[LANES];
        for (int64_t j = 0; j < L; j++) {
            x[j] = x0; q[j] = r[lo + j]; Q[j] = 1.0; s[j] = 0.0; big[j] = 0.0; nan[j] = 0.0;
        }
        for (int64_t t = 0; t < n; t++) {
            for (int64_t j = 0; j < L; j++) {
                double jq = q[j] * (1.0 - 2.0 * x[j]) * Q[j];
                double norm = sqrt(jq * jq);
                Q[j] = norm > 0.0 ? jq / norm : jq;
                s[j] += log(norm);
                double v = q[j] * x[j] * (1.0 - x[j]);
                double a = fabs(v);
                x[j] = v;
                big[j] = a > big[j] ? a : big[j];
                nan[j] += v - v;
            }
        }
        for (int64_t j = 0; j < L; j++) {
            int ok = big[j] <= R && nan[j] == 0.0;
            status[lo + j] = !ok;
            out[lo + j] = ok ? s[j] / n : NAN;
        }
    }
}

/* ---- W3: Lyapunov spectrum of the Henon map (Benettin, modified Gram-Schmidt) -----
   J = [[-2 a x, 1], [b, 0]]; the tangent basis Q (2x2) becomes J Q, re-orthonormalised
   every step; out[0..1] = averages of log of the column norms. Returns 0 or the step of
   escape. */

static inline void henon_tangent(double x, double a, double b, double *Q, double *s)
{
    double j00 = -2.0 * a * x, j10 = b;  /* j01 = 1, j11 = 0 */
    double c00 = j00 * Q[0] + Q[2], c10 = j10 * Q[0];
    double c01 = j00 * Q[1] + Q[3], c11 = j10 * Q[1];
    double n0 = sqrt(c00 * c00 + c10 * c10);
    if (n0 > 0.0) { c00 /= n0; c10 /= n0; }
    double d = c00 * c01 + c10 * c11;
    c01 -= d * c00; c11 -= d * c10;
    double n1 = sqrt(c01 * c01 + c11 * c11);
    if (n1 > 0.0) { c01 /= n1; c11 /= n1; }
    Q[0] = c00; Q[1] = c01; Q[2] = c10; Q[3] = c11;
    s[0] += log(n0); s[1] += log(n1);
}

int64_t w3_one(double x0, double y0, double a, double b, int64_t n, double R, double *out)
{
    double x = x0, y = y0, Q[4] = {1.0, 0.0, 0.0, 1.0}, s[2] = {0.0, 0.0};
    for (int64_t t = 0; t < n; t++) {
        henon_tangent(x, a, b, Q, s);
        double u = 1.0 - a * x * x + y;
        y = b * x;
        x = u;
        if (!(fabs(x) <= R && fabs(y) <= R)) { out[0] = out[1] = NAN; return t + 1; }
    }
    out[0] = s[0] / n; out[1] = s[1] / n;
    return 0;
}

/* LANES independent Henon orbits side by side (X0 and out are (LANES, 2)), n steps
   each: the throughput limit of the same arithmetic, not a way to run one orbit. */
void w3_lanes(const double *X0, double a, double b, int64_t n, double R, double *out)
{
    double x[LANES], y[LANES], Q0[LANES], Q1[LANES], Q2[LANES], Q3[LANES];
    double s0[LANES], s1[LANES], big[LANES], nan[LANES];
    for (int j = 0; j < LANES; j++) {
        x[j] = X0[2 * j]; y[j] = X0[2 * j + 1];
        Q0[j] = 1.0; Q1[j] = 0.0; Q2[j] = 0.0; Q3[j] = 1.0;
        s0[j] = 0.0; s1[j] = 0.0; big[j] = 0.0; nan[j] = 0.0;
    }
    for (int64_t t = 0; t < n; t++) {
        for (int j = 0; j < LANES; j++) {
            double j00 = -2.0 * a * x[j];
            double c00 = j00 * Q0[j] + Q2[j], c10 = b * Q0[j];
            double c01 = j00 * Q1[j] + Q3[j], c11 = b * Q1[j];
            double n0 = sqrt(c00 * c00 + c10 * c10);
            double i0 = n0 > 0.0 ? 1.0 / n0 : 1.0;
            c00 *= i0; c10 *= i0;
            double d = c00 * c01 + c10 * c11;
            c01 -= d * c00; c11 -= d * c10;
            double n1 = sqrt(c01 * c01 + c11 * c11);
            double i1 = n1 > 0.0 ? 1.0 / n1 : 1.0;
            Q0[j] = c00; Q1[j] = c01 * i1; Q2[j] = c10; Q3[j] = c11 * i1;
            s0[j] += log(n0); s1[j] += log(n1);
            double u = 1.0 - a * x[j] * x[j] + y[j];
            y[j] = b * x[j];
            x[j] = u;
            double m = fabs(u) > fabs(y[j]) ? fabs(u) : fabs(y[j]);
            big[j] = m > big[j] ? m : big[j];
            nan[j] += (u - u) + (y[j] - y[j]);
        }
    }
    for (int j = 0; j < LANES; j++) {
        int ok = big[j] <= R && nan[j] == 0.0;
        out[2 * j] = ok ? s0[j] / n : NAN;
        out[2 * j + 1] = ok ? s1[j] / n : NAN;
    }
}
"""


def compiler() -> str | None:
    """The C compiler to use: ``$CC`` if set, else ``cc``, ``gcc`` or ``clang``; None if absent."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


_D = np.ctypeslib.ndpointer(np.float64, flags="C_CONTIGUOUS")
_U8 = np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")
_I64 = np.ctypeslib.ndpointer(np.int64, flags="C_CONTIGUOUS")
_i, _f = ctypes.c_int64, ctypes.c_double
_SIGNATURES = {
    "w1_one": ([_D, _i, _f, _i, _i, _f, _D, _U8], None),
    "w1_lanes": ([_D, _i, _f, _i, _i, _f, _D, _U8], None),
    "w2_one": ([_D, _i, _f, _i, _f, _D, _I64], None),
    "w2_lanes": ([_D, _i, _f, _i, _f, _D, _I64], None),
    "w3_one": ([_f, _f, _f, _f, _i, _f, _D], ctypes.c_int64),
    "w3_lanes": ([_D, _f, _f, _i, _f, _D], None),
}


@dataclass(frozen=True)
class CReference:
    """The compiled reference library.

    Attributes
    ----------
    lib : ctypes.CDLL
        The loaded library; its functions have their argument types set.
    command : str
        The compile command, for the report.
    version : str
        The compiler's first line of ``--version``.
    """

    lib: ctypes.CDLL
    command: str
    version: str

    def __getattr__(self, name: str) -> object:
        if name in _SIGNATURES:
            return getattr(self.lib, name)
        raise AttributeError(name)


def build(folder: Path | None = None) -> CReference | None:
    """Compile :data:`C_SOURCE` into a shared library and load it.

    Parameters
    ----------
    folder
        Where to build; if None, a temporary folder removed afterwards (never the package).

    Returns
    -------
    CReference or None
        None if no C compiler is found.

    Raises
    ------
    RuntimeError
        If the compiler fails, with its error output.
    """
    cc = compiler()
    if cc is None:
        return None
    if folder is None:
        # a loaded library stays mapped after its file is removed
        with tempfile.TemporaryDirectory(prefix="bifurc-bench-c-") as tmp:
            return build(Path(tmp))
    folder = Path(folder)
    source, library = folder / "reference.c", folder / "reference.so"
    source.write_text(C_SOURCE, encoding="utf-8")
    command = [cc, *CFLAGS, "-o", str(library), str(source), "-lm"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"compiling the C references failed:\n{done.stderr}")
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    lib = ctypes.CDLL(str(library))
    for name, (argtypes, restype) in _SIGNATURES.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype
    shown = " ".join([Path(cc).name, *CFLAGS, "reference.c", "-lm"])
    return CReference(lib, shown, version.splitlines()[0] if version else "")
