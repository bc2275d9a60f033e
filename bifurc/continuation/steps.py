"""The two steps every continuation here is made of: a Newton corrector on a hyperplane, and
the unit tangent of a solution curve."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["corrector", "unit_tangent", "MAX_CORRECTIONS"]

#: Newton iterations allowed to a corrector before the step is refused.
MAX_CORRECTIONS = 8


def corrector(equations: Callable, pred: np.ndarray, t: np.ndarray,
              tol: float) -> tuple[np.ndarray, int] | None:
    """Newton on (H(z), t . (z - pred)) = 0 from ``pred``; the point and iterations, or None.

    ``equations(z)`` returns H(z) (one equation fewer than unknowns) and its Jacobian, or None.
    """
    z = pred.copy()
    for it in range(1, MAX_CORRECTIONS + 1):
        out = equations(z)
        if out is None:
            return None
        H, DH = out[0], out[1]
        try:
            dz = np.linalg.solve(np.vstack([DH, t]), -np.append(H, t @ (z - pred)))
        except np.linalg.LinAlgError:
            return None
        z += dz
        if not np.all(np.isfinite(z)):
            return None
        if np.max(np.abs(dz)) <= tol * (1 + np.max(np.abs(z))):
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
