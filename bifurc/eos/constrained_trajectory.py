"""Damian, Nichani & Lee's constrained trajectory: projected GD on the stable set, and what GD does around it.

The stable set of a loss L at step size η is M = {θ : S(θ) ≤ 2/η and ∇L(θ)·u(θ) = 0}, with S
the Hessian's top eigenvalue and u its unit eigenvector. The constrained trajectory is projected
gradient descent on it, θ†_0 = proj_M(θ_0), θ†_{t+1} = proj_M(θ†_t - η∇L(θ†_t)), proj_M the
Euclidean nearest point of M. The paper's main claim is that GD at the edge of stability tracks
it: with v_t = θ_t - θ†_t, x_t = u·v_t and y_t = ∇S·v_t (u, ∇S, α = -∇L·∇S, β = ‖∇S‖² taken
at θ†_t),

    θ_t = θ†_t + x_t u + (y_t/β) ∇S + O(ε²),  L(θ_t) = L(θ†_t) + x_t²/η + O(ε³),
    S(θ_t) = 2/η + y_t + O(ε²),

where (x_t, y_t) follow x' = -(1 + ηy)x, y' = y + η(α - βx²/2) (the self-stabilization map)
and x, y = O(ε), α = O(ε²).

The paper's text (arXiv 2209.15594, Sections 4-5) was not available here beyond its abstract and
introduction (which say GD "implicitly follows projected gradient descent (PGD) under the
constraint S(θ) ≤ 2/η" with "precise predictions for the loss, sharpness, and deviation from the
PGD trajectory"); M, θ† and the x-update read the same in J. Lee's CSE 599 lecture 11 notes.
The statements above are derived here, under the conditions of
:func:`bifurc.eos.reference_point` (∇S ⊥ u, H∇S = 0, the cubic term ∇³L[u, u] only):

- one GD step from θ† + v is v' = (I - ηH)v - (η/2)∇³L[v, v] - p, where
  p = θ†_{t+1} - (θ†_t - η∇L(θ†_t)) is the correction the projection makes. Along u this is
  x' = (1 - ηS(θ†) - ηy)x; along ∇S it is y' = y - ηβx²/2 - ∇S·p. In the interior of M the
  projection does nothing (p = 0); on its boundary S = 2/η it removes the step's sharpening
  component, -∇S·p = ηα, and the two updates are the map. :func:`predicted_dynamics` iterates
  these general updates, so the run may start with θ† inside M (progressive sharpening happens
  to θ† itself) and reach the boundary later.
- L(θ† + v) = L(θ†) + ∇L·v + ½vᵀHv + O(v³) with ∇L·v = -αy/β = O(ε³) and
  ½vᵀHv = S(θ†)x²/2 = x²/η at the edge; S(θ† + v) = S(θ†) + ∇S·v + O(v²) = S(θ†) + y + O(ε²).

proj_M is computed by :func:`project`: a Gauss-Newton (sequential quadratic) solve for the nearest
point with ∇L·u = 0, and S = 2/η added as a second equation when the first solve lands above the
edge, with exact first, second and third derivatives of the loss (∇(∇L·u) = Su + (∇u)ᵀ∇L with
∂u = (S - H)⁺(∂H)u).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..analysis.arguments import nonnegative_int, positive_float
from ..errors import InputError
from .exact import loss_in

__all__ = ["LossDerivatives", "loss_derivatives", "project", "ConstrainedTrajectory",
           "constrained_trajectory", "Prediction", "predicted_dynamics"]


@dataclass(frozen=True)
class LossDerivatives:
    """A loss and its first three derivatives as numpy functions of θ.

    Attributes
    ----------
    names : tuple of str
        The parameters, in the order of θ.
    expression : sympy.Expr
        The loss.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc.eos.constrained_trajectory import loss_derivatives
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> d.names, d.value(np.array([1.0, 0.0]))  # L(1, 0) = 1
    (('a', 'b'), 1.0)
    """

    names: tuple[str, ...]
    expression: sp.Expr
    _value: object
    _grad: object
    _hess: object
    _third: object

    def value(self, theta: np.ndarray) -> float:
        """L(θ)."""
        return float(self._value(*theta))

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """∇L(θ)."""
        return np.array(self._grad(*theta), dtype=float)

    def hess(self, theta: np.ndarray) -> np.ndarray:
        """∇²L(θ)."""
        return np.array(self._hess(*theta), dtype=float)

    def third(self, theta: np.ndarray) -> np.ndarray:
        """∇³L(θ), indexed [i, j, k] = ∂³L/∂θi∂θj∂θk."""
        return np.array(self._third(*theta), dtype=float)

    def top(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """S(θ), u(θ) (sign: its largest entry in size positive), ∇S = ∇³L[u, u] and ∇²L(θ)."""
        S, u, grad_s, H, _, _ = self._spectrum(theta)
        return S, u, grad_s, H

    def _spectrum(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray]:
        """:meth:`top`, then (S - H)⁺ and ∇³L, from one eigendecomposition."""
        H, T = self.hess(theta), self.third(theta)
        values, vectors = np.linalg.eigh(H)
        if values.size > 1 and values[-1] - values[-2] <= 1e-12 * max(1.0, abs(values[-1])):
            raise ArithmeticError(f"the Hessian's top eigenvalue is not simple at {theta.tolist()}: "
                                  "S and u are not differentiable there")
        u = vectors[:, -1]
        u = -u if u[np.argmax(np.abs(u))] < 0 else u
        rest = vectors[:, :-1]
        resolvent = rest @ np.diag(1 / (values[-1] - values[:-1])) @ rest.T
        return float(values[-1]), u, np.einsum("ijk,i,j->k", T, u, u), H, resolvent, T


def loss_derivatives(loss: object, params: Sequence[str] | str) -> LossDerivatives:
    """The loss and its gradient, Hessian and third derivatives, derived with sympy.

    Parameters
    ----------
    loss
        The loss as a formula (parsed safely, never evaluated) or sympy expression in the parameters.
    params
        The parameter names, ``"th1, th2"`` or a sequence.

    Returns
    -------
    LossDerivatives

    Raises
    ------
    InputError
        If a parameter name or the loss is malformed.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc.eos.constrained_trajectory import loss_derivatives
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> d.grad(np.array([1.0, 0.0])).tolist(), d.third(np.zeros(2))[0, 0].tolist()
    ([2.0, 0.4], [0.0, 1.0])
    """
    L, symbols = loss_in(loss, params)
    names = [t.name for t in symbols]
    hessian = sp.hessian(L, symbols)
    third = [[[sp.diff(hessian[i, j], t) for t in symbols] for j in range(len(symbols))]
             for i in range(len(symbols))]
    make = lambda e: sp.lambdify(symbols, e, modules="numpy", cse=True)  # noqa: E731
    return LossDerivatives(tuple(names), L, make(L), make([sp.diff(L, t) for t in symbols]), make(hessian),
                           make(third))


def _constraints(d: LossDerivatives, phi: np.ndarray, eta: float,
                 edge: bool) -> tuple[np.ndarray, np.ndarray]:
    """The values and gradients of ∇L·u (and S - 2/η when ``edge``) at φ."""
    S, u, grad_s, _, resolvent, T = d._spectrum(phi)
    g = d.grad(phi)
    # ∂_k(∇L·u) = (Hu)_k + ∇L·∂_k u, ∂_k u = (S - H)⁺ T[:, :, k] u
    grad_c = S * u + np.einsum("ijk,j,i->k", T, u, resolvent @ g)
    c, J = [g @ u], [grad_c]
    if edge:
        c.append(S - 2 / eta)
        J.append(grad_s)
    return np.array(c), np.array(J)


def project(derivatives: LossDerivatives, theta: Sequence[float], eta: float, tol: float = 1e-12,
            max_iter: int = 50) -> np.ndarray:
    """proj_M(θ): the nearest point of M = {S ≤ 2/η, ∇L·u = 0}, by Gauss-Newton on the constraints.

    Parameters
    ----------
    derivatives
        The loss, from :func:`loss_derivatives`.
    theta
        The point to project.
    eta
        The step size: the edge is S = 2/η.
    tol, max_iter
        The solve stops when a step is shorter than ``tol`` (relative to 1 + |θ|; S - 2/η itself
        is known to about 1e-15 S, its rounding).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    InputError
        If ``eta`` is not positive or θ has the wrong length.
    ArithmeticError
        If the solve does not converge (no nearby point of M) or meets a double top eigenvalue.

    Examples
    --------
    L = a² + a²b/2 - b/10 (S = 2 + b on a = 0): at η = 1 the edge is b = 0, so (0.1, 0.3) projects
    to (0, 0) and (0.1, -0.3), inside, to (0, -0.3):

    >>> from bifurc.eos.constrained_trajectory import loss_derivatives, project
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> [round(float(v), 12) + 0.0 for v in project(d, [0.1, 0.3], 1.0)]
    [0.0, 0.0]
    >>> [round(float(v), 12) + 0.0 for v in project(d, [0.1, -0.3], 1.0)]
    [0.0, -0.3]
    """
    eta = positive_float(eta, "eta")
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (len(derivatives.names),):
        raise InputError(f"theta: give {len(derivatives.names)} coordinates, one per parameter")
    phi = theta.copy()
    for edge in (False, True):
        for _ in range(max_iter):
            c, J = _constraints(derivatives, phi, eta, edge)
            # the nearest point to θ of the linearised constraints c + J(φ' - φ) = 0
            step = theta - phi - J.T @ np.linalg.solve(J @ J.T, c + J @ (theta - phi))
            phi = phi + step
            if np.linalg.norm(step) < tol * (1 + np.linalg.norm(theta)):
                break
        else:
            raise ArithmeticError(f"proj_M did not converge from {theta.tolist()}")
        if edge or derivatives.top(phi)[0] <= 2 / eta * (1 + tol):
            break
    return phi


@dataclass(frozen=True)
class ConstrainedTrajectory:
    """Projected GD on M and the self-stabilization constants along it.

    Attributes
    ----------
    eta : float
    thetas : numpy.ndarray
        θ†_t, one row per step.
    loss, sharpness : numpy.ndarray
        L(θ†_t) and S(θ†_t).
    u, grad_s : numpy.ndarray
        u(θ†_t) and ∇S(θ†_t), one row per step.
    alpha, beta : numpy.ndarray
        -∇L·∇S and ‖∇S‖² at θ†_t.
    corrections : numpy.ndarray
        p_t = θ†_{t+1} - (θ†_t - η∇L(θ†_t)): what the projection changed in each step (one row
        fewer than ``thetas``).

    Examples
    --------
    On L = a² + a²b/2 - b/10 the Hessian at a = 0 is diag(2 + b, 0): S = 2 + b, ∇S = (0, 1),
    so α = -∇L·∇S = 1/10 and β = 1 while θ† climbs b to the edge S = 2/η = 2:

    >>> import numpy as np
    >>> from bifurc.eos.constrained_trajectory import loss_derivatives, constrained_trajectory
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> run = constrained_trajectory(d, [0.05, -0.25], 1.0, 4)
    >>> [np.round(v, 12).tolist() for v in (run.sharpness, run.alpha, run.beta)]
    [[1.75, 1.85, 1.95, 2.0, 2.0], [0.1, 0.1, 0.1, 0.1, 0.1], [1.0, 1.0, 1.0, 1.0, 1.0]]
    """

    eta: float
    thetas: np.ndarray
    loss: np.ndarray
    sharpness: np.ndarray
    u: np.ndarray
    grad_s: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    corrections: np.ndarray


def constrained_trajectory(derivatives: LossDerivatives, theta0: Sequence[float], eta: float,
                           steps: int, projected: bool = True) -> ConstrainedTrajectory:
    """θ†_0 = proj_M(θ_0), θ†_{t+1} = proj_M(θ†_t - η∇L(θ†_t)) for ``steps`` steps.

    Parameters
    ----------
    derivatives
        The loss, from :func:`loss_derivatives`.
    theta0
        GD's start θ_0.
    eta
        The step size.
    steps
        How many PGD steps.
    projected
        False: plain GD from θ†_0 = proj_M(θ_0), never projected again (the wrong trajectory to
        compare with: it leaves M through the edge).

    Returns
    -------
    ConstrainedTrajectory

    Examples
    --------
    On L = a² + a²b/2 - b/10 at η = 1 PGD climbs b by ηα = 1/10 a step until the edge b = 0 stops it:

    >>> from bifurc.eos.constrained_trajectory import loss_derivatives, constrained_trajectory
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> run = constrained_trajectory(d, [0.05, -0.25], 1.0, 4)
    >>> [round(float(b), 12) + 0.0 for b in run.thetas[:, 1]]
    [-0.25, -0.15, -0.05, 0.0, 0.0]
    """
    eta = positive_float(eta, "eta")
    steps = nonnegative_int(steps, "steps")
    theta = project(derivatives, theta0, eta)
    thetas, corrections = [theta], []
    for _ in range(steps):
        target = theta - eta * derivatives.grad(theta)
        theta = project(derivatives, target, eta) if projected else target
        corrections.append(theta - target)
        thetas.append(theta)
    thetas = np.array(thetas)
    tops = [derivatives.top(t) for t in thetas]
    grad_s = np.array([t[2] for t in tops])
    grads = np.array([derivatives.grad(t) for t in thetas])
    return ConstrainedTrajectory(eta, thetas, np.array([derivatives.value(t) for t in thetas]),
                                 np.array([t[0] for t in tops]), np.array([t[1] for t in tops]), grad_s,
                                 -np.einsum("ij,ij->i", grads, grad_s), np.einsum("ij,ij->i", grad_s, grad_s),
                                 np.array(corrections).reshape(steps, thetas.shape[1]))


@dataclass(frozen=True)
class Prediction:
    """The predicted GD run around a constrained trajectory.

    Attributes
    ----------
    x, y : numpy.ndarray
        The predicted displacement along u and sharpness excess ∇S·(θ - θ†).
    thetas : numpy.ndarray
        θ†_t + x_t u_t + (y_t/β_t)∇S_t.
    loss : numpy.ndarray
        L(θ†_t) + x_t²/η.
    sharpness : numpy.ndarray
        S(θ†_t) + y_t (2/η + y_t where θ† is at the edge).

    Examples
    --------
    From θ = (0.2, 0.1) on L = a² + a²b/2 - b/10 at η = 1: θ† = 0, L(θ†) = 0, x = 0.2 then
    -(1 + 0.1)·0.2 = -0.22, so the predicted losses are x² = 0.04 and 0.0484:

    >>> import numpy as np
    >>> from bifurc.eos.constrained_trajectory import (loss_derivatives, constrained_trajectory,
    ...                                                predicted_dynamics)
    >>> run = constrained_trajectory(loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b"), [0.2, 0.1], 1.0, 1)
    >>> np.round(predicted_dynamics(run, [0.2, 0.1]).loss, 12).tolist()
    [0.04, 0.0484]
    """

    x: np.ndarray
    y: np.ndarray
    thetas: np.ndarray
    loss: np.ndarray
    sharpness: np.ndarray


def predicted_dynamics(trajectory: ConstrainedTrajectory, theta0: Sequence[float],
                       edge_map: bool = False) -> Prediction:
    """GD from θ_0 predicted from the constrained trajectory (the module docstring's updates).

    x' = (1 - ηS(θ†) - ηy)x and y' = y - ηβx²/2 - ∇S·p, from x_0 = u·(θ_0 - θ†_0),
    y_0 = ∇S·(θ_0 - θ†_0): on the edge of M this is the self-stabilization map.

    Parameters
    ----------
    trajectory
        From :func:`constrained_trajectory` with the same θ_0.
    theta0
        GD's start.
    edge_map
        True: iterate the self-stabilization map x' = -(1 + ηy)x, y' = y + η(α - βx²/2) with α, β at
        θ†_t instead, what the updates above are while θ† is on the edge (and wrong off it).

    Returns
    -------
    Prediction

    Examples
    --------
    On L = a² + a²b/2 - b/10 at η = 1 (α = 1/10, β = 1) from θ† at the edge, the first step is the map's:
    x' = -(1 + y)x, y' = y + (1/10 - x²/2):

    >>> from bifurc.eos.constrained_trajectory import (loss_derivatives, constrained_trajectory,
    ...                                                predicted_dynamics)
    >>> d = loss_derivatives("a**2 + a**2*b/2 - b/10", "a, b")
    >>> run = constrained_trajectory(d, [0.2, 0.1], 1.0, 1)
    >>> p = predicted_dynamics(run, [0.2, 0.1])
    >>> [round(float(v), 12) for v in (p.x[1], p.y[1])]
    [-0.22, 0.18]
    """
    run = trajectory
    v0 = np.asarray(theta0, dtype=float) - run.thetas[0]
    x, y = [float(run.u[0] @ v0)], [float(run.grad_s[0] @ v0)]
    for t, p in enumerate(run.corrections):
        sharpness = 2 / run.eta if edge_map else run.sharpness[t]
        sharpening = run.eta * run.alpha[t] if edge_map else -float(run.grad_s[t] @ p)
        x.append((1 - run.eta * sharpness - run.eta * y[t]) * x[t])
        y.append(y[t] - run.eta * run.beta[t] * x[t] ** 2 / 2 + sharpening)
    x, y = np.array(x), np.array(y)
    thetas = run.thetas + x[:, None] * run.u + (y / run.beta)[:, None] * run.grad_s
    return Prediction(x, y, thetas, run.loss + x**2 / run.eta, run.sharpness + y)
