"""The papers' models of gradient descent at the edge of stability, derived with sympy.

Each model function returns a :class:`ReducedModel`: the reduced map as a
:class:`~bifurc.Map` (built from the derived expressions), the derivation, and named side
results. :mod:`bifurc.eos.symbolic` analyses them (fixed points, multipliers, period-2
orbits, stability); :mod:`bifurc.eos.alignment` derives Song & Yun's alignment curve;
:func:`reduce` derives the reduced map of a model of your own (:mod:`bifurc.eos.reduction`).
"""

from __future__ import annotations

from .alignment import Alignment, alignment
from .constrained_trajectory import (
    ConstrainedTrajectory,
    LossDerivatives,
    Prediction,
    constrained_trajectory,
    loss_derivatives,
    predicted_dynamics,
    project,
)
from .kalra import (
    CubicReduction,
    UVEdge,
    balanced_lines,
    cubic_map,
    uv_cubic_reduction,
    uv_edge,
    uv_fixed_point_labels,
    uv_model,
    uv_scaled,
)
from .model import ReducedModel
from .neuron_alignment import neuron_first_order
from .numeric_solutions import NumericSolutions, numeric_fixed_points, numeric_period_two
from .reduction import NotClosed, gram, ntk, reduce, residual, sharpness, sharpness_at_minimum
from .report import derive, to_json, to_latex
from .second_order_regression import second_order_regression
from .self_stabilization import ReferencePoint, reference_point, self_stabilization
from .song_yun import canonical_coordinates, canonical_map, single_neuron, two_layer_linear
from .symbolic import eigenvalues, fixed_points, period_two, stability
from .target import alignment_correction
from .two_step_updates import (
    LineDerivatives,
    ManifoldInstance,
    line_derivatives,
    manifold_instance,
    two_step_updates,
)
from .zhu import degree2, minimalist, two_step
from .zhu_limit import EndPoint, end_point

__all__ = [
    "ReducedModel", "canonical_map", "canonical_coordinates", "two_layer_linear", "single_neuron",
    "minimalist", "degree2", "two_step", "uv_model", "cubic_map", "alignment", "Alignment",
    "alignment_correction", "end_point", "EndPoint",
    "fixed_points", "eigenvalues", "period_two", "stability", "derive", "to_json", "to_latex",
    "uv_fixed_point_labels", "balanced_lines", "NumericSolutions", "numeric_fixed_points",
    "numeric_period_two", "reduce", "NotClosed", "ntk", "residual", "sharpness", "sharpness_at_minimum",
    "gram", "uv_scaled", "uv_edge", "UVEdge", "uv_cubic_reduction", "CubicReduction", "neuron_first_order",
    "self_stabilization", "reference_point", "ReferencePoint", "second_order_regression",
    "two_step_updates", "line_derivatives", "LineDerivatives", "manifold_instance", "ManifoldInstance",
    "loss_derivatives", "LossDerivatives", "project", "constrained_trajectory", "ConstrainedTrajectory",
    "predicted_dynamics", "Prediction",
]
