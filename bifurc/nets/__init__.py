"""Real networks in canonical coordinates: small MLPs, CNNs, ResNets in numpy, trained by full-batch GD.

Layers, one way: :mod:`~bifurc.nets.dual`, :mod:`~bifurc.nets.layers` (blocks with exact
forward and reverse passes) -> :mod:`~bifurc.nets.network` (any chain of blocks) ->
:mod:`~bifurc.nets.mlp`, :mod:`~bifurc.nets.cnn`, :mod:`~bifurc.nets.resnet` (the networks)
and :mod:`~bifurc.nets.data` ->
:mod:`~bifurc.nets.objective` (loss, gradient) -> :mod:`~bifurc.nets.hvp`,
:mod:`~bifurc.nets.ntk` -> :mod:`~bifurc.nets.sharpness` (Lanczos) ->
:mod:`~bifurc.nets.exponential_euler`, :mod:`~bifurc.nets.train` ->
:mod:`~bifurc.nets.track` (any run in the (p, q) plane) -> :mod:`~bifurc.nets.song_yun`
(the papers' experiments).

>>> from bifurc import losses, nets
>>> net = nets.MLP(input_dim=4, width=16, depth=2, activation="linear")
>>> objective = nets.Objective(net, nets.one_point(4), losses.logcosh)
>>> run = nets.train(objective, net.initial(seed=0), eta=0.1, steps=5)
>>> run.q.shape
(6,)
"""

from __future__ import annotations

from .cnn import CNN
from .data import Dataset, digits, one_point, synthetic
from .exponential_euler import exponential_euler_step, flow_factor
from .hvp import (
    gauss_newton_operator,
    gauss_newton_vector_product,
    hessian_operator,
    hessian_vector_product,
    jacobian_vector_product,
)
from .mlp import INITS, MLP, outputs
from .network import Network
from .ntk import ntk_gram, ntk_max
from .objective import Evaluation, Objective, evaluate
from .resnet import ResNet
from .sharpness import Eigenpairs, sharpness, top_eigenpairs
from .song_yun import WidthAlignment, width_alignment
from .track import Track, track
from .train import METHODS, Trajectory, train

__all__ = [
    "MLP", "CNN", "ResNet", "Network", "INITS", "outputs", "Dataset", "one_point", "synthetic", "digits",
    "Objective", "Evaluation", "evaluate",
    "jacobian_vector_product", "hessian_vector_product", "gauss_newton_vector_product",
    "hessian_operator", "gauss_newton_operator", "ntk_gram", "ntk_max",
    "Eigenpairs", "top_eigenpairs", "sharpness", "exponential_euler_step", "flow_factor",
    "train", "Trajectory", "METHODS", "track", "Track", "width_alignment", "WidthAlignment",
]
