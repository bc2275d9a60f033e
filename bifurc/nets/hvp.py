"""Exact Hessian-vector products of the objective by Pearlmutter's R-operator.

R{·} = d/dε (·)(θ + εv) at ε = 0. Forward: R{z_0} = 0,
R{u_l} = a_l (R{z_l} W_lᵀ + z_l V_lᵀ) + c_l R{b_l}, R{z_{l+1}} = σ'(u_l) R{u_l}; so
R{f} = Jv. Backward, with δ_l = ∂L/∂u_l = (ℓ'(p_i)/N) Δ_l:
R{δ_{L-1}} = ℓ''(p_i) R{f_i}/N and
R{δ_{l-1}} = (R{δ_l} a_l W_l + δ_l a_l V_l) σ'(u_{l-1}) + (δ_l a_l W_l) σ''(u_{l-1}) R{u_{l-1}};
then (Hv)_{W_l} = a_l (R{δ_l}ᵀ z_l + δ_lᵀ R{z_l}) and (Hv)_{b_l} = c_l Σ_i R{δ_l}.
The Gauss-Newton part G = Jᵀ diag(ℓ''(p_i)/N) J keeps only the ℓ'' term: Gv = Jᵀ(ℓ'' Jv / N).
Each product costs about two gradient evaluations; memory is O(parameters + N·width).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .objective import Evaluation, pullback

__all__ = ["jacobian_vector_product", "hessian_vector_product", "gauss_newton_vector_product",
           "hessian_operator", "gauss_newton_operator"]


def _push(ev: Evaluation, v: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """R{u_l} of the hidden layers, R{z_l} of every layer's input, and R{f} = Jv."""
    net, fw = ev.objective.net, ev.forward
    params, directions = net.unflatten(ev.theta), net.unflatten(v)
    Ru, Rz = [], [np.zeros_like(fw.inputs[0])]
    for l, (L, (W, _), (V, Vb)) in enumerate(zip(net.layers, params, directions)):
        r = L.weight_multiplier * (Rz[l] @ W.T + fw.inputs[l] @ V.T)
        if Vb is not None:
            r = r + L.bias_multiplier * Vb
        if l < net.depth - 1:
            Ru.append(r)
            Rz.append(fw.slopes[l] * r)
    return Ru, Rz, r[:, 0]


def _checked(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    if v.size != ev.theta.size:
        raise ValueError(f"v must have {ev.theta.size} entries, got {v.size}")
    return v


def jacobian_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """Jv = (∇f(x_i) · v)_i, shape (N,)."""
    return _push(ev, _checked(ev, v))[2]


def hessian_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """∇²L(θ) v, exactly (to rounding), for the θ of ``ev``."""
    v = _checked(ev, v)
    obj = ev.objective
    net, fw, n = obj.net, ev.forward, ev.residual.size
    Ru, Rz, Rf = _push(ev, v)
    params, directions = net.unflatten(ev.theta), net.unflatten(v)
    slope = obj.numeric.slope(ev.residual) / n
    delta = slope[:, None] * ev.sensitivities[-1]
    Rdelta = (obj.numeric.curvature(ev.residual) * Rf / n)[:, None]
    out = np.empty_like(ev.theta)
    for l in range(net.depth - 1, -1, -1):
        L, (W, _), (V, _) = net.layers[l], params[l], directions[l]
        a = L.weight_multiplier
        out[L.weights] = a * (Rdelta.T @ fw.inputs[l] + delta.T @ Rz[l]).ravel()
        if L.biases is not None:
            out[L.biases] = L.bias_multiplier * Rdelta.sum(axis=0)
        if l > 0:
            back = a * (delta @ W)
            Rback = a * (Rdelta @ W + delta @ V)
            curvature = net.sigma.curvature(fw.pre[l - 1])
            Rdelta = Rback * fw.slopes[l - 1] + back * curvature * Ru[l - 1]
            delta = back * fw.slopes[l - 1]
    return out


def gauss_newton_vector_product(ev: Evaluation, v: np.ndarray) -> np.ndarray:
    """Gv with G = (1/N) Σ ℓ''(p_i) ∇f(x_i) ∇f(x_i)ᵀ, the Gauss-Newton part of ∇²L."""
    Jv = jacobian_vector_product(ev, v)
    weights = ev.objective.numeric.curvature(ev.residual) * Jv / ev.residual.size
    return pullback(ev.objective.net, ev.theta, ev.forward, ev.sensitivities, weights)


def hessian_operator(ev: Evaluation) -> LinearOperator:
    """∇²L(θ) as a symmetric :class:`~scipy.sparse.linalg.LinearOperator` (for Lanczos)."""
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: hessian_vector_product(ev, v), dtype=np.float64)


def gauss_newton_operator(ev: Evaluation) -> LinearOperator:
    """The Gauss-Newton part G as a symmetric positive semi-definite LinearOperator (ℓ convex)."""
    n = ev.theta.size
    return LinearOperator((n, n), matvec=lambda v: gauss_newton_vector_product(ev, v), dtype=np.float64)
