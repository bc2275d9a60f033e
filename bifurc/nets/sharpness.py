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

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse.linalg import aslinearoperator
    >>> from bifurc import nets
    >>> pairs = nets.top_eigenpairs(aslinearoperator(np.diag([3.0, 2.0, 1.0])), k=2)
    >>> np.round(pairs.values, 12), pairs.vectors.shape
    (array([3., 2.]), (3, 2))
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

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse.linalg import aslinearoperator
    >>> from bifurc import nets
    >>> A = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])  # eigenvalues 2 - √2, 2, 2 + √2
    >>> pairs = nets.top_eigenpairs(aslinearoperator(A))
    >>> bool(np.isclose(pairs.values[0], 2 + np.sqrt(2), rtol=1e-12))
    True
    >>> bool(np.allclose(A @ pairs.vectors[:, 0], pairs.values[0] * pairs.vectors[:, 0]))
    True
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

    Examples
    --------
    The Hessian of ½(uv)² at (u, v) = (1, 2) is [[4, 4], [4, 1]]; its top eigenvalue is (5 + √73)/2:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> top = nets.sharpness(ev).values[0]
    >>> bool(np.isclose(top, np.linalg.eigvalsh([[4.0, 4.0], [4.0, 1.0]])[-1], rtol=1e-12))
    True
    >>> bool(np.isclose(top, (5 + np.sqrt(73)) / 2, rtol=1e-12))
    True
    """
    return top_eigenpairs(hessian_operator(ev), k, v0, tol)


def initial_sharpness(objective: Objective, theta: np.ndarray) -> float:
    """λ₀, the top Hessian eigenvalue at ``theta`` (Lanczos to machine precision)."""
    return float(sharpness(evaluate(objective, theta)).values[0])
