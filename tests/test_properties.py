"""Properties that hold for every parameter and start (hypothesis draws them)."""

import math
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import bifurc
from bifurc import eos, losses

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
