"""The UV model in scaled variables, its edge of stability and its reduction to the cubic map,
checked against the compiled maps (bifurc.eos.kalra.uv_scaled, uv_edge, uv_cubic_reduction)."""

import numpy as np
import pytest
import sympy as sp

from bifurc.analysis.orbits import orbit
from bifurc.eos import cubic_map, uv_model
from bifurc.eos.kalra import uv_cubic_reduction, uv_edge, uv_scaled

Y = sp.Symbol("Y", real=True)


@pytest.mark.parametrize("parameterization", ["sp", "mup"])
def test_scaled_map_is_the_raw_map_rescaled(parameterization):
    raw = uv_model(parameterization).map
    scaled = uv_scaled().map
    params = {"eta": 0.37, "y": 0.8, "n": 9.0, "x": 1.3}
    values = {sp.Symbol(k, real=True): v for k, v in params.items()}
    c = float(uv_scaled().results[f"scale_{parameterization}"].xreplace(values))  # eta sqrt(kappa)
    state = np.array([0.45, 2.1])
    step = raw(state, params)
    expected = scaled(state * [c, params["eta"]], {"Y": c * params["y"]})
    # a few roundings of O(1) numbers on each side
    assert np.allclose(step * [c, params["eta"]], expected, rtol=1e-14, atol=1e-15)


def test_the_derived_two_cycle_is_a_cycle_of_the_compiled_map_with_its_multipliers():
    edge = uv_edge()
    m = uv_scaled().map
    g, L = m.state_symbols
    for value in (1.05, 1.2):
        a, b = (np.array([float(p[s].subs(Y, value)) for s in (g, L)]) for p in edge.cycle.points)
        params = {"Y": value}
        # each point of O(1) maps onto the other to rounding
        assert np.allclose(m(a, params), b, rtol=0, atol=1e-14)
        assert np.allclose(m(b, params), a, rtol=0, atol=1e-14)
        assert abs((a[1] + b[1]) / 2 - float(edge.mean.subs(Y, value))) < 1e-14
        assert abs(a[1] * b[1] - 4) < 1e-14
        monodromy = m.jacobian_at(b, params) @ m.jacobian_at(a, params)
        derived = sorted(float(e.subs(Y, value)) for e in (edge.in_line, edge.transverse))
        assert np.allclose(np.sort(np.linalg.eigvals(monodromy).real), derived, rtol=0, atol=1e-13)
    assert edge.threshold == 1 and sp.simplify(edge.period_four - (sp.sqrt(5) - 1)) == 0


def test_threshold_separates_convergence_below_the_edge_from_a_sustained_cycle():
    m = uv_scaled().map
    below = orbit(m, (0.05, 0.2), 20_000, params={"Y": 0.9})
    above = orbit(m, (0.05, 0.2), 20_000, params={"Y": 1.1})
    # below: a minimum g = Y with 2Y <= eta lambda < 2 (reachable and stable)
    assert abs(below[-1, 0] - 0.9) < 1e-12 and 1.8 - 1e-12 <= below[-1, 1] < 2
    # above: the derived cycle, eta lambda = 1 + Y -+ sqrt((Y - 1)(Y + 3))
    swing = 2 * np.sqrt(0.1 * 4.1)
    assert abs(abs(above[-1, 1] - above[-2, 1]) - swing) < 1e-12


def test_uv_map_on_the_balanced_line_is_the_cubic_map():
    r = uv_cubic_reduction()
    cubic = cubic_map().map
    a, b, eta = 1.3, 0.7, 0.6
    subs = {sp.Symbol(k, real=True): v for k, v in {"a": a, "b": b, "eta": eta}.items()}
    Y_value = float(r.conjugacy["Y"].xreplace(subs))
    k = float((r.conjugacy["g"] / sp.Symbol("theta", real=True) ** 2).xreplace(subs))
    assert np.isclose(Y_value, 2 * eta * a * b, rtol=1e-15) and np.isclose(k, 2 * eta * a**2, rtol=1e-15)
    theta = orbit(cubic, 0.4, 40, params={"a": a, "b": b, "eta": eta})[:, 0]
    g0 = k * 0.4**2
    uv = orbit(uv_scaled().map, (g0, 2 * g0), 40, params={"Y": Y_value})
    # Y = 1.092: the attracting 2-cycle of both; the orbits agree to rounding at every step
    assert np.allclose(uv[:, 0], k * theta**2, rtol=1e-12, atol=0)
    assert np.allclose(uv[:, 1], 2 * uv[:, 0], rtol=1e-12, atol=0)  # it stays on L = 2g
