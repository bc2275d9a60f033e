"""The steps every continuation here is made of: Newton's method on a square system, a Newton
corrector on a hyperplane, and the unit tangent of a solution curve."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["newton", "corrector", "unit_tangent", "MAX_CORRECTIONS"]

#: Newton iterations allowed to a corrector before the step is refused.
MAX_CORRECTIONS = 8


def corrector(equations: Callable, pred: np.ndarray, t: np.ndarray,
              tol: float) -> tuple[np.ndarray, int] | None:
    """Newton on (H(z), t . (z - pred)) = 0 from ``pred``; the point and iterations, or None.

    ``equations(z)`` returns H(z) (one equation fewer than unknowns) and its Jacobian, or None.
    """
    def bordered(z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        out = equations(z)
        if out is None:
            return None
        return np.append(out[0], t @ (z - pred)), np.vstack([out[1], t])

    return newton(bordered, pred, tol, MAX_CORRECTIONS)


def newton(system: Callable, z0: np.ndarray, tol: float, max_iter: int,
           watched: int | None = None) -> tuple[np.ndarray, int] | None:
    """Newton's method on the square system E(z) = 0 from ``z0``; the root and iterations, or None.

    ``system(z)`` returns E(z) and its Jacobian, or None where it is undefined. The iteration
    stops when the step in the first ``watched`` coordinates (all by default) is within ``tol``
    relative to them; None if it has not after ``max_iter`` steps, or a step is singular or
    not finite.
    """
    z = np.array(z0, dtype=np.float64)
    for it in range(1, max_iter + 1):
        out = system(z)
        if out is None:
            return None
        try:
            dz = np.linalg.solve(out[1], -out[0])
        except np.linalg.LinAlgError:
            return None
        z += dz
        if not np.all(np.isfinite(z)):
            return None
        if np.max(np.abs(dz[:watched])) <= tol * (1 + np.max(np.abs(z[:watched]))):
            return z, it
    return None


def unit_tangent(DH: np.ndarray, previous: np.ndarray) -> np.ndarray | None:
    """The unit null vector of DH oriented along ``previous``."""
    rhs = np.zeros(DH.shape[0] + 1)
    rhs[-1] = 1.0
    try:
        t = np.linalg.solve(np.vstack([DH, previous]), rhs)
    except np.linalg.LinAlgError:
        return None
    return t / np.linalg.norm(t)
