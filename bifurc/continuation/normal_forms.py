"""Normal-form coefficients of the codimension-1 bifurcations of a cycle (Kuznetsov's projection method).

At a fixed point of G^k with monodromy A, critical eigenvector q (A q = mu q) and adjoint p
(A^T p = conj(mu) p, <p, q> = conj(p)^T q = 1), and B, C the second and third derivatives
of G^k in the state (Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed., 5.4
and 5.6; Kuznetsov & Meijer, SIAM J. Sci. Comput. 26 (2005)):

- fold (mu = 1), normal form eta -> eta + beta + a eta^2: a = <p, B(q, q)> / 2;
- flip (mu = -1), normal form eta -> -(1 + beta) eta + c eta^3:
  c = <p, C(q, q, q)> / 6 + <p, B(q, (I - A)^{-1} B(q, q))> / 2; c > 0 is supercritical
  (a stable cycle of twice the period is born on the side where the cycle is unstable);
- Neimark-Sacker (mu = e^{i theta}), normal form z -> e^{i theta} z (1 + beta + d |z|^2):
  d = Re e^{-i theta} <p, C(q, q, qbar) + 2 B(q, (I - A)^{-1} B(q, qbar))
  + B(qbar, (e^{2 i theta} I - A)^{-1} B(q, q))> / 2; d < 0 is supercritical (a stable
  invariant closed curve of radius |z|^2 = -beta/d).

q has unit length; for a fold its largest component is positive (the sign of a depends on
that choice), the other coefficients do not depend on the phase of q.
"""

from __future__ import annotations

import numpy as np

from .system import CycleForms

__all__ = ["critical_vectors", "fold_coefficient", "flip_coefficient", "neimark_sacker_coefficient"]


def critical_vectors(A: np.ndarray, mu: complex) -> tuple[np.ndarray, np.ndarray]:
    """q with A q = mu q, |q| = 1, and p with A^T p = conj(mu) p, conj(p)^T q = 1."""
    values, vectors = np.linalg.eig(A)
    q = vectors[:, np.argmin(np.abs(values - mu))]
    if abs(np.imag(mu)) == 0:
        q = np.real(q)
        q = q * np.sign(q[np.argmax(np.abs(q))])
    q = q / np.linalg.norm(q)
    values, vectors = np.linalg.eig(A.T)
    p = vectors[:, np.argmin(np.abs(values - np.conj(mu)))]
    if abs(np.imag(mu)) == 0:
        p = np.real(p)
    p = p / np.conj(np.vdot(p, q))
    return q, p


def _state(forms: CycleForms, n: int):
    """B and C of G^k restricted to state directions (the parameter held fixed)."""

    size = forms.jacobians[0].shape[0]

    def pad(u: np.ndarray) -> np.ndarray:
        return np.concatenate([u, np.zeros(size - n, dtype=u.dtype)])

    def B(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return forms.second(pad(u), pad(v))[:n]

    def C(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        return forms.third(pad(u), pad(v), pad(w))[:n]

    return B, C


def fold_coefficient(forms: CycleForms, n: int) -> tuple[float, np.ndarray]:
    """The fold's quadratic coefficient a, and q."""
    A = forms.monodromy[:n, :n]
    q, p = critical_vectors(A, 1.0)
    B, _ = _state(forms, n)
    return float(np.dot(p, B(q, q)) / 2), q


def flip_coefficient(forms: CycleForms, n: int) -> tuple[float, np.ndarray]:
    """The flip's cubic coefficient c (> 0: supercritical), and q."""
    A = forms.monodromy[:n, :n]
    q, p = critical_vectors(A, -1.0)
    B, C = _state(forms, n)
    h2 = np.linalg.solve(np.eye(n) - A, B(q, q))
    return float(np.dot(p, C(q, q, q)) / 6 + np.dot(p, B(q, h2)) / 2), q


def neimark_sacker_coefficient(forms: CycleForms, n: int, mu: complex) -> tuple[float, np.ndarray]:
    """The Neimark-Sacker first Lyapunov coefficient d (< 0: supercritical), and q (complex)."""
    A = forms.monodromy[:n, :n]
    q, p = critical_vectors(A, mu)
    qbar = np.conj(q)
    B, C = _state(forms, n)
    h11 = np.linalg.solve(np.eye(n) - A, B(q, qbar))
    h20 = np.linalg.solve(mu**2 * np.eye(n) - A, B(q, q))
    inner = np.vdot(p, C(q, q, qbar) + 2 * B(q, h11) + B(qbar, h20))
    return float(np.real(np.conj(mu) / abs(mu) * inner) / 2), q
