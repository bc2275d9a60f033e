"""Properties that hold for every parameter and start (hypothesis draws them)."""

import math
import warnings

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import bifurc
from bifurc import eos, losses
from bifurc.definition.formulas import FUNCTIONS, parse_formula

SETTINGS = settings(max_examples=25, deadline=None)
unit = st.floats(0.05, 0.95)


@SETTINGS
@given(a=st.floats(0.3, 1.1), b=st.floats(-0.3, 0.3).filter(lambda b: abs(b) > 0.01), x=unit, y=unit)
def test_exponents_sum_to_the_mean_log_det(a, b, x, y):
    # Henon: det J = -b everywhere, so the exponents sum to ln|b| whatever the orbit does;
    # rounding of n = 2000 logarithms bounds the difference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bifurc.EscapeWarning)
        exps = bifurc.lyapunov(bifurc.maps.henon, [x - 0.5, y - 0.5], 2000, transient=100,
                               params={"a": a, "b": b})
    assert np.isnan(exps).all() or abs(exps.sum() - math.log(abs(b))) < 1e-12  # NaN: escaped


@SETTINGS
@given(r=st.floats(2.5, 4.0), x0=unit)
def test_1d_sweep_equals_benettin_and_orbits_repeat(r, x0):
    m = bifurc.maps.logistic
    single = bifurc.lyapunov(m, x0, 3000, transient=50, params={"r": r})
    sweep = bifurc.lyapunov_sweep(m, "r", [r], x0, n=3000, transient=50)
    # two kernels (lanes with batched logs, Benettin in scalars) summing the same logs
    assert np.allclose(sweep.largest, single, rtol=0, atol=1e-12, equal_nan=True)
    first, again = (bifurc.orbit(m, x0, 500, params={"r": r}) for _ in range(2))
    assert np.array_equal(first, again)


@SETTINGS
@given(a=st.floats(0.5, 1.4), b=st.floats(-0.3, 0.3), x=st.floats(-1, 1), y=st.floats(-0.3, 0.3))
def test_formula_map_equals_its_catalogue_twin(a, b, x, y):
    twin = bifurc.Map.from_expressions({"x": "1 - a*x**2 + y", "y": "b*x"}, {"a": a, "b": b})
    assert np.array_equal(bifurc.orbit(twin, [x, y], 50, escape=np.inf),
                          bifurc.orbit(bifurc.maps.henon, [x, y], 50, params={"a": a, "b": b}, escape=np.inf))


@SETTINGS
@given(p=st.floats(-3, 3), q=st.floats(0.1, 2.0))
def test_canonical_map_is_odd_in_p(p, q):
    for loss in (losses.logcosh, losses.pseudo_huber):
        m = eos.canonical_map(loss).map
        assert m(-p, {"q": q})[0] == -m(p, {"q": q})[0]  # l' odd and r even: f_q(-p) = -f_q(p)


# --- formulas: whatever the text, a sympy expression with real float64 constants, or an InputError
LEAVES = ["x", "r", "pi", "E", "0", "1", "2", "0.5", "-3", "9999", "1e300", "1e-320", "1e999", "2**1024", "x"]
FUNCTION_NAMES = sorted(FUNCTIONS) + ["eval", "__import__", "x.real"]
OPERATORS = ["+", "-", "*", "/", "**", "^", "%", "<", "==", " is ", " in ", " not in ", " and ", " or ",
             "//", "@"]


def _combine(children):
    unary = st.tuples(st.sampled_from(["-", "+", "not ", "~"]), children).map("".join)
    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(lambda t: f"({t[0]}{t[1]}{t[2]})")
    call = st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(children, min_size=0, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})")
    chain = st.lists(children, min_size=2, max_size=40).map("+".join)
    return st.one_of(unary, binary, call, chain)


formulas = st.one_of(
    st.recursive(st.sampled_from(LEAVES), _combine, max_leaves=60),
    st.text(alphabet="xr0123456789+-*/^().,e ", max_size=40),
    st.integers(1, 300).map(lambda n: "-" * n + "x"),
    st.integers(1, 80).map(lambda n: "sin(" * n + "x" + ")" * n),
    st.integers(1, 8).map(lambda n: "**".join(["2"] * n) + "*x"),
    st.tuples(st.integers(1, 2500), st.sampled_from("+-*"),
              st.sampled_from(["", " and (x<1)", "+(x<1)", "**2"])).map(
        lambda t: "x" + f"{t[1]}x" * t[0] + t[2]),  # long chains, read without recursion
)


def _constants_are_real_floats(expr):
    numbers = [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Expr) and a.is_number]
    return not expr.has(sp.I, sp.zoo, sp.nan, sp.oo) and all(
        a.is_real is not False and all(math.isfinite(float(v)) for v in ((a.p, a.q) if a.is_Rational else
                                                                          (a,) if a.is_Float else ()))
        for a in numbers)


@settings(max_examples=300, deadline=None)
@given(text=formulas)
def test_any_formula_is_an_expression_or_an_input_error(text):
    symbols = {"x": sp.Symbol("x", real=True), "r": sp.Symbol("r", real=True)}
    try:
        expr = parse_formula(text, symbols)
    except bifurc.InputError:
        return
    assert isinstance(expr, sp.Basic)
    assert _constants_are_real_floats(expr), (text, expr)


@settings(max_examples=6, deadline=None)
@given(text=formulas)
def test_an_accepted_formula_compiles(text):
    # what the parser lets through reaches numba and computes (or escapes); nothing fails to type
    try:
        m = bifurc.Map.from_expressions({"x": text}, {"r": 0.5})
    except bifurc.InputError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = m(0.25)
    assert y.shape == (1,) and y.dtype == np.float64
