"""Lowell & Kastner's layerwise Jacobian alignment, and the power-law fit of its growth.

For one input x the network is f = J_{L-1} ∘ … ∘ J_0 to first order, with the layerwise
Jacobians J_l = ∂z_{l+1}/∂z_l = diag(σ'(u_l)) a_l W_l of the hidden layers and
J_{L-1} = a_{L-1} W_{L-1} (a row) of the output layer. The back-propagated row
Δ_l = ∂f/∂z_l = Δ_{l+1} J_l satisfies ‖Δ_l‖ ≤ ‖Δ_{l+1}‖ ‖J_l‖₂, and the paper's alignment ratio
of layer l is the fraction of that bound attained,

    r_l(x) = ‖Δ_{l+1} J_l‖ / (‖Δ_{l+1}‖ ‖J_l‖₂) ∈ [0, 1]

(1 when Δ_{l+1} lies along the top left singular vector of J_l: a change of the layer's input
along a narrow subspace moves the output as much as the layer's norms allow). The ratios
telescope (Δ_L = 1): Π_l r_l(x) = ‖∂f/∂x‖ / Π_l ‖J_l‖₂, the whole network's alignment, which for
any product of matrices is ‖M_{L-1} ⋯ M_0‖ / Π ‖M_l‖ (:func:`product_alignment`). The
output layer's ratio is 1 by definition and is not reported. Over a data set a ratio is
averaged over the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.arguments import paired
from ..analysis.fits import log_log_fit
from ..errors import InputError
from .mlp import forward
from .objective import Evaluation

__all__ = ["LayerAlignment", "layer_alignment", "product_alignment", "PowerLaw", "fit_power_law"]


@dataclass(frozen=True)
class LayerAlignment:
    """Alignment ratios of the hidden layers at one θ.

    Attributes
    ----------
    ratios : ndarray
        r_l(x_i), shape (N, L-1): rows are inputs, columns the hidden layers l = 0 … L-2.
    network : ndarray
        Π_l r_l(x_i) = ‖∂f/∂x_i‖ / Π_l ‖J_l(x_i)‖₂, shape (N,).
    norms : ndarray
        ‖J_l(x_i)‖₂ of every layer including the output row, shape (N, L).
    """

    ratios: np.ndarray
    network: np.ndarray
    norms: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """The data-set average of each hidden layer's ratio, shape (L-1,)."""
        return self.ratios.mean(axis=0)

    @property
    def network_mean(self) -> float:
        """The data-set average of the network's alignment Π_l r_l."""
        return float(self.network.mean())


def layer_alignment(ev: Evaluation) -> LayerAlignment:
    """The alignment ratio of every hidden layer on every training input, at the θ of ``ev``.

    Costs one batched singular-value computation per hidden layer: O(N · width² · min(width, d))
    per layer; meant for snapshots, not every step of a wide network.
    """
    net = ev.objective.net
    fw = forward(net, ev.theta, ev.objective.data.X)
    params = net.unflatten(ev.theta)
    last = net.layers[-1]
    out_row = last.weight_multiplier * params[-1][0][0]
    # Δ_{l} = ∂f/∂z_l for l = L-1 (the output layer's input) down to 0, one row per input
    deltas = [np.broadcast_to(out_row, (fw.output.size, out_row.size))]
    norms = [np.full(fw.output.size, np.linalg.norm(out_row))]
    ratios = []
    for l in range(net.depth - 2, -1, -1):
        L, W = net.layers[l], params[l][0]
        jac = fw.slopes[l][:, :, None] * (L.weight_multiplier * W)[None, :, :]  # (N, fan_out, fan_in)
        spectral = np.linalg.svd(jac, compute_uv=False)[:, 0]
        below = np.einsum("ni,nij->nj", deltas[0], jac)
        above = np.linalg.norm(deltas[0], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios.insert(0, np.linalg.norm(below, axis=1) / (above * spectral))
        deltas.insert(0, below)
        norms.insert(0, spectral)
    ratios = np.column_stack(ratios)
    return LayerAlignment(ratios, ratios.prod(axis=1), np.column_stack(norms))


def product_alignment(matrices: list[np.ndarray]) -> float:
    """‖M_{k-1} ⋯ M_0‖₂ / Π ‖M_l‖₂ for matrices applied M_0 first: 1 for an aligned rank-one chain.

    Raises
    ------
    InputError
        If ``matrices`` is empty or the shapes do not chain.
    """
    if not matrices:
        raise InputError("matrices must hold at least one matrix")
    product = np.atleast_2d(np.asarray(matrices[0], dtype=np.float64))
    bound = np.linalg.norm(product, 2)
    for i, m in enumerate(matrices[1:], 1):
        m = np.atleast_2d(np.asarray(m, dtype=np.float64))
        if m.shape[1] != product.shape[0]:
            raise InputError(
                f"matrices[{i}] has {m.shape[1]} columns, the product so far {product.shape[0]} rows"
            )
        product = m @ product
        bound *= np.linalg.norm(m, 2)
    return float(np.linalg.norm(product, 2) / bound)


@dataclass(frozen=True)
class PowerLaw:
    """y ≈ c x^k fitted by least squares on log y = log c + k log x.

    Attributes
    ----------
    coefficient, exponent : float
        c and k.
    r_squared : float
        The coefficient of determination of the fit in log-log coordinates.
    """

    coefficient: float
    exponent: float
    r_squared: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """c x^k."""
        return self.coefficient * np.asarray(x, dtype=np.float64) ** self.exponent


def fit_power_law(x: object, y: object) -> PowerLaw:
    """Fit y = c x^k (Lowell & Kastner's max P ≈ c₁ D^c₂) with R² in log-log coordinates.

    Raises
    ------
    InputError
        If x and y differ in length, hold fewer than three points, or are not positive.
    """
    x, y = paired(x, y, "x and y", 3)
    if not (np.all(x > 0) and np.all(y > 0)):
        raise InputError("x and y must be positive for a power-law fit")
    k, c, r2 = log_log_fit(x, y)
    return PowerLaw(c, k, r2)
