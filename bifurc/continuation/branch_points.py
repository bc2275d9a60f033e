"""Branch points: where two branches of period-k cycles cross (a multiplier 1 without a fold).

Along a branch of G(z) = F^k(x; a) - x = 0 the determinant of the extended Jacobian
[DG; t] keeps its sign through folds and changes it at a branch point, where DG loses rank
and G_a lies in the range of A - I (A the monodromy). The point is located by Newton's
method on the regular extended system (Moore; Govaerts, *Numerical Methods for
Bifurcations of Dynamical Equilibria*, 2000, sec. 6.2)

    G(z) + mu psi = 0,   (A - I)^T psi = 0,   psi0 . psi = 1,   psi . G_a = 0,

in (z, mu, psi), whose solution has mu = 0 and psi the left null vector. The directions of
the two branches through it solve the algebraic branching equation: with phi_1, phi_2 a
basis of the null space of DG, c^T [psi . D^2G(phi_i, phi_j)] c = 0 has two roots, one
along the branch followed, the other the new one.
"""

from __future__ import annotations

import numpy as np

from .steps import newton
from .system import CycleSystem

__all__ = ["extended_determinant", "locate_branch_point", "other_direction"]


def extended_determinant(DG: np.ndarray, t: np.ndarray) -> float:
    """det [DG; t]: changes sign at a branch point, not at a fold."""
    return float(np.linalg.det(np.vstack([DG, t])))


def locate_branch_point(system: CycleSystem, z0: np.ndarray, tol: float = 1e-13,
                        max_iter: int = 30) -> np.ndarray | None:
    """The branch point near ``z0`` by Newton on the extended system, or None."""
    n = system.dim
    out = system.residual(z0)
    if out is None:
        return None
    psi0 = np.linalg.svd(out[2] - np.eye(n))[0][:, -1]
    eye = np.eye(n + 1)

    def extended(u: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        z, mu, psi = u[: n + 1], u[n + 1], u[n + 2:]
        out = system.residual(z)
        if out is None:
            return None
        G, DG, A = out
        forms = system.forms(z)
        J = np.zeros((2 * n + 2, 2 * n + 2))
        J[:n, : n + 1], J[:n, n + 1], J[:n, n + 2:] = DG, psi, mu * np.eye(n)
        J[n: 2 * n, n + 2:] = (A - np.eye(n)).T
        J[2 * n, n + 2:] = psi0
        J[2 * n + 1, n + 2:] = DG[:, n]
        for j in range(n + 1):
            dA = np.column_stack([forms.second(eye[l], eye[j])[:n] for l in range(n)])
            J[n: 2 * n, j] = dA.T @ psi
            J[2 * n + 1, j] = psi @ forms.second(eye[n], eye[j])[:n]
        E = np.concatenate([G + mu * psi, (A - np.eye(n)).T @ psi, [psi0 @ psi - 1, psi @ DG[:, n]]])
        return E, J

    # only z = (x, a) must converge: mu -> 0 and psi are auxiliary
    solved = newton(extended, np.concatenate([z0, [0.0], psi0]), tol, max_iter, watched=n + 1)
    return None if solved is None else solved[0][: n + 1]


def other_direction(system: CycleSystem, z: np.ndarray, known: np.ndarray) -> np.ndarray | None:
    """The unit tangent at the branch point ``z`` of the branch that is not along ``known``."""
    n = system.dim
    out = system.residual(z)
    if out is None:
        return None
    U, _, Vt = np.linalg.svd(out[1])
    psi, phi = U[:, -1], Vt[-2:]
    forms = system.forms(z)
    a11, a12, a22 = (psi @ forms.second(phi[i], phi[j])[:n] for i, j in ((0, 0), (0, 1), (1, 1)))
    disc = a12**2 - a11 * a22
    if disc <= 0:
        return None
    # roots of a11 c1^2 + 2 a12 c1 c2 + a22 c2^2 = 0, written so that neither divides by ~0
    if max(abs(a11), abs(a22)) <= 1e-12 * abs(a12):  # the basis vectors themselves
        roots = [np.array([1.0, 0.0]), np.array([0.0, 1.0])]
    elif abs(a11) >= abs(a22):
        roots = [np.array([-a12 + s * np.sqrt(disc), a11]) for s in (1, -1)]
    else:
        roots = [np.array([a22, -a12 + s * np.sqrt(disc)]) for s in (1, -1)]
    directions = [c @ phi / np.linalg.norm(c @ phi) for c in roots]
    return min(directions, key=lambda d: abs(d @ known))
