"""Bifurcation points located by Newton's method on minimally augmented systems.

A point z = (x, a) of a branch of period-k cycles is a fold, flip or Neimark-Sacker point
where a matrix X(z) built from the monodromy A is singular: A - I (a multiplier 1),
A + I (a multiplier -1), or C2(A) - I, with C2(A) the second compound matrix (its 2 x 2
minors; its eigenvalues are the products mu_i mu_j, i < j, so a complex pair on the unit
circle makes it singular, as does a real pair with mu_i mu_j = 1, a neutral saddle, which
the caller tells apart). Singularity is the zero of one scalar g(z), from the bordered
system [[X, w0], [v0^T, 0]] [v; g] = [0; 1] (Govaerts, *Numerical Methods for
Bifurcations of Dynamical Equilibria*, 2000), whose gradient is g_z = -w^T X_z v with
[w; h] the solution of the transposed system. The derivatives X_z come from the second
derivatives of G^k (:class:`~bifurc.continuation.system.CycleForms`), so Newton's method
on (F^k(x) - x, g) = 0 converges quadratically.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .steps import newton
from .system import CycleSystem

__all__ = ["compound", "test_value", "locate", "augmented", "borders", "KINDS"]

#: The test matrix of each kind.
KINDS = ("fold", "flip", "neimark-sacker")


def compound(A: np.ndarray, dA: np.ndarray | None = None) -> np.ndarray:
    """The second compound matrix C2(A) (2 x 2 minors), or its derivative in direction dA."""
    pairs = list(combinations(range(A.shape[0]), 2))
    out = np.empty((len(pairs), len(pairs)))
    for a, (p, q) in enumerate(pairs):
        for b, (r, s) in enumerate(pairs):
            if dA is None:
                out[a, b] = A[p, r] * A[q, s] - A[p, s] * A[q, r]
            else:
                out[a, b] = (dA[p, r] * A[q, s] + A[p, r] * dA[q, s]
                             - dA[p, s] * A[q, r] - A[p, s] * dA[q, r])
    return out


def _test_matrix(kind: str, A: np.ndarray, dA: np.ndarray | None = None) -> np.ndarray:
    n = A.shape[0]
    if kind == "neimark-sacker":
        C = compound(A, dA)
        return C if dA is not None else C - np.eye(C.shape[0])
    if dA is not None:
        return dA
    return A - np.eye(n) if kind == "fold" else A + np.eye(n)


def test_value(kind: str, multipliers: np.ndarray) -> float:
    """A quantity that changes sign where the multipliers cross the kind's critical set.

    prod(mu - 1) (fold), prod(mu + 1) (flip), prod over i < j of (mu_i mu_j - 1)
    (Neimark-Sacker, and neutral saddles).
    """
    mu = np.asarray(multipliers)
    if kind == "fold":
        return float(np.real(np.prod(mu - 1)))
    if kind == "flip":
        return float(np.real(np.prod(mu + 1)))
    products = [mu[i] * mu[j] - 1 for i, j in combinations(range(mu.size), 2)]
    return float(np.real(np.prod(products))) if products else 1.0


def _bordered(X: np.ndarray, v0: np.ndarray, w0: np.ndarray) -> tuple[float, np.ndarray, np.ndarray] | None:
    m = X.shape[0]
    K = np.zeros((m + 1, m + 1))
    K[:m, :m] = X
    K[:m, m] = w0
    K[m, :m] = v0
    rhs = np.zeros(m + 1)
    rhs[m] = 1.0
    try:
        right = np.linalg.solve(K, rhs)
        left = np.linalg.solve(K.T, rhs)
    except np.linalg.LinAlgError:
        return None
    return float(right[m]), right[:m], left[:m]


def augmented(system: CycleSystem, kind: str, z: np.ndarray, v0: np.ndarray,
              w0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(F^k(x) - x, g) at ``z``, its Jacobian (dim + 1 rows, one column per unknown), and the
    null vectors v, w of the bordered system with borders ``v0``, ``w0``; None on failure."""
    n = system.dim
    out = system.residual(z)
    if out is None:
        return None
    G, DG, A = out
    solved = _bordered(_test_matrix(kind, A), v0, w0)
    if solved is None:
        return None
    g, v, w = solved
    forms = system.forms(z)
    eye = np.eye(system.size)
    grad = np.empty(system.size)
    for j in range(system.size):
        dA = np.column_stack([forms.second(eye[l], eye[j])[:n] for l in range(n)])
        grad[j] = -w @ _test_matrix(kind, A, dA) @ v
    return np.append(G, g), np.vstack([DG, grad]), v, w


def borders(system: CycleSystem, kind: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Borders v0, w0: the singular vectors of the test matrix's smallest singular value at ``z``."""
    out = system.residual(z)
    if out is None:
        return None
    U, _, Vt = np.linalg.svd(_test_matrix(kind, out[2]))
    return Vt[-1], U[:, -1]


def locate(system: CycleSystem, kind: str, z0: np.ndarray, tol: float = 1e-13,
           max_iter: int = 30) -> tuple[np.ndarray, int] | None:
    """The point of kind ``kind`` near ``z0`` by Newton on (F^k(x) - x, g) = 0 (one free parameter).

    Returns the extended point and the iterations used, or None if Newton did not converge.
    """
    edges = borders(system, kind, z0)
    if edges is None:
        return None
    return newton(lambda z: augmented(system, kind, z, *edges), z0, tol, max_iter)
