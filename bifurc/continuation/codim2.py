"""Codimension-2 points on fold, flip and Neimark-Sacker curves.

Each is the zero of a smooth test function along the curve (Kuznetsov & Meijer,
*Numerical normal forms for codim 2 bifurcations of fixed points with at most two
critical eigenvalues*, SIAM J. Sci. Comput. 26, 2005):

- on a fold curve: **cusp** where the quadratic coefficient a vanishes (tested as
  a (p . dF^k/da), whose sign does not depend on the orientation of q), **fold-flip**
  where another multiplier is -1;
- on a flip curve: **generalized flip** where the cubic coefficient c vanishes,
  **fold-flip** where another multiplier is +1;
- on a Neimark-Sacker curve, with kappa = Re(mu) = cos(theta) of the critical pair: the
  strong resonances **1:1** (kappa = 1), **1:2** (kappa = -1), **1:3** (kappa = -1/2),
  **1:4** (kappa = 0), and **Chenciner** where the first Lyapunov coefficient d vanishes.

A sign change between two points of the curve is located by Brent's method in the
arclength between them, each trial point corrected onto the curve.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np
from scipy.optimize import brentq

from .normal_forms import critical_vectors, flip_coefficient, fold_coefficient, neimark_sacker_coefficient
from .steps import corrector
from .system import CycleSystem

__all__ = ["TESTS", "test_values", "locate_on_curve"]

#: The codimension-2 points watched on each kind of curve.
TESTS = {
    "fold": ("cusp", "fold-flip"),
    "flip": ("generalized-flip", "fold-flip"),
    "neimark-sacker": ("1:1", "1:2", "1:3", "1:4", "chenciner"),
}


def _others(mu: np.ndarray, critical: complex) -> np.ndarray:
    """The multipliers without the one nearest ``critical``."""
    return np.delete(mu, np.argmin(np.abs(mu - critical)))


def test_values(system: CycleSystem, kind: str, z: np.ndarray) -> dict[str, float]:
    """The test functions of the codimension-2 points on a ``kind`` curve at ``z`` (NaN if undefined)."""
    n = system.dim
    forms = system.forms(z)
    A = forms.monodromy[:n, :n]
    mu = np.linalg.eigvals(A)
    if kind == "fold":
        a, q = fold_coefficient(forms, n)
        _, p = critical_vectors(A, 1.0)
        return {"cusp": a * float(p @ forms.monodromy[:n, n]),
                "fold-flip": float(np.real(np.prod(_others(mu, 1.0) + 1)))}
    if kind == "flip":
        c, _ = flip_coefficient(forms, n)
        return {"generalized-flip": c, "fold-flip": float(np.real(np.prod(_others(mu, -1.0) - 1)))}
    i, j = min(combinations(range(n), 2), key=lambda ij: abs(mu[ij[0]] * mu[ij[1]] - 1))
    kappa = float(np.real(mu[i] + mu[j]) / 2)
    pair = mu[i] if np.imag(mu[i]) > 0 else mu[j]
    chenciner = float("nan")
    if abs(np.imag(pair)) > 1e-8:
        chenciner, _ = neimark_sacker_coefficient(forms, n, pair / abs(pair))
    return {"1:1": kappa - 1, "1:2": kappa + 1, "1:3": kappa + 0.5, "1:4": kappa, "chenciner": chenciner}


def locate_on_curve(equations: Callable, test: Callable[[np.ndarray], float], z0: np.ndarray,
                    t0: np.ndarray, z1: np.ndarray, tol: float) -> np.ndarray | None:
    """The zero of ``test`` on the curve between its points ``z0`` and ``z1`` (tangent ``t0`` at z0)."""
    length = float(t0 @ (z1 - z0))

    def point(s: float) -> np.ndarray:
        corrected = corrector(equations, z0 + s * t0, t0, tol)
        if corrected is None:
            raise ArithmeticError("the corrector failed")
        return corrected[0]

    try:
        s = brentq(lambda s: test(point(s)), 0.0, length, xtol=1e-15 * (1 + abs(length)), rtol=8.9e-16,
                   maxiter=100)
        return point(s)
    except (ArithmeticError, ValueError, RuntimeError):
        return None
