"""Zhu et al.'s section 6 on a real network: at the end of training at the edge of stability
the GD trajectory lies mostly in a plane, and in that plane it follows a parabola, as the
minimalist model's does.

The plane is found by PCA of the last ``window`` iterates (:func:`principal_plane`: the
displacements from their mean, by SVD). In it, one coordinate u carries the period-2
oscillation across the valley and the other v the slow drift along it
(:func:`oscillation_first` finds them); the minimalist
model's two-step orbit keeps a σ + c e² ≈ const (:func:`bifurc.eos.two_step`), so v is a
quadratic function of u: :func:`fit_parabola` fits v = α + βu + γu² and reports the RMS
residual relative to the spread of v, beside the straight-line fit's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..analysis.arguments import paired
from ..errors import InputError
from .objective import Objective, evaluate
from .sharpness import sharpness

__all__ = ["PrincipalPlane", "principal_plane", "ParabolaFit", "fit_parabola", "oscillation_first",
           "DeepSubspace", "deep_subspace"]


@dataclass(frozen=True)
class PrincipalPlane:
    """The best-fitting plane of a set of points (PCA).

    Attributes
    ----------
    coords : ndarray
        The points' coordinates (u, v) in the plane of the two leading components, shape (T, 2).
    fraction : float
        The variance fraction of the two leading components, (s₁² + s₂²)/Σ sᵢ².
    fractions : ndarray
        The variance fraction of each component, largest first.
    """

    coords: np.ndarray
    fraction: float
    fractions: np.ndarray


def principal_plane(points: np.ndarray) -> PrincipalPlane:
    """PCA of the rows of ``points`` (shape (T, P), T ≥ 3) about their mean.

    Raises
    ------
    InputError
        If ``points`` is not a (T, P) array with T ≥ 3 and P ≥ 2, or all rows are equal.
    """
    X = np.asarray(points, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 3 or X.shape[1] < 2:
        raise InputError(f"points must have shape (T, P) with T >= 3 and P >= 2, got {X.shape}")
    D = X - X.mean(axis=0)
    U, s, _ = np.linalg.svd(D, full_matrices=False)
    total = float(np.sum(s**2))
    if total == 0:
        raise InputError("points are all equal: no principal plane")
    fractions = s**2 / total
    return PrincipalPlane(U[:, :2] * s[:2], float(fractions[:2].sum()), fractions)


@dataclass(frozen=True)
class ParabolaFit:
    """v = α + βu + γu² fitted by least squares.

    Attributes
    ----------
    coefficients : ndarray
        (α, β, γ).
    residual : float
        RMS residual / standard deviation of v (0: exactly on the parabola).
    line_residual : float
        The same for the best straight line v = α + βu (how much the curvature explains).
    """

    coefficients: np.ndarray
    residual: float
    line_residual: float


def fit_parabola(u: np.ndarray, v: np.ndarray) -> ParabolaFit:
    """Fit v as a quadratic function of u and report relative residuals.

    Raises
    ------
    InputError
        If u and v differ in length, have fewer than four points, or v is constant.
    """
    u, v = paired(u, v, "u and v", 4)
    spread = float(v.std())
    if spread == 0:
        raise InputError("v is constant: nothing to fit")

    def rms(degree: int) -> tuple[np.ndarray, float]:
        coef = np.polynomial.polynomial.polyfit(u, v, degree)
        fitted = np.polynomial.polynomial.polyval(u, coef)
        return coef, float(np.sqrt(np.mean((v - fitted) ** 2)) / spread)

    coef, res = rms(2)
    return ParabolaFit(coef, res, rms(1)[1])


def oscillation_first(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plane coordinates rotated to (oscillation, drift): u along the principal direction of the
    steps x_{t+1} - x_t (a period-2 oscillation dominates them), v orthogonal to it.

    For the minimalist model the two sides of the oscillation have the same σ, so the steps
    are along e and the parabola σ = α - κe² is a graph v(u) in these coordinates.
    """
    coords = np.asarray(coords, dtype=np.float64)
    _, _, Vt = np.linalg.svd(np.diff(coords, axis=0), full_matrices=False)
    w = Vt[0]
    return coords @ w, coords @ np.array([-w[1], w[0]])


@dataclass(frozen=True)
class DeepSubspace:
    """The last iterates of a GD run, their principal plane and the parabola in it.

    Attributes
    ----------
    plane : PrincipalPlane
    parabola : ParabolaFit
    loss : ndarray
        The loss at every step.
    final_sharpness : float
        λmax(∇²L) at the last iterate, by Lanczos.
    eta : float
    window : int
        The number of final iterates analysed.
    step_norms : ndarray
        ‖θ_{t+1} - θ_t‖ between the analysed iterates, shape (window - 1,).
    parameters : int
        The number of parameters (the dimension the iterates live in).
    """

    plane: PrincipalPlane
    parabola: ParabolaFit
    loss: np.ndarray
    final_sharpness: float
    eta: float
    window: int
    step_norms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    parameters: int = 0


def deep_subspace(objective: Objective, theta: np.ndarray, eta: float, steps: int,
                  window: int) -> DeepSubspace:
    """Run GD, keep the last ``window`` iterates, and fit their plane and parabola.

    Parameters
    ----------
    objective
        Any network and data (the network needs nothing but what :func:`evaluate` uses).
    theta
        The initial parameters (copied).
    eta
        The step size.
    steps
        GD steps (≥ window).
    window
        How many final iterates are analysed (memory: window × parameters).

    Raises
    ------
    InputError
        If ``window`` is not in [4, steps] or the run diverges.
    """
    if not 4 <= window <= steps:
        raise InputError(f"window must be in [4, steps = {steps}], got {window}")
    theta = np.array(theta, dtype=np.float64)
    kept = np.empty((window, theta.size))
    loss = np.empty(steps + 1)
    for t in range(steps + 1):
        ev = evaluate(objective, theta)
        loss[t] = ev.loss
        if not np.isfinite(ev.loss):
            raise InputError(f"eta = {eta} diverges (non-finite loss at step {t})")
        if t > steps - window:
            kept[t - (steps - window + 1)] = theta
        if t < steps:
            theta = theta - eta * ev.gradient
    plane = principal_plane(kept)
    u, v = oscillation_first(plane.coords)
    fit = fit_parabola(u, v)
    return DeepSubspace(plane, fit, loss, float(sharpness(ev).values[0]), float(eta), window,
                        np.linalg.norm(np.diff(kept, axis=0), axis=1), theta.size)
