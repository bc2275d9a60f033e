"""The empirical neural tangent kernel as the N×N Gram matrix, without forming the Jacobian.

For a dense layer ∂f(x_i)/∂W_l = a_l Δ_{l,i} z_{l,i}ᵀ, so
⟨∇_{W_l} f(x_i), ∇_{W_l} f(x_j)⟩ = a_l² (Δ_{l,i}·Δ_{l,j}) (z_{l,i}·z_{l,j}), and the biases add
c_l² Δ_{l,i}·Δ_{l,j}. The Gram matrix is K = J Jᵀ/N; its nonzero eigenvalues are those of
the P×P kernel (1/N) Σ ∇f(x_i)∇f(x_i)ᵀ = JᵀJ/N of Song & Yun's reparameterisation.
Cost O(N² · width · depth), memory O(N² + N · width).
"""

from __future__ import annotations

import numpy as np

from .objective import Evaluation

__all__ = ["ntk_gram", "ntk_max"]


def ntk_gram(ev: Evaluation) -> np.ndarray:
    """K_ij = ∇f(x_i) · ∇f(x_j) / N, shape (N, N)."""
    net, fw = ev.objective.net, ev.forward
    K = np.zeros((fw.output.size, fw.output.size))
    for L, z, delta in zip(net.layers, fw.inputs, ev.sensitivities):
        dd = delta @ delta.T
        K += L.weight_multiplier**2 * dd * (z @ z.T)
        if L.biases is not None:
            K += L.bias_multiplier**2 * dd
    return K / fw.output.size


def ntk_max(ev: Evaluation) -> float:
    """λmax of the NTK: ‖∇f(x)‖² on one point, else the top eigenvalue of :func:`ntk_gram`."""
    K = ntk_gram(ev)
    return float(K[0, 0]) if K.shape == (1, 1) else float(np.linalg.eigvalsh(K)[-1])
