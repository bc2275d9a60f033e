"""The empirical neural tangent kernel as the N×N Gram matrix, without forming the Jacobian.

Each block with parameters adds its part Σ_{its entries} ∂f(x_i)/∂w ∂f(x_j)/∂w
(:meth:`~bifurc.nets.layers.Op.gram`): for a dense layer ∂f(x_i)/∂W = a Δ_i z_iᵀ gives
a² (Δ_i·Δ_j)(z_i·z_j) (biases add c_b² Δ_i·Δ_j), cost O(N² · width) and no per-sample
gradients; a convolution forms its per-sample gradients (N × its parameters). The Gram
matrix is K = J Jᵀ/N; its nonzero eigenvalues are those of the P×P kernel
(1/N) Σ ∇f(x_i)∇f(x_i)ᵀ = JᵀJ/N of Song & Yun's reparameterisation.
"""

from __future__ import annotations

import numpy as np

from .network import gram
from .objective import Evaluation

__all__ = ["ntk_gram", "ntk_max"]


def ntk_gram(ev: Evaluation) -> np.ndarray:
    """K_ij = ∇f(x_i) · ∇f(x_j) / N, shape (N, N).

    Examples
    --------
    On one point the NTK is ‖∇f‖² = u² + v² = 5 at (u, v) = (1, 2):

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.ntk_gram(ev)
    array([[5.]])
    """
    return gram(ev.objective.net, ev.theta, ev.trace, ev.sensitivities) / ev.residual.size


def ntk_max(ev: Evaluation) -> float:
    """λmax of the NTK: ‖∇f(x)‖² on one point, else the top eigenvalue of :func:`ntk_gram`.

    Examples
    --------
    On one point the NTK is ‖∇f‖² = u² + v² = 5 at (u, v) = (1, 2):

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> net = nets.MLP(input_dim=1, width=1, depth=2, activation="linear")
    >>> data = nets.Dataset(np.array([[1.0]]), np.array([0.0]), "x = 1, y = 0")
    >>> ev = nets.evaluate(nets.Objective(net, data, losses.squared), np.array([1.0, 2.0]))
    >>> nets.ntk_max(ev)
    5.0
    """
    K = ntk_gram(ev)
    return float(K[0, 0]) if K.shape == (1, 1) else float(np.linalg.eigvalsh(K)[-1])
