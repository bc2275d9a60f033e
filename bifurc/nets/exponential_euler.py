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
    """(1 - e^(-ηλ))/λ, with its limit η at λ = 0 (computed with expm1, no cancellation)."""
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
    """
    V = eigenpairs.vectors
    along = V.T @ gradient
    return theta - eta * (gradient - V @ along) - V @ (flow_factor(eigenpairs.values, eta) * along)
