"""Lowell & Kastner's exponential Euler step (MATH.md §7).

Along the top-k Hessian eigenvectors v_i the step is the exact gradient flow of the local
quadratic model for time η, (1 - e^(-ηλ_i))/λ_i instead of η; on their orthogonal
complement it is a plain GD step:
Θ' = Θ - Σ_i ((1 - e^(-ηλ_i))/λ_i) v_i v_iᵀ g - η (I - VVᵀ) g.
"""

from __future__ import annotations

import numpy as np

from .sharpness import Eigenpairs

__all__ = ["exponential_euler_step", "flow_factor"]


def flow_factor(lam: np.ndarray, eta: float) -> np.ndarray:
    """(1 - e^(-ηλ))/λ, with its limit η at λ = 0 (computed with expm1, no cancellation).

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import nets
    >>> factor = nets.flow_factor([0.0, 2.0], 0.5)
    >>> bool(np.allclose(factor, [0.5, (1 - np.exp(-1.0)) / 2], rtol=1e-15))
    True
    """
    lam = np.asarray(lam, dtype=np.float64)
    safe = np.where(lam == 0, 1.0, lam)
    return np.where(lam == 0, eta, -np.expm1(-eta * lam) / safe)


def exponential_euler_step(theta: np.ndarray, gradient: np.ndarray, eigenpairs: Eigenpairs,
                           eta: float) -> np.ndarray:
    """One exponential Euler step from ``theta``.

    Parameters
    ----------
    theta
        The parameters Θ.
    gradient
        g = ∇L(Θ).
    eigenpairs
        The top-k eigenpairs (λ_i, v_i) of ∇²L(Θ), orthonormal vectors.
    eta
        The step size (the flow time of one step).

    Returns
    -------
    ndarray
        Θ'.

    Examples
    --------
    On L = ½(4a² + b²) with the top eigenpair (4, e₁): along e₁ the step is the exact flow,
    a e^(-4η); across it plain GD, b(1 - η):

    >>> import numpy as np
    >>> from bifurc import nets
    >>> pairs = nets.Eigenpairs(np.array([4.0]), np.array([[1.0], [0.0]]), matvecs=0)
    >>> theta = np.array([1.0, 1.0])
    >>> step = nets.exponential_euler_step(theta, np.array([4.0, 1.0]) * theta, pairs, eta=0.5)
    >>> bool(np.allclose(step, [np.exp(-2.0), 0.5], rtol=1e-15))
    True
    """
    V = eigenpairs.vectors
    along = V.T @ gradient
    return theta - eta * (gradient - V @ along) - V @ (flow_factor(eigenpairs.values, eta) * along)
