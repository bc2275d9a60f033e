"""Agarwala, Pedregosa & Pennington's two-parameter second-order regression map against brute-force GD."""

import numpy as np
import pytest
import sympy as sp

import bifurc
from bifurc.eos.second_order_regression import second_order_regression

#: A rotation with rational entries: Q = R diag(q1, q2) Rᵀ is not diagonal in the parameters.
R = np.array([[3 / 5, -4 / 5], [4 / 5, 3 / 5]])


@pytest.mark.parametrize("q1, q2, y, j", [(2, -1, 1.0, (0.3, 0.3)), (1, -2, -1.0, (0.3, -0.2)),
                                          (1, 0.5, 3.0, (0.3, 0.3))])
def test_map_equals_parameter_space_gd(q1, q2, y, j):
    """The reduction is exact: GD on ½(½θᵀQθ + Jᵀθ - y)² with a non-diagonal Q gives the map's
    (z, λ) to rounding over 200 steps, through progressive sharpening past 2/η and back (the
    runs cross ηλ = 2). Rounding of states of size 10 in float64 is 1e-15; 1e-12 is the issue's bound."""
    eta = 0.5
    Q, J = R @ np.diag([q1, q2]) @ R.T, R @ np.array(j)
    theta, zs, lams = np.zeros(2), [], []
    for _ in range(201):
        g = Q @ theta + J
        z = theta @ Q @ theta / 2 + J @ theta - y
        zs.append(z)
        lams.append(g @ g)
        theta = theta - eta * z * g
    orbit = bifurc.orbit(second_order_regression().map, [zs[0], lams[0]], 201,
                         params={"eta": eta, "y": y, "q1": q1, "q2": q2, "j1": j[0], "j2": j[1]})
    assert np.abs(orbit - np.column_stack([zs, lams])).max() < 1e-12
    assert eta * min(lams) < 0.1 and eta * max(lams) > 2  # from a flat start past the edge


def test_minima_are_stable_below_the_edge():
    lam, eta = sp.Symbol("lam", real=True), sp.Symbol("eta", real=True)
    values = set(second_order_regression().results["multipliers on the minima"])
    assert values == {1 - eta * lam, sp.Integer(1)}


def test_the_linear_model_keeps_its_kernel():
    """With Q = 0 (the constant-NTK regime) λ' = λ identically: no progressive sharpening."""
    lam = sp.Symbol("lam", real=True)
    q1, q2 = (sp.Symbol(s, real=True) for s in ("q1", "q2"))
    lam_next = second_order_regression().map.updates[1]
    assert sp.expand(lam_next.subs({q1: 0, q2: 0}) - lam) == 0
