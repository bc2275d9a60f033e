"""Lowell & Kastner on a real network: exponential Euler against GD, the Gauss-Newton split
of the Hessian along training, and the growth of layerwise Jacobian alignment with the
size of the data set.

The Hessian of L(θ) = (1/N) Σ ℓ(f(x_i) - y_i) splits as ∇²L = G + H with the Gauss-Newton part
G = (1/N) Σ ℓ''(p_i) ∇f ∇fᵀ (positive semi-definite for a convex ℓ) and the rest
H = (1/N) Σ ℓ'(p_i) ∇²f (which vanishes with the residuals). λmax(∇²L), λmax(G) and ‖H‖₂ are
each found by Lanczos on exact products (H v = ∇²L v - G v).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..errors import InputError
from .hvp import gauss_newton_operator, gauss_newton_vector_product, hessian_operator, hessian_vector_product
from .layerwise import PowerLaw, fit_power_law, layer_alignment
from .objective import Evaluation, Objective, evaluate
from .sharpness import initial_sharpness, top_eigenpairs
from .train import Trajectory, train

__all__ = ["HessianSplit", "hessian_split", "Snapshots", "snapshots", "edge_fraction",
           "AlignmentGrowth", "alignment_growth"]


@dataclass(frozen=True)
class HessianSplit:
    """λmax(∇²L), λmax(G) and ‖H‖₂ = ‖∇²L - G‖₂ at one θ, with the products used."""

    hessian: float
    gauss_newton: float
    rest: float
    matvecs: int


def hessian_split(ev: Evaluation, tol: float = 1e-8) -> HessianSplit:
    """The top eigenvalues of ∇²L and of its Gauss-Newton part G, and the norm of the rest H.

    Parameters
    ----------
    ev
        The objective evaluated at θ.
    tol
        Relative accuracy of each Lanczos eigenvalue.
    """
    n = ev.theta.size
    hess = top_eigenpairs(hessian_operator(ev), tol=tol)
    gn = top_eigenpairs(gauss_newton_operator(ev), tol=tol)

    def rest(v: np.ndarray) -> np.ndarray:
        return hessian_vector_product(ev, v) - gauss_newton_vector_product(ev, v)

    h = top_eigenpairs(LinearOperator((n, n), matvec=rest, dtype=np.float64), tol=tol, which="LM")
    return HessianSplit(float(hess.values[0]), float(gn.values[0]), float(abs(h.values[0])),
                        hess.matvecs + gn.matvecs + 2 * h.matvecs)


@dataclass(frozen=True)
class Snapshots:
    """A training run sampled every ``every`` steps, with a measurement at each sample.

    Attributes
    ----------
    steps : ndarray
        The sampled steps 0, every, 2·every, ….
    values : list
        What ``measure`` returned at each sampled θ.
    runs : list of Trajectory
        The pieces of the run between samples (their ``loss`` and ``sharpness`` cover every step).
    diverged : bool
        Whether a piece diverged (the snapshots end there).
    """

    steps: np.ndarray
    values: list
    runs: list[Trajectory]
    diverged: bool

    @property
    def loss(self) -> np.ndarray:
        """The loss at every step of the run."""
        return np.concatenate([r.loss[:-1] for r in self.runs] + [self.runs[-1].loss[-1:]])


def snapshots(objective: Objective, theta: np.ndarray, eta: float, steps: int, every: int,
              measure: Callable[[Evaluation], object], *, method: str = "gd", top_k: int = 1,
              stop_loss: float = 0.0) -> Snapshots:
    """Train by :func:`~bifurc.nets.train` in pieces of ``every`` steps, measuring θ between pieces.

    Parameters
    ----------
    objective, theta, eta, method, top_k
        As for :func:`~bifurc.nets.train`.
    steps
        The total number of steps (rounded up to a multiple of ``every``).
    every
        Steps between measurements (≥ 1).
    measure
        Called with the evaluation at each sampled θ.
    stop_loss
        Stop at the first sample whose loss is below this (0: never).

    Raises
    ------
    InputError
        If ``every`` or ``steps`` is not at least 1.
    """
    if every < 1 or steps < 1:
        raise InputError(f"every and steps must be at least 1, got {every} and {steps}")
    theta = np.array(theta, dtype=np.float64)
    at, values, runs, diverged = [], [], [], False
    for k in range(-(-steps // every) + 1):
        ev = evaluate(objective, theta)
        at.append(k * every)
        values.append(measure(ev))
        if k * every >= steps or ev.loss < stop_loss:
            break
        piece = train(objective, theta, eta, every, method=method, top_k=top_k)
        runs.append(piece)
        if piece.diverged:
            diverged = True
            break
        theta = piece.theta
    return Snapshots(np.array(at), values, runs, diverged)


def edge_fraction(sharp: np.ndarray, eta: float, band: float = 0.05) -> float:
    """The fraction of sharpness values within ``band`` (relative) of 2/η: how much a run hovers there."""
    s = np.asarray(sharp, dtype=np.float64) * eta / 2
    return float(np.mean(np.abs(s - 1) < band)) if s.size else float("nan")


@dataclass(frozen=True)
class AlignmentGrowth:
    """Layerwise Jacobian alignment against the data set size D.

    Attributes
    ----------
    sizes : ndarray
        D.
    initial, peak : ndarray
        The network alignment (:attr:`~bifurc.nets.layerwise.LayerAlignment.network_mean`) at
        θ_0 and its largest value over training, per D.
    layers : ndarray
        The per-layer ratios at the peak, shape (len(sizes), hidden layers).
    steps : ndarray
        The steps each run took (it stops when the loss falls below the target).
    fit : PowerLaw
        peak ≈ c₁ D^c₂ with R².
    series : tuple of ndarray
        Per D, the network alignment at every measurement (steps 0, ``every``, 2·``every``, …).
    """

    sizes: np.ndarray
    initial: np.ndarray
    peak: np.ndarray
    layers: np.ndarray
    steps: np.ndarray
    fit: PowerLaw
    series: tuple = ()


def alignment_growth(make_objective: Callable[[int], Objective], sizes: tuple[int, ...], *,
                     seed: int = 0, c: float = 0.5, steps: int = 3000, every: int = 25,
                     stop_loss: float = 1e-2) -> AlignmentGrowth:
    """Train on data sets of each size (GD at η = c/λ_0, below the edge: close to gradient flow,
    as the paper's exponential Euler) and record the peak alignment over training.

    Parameters
    ----------
    make_objective
        The objective on a data set of the given size (any network with ``initial(seed)``).
    sizes
        The data set sizes D (at least three).
    seed
        The initialisation seed.
    c
        ηλ_0.
    steps, every
        The longest run, and the steps between alignment measurements.
    stop_loss
        A run stops once its loss is below this.
    """
    if len(sizes) < 3:
        raise InputError(f"sizes must hold at least three data set sizes, got {sizes}")
    initial, peak, layers, taken, series = [], [], [], [], []
    for D in sizes:
        objective = make_objective(int(D))
        theta = objective.net.initial(seed)
        lam0 = initial_sharpness(objective, theta)
        snap = snapshots(objective, theta, c / lam0, steps, every, layer_alignment, stop_loss=stop_loss)
        network = np.array([a.network_mean for a in snap.values])
        best = int(np.argmax(network))
        initial.append(network[0])
        peak.append(network[best])
        layers.append(snap.values[best].mean)
        taken.append(int(snap.steps[-1]))
        series.append(network)
    return AlignmentGrowth(np.array(sizes), np.array(initial), np.array(peak), np.array(layers),
                           np.array(taken), fit_power_law(sizes, peak), tuple(series))
