"""Bring your own JAX model: :mod:`bifurc.torch`'s quantities for a pure function f(params, x).

Needs the ``jax`` extra; ``import bifurc`` never imports jax. Importing this package turns on
``jax_enable_x64`` (bifurc computes in float64). Layers, one way: :mod:`~bifurc.jax.losses`
-> :mod:`~bifurc.jax.problem` (L(θ) of the flattened params, its products jitted) ->
:mod:`bifurc.backends` (operators, quantities, recorder, shared with torch) ->
:mod:`~bifurc.jax.quantities`.

>>> import jax.numpy as jnp
>>> from bifurc import jax as bj
>>> f = lambda w, x: x @ w
>>> round(bj.sharpness(f, jnp.zeros(3), "mse", (jnp.eye(3), jnp.zeros(3))), 12)  # H = xᵀx/N = I/3
0.333333333333
"""

from __future__ import annotations

from bifurc.backends.lookup import BACKENDS

try:
    import jax  # noqa: F401
except ModuleNotFoundError as error:  # the one line that says what to install
    raise ModuleNotFoundError(f"bifurc.jax needs jax: {BACKENDS['jax'][1]}", name=error.name) from None

from bifurc.backends.curvature import GaussNewtonSplit, SharpnessGradient
from bifurc.backends.operators import (
    gauss_newton_operator,
    hessian_operator,
    ntk_operator,
    preconditioned_operator,
    rest_operator,
)
from bifurc.backends.recording import Recording
from bifurc.jax.problem import Problem, problem
from bifurc.jax.quantities import (
    Recorder,
    canonical,
    gauss_newton_split,
    hessian_eigenpairs,
    ntk_eigenpairs,
    ntk_top,
    preconditioned_sharpness,
    sharpness,
    sharpness_gradient,
)

__all__ = [
    "sharpness", "hessian_eigenpairs", "ntk_top", "ntk_eigenpairs", "canonical", "gauss_newton_split",
    "GaussNewtonSplit", "preconditioned_sharpness", "sharpness_gradient", "SharpnessGradient", "Recorder",
    "Recording", "problem", "Problem", "hessian_operator", "gauss_newton_operator", "rest_operator",
    "preconditioned_operator", "ntk_operator",
]
