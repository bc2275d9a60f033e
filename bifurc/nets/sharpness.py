"""Top eigenpairs of the loss Hessian by Lanczos (ARPACK's eigsh) on Hessian-vector products."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from .hvp import hessian_operator
from .objective import Evaluation, Objective, evaluate

__all__ = ["Eigenpairs", "top_eigenpairs", "sharpness", "initial_sharpness"]


@dataclass(frozen=True)
class Eigenpairs:
    """The k largest eigenvalues of a symmetric operator and their eigenvectors.

    Attributes
    ----------
    values : ndarray
        λ_1 ≥ … ≥ λ_k.
    vectors : ndarray
        Orthonormal eigenvectors as columns, shape (dim, k).
    matvecs : int
        Operator applications used (for the Hessian: Hessian-vector products, each about
        two gradient evaluations).
    """

    values: np.ndarray
    vectors: np.ndarray
    matvecs: int


def top_eigenpairs(operator: LinearOperator, k: int = 1, v0: np.ndarray | None = None,
                   tol: float = 0.0, which: str = "LA") -> Eigenpairs:
    """The k largest eigenpairs of a symmetric operator by implicitly restarted Lanczos.

    Parameters
    ----------
    operator
        A symmetric LinearOperator of shape (dim, dim).
    k
        How many eigenpairs, 1 ≤ k < dim.
    v0
        A starting vector (e.g. the previous step's top eigenvector: warm starts cut the
        number of products); None starts from a fixed pseudo-random vector (seed 0), so that
        the result does not depend on earlier calls, as ARPACK's own random start does.
    tol
        Relative accuracy of the eigenvalues; 0 means machine precision.
    which
        ``"LA"``: largest algebraic (the default); ``"LM"``: largest in magnitude.

    Raises
    ------
    ValueError
        If k is not in [1, dim) or ``which`` is neither.
    """
    dim = operator.shape[0]
    if not 1 <= k < dim:
        raise ValueError(f"k must satisfy 1 <= k < {dim} (the dimension), got {k}")
    if which not in ("LA", "LM"):
        raise ValueError(f"which must be 'LA' or 'LM', got {which!r}")
    count = [0]

    def matvec(v: np.ndarray) -> np.ndarray:
        count[0] += 1
        return operator.matvec(v)

    counted = LinearOperator(operator.shape, matvec=matvec, dtype=np.float64)
    if v0 is None:
        v0 = np.random.default_rng(0).standard_normal(dim)
    values, vectors = eigsh(counted, k=k, which=which, v0=v0, tol=tol)
    order = np.argsort(values if which == "LA" else np.abs(values))[::-1]
    return Eigenpairs(values[order], vectors[:, order], count[0])


def sharpness(ev: Evaluation, k: int = 1, v0: np.ndarray | None = None, tol: float = 0.0) -> Eigenpairs:
    """The top-k eigenpairs of ∇²L at the θ of ``ev``; ``values[0]`` is the sharpness.

    See :func:`top_eigenpairs` for the arguments.
    """
    return top_eigenpairs(hessian_operator(ev), k, v0, tol)


def initial_sharpness(objective: Objective, theta: np.ndarray) -> float:
    """λ₀, the top Hessian eigenvalue at ``theta`` (Lanczos to machine precision)."""
    return float(sharpness(evaluate(objective, theta)).values[0])
