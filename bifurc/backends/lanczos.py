"""Warm-started top eigenpairs: Lanczos from the previous step's vectors, stopped as soon as it converges.

scipy's ``eigsh`` (ARPACK) builds a first factorisation of ncv = max(2k + 1, 20) vectors before
it tests convergence, so a good start vector saves it nothing below ncv + 1 products. Here the
Lanczos recurrence (with full reorthogonalisation) tests after every product, with ARPACK's own
criterion: a Ritz pair (θ, y) is accepted when its residual ‖Ay - θy‖ = β_j |s_j| is at most
``tol`` · max(|θ|, ε^(2/3)) (``tol`` = 0: machine precision ε). By the Krylov-Bogoliubov bound an
eigenvalue lies within that residual of θ, so a warm estimate agrees with a cold one to the same
tolerance. If it has not converged within ncv products (a poor start), it hands its Ritz vectors
to ``eigsh`` as the start (:func:`bifurc.nets.sharpness.top_eigenpairs`) and counts both.

The start is v0 (e.g. the previous vectors' sum) plus a small fixed pseudo-random part (weight
:data:`MIX`): an exact eigenvector alone spans an invariant subspace, and when the top two
eigenvalues cross between steps, the old top vector would converge to the new second one.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.sparse.linalg import LinearOperator

from ..nets.sharpness import Eigenpairs, top_eigenpairs

__all__ = ["MIX", "warm_eigenpairs"]

#: The weight of the pseudo-random part of a warm start (relative to the unit start vector):
#: its share along any one eigenvector, about MIX/√dim, lies far above the tolerances, so the
#: Krylov space holds the top eigenvector before a lower pair can pass the test (a heuristic,
#: as for any start; tested where the old vector is exactly the new second eigenvector); it is
#: small beside the change of a top eigenvector between logged steps, so it costs few products.
MIX = 1e-3
_EPS = np.finfo(np.float64).eps


def _ncv(k: int, dim: int) -> int:
    """ARPACK's (scipy's) default number of Lanczos vectors for k eigenpairs."""
    return min(dim, max(2 * k + 1, 20))


def _start(v: np.ndarray) -> np.ndarray:
    """The unit vector v plus the pseudo-random part of weight MIX (seed 0, as the cold start), normed."""
    noise = np.random.default_rng(0).standard_normal(v.size)
    v = v / np.linalg.norm(v) + MIX * noise / np.linalg.norm(noise)
    return v / np.linalg.norm(v)


def warm_eigenpairs(operator: LinearOperator, k: int, v0: np.ndarray, tol: float = 0.0) -> Eigenpairs:
    """The top-k eigenpairs of a symmetric operator, Lanczos started near them.

    Parameters
    ----------
    operator
        Symmetric, of shape (dim, dim), dim > k + 1.
    k
        How many eigenpairs.
    v0
        The start (e.g. the sum of the previous eigenvectors), of length dim and not zero.
    tol
        Relative accuracy (ARPACK's meaning); 0 is machine precision.

    Returns
    -------
    Eigenpairs
        ``matvecs`` counts every product, those of a cold fallback included.
    """
    dim = operator.shape[0]
    bound = float(tol) if tol > 0 else _EPS
    steps = _ncv(k, dim)
    basis = np.empty((dim, steps + 1), order="F")  # columns contiguous: each is a product's input
    basis[:, 0] = _start(np.asarray(v0, dtype=np.float64))
    alpha, beta = np.zeros(steps), np.zeros(steps)
    for j in range(steps):
        w = np.array(operator.matvec(basis[:, j]), dtype=np.float64).reshape(-1)  # a copy (jax: read-only)
        alpha[j] = basis[:, j] @ w
        for _ in range(2):  # full reorthogonalisation, twice ("twice is enough")
            w -= basis[:, :j + 1] @ (basis[:, :j + 1].T @ w)
        beta[j] = np.linalg.norm(w)
        theta, s = eigh_tridiagonal(alpha[:j + 1], beta[:j])
        top = np.argsort(theta)[::-1][:k]
        residual = beta[j] * np.abs(s[j, top])
        if j + 1 >= k and np.all(residual <= bound * np.maximum(np.abs(theta[top]), _EPS ** (2 / 3))):
            return Eigenpairs(theta[top], basis[:, :j + 1] @ s[:, top], j + 1)
        if beta[j] <= _EPS * max(np.max(np.abs(theta)), 1.0):  # an invariant subspace of fewer than k
            break
        basis[:, j + 1] = w / beta[j]
    cold = top_eigenpairs(operator, k, basis[:, :j + 1] @ s[:, top].sum(axis=1), tol)
    return Eigenpairs(cold.values, cold.vectors, j + 1 + cold.matvecs)
