"""The edge-of-stability quantities of any back-end's model: sharpness, λmax(NTK), (p, q), the
Gauss-Newton split, the preconditioned sharpness and the gradient of the sharpness.

Every eigenvalue comes from :func:`bifurc.nets.sharpness.top_eigenpairs` (Lanczos, ARPACK) on
the operators of :mod:`bifurc.backends.operators`, or, given ``v0`` (e.g. the previous step's
eigenvectors), from :func:`bifurc.backends.lanczos.warm_eigenpairs`, which stops as soon as it
has converged; ``tol`` is the relative accuracy (0: machine precision) of both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..analysis.arguments import positive_float
from ..errors import InputError
from ..nets.sharpness import Eigenpairs, top_eigenpairs
from .lanczos import warm_eigenpairs
from .operators import (
    gauss_newton_operator,
    hessian_operator,
    ntk_operator,
    preconditioned_operator,
    rest_operator,
)
from .problem import Problem

__all__ = ["eigenpairs", "values", "canonical", "GaussNewtonSplit", "gauss_newton_split",
           "preconditioned_sharpness", "SharpnessGradient", "sharpness_gradient"]


def eigenpairs(operator: LinearOperator, k: int = 1, v0: object = None, tol: float = 0.0) -> Eigenpairs:
    """Top-k eigenpairs by Lanczos; ``v0`` a vector or the previous step's eigenvectors (columns).

    Without ``v0`` ARPACK starts from a fixed pseudo-random vector; with it, the warm-started
    Lanczos of :mod:`bifurc.backends.lanczos` (fewer products from a good start, the same
    tolerance).

    An operator of dimension at most k + 1 (an NTK on one or two points) is too small for
    Lanczos: it is formed from its columns (dim products) and diagonalised.

    Raises
    ------
    InputError
        If k is not between 1 and the dimension, or v0 has the wrong length.
    """
    dim = operator.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= dim:
        raise InputError(f"k must be an integer between 1 and {dim} (the dimension), got {k!r}")
    if dim <= k + 1:
        vals, vectors = np.linalg.eigh(operator.matmat(np.eye(dim)))
        return Eigenpairs(vals[::-1][:k], vectors[:, ::-1][:, :k], dim)
    if v0 is None:
        return top_eigenpairs(operator, int(k), None, tol)
    v0 = np.asarray(v0, dtype=np.float64)
    start = v0.sum(axis=1) if v0.ndim == 2 else v0  # in the span of the columns, with weight on each
    if start.shape != (dim,) or not np.all(np.isfinite(start)) or not np.any(start):
        raise InputError(f"v0 must be a nonzero finite vector of {dim} entries (or such columns), "
                         f"got shape {v0.shape}")
    return warm_eigenpairs(operator, int(k), start, tol)


def values(pairs: Eigenpairs, k: int) -> float | np.ndarray:
    """The top eigenvalue as a float for k = 1, else the k values (descending)."""
    return float(pairs.values[0]) if k == 1 else pairs.values


def canonical(problem: Problem, eta: float, tol: float = 0.0) -> tuple[float, float]:
    """Song & Yun's canonical coordinates (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK)).

    Raises
    ------
    InputError
        If the model has more than one output, the targets are not numbers, or eta is not
        positive.
    """
    eta = positive_float(eta, "eta")
    p = problem.mean_residual()
    return p, 2 / (eta * float(eigenpairs(ntk_operator(problem), 1, None, tol).values[0]))


@dataclass(frozen=True)
class GaussNewtonSplit:
    """The sharpness split along its eigenvector u into the Gauss-Newton part and the rest.

    Attributes
    ----------
    sharpness : float
        λmax(H) = uᵀHu.
    gauss_newton, rest : float
        uᵀGu and uᵀRu (they add up to the sharpness).
    share : float
        uᵀGu / λmax(H), the share of the sharpness that the Gauss-Newton part carries.
    gauss_newton_max : float
        λmax(G).

    Examples
    --------
    For f = uv at (u, v) = (1, 2), y = 0: H = [[4, 4], [4, 1]], G = ∇f∇fᵀ = [[4, 2], [2, 1]] (λmax 5):

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.curvature import gauss_newton_split
    >>> H, G = np.array([[4.0, 4.0], [4.0, 1.0]]), np.array([[4.0, 2.0], [2.0, 1.0]])
    >>> split = gauss_newton_split(SimpleNamespace(size=2, hessian_vector=lambda v: H @ v,
    ...                                            gauss_newton_vector=lambda v: G @ v))
    >>> bool(np.isclose(split.gauss_newton + split.rest, split.sharpness)), round(split.gauss_newton_max, 12)
    (True, 5.0)
    """

    sharpness: float
    gauss_newton: float
    rest: float
    share: float
    gauss_newton_max: float


def gauss_newton_split(problem: Problem, tol: float = 0.0) -> GaussNewtonSplit:
    """H = G + R measured along the top eigenvector u of H, and λmax(G)."""
    top = eigenpairs(hessian_operator(problem), 1, None, tol)
    u = top.vectors[:, 0]
    along_g = float(u @ gauss_newton_operator(problem).matvec(u))
    along_r = float(u @ rest_operator(problem).matvec(u))
    s = float(top.values[0])
    g_max = float(eigenpairs(gauss_newton_operator(problem), 1, None, tol).values[0])
    return GaussNewtonSplit(s, along_g, along_r, along_g / s, g_max)


def preconditioned_sharpness(problem: Problem, diagonal: object, tol: float = 0.0) -> float:
    """λmax(P⁻¹H) for a diagonal preconditioner P given by its positive diagonal (θ's order).

    Raises
    ------
    InputError
        If the diagonal does not have P positive entries.
    """
    diagonal = np.asarray(diagonal, dtype=np.float64).reshape(-1)
    if diagonal.size != problem.size or not np.all(diagonal > 0):
        raise InputError(f"preconditioner must be {problem.size} positive numbers (P's diagonal)")
    return float(eigenpairs(preconditioned_operator(problem, diagonal), 1, None, tol).values[0])


@dataclass(frozen=True)
class SharpnessGradient:
    """∇S = ∇³L[u, u] at θ, with u the top eigenvector of ∇²L (valid where λmax is simple).

    Attributes
    ----------
    sharpness : float
        S = λmax(∇²L).
    vector : ndarray
        u, unit length.
    gradient : ndarray
        ∇S, in θ's order.

    Examples
    --------
    L = a² + a²b/2 at 0: H = diag(2, 0), u = ±(1, 0), and ∇_θ(uᵀ∇²L(θ)u) = (2u₀u₁, u₀²) = (0, 1):

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from bifurc.backends.curvature import sharpness_gradient
    >>> problem = SimpleNamespace(size=2, hessian_vector=lambda v: np.array([2.0 * v[0], 0.0]),
    ...                           third_derivative=lambda u: np.array([2 * u[0] * u[1], u[0] ** 2]))
    >>> result = sharpness_gradient(problem)
    >>> round(result.sharpness, 12), np.round(result.gradient, 12)
    (2.0, array([0., 1.]))
    """

    sharpness: float
    vector: np.ndarray
    gradient: np.ndarray


def sharpness_gradient(problem: Problem, v0: object = None, tol: float = 0.0) -> SharpnessGradient:
    """∇S = ∇³L[u, u], the gradient of the sharpness (Damian et al.'s self-stabilization term).

    −η ∇S·∇L is the change of S that a GD step of size η makes, to first order.
    """
    top = eigenpairs(hessian_operator(problem), 1, v0, tol)
    u = top.vectors[:, 0]
    return SharpnessGradient(float(top.values[0]), u, problem.third_derivative(u))
