"""Full-batch training by GD or exponential Euler, measured in Song & Yun's canonical coordinates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exponential_euler import exponential_euler_step
from .ntk import ntk_max
from .objective import Objective, evaluate
from .sharpness import sharpness

__all__ = ["Trajectory", "train", "METHODS"]

#: The update rules: plain gradient descent and Lowell & Kastner's exponential Euler.
METHODS = ("gd", "exponential_euler")


@dataclass(frozen=True)
class Trajectory:
    """A training run, recorded at every iterate θ_0 … θ_T.

    Attributes
    ----------
    p : ndarray
        Mean residual (1/N) Σ (f(x_i) - y_i), shape (T+1,).
    ntk : ndarray
        λmax of the NTK (1/N) Σ ∇f(x_i)∇f(x_i)ᵀ.
    q : ndarray
        (2/η)/λmax(NTK).
    loss : ndarray
        L(θ_t).
    sharpness_steps : ndarray
        The steps t at which the sharpness was measured (multiples of ``sharpness_every``;
        every step for exponential Euler, which computes it anyway).
    sharpness : ndarray
        λmax(∇²L(θ_t)) at those steps, by Lanczos.
    hvps : ndarray
        Hessian-vector products each of those estimates used.
    eta : float
        The step size.
    method : str
        ``"gd"`` or ``"exponential_euler"``.
    top_k : int
        Eigenpairs used by exponential Euler (0 for GD).
    theta : ndarray
        The parameters at θ_T (after a divergence: the first iterate with a non-finite loss).
    diverged : bool
        Whether the run stopped early at a non-finite loss (the arrays end before it).

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=2, width=3, depth=2, activation="tanh")
    >>> objective = nets.Objective(net, nets.one_point(2), losses.logcosh)
    >>> run = nets.train(objective, net.initial(seed=0), eta=0.1, steps=4, sharpness_every=2)
    >>> run.p.shape, run.sharpness_steps, run.method, run.diverged
    ((5,), array([0, 2, 4]), 'gd', False)
    """

    p: np.ndarray
    ntk: np.ndarray
    q: np.ndarray
    loss: np.ndarray
    sharpness_steps: np.ndarray
    sharpness: np.ndarray
    hvps: np.ndarray
    eta: float
    method: str
    top_k: int
    theta: np.ndarray
    diverged: bool


def train(objective: Objective, theta: np.ndarray, eta: float, steps: int, *, method: str = "gd",
          sharpness_every: int = 0, top_k: int = 1, tol: float = 1e-8) -> Trajectory:
    """Train from ``theta`` for ``steps`` full-batch steps, recording (p, λmax(NTK), q, L) each step.

    Parameters
    ----------
    objective
        The network, data and loss.
    theta
        Initial parameters (copied).
    eta
        Step size η > 0.
    steps
        The number of updates T ≥ 0.
    method
        ``"gd"``: θ ← θ - η∇L. ``"exponential_euler"``: the step of
        :func:`~bifurc.nets.exponential_euler_step` with the top ``top_k`` Hessian eigenpairs.
    sharpness_every
        For GD, measure the sharpness by Lanczos every this many steps (0: never).
    top_k
        Eigenpairs for exponential Euler.
    tol
        Relative accuracy of each Lanczos eigenvalue.

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    Examples
    --------
    One GD step on ½(uv)² (f = uvx, x = 1, y = 0) from (1, 2) with η = 0.1: ∇L = uv(v, u) = (4, 2),
    so θ₁ = (0.6, 1.8), p₁ = 0.6·1.8 = 1.08, and q₀ = (2/η)/(u² + v²) = 4:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> run = nets.train(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]), eta=0.1, steps=1)
    >>> bool(np.allclose(run.theta, [0.6, 1.8])), bool(np.allclose(run.p, [2.0, 1.08]))
    (True, True)
    >>> round(float(run.q[0]), 12)
    4.0
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")
    if steps < 0 or sharpness_every < 0 or top_k < 1:
        raise ValueError(f"steps and sharpness_every must be >= 0 and top_k >= 1, got {steps}, "
                         f"{sharpness_every}, {top_k}")
    euler = method == "exponential_euler"
    theta = np.array(theta, dtype=np.float64)
    p, ntk, loss, at, sharp, hvps = [], [], [], [], [], []
    v0, diverged = None, False
    for t in range(steps + 1):
        ev = evaluate(objective, theta)
        if not np.isfinite(ev.loss):
            diverged = True
            break
        p.append(float(ev.residual.mean()))
        ntk.append(ntk_max(ev))
        loss.append(ev.loss)
        pairs = None
        if euler or (sharpness_every and t % sharpness_every == 0):
            pairs = sharpness(ev, k=top_k if euler else 1, v0=v0, tol=tol)
            v0 = pairs.vectors[:, 0]
            at.append(t)
            sharp.append(pairs.values[0])
            hvps.append(pairs.matvecs)
        if t == steps:
            break
        theta = exponential_euler_step(theta, ev.gradient, pairs, eta) if euler else theta - eta * ev.gradient
    ntk = np.array(ntk)
    return Trajectory(np.array(p), ntk, 2 / (eta * ntk), np.array(loss), np.array(at, dtype=int),
                      np.array(sharp), np.array(hvps, dtype=int), float(eta), method,
                      top_k if euler else 0, theta, diverged)
