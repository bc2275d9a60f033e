"""Lowell & Kastner: the exponential Euler step trains without entering EoS and tracks gradient flow."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from ... import eos
from ...nets import Eigenpairs, exponential_euler_step
from ..convergence import fit_order
from ..registry import Outcome, Settings, check
from .common import numeric

PAPER = "Lowell & Kastner"
_X, _Y = sp.symbols("x y", real=True)

#: The start: x² - y² (conserved by gradient flow) = 15.99, so gradient flow sharpens
#: progressively from about 1 to the sharpness 2 sqrt((x² - y²)² + 4) = 32.2 of the
#: minimum it reaches, above 2/η = 20 at the headline step size: GD there must enter EoS.
_START = np.array([4.0, 0.1])
_ETA = 0.1
#: The flow time compared; gradient flow has converged to 1e-12 by then.
_TIME = 2.0
#: Eigenpairs the step treats exactly: both (k = dim), which makes the step the exponential
#: Rosenbrock-Euler method, second order; with k = 1 the other direction, whose eigenvalue is
#: about -16 at the start (a saddle region), takes an explicit Euler step of the growing mode.
_K = 2
_LADDER = (0.1, 0.05, 0.025, 0.0125)
_FULL_LADDER = (0.1, 0.05, 0.025, 0.0125, 0.00625)


@lru_cache(maxsize=1)
def _derived() -> tuple[Callable, Callable, Callable]:
    """Loss, gradient and Hessian of Zhu's ¼(1 - x²y²)², from the derived loss expression."""
    L = eos.minimalist().results["loss"]
    gradient = sp.Matrix([sp.diff(L, v) for v in (_X, _Y)])
    loss = numeric(L, _X, _Y)
    grad = sp.lambdify((_X, _Y), gradient, modules="numpy")
    hess = sp.lambdify((_X, _Y), sp.hessian(L, (_X, _Y)), modules="numpy")
    return (loss, lambda t: np.asarray(grad(*t), dtype=float).ravel(),
            lambda t: np.asarray(hess(*t), dtype=float))


def _run(eta: float, steps: int, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterates, losses and sharpness (top Hessian eigenvalue) of GD or exponential Euler.

    Exponential Euler uses the top ``_K`` eigenpairs of the exact Hessian.
    """
    loss, grad, hess = _derived()
    theta = _START.copy()
    thetas, sharp = [theta], []
    for _ in range(steps):
        values, vectors = np.linalg.eigh(hess(theta))
        sharp.append(values[-1])
        g = grad(theta)
        if method == "gd":
            theta = theta - eta * g
        else:
            top = Eigenpairs(values[-_K:], vectors[:, -_K:], 0)
            theta = exponential_euler_step(theta, g, top, eta)
        thetas.append(theta)
    thetas = np.array(thetas)
    sharp.append(np.linalg.eigvalsh(hess(theta))[-1])
    return thetas, loss(thetas[:, 0], thetas[:, 1]), np.array(sharp)


@lru_cache(maxsize=1)
def _flow(times: tuple) -> np.ndarray:
    """Gradient flow θ' = -∇L(θ) from the start at ``times`` (solve_ivp, rtol 1e-10, atol 1e-12)."""
    _, grad, _ = _derived()
    sol = solve_ivp(lambda t, th: -grad(th), (0.0, _TIME), _START, method="DOP853", t_eval=np.array(times),
                    rtol=1e-10, atol=1e-12)
    if not sol.success:
        raise AssertionError(f"solve_ivp failed: {sol.message}")
    return sol.y.T


@check("lowell-kastner/exponential-euler", PAPER,
       "where GD oscillates at 2/η, exponential Euler decreases the loss monotonically and tracks "
       "gradient flow")
def exponential_euler(settings: Settings) -> Outcome:
    """GD against exponential Euler on Zhu's minimalist model, both against gradient flow."""
    _, _, hess = _derived()
    steps = int(round(_TIME / _ETA))
    _, gd_loss, gd_sharp = _run(_ETA, 200 * steps, "gd")
    late = gd_sharp[len(gd_sharp) // 2:]
    # EoS: the loss rises at some steps, and the sharpness ends within 5% of 2/eta (from above 1.5x)
    gd_rises = int(np.sum(np.diff(gd_loss) > 0))
    gd_eos = gd_rises > 0 and abs(_ETA * late[-1] / 2 - 1) < 0.05
    ladder = np.array(_FULL_LADDER if settings.full else _LADDER)
    coarse = int(round(_TIME / ladder[0]))
    times = tuple(float(t) for t in np.linspace(0, _TIME, coarse + 1))  # times every ladder step reaches
    flow = _flow(times)
    errors, worst_rise = [], 0.0
    for eta in ladder:
        n = int(round(_TIME / eta))
        thetas, ee_loss, ee_sharp = _run(float(eta), n, "ee")
        errors.append(float(np.abs(thetas[:: n // coarse] - flow).max()))
        worst_rise = max(worst_rise, float(np.diff(ee_loss).max() / ee_loss[0]))
        if eta == _ETA:
            ee_final = float(ee_sharp[-1])
    order, coefficient = fit_order(ladder, np.array(errors))
    gf_final = float(np.linalg.eigvalsh(hess(flow[-1]))[-1])
    # monotone: no rise of the loss beyond rounding (1e-12 of the initial loss); exponential
    # Rosenbrock-Euler with the exact Hessian is second order: order 2, slack 0.3
    passed = gd_eos and worst_rise < 1e-12 and order > 1.7
    details = {
        "model": "Zhu's 1/4 (1 - x^2 y^2)^2, Hessian derived with sympy", "start": _START.tolist(),
        "eta (EoS comparison)": _ETA, "2/eta": 2 / _ETA,
        "GD: steps where the loss rose": gd_rises, "GD: final sharpness": float(late[-1]),
        "GD: max sharpness": float(gd_sharp.max()),
        "EE: largest loss change per step / initial loss (negative = decrease)": worst_rise,
        "EE: final sharpness (eta = 0.1)": ee_final, "GF: final sharpness": gf_final,
        "EE / GF final sharpness relative to 2/eta": (ee_final * _ETA / 2, gf_final * _ETA / 2),
        "ladder": ladder.tolist(), "max |theta_EE - theta_GF| up to t = 2, per eta": errors,
        "order": order, "coefficient": coefficient,
        "finding": ("exponential Euler follows gradient flow to a minimum ABOVE 2/eta (sharpness 1.6 x 2/eta "
                    "here) without oscillating: it avoids EoS by not being bound by 2/eta, not by keeping "
                    "the sharpness below it"),
    }
    return Outcome("order 2", errors[-1], "GD in EoS, EE monotone, order > 1.7", passed, order, details)
