"""Each derived map agrees with brute-force numpy GD in the original parameters (MATH.md §4-6).

The brute force is written here independently of the derivation (gradients by hand,
ℓ' with numpy). Tolerance 1e-12: both sides round at ~1e-16 per operation; in these
non-chaotic regimes (convergent or on a stable period-2 orbit) errors do not grow
exponentially, so 200 steps accumulate at most ~1e-13.
"""

import numpy as np
import pytest

from bifurc import losses
from bifurc.analysis.orbits import orbit
from bifurc.eos import canonical_coordinates, minimalist, single_neuron, two_layer_linear, uv_model

SLOPES = {"logcosh": np.tanh, "pseudo_huber": lambda p: p / np.sqrt(1 + p * p)}


@pytest.mark.parametrize("loss_name", ["logcosh", "pseudo_huber"])
@pytest.mark.parametrize("m, d", [(1, 1), (8, 5)])
def test_two_layer_linear_matches_gd(loss_name, m, d):
    rng = np.random.default_rng(10 * m + d)
    U, v = rng.normal(size=(m, d)), rng.normal(size=m)
    x = rng.normal(size=d)
    x /= np.linalg.norm(x)
    y, q0, eta = 1.0, 0.8, 0.1  # small eta, q0 < 1: the EoS regime of Theorem 4.2, not chaos
    scale = np.sqrt(2 / (eta * q0) / (np.sum((U @ x) ** 2) + v @ v))
    U, v = scale * U, scale * v
    slope = SLOPES[loss_name]
    ps, qs = [], []
    for _ in range(200):
        p = v @ U @ x - y
        ps.append(p)
        qs.append(2 / (eta * (np.sum((U @ x) ** 2) + v @ v)))
        g = slope(p)
        U, v = U - eta * g * np.outer(v, x), v - eta * g * (U @ x)
    model = two_layer_linear(getattr(losses, loss_name))
    path = orbit(model.map, [ps[0], qs[0]], 200, params={"eta": eta, "y": y})
    assert np.max(np.abs(path[:, 0] - ps)) < 1e-12
    assert np.max(np.abs(path[:, 1] / qs - 1)) < 1e-12


@pytest.mark.parametrize("parameterization", ["sp", "mup"])
def test_uv_model_matches_gd(parameterization):
    rng = np.random.default_rng(7)
    n, xin, y = 8, 1.3, 1.0
    u, v = rng.normal(size=n), rng.normal(size=n)
    c, mult = (xin / np.sqrt(n), 1.0) if parameterization == "sp" else (xin / n, float(n))
    lam0 = mult * c**2 * (u @ u + v @ v)
    eta = 1.2 / lam0  # below the stability edge eta*lam = 2 of the zero-loss line
    fs, lams = [], []
    for _ in range(200):
        f = c * v @ u
        fs.append(f)
        lams.append(mult * c**2 * (u @ u + v @ v))
        delta = f - y
        u, v = u - eta * mult * delta * c * v, v - eta * mult * delta * c * u
    model = uv_model(parameterization)
    path = orbit(model.map, [fs[0], lams[0]], 200, params={"eta": eta, "y": y, "n": n, "x": xin})
    assert np.max(np.abs(path[:, 0] - fs)) < 1e-12
    assert np.max(np.abs(path[:, 1] / lams - 1)) < 1e-12


def test_minimalist_matches_four_variable_gd():
    rng = np.random.default_rng(3)
    eta = 0.05
    # starts in Zhu's region with sharpness 2(x^2 + y^2) up to 2.6/eta, where the multiplier
    # 1 - eta*lambda of the unstable direction stays near -1 (larger starts amplify rounding ~3x a step)
    for _ in range(3):
        s, k = rng.uniform(1.02, 1.3) / eta, rng.uniform(0.9, 1.1)
        x = np.sqrt((s + np.sqrt(s * s - 4 * k * k)) / 2)
        y = k / x
        th = np.array([x, y, x, y])
        path4 = []
        for _ in range(200):
            path4.append(th.copy())
            a, b, c, d = th
            e = 1 - a * b * c * d
            th = th + eta * e * np.array([b * c * d, a * c * d, a * b * d, a * b * c])
        path4 = np.array(path4)
        assert np.max(np.abs(path4[:, 0] - path4[:, 2]) / np.abs(path4[:, 0])) < 1e-13  # coupling kept
        path = orbit(minimalist().map, [x, y], 200, params={"eta": eta})
        assert np.max(np.abs(path / path4[:, :2] - 1)) < 1e-12


@pytest.mark.parametrize("activation", ["tanh", "elu"])
def test_single_neuron_matches_gd(activation):
    sigma = {"tanh": np.tanh, "elu": lambda z: z if z > 0 else np.expm1(z)}[activation]
    dsigma = {"tanh": lambda z: 1 - np.tanh(z) ** 2, "elu": lambda z: 1.0 if z > 0 else np.exp(z)}[activation]
    eta, xin, y = 0.3, 1.0, 0.0
    u, v = 0.9, 2.5
    path_bf = []
    for _ in range(200):
        path_bf.append((u, v))
        p = v * sigma(u * xin) - y
        g = np.tanh(p)
        u, v = u - eta * g * v * dsigma(u * xin) * xin, v - eta * g * sigma(u * xin)
    model = single_neuron(losses.logcosh, activation)
    path = orbit(model.map, [0.9, 2.5], 200, params={"eta": eta, "x": xin, "y": y})
    assert np.max(np.abs(path - np.array(path_bf))) < 1e-12


def test_single_linear_neuron_in_canonical_coordinates_is_the_two_layer_map():
    # f = v u x with x = 1 is the two-layer linear net of width 1 (Song & Yun's toy log cosh(uv)
    # at y = 0): its (p, q) along the (u, v) orbit must follow the derived (p, q) map
    eta, y = 0.1, 0.0
    model = single_neuron(losses.logcosh, "linear")
    uv = orbit(model.map, [4.0, 1.1], 200, params={"eta": eta, "y": y})
    p, q = canonical_coordinates(model, uv, {"eta": eta, "y": y})
    path = orbit(two_layer_linear(losses.logcosh).map, [p[0], q[0]], 200, params={"eta": eta, "y": y})
    assert np.max(np.abs(path[:, 0] - p)) < 1e-12 and np.max(np.abs(path[:, 1] / q - 1)) < 1e-12
