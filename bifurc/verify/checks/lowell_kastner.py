"""Lowell & Kastner: the exponential Euler step trains without entering EoS and tracks gradient flow.

The paper's step treats only the top-k Hessian eigenpairs exactly and takes a GD step on the
rest. Its error against gradient flow follows from its local error: gradient flow over one
step is θ - ηg + ½η²Hg + O(η³), the step is θ - ηg + ½η²HPg + O(η³) (P the projector on the
top-k eigenvectors), so the local error is -½η²H(I - P)g and the global error is ηe₁(t) + O(η²)
with e₁' = -H e₁ - ½H(I - P)g, e₁(0) = 0 along the flow. With k = dim, P = I and e₁ = 0: the
step is the exponential Rosenbrock-Euler method, second order. With k < dim the first-order
term is there, and the check asserts it is this derived one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from ... import eos
from ...nets import Eigenpairs, exponential_euler_step
from ..convergence import fit_order
from ..registry import Outcome, Settings, check, control, resolution
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
#: Times at which the runs are compared with the flow (every rung of the ladders reaches them).
_SAMPLES = 20
#: Eigenpairs the step treats exactly: k = 1 < dim = 2 (the paper's top-k: the other direction,
#: whose eigenvalue is about -16 at the start, takes a GD step), and k = dim = 2.
_KS = (1, 2)
#: Step sizes of the order fits. Above eta = 0.02 the k = 1 error is not yet asymptotic (local
#: order 0.7 between 0.1 and 0.05), and the O(eta) term must stand out of the O(eta^2) rest for
#: the fit to pin it (resolution): at eta = 0.0025 it is 8x the rest.
_LADDER = (0.02, 0.01, 0.005, 0.0025)
_FULL_LADDER = (0.02, 0.01, 0.005, 0.0025, 0.00125)
#: A loss rise larger than this fraction of the initial loss is a rise: rounding of a loss
#: of order 1 in float64 stays far below it.
_RISE = 1e-12


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


def _top_projector(H: np.ndarray, k: int) -> np.ndarray:
    """The orthogonal projector on the eigenvectors of the k largest eigenvalues of H."""
    V = np.linalg.eigh(H)[1][:, H.shape[0] - k:]
    return V @ V.T


@lru_cache(maxsize=64)
def _run(eta: float, steps: int, method: str, k: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterates, losses and sharpness (top Hessian eigenvalue) of GD or exponential Euler.

    Exponential Euler (``method="ee"``) uses the top ``k`` eigenpairs of the exact Hessian.
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
            theta = exponential_euler_step(theta, g, Eigenpairs(values[-k:], vectors[:, -k:], 0), eta)
        thetas.append(theta)
    thetas = np.array(thetas)
    sharp.append(np.linalg.eigvalsh(hess(theta))[-1])
    return thetas, loss(thetas[:, 0], thetas[:, 1]), np.array(sharp)


@lru_cache(maxsize=4)
def _flow(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Gradient flow θ' = -∇L(θ) and the first-order error e₁ of top-k exponential Euler.

    e₁' = -H e₁ - ½H(I - P_k)g along the flow (module docstring), at the _SAMPLES + 1 compared
    times; solve_ivp (DOP853, rtol 1e-11, atol 1e-13).
    """
    _, grad, hess = _derived()

    def rhs(_t: float, z: np.ndarray) -> np.ndarray:
        theta, e = z[:2], z[2:]
        g, H = grad(theta), hess(theta)
        return np.concatenate([-g, -H @ e - 0.5 * H @ (g - _top_projector(H, k) @ g)])

    sol = solve_ivp(rhs, (0.0, _TIME), np.concatenate([_START, [0.0, 0.0]]), method="DOP853",
                    t_eval=np.linspace(0.0, _TIME, _SAMPLES + 1), rtol=1e-11, atol=1e-13)
    if not sol.success:
        raise AssertionError(f"solve_ivp failed: {sol.message}")
    return sol.y.T[:, :2], sol.y.T[:, 2:]


def _distances(settings: Settings, method: str, k: int, first_order: float) -> dict:
    """Over the ladder: max |θ - θ_GF - first_order · η e₁| at the compared times, and the order fit."""
    flow, e1 = _flow(k)
    ladder = np.array(_FULL_LADDER if settings.full else _LADDER)
    errors = []
    for eta in ladder:
        n = int(round(_TIME / eta))
        thetas = _run(float(eta), n, method, k)[0][:: n // _SAMPLES]
        errors.append(float(np.abs(thetas - flow - first_order * eta * e1).max()))
    return {"ladder": ladder.tolist(), "errors": errors, "fit": fit_order(ladder, np.array(errors))}


def _judge(settings: Settings, method: str = "ee", first_order: float = 1.0) -> Outcome:
    """The check's test: GD in EoS at eta = 0.1; ``method`` monotone there for every k and
    within O(η²) of gradient flow plus ``first_order`` times the derived first-order term."""
    _, _, hess = _derived()
    steps = int(round(_TIME / _ETA))
    _, gd_loss, gd_sharp = _run(_ETA, 200 * steps, "gd")
    late = gd_sharp[len(gd_sharp) // 2:]
    # EoS: the loss rises at some steps, and the sharpness ends within 5% of 2/eta (from above 1.5x)
    gd_rises = int(np.sum(np.diff(gd_loss) > 0))
    gd_eos = gd_rises > 0 and abs(_ETA * late[-1] / 2 - 1) < 0.05
    gf_final = float(np.linalg.eigvalsh(hess(_flow(2)[0][-1]))[-1])
    passed = gd_eos
    details = {
        "model": "Zhu's 1/4 (1 - x^2 y^2)^2, Hessian derived with sympy", "start": _START.tolist(),
        "eta (EoS comparison)": _ETA, "2/eta": 2 / _ETA, "method": method,
        "GD: steps where the loss rose": gd_rises, "GD: final sharpness": float(late[-1]),
        "GD: max sharpness": float(gd_sharp.max()),
        "GF: final sharpness": gf_final,
    }
    for k in _KS:
        _, loss, sharp = _run(_ETA, steps, method, k)
        rise = float(np.diff(loss).max() / loss[0])
        measured = _distances(settings, method, k, first_order)
        fit = measured["fit"]
        # monotone at eta = 0.1: no rise beyond rounding; the distance to the flow minus the
        # derived first-order term is O(eta^2) (the next term of the expansion): slack 0.3; the
        # sharpness follows the flow's past 2/eta, to within 1% (its O(eta) distance to the
        # flow: measured 1e-3 for k = 1, 2e-5 for k = 2)
        follows = abs(sharp[-1] / gf_final - 1) < 0.01 and sharp[-1] > 2 / _ETA
        passed = passed and rise < _RISE and fit.at_least(2.0) and follows
        details[f"k={k}"] = {
            "largest loss change per step / initial loss at eta = 0.1 (negative = decrease)": rise,
            "final sharpness at eta = 0.1": float(sharp[-1]),
            "final sharpness / (2/eta)": float(sharp[-1] * _ETA / 2),
            "final sharpness / GF's - 1": float(sharp[-1] / gf_final - 1),
            "max |e1| (derived first-order error coefficient)": float(np.abs(_flow(k)[1]).max()),
            "ladder": measured["ladder"],
            "max |theta - theta_GF - eta e1| per eta": measured["errors"], **fit.as_dict(),
        }
    headline = details[f"k={_KS[0]}"]
    return Outcome("order 2 after the derived O(η) term",
                   headline["max |theta - theta_GF - eta e1| per eta"][-1],
                   "GD in EoS; EE monotone; order ≥ 1.7, local orders consistent", passed, headline["order"],
                   details)


@check("lowell-kastner/exponential-euler", PAPER,
       "where GD oscillates at 2/η, top-k exponential Euler (k < dim and k = dim) decreases the loss "
       "monotonically and tracks gradient flow with the derived O(η) error (none for k = dim)")
def exponential_euler(settings: Settings) -> Outcome:
    """GD against exponential Euler (top-1 and top-2) on Zhu's minimalist model, against gradient flow."""
    return _judge(settings)


@control("lowell-kastner/exponential-euler", "plain GD in place of exponential Euler")
def _plain_gd(settings: Settings) -> Outcome:
    """GD oscillates at 2/eta at the headline step size (its loss rises) and has its own O(eta) error."""
    return _judge(settings, method="gd")


@control("lowell-kastner/exponential-euler",
         "top-k (k < dim) tracks gradient flow to O(η²) without the O(η) term")
def _wrong_order(settings: Settings) -> Outcome:
    """The order of the full eigendecomposition claimed for top-k: the bare distance to the flow."""
    return _judge(settings, first_order=0.0)


@resolution("lowell-kastner/exponential-euler", "the first-order error coefficient e1")
def _scaled_first_order(settings: Settings, relative: float) -> Outcome:
    """The derived first-order term scaled by 1 + relative (runs cached: only the judging repeats)."""
    return _judge(settings, first_order=1.0 + relative)
