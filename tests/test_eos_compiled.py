"""The compiled kernels of every derived map reproduce sympy's own evaluation, and each compiled
Jacobian is the derivative of the compiled map (central differences)."""

import numpy as np
import pytest
import sympy as sp

from bifurc import losses
from bifurc.eos import (
    canonical_map,
    cubic_map,
    degree2,
    minimalist,
    single_neuron,
    two_layer_linear,
    uv_model,
)
from bifurc.eos.kalra import uv_scaled

MODELS = {
    "canonical": (lambda: canonical_map(losses.logcosh), [0.7], {"q": 0.8}),
    "two_layer": (lambda: two_layer_linear(losses.logcosh), [0.4, 0.8], {"eta": 0.1, "y": 1.0}),
    "two_layer_huber": (lambda: two_layer_linear(losses.pseudo_huber), [0.4, 0.8], {"eta": 0.1, "y": 1.0}),
    "single_neuron_tanh": (lambda: single_neuron(losses.logcosh, "tanh"), [0.9, 2.5], {"eta": 0.3}),
    "single_neuron_elu": (lambda: single_neuron(losses.logcosh, "elu"), [-0.4, 2.5], {"eta": 0.3}),
    "uv_sp": (lambda: uv_model("sp"), [0.3, 1.7], {"eta": 0.2, "n": 8.0}),
    "uv_mup": (lambda: uv_model("mup"), [0.3, 1.7], {"eta": 0.2, "n": 8.0}),
    "minimalist": (lambda: minimalist(), [4.5, 0.23], {"eta": 0.05}),
    "degree2": (lambda: degree2(), [4.5, 0.23], {"eta": 0.05}),
    "cubic": (lambda: cubic_map(), [0.8], {"eta": 0.3}),
    "uv_scaled": (lambda: uv_scaled(), [0.6, 1.3], {"Y": 1.2}),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_kernel_matches_sympy(name):
    build, state, overrides = MODELS[name]
    m = build().map
    params = {**m.params, **overrides}
    subs = {s: sp.Float(v, 30) for s, v in zip(m.state_symbols, state)}
    subs.update({s: sp.Float(params[s.name], 30) for s in m.param_symbols})
    exact = np.array([float(u.xreplace(subs).evalf(30)) for u in m.updates])
    # 30-digit reference; the float64 kernel rounds each of O(10) operations at 1.1e-16, and these
    # points avoid cancellation, so the relative error stays below 1e-14
    assert np.allclose(m(state, overrides), exact, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", list(MODELS))
def test_jacobian_matches_finite_differences(name):
    build, state, overrides = MODELS[name]
    m = build().map
    x = np.array(state, dtype=float)
    columns = []
    for h, e in zip(3e-4 * np.maximum(1.0, np.abs(x)), np.diag(3e-4 * np.maximum(1.0, np.abs(x)))):
        f = {k: m(x + k * e, overrides) for k in (-2, -1, 1, 2)}
        columns.append((f[-2] - 8 * f[-1] + 8 * f[1] - f[2]) / (12 * h))  # fourth-order central
    measured = np.array(columns).T
    compiled = m.jacobian_at(x, overrides)
    # the stencil errs by h^4 |F^(5)| / 30 (h = 3e-4: 3e-16 |F^(5)|) plus rounding 1.5 eps |F| / h
    # (5e-13 |F|, |F| < 4 at these points): 2e-12 at most (measured 2e-13 to 2e-12), 2e-11 allowed
    assert np.abs(compiled - measured).max() < 2e-11
    # and a Jacobian with one entry off by 1e-10 is told apart
    tampered = compiled.copy()
    tampered[0, -1] += 1e-10
    assert np.abs(tampered - measured).max() > 2e-11
