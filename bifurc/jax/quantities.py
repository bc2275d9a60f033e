"""The EoS quantities of a JAX model f(params, x): the functions of :mod:`bifurc.backends.curvature`
on :func:`~bifurc.jax.problem.problem`, and the recorder.

Every function takes f, params, the loss and the data (and ``reduction``); ``v0`` is a warm
start (a vector, or earlier eigenvectors as columns) and ``tol`` the relative accuracy of
Lanczos (0: machine precision). Vectors are in the order of params' flattened leaves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bifurc.backends import curvature
from bifurc.backends.curvature import GaussNewtonSplit, SharpnessGradient, eigenpairs, values
from bifurc.backends.operators import hessian_operator, ntk_operator
from bifurc.backends.recorder import Recorder as _Recorder
from bifurc.nets.sharpness import Eigenpairs

from .problem import problem

__all__ = ["hessian_eigenpairs", "sharpness", "ntk_eigenpairs", "ntk_top", "canonical", "gauss_newton_split",
           "preconditioned_sharpness", "sharpness_gradient", "Recorder"]


def hessian_eigenpairs(f: Callable, params: object, loss: object, data: object, k: int = 1, *,
                       v0: object = None, tol: float = 0.0, reduction: str = "mean") -> Eigenpairs:
    """The top-k eigenpairs of ∇²L."""
    return eigenpairs(hessian_operator(problem(f, params, loss, data, reduction=reduction)), k, v0, tol)


def sharpness(f: Callable, params: object, loss: object, data: object, k: int = 1, *, v0: object = None,
              tol: float = 0.0, reduction: str = "mean") -> float | np.ndarray:
    """λmax(∇²L) as a float, or the top-k eigenvalues (descending) for k > 1."""
    return values(hessian_eigenpairs(f, params, loss, data, k, v0=v0, tol=tol, reduction=reduction), k)


def ntk_eigenpairs(f: Callable, params: object, data: object, k: int = 1, *, v0: object = None,
                   tol: float = 0.0) -> Eigenpairs:
    """The top-k eigenpairs of the NTK Gram operator J Jᵀ/N (vectors of length N·C)."""
    return eigenpairs(ntk_operator(problem(f, params, "mse", data)), k, v0, tol)


def ntk_top(f: Callable, params: object, data: object, k: int = 1, *, v0: object = None,
            tol: float = 0.0) -> float | np.ndarray:
    """λmax of the NTK J Jᵀ/N (for one point and one output, ‖∇f(x)‖²), or its top-k eigenvalues."""
    return values(ntk_eigenpairs(f, params, data, k, v0=v0, tol=tol), k)


def canonical(f: Callable, params: object, loss: object, data: object, eta: float, *, tol: float = 0.0,
              reduction: str = "mean") -> tuple[float, float]:
    """Song & Yun's (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK))."""
    return curvature.canonical(problem(f, params, loss, data, reduction=reduction), eta, tol)


def gauss_newton_split(f: Callable, params: object, loss: object, data: object, *, tol: float = 0.0,
                       reduction: str = "mean") -> GaussNewtonSplit:
    """H = G + R along the top eigenvector of H, and λmax(G)."""
    return curvature.gauss_newton_split(problem(f, params, loss, data, reduction=reduction), tol)


def preconditioned_sharpness(f: Callable, params: object, loss: object, data: object, diagonal: object, *,
                             tol: float = 0.0, reduction: str = "mean") -> float:
    """λmax(P⁻¹H) for a diagonal P given by its positive diagonal (e.g. from an optax state)."""
    return curvature.preconditioned_sharpness(problem(f, params, loss, data, reduction=reduction), diagonal,
                                              tol)


def sharpness_gradient(f: Callable, params: object, loss: object, data: object, *, v0: object = None,
                       tol: float = 0.0, reduction: str = "mean") -> SharpnessGradient:
    """∇S = ∇³L[u, u] (third-order autodiff), Damian et al.'s self-stabilization term."""
    return curvature.sharpness_gradient(problem(f, params, loss, data, reduction=reduction), v0, tol)


class Recorder(_Recorder):
    """Measure f during the user's loop: ``rec.step(eta, params)`` after each update.

    Parameters
    ----------
    f, params, loss, data
        See :func:`bifurc.jax.problem.problem`; ``params`` are the initial parameters.
    every
        Measure after every this many updates (:meth:`record` measures now, e.g. at step 0).
    gradient
        Also record −η ∇S·∇L.
    tol
        Relative accuracy of each Lanczos estimate (warm-started from the last one).
    steps, progress
        The planned number of updates and whether to show a progress line on stderr (True,
        False, or None: on a terminal once the run lasts two seconds); see
        :class:`bifurc.backends.recorder.Recorder`.
    reduction
        ``"mean"`` or ``"sum"``.
    """

    def __init__(self, f: Callable, params: object, loss: object, data: object, every: int = 10, *,
                 gradient: bool = False, tol: float = 1e-10, steps: int | None = None,
                 progress: bool | None = None, reduction: str = "mean") -> None:
        self.params = params
        super().__init__(lambda: problem(f, self.params, loss, data, reduction=reduction), every,
                         gradient=gradient, tol=tol, steps=steps, progress=progress)

    def step(self, eta: float, params: object = None) -> None:
        """Count one update to ``params`` of step size ``eta``; measure on multiples of ``every``."""
        self.params = self.params if params is None else params
        super().step(eta)

    def record(self, eta: float, params: object = None) -> None:
        """Measure at ``params`` (default: the last ones given) now, at the current step count."""
        self.params = self.params if params is None else params
        super().record(eta)
