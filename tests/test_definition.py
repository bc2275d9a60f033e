"""A map is defined once by formulas; kernels and Jacobian are derived from them."""

import numpy as np
import pytest
import sympy as sp

import bifurc
from bifurc import Map


def test_formula_map_equals_catalogue_twin_bit_for_bit(logistic, henon):
    twin = Map.from_expressions({"x": "r*x*(1 - x)"}, {"r": 3.9})
    a = bifurc.orbit(twin, 0.2, 5000)
    b = bifurc.orbit(logistic, 0.2, 5000, params={"r": 3.9})
    assert np.array_equal(a, b)  # same expressions -> same code -> same bits
    x, y = sp.symbols("x y")
    a, b = sp.symbols("a b")
    twin2 = Map.from_expressions({"x": 1 - a * x**2 + y, "y": b * x}, {"a": 1.4, "b": 0.3})
    assert np.array_equal(bifurc.orbit(twin2, [0.1, 0.1], 3000), bifurc.orbit(henon, [0.1, 0.1], 3000))


def test_map_attributes(henon):
    assert henon.name == "henon" and henon.dim == 2
    assert henon.state == ("x", "y")
    assert dict(henon.params) == {"a": 1.4, "b": 0.3}


def test_symbolic_jacobian_and_iterate(henon, logistic):
    x, y, a, b = (sp.Symbol(n, real=True) for n in "xyab")
    assert sp.simplify(henon.jacobian - sp.Matrix([[-2 * a * x, 1], [b, 0]])) == sp.zeros(2, 2)
    r = sp.Symbol("r", real=True)
    f2 = logistic.iterate_expressions(2)[0]
    assert sp.expand(f2 - r * (r * x * (1 - x)) * (1 - r * x * (1 - x))) == 0


def _fd_jacobian(m, x, params, h=1e-6):
    cols = []
    for j in range(m.dim):
        e = np.zeros(m.dim)
        e[j] = h
        cols.append((m(x + e, params) - m(x - e, params)) / (2 * h))
    return np.array(cols).T


@pytest.mark.parametrize(
    "name, x, params",
    [
        ("logistic", [0.3], {"r": 3.7}),
        ("henon", [0.4, -0.2], {}),
        ("cubic", [0.7], {}),
        ("tent", [0.3], {}),  # away from the kink at 1/2
        ("tent", [0.8], {}),
        ("lozi", [0.35, 0.1], {}),  # away from the kink at x = 0
        ("lozi", [-0.35, 0.1], {}),
        ("standard", [1.0, 2.0], {}),  # away from the wrap of the torus
        ("ikeda", [0.3, -0.4], {}),
    ],
)
def test_derived_jacobian_matches_finite_differences(name, x, params):
    m = bifurc.maps.get(name)
    x = np.array(x, dtype=float)
    # central differences: truncation O(h^2 |F'''|) ~ 1e-11, rounding ~ eps/h ~ 1e-10
    assert np.allclose(m.jacobian_at(x, params), _fd_jacobian(m, x, params), rtol=1e-7, atol=1e-7)


def test_non_smooth_maps_compile_and_iterate():
    m = Map.from_expressions(
        {"x": "Piecewise((2*x, x < 0.5), (2 - 2*x, True)) + 0*max(x, 0) + 0*abs(x)"}, {}
    )
    assert np.allclose(bifurc.orbit(m, 0.25, 3)[:, 0], [0.25, 0.5, 1.0])
    assert m.jacobian_at(0.25)[0, 0] == 2.0 and m.jacobian_at(0.75)[0, 0] == -2.0


def test_three_dimensional_map_costs_nothing_extra():
    m = Map.from_expressions({"x": "a*x", "y": "b*y", "z": "c*z"}, {"a": 0.5, "b": -2.0, "c": 1.5})
    # exponents of a diagonal linear map are log|a|, log|b|, log|c| exactly
    exps = bifurc.lyapunov(m, [1.0, 1.0, 1.0], 20, transient=0, escape=np.inf)
    assert np.allclose(exps, np.log([2.0, 1.5, 0.5]), rtol=0, atol=1e-14)


@pytest.mark.parametrize(
    "updates, params, match",
    [
        ({"x": "r*x*(1 - x"}, {"r": 1}, "malformed"),
        ({"x": "k*x"}, {"r": 1}, "unknown symbol 'k'"),
        ({"x": "foo(x)"}, {}, "unknown function 'foo'"),
        ({"x": "__import__('os').system('true')"}, {}, "unknown function"),
        ({"x": "x.real"}, {}, "attribute"),
        ({"x": "r*x"}, {"r": float("nan")}, "not finite"),
        ({"x": "x"}, {"x": 1.0}, "both as state variable and parameter"),
        ({"1x": "x"}, {}, "not a valid identifier"),
        ({"x": "[x]"}, {}, "list"),
        ({}, {}, "non-empty"),
    ],
)
def test_bad_definitions_raise_value_error(updates, params, match):
    with pytest.raises(ValueError, match=match):
        Map.from_expressions(updates, params)


def test_bad_arguments_name_the_argument(logistic, henon):
    with pytest.raises(ValueError, match="unknown parameter 's'"):
        bifurc.orbit(logistic, 0.2, 10, params={"s": 1})
    with pytest.raises(ValueError, match="x0 must have 2 entries"):
        bifurc.orbit(henon, 0.2, 10)
    with pytest.raises(ValueError, match="parameter 'r' is not finite"):
        bifurc.orbit(logistic, 0.2, 10, params={"r": float("nan")})
    with pytest.raises(ValueError, match="x0 must be finite"):
        bifurc.orbit(logistic, float("inf"), 10)
    for n in (0, -3, 2.5):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            bifurc.orbit(logistic, 0.2, n)
    with pytest.raises(ValueError, match="values must be a non-empty"):
        bifurc.orbit_diagram(logistic, "r", [], 0.2)
    with pytest.raises(ValueError, match="strictly increasing or strictly decreasing"):
        bifurc.orbit_diagram(logistic, "r", [3.0, 3.2, 3.1], 0.2)
    with pytest.raises(ValueError, match="unknown parameter 'q'"):
        bifurc.orbit_diagram(logistic, "q", [3.0, 3.2], 0.2)
    with pytest.raises(ValueError, match="unknown map"):
        bifurc.maps.get("nope")
