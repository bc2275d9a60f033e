"""Floating-point traps: collapse onto unstable cycles, overflow inside one step (q near 1: see
test_precision)."""

import warnings

import numpy as np
import pytest

import bifurc
from bifurc.analysis.arguments import EscapeWarning, PrecisionWarning

TENT2 = {"mu": 2.0}


def _no_precision_warning(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        return call()


# --- (a) maps that collapse in binary floating point --------------------------------
def test_slope_two_tent_collapses_to_zero_and_orbit_says_so():
    # x -> 2 min(x, 1-x) shifts out one mantissa bit per step: every float64 orbit is 0 by
    # step ~55, the unstable fixed point (multiplier 2); the true orbit of 0.3 never is
    with pytest.warns(PrecisionWarning, match="unstable period-1 orbit"):
        x = bifurc.orbit(bifurc.maps.tent, 0.3, 5, transient=100, params=TENT2)
    assert np.all(x == 0.0)


def test_doubling_map_collapse_is_found_for_a_map_given_as_formulas():
    # the same collapse for another map, defined here: x -> mod(2x, 1)
    doubling = bifurc.Map.from_expressions({"x": "mod(2*x, 1)"}, name="doubling")
    with pytest.warns(PrecisionWarning):
        bifurc.orbit(doubling, 0.1234, 3, transient=80)
    with pytest.warns(PrecisionWarning):
        bifurc.period(doubling, 0.1234)


def test_lyapunov_and_period_of_a_collapsed_orbit_warn():
    with pytest.warns(PrecisionWarning):
        (exponent,) = bifurc.lyapunov(bifurc.maps.tent, 0.3, 10_000, params=TENT2)
    # the collapsed orbit gives the fixed point's exponent log|f'(0)| = log 2
    assert exponent == pytest.approx(np.log(2.0), rel=1e-12)
    with pytest.warns(PrecisionWarning, match="period-1 orbit found"):
        assert bifurc.period(bifurc.maps.tent, 0.3, TENT2) == 1


def test_henon_collapse_onto_its_saddle_is_found():
    # a 2D map started exactly on its saddle fixed point stays there in float64 only
    # because the point is exact; the check must work for dim 2 (saddle: one |mu| > 1)
    henon = bifurc.maps.henon
    (saddle,) = [o for o in bifurc.fixed_points(henon, [(0, 2), (0, 2)]) if o.kind == "saddle"]
    x = saddle.points[0]
    if not np.array_equal(henon(x), x):
        pytest.skip("the float64 saddle is not an exact fixed point of the float64 step")
    with pytest.warns(PrecisionWarning):
        bifurc.orbit(henon, x, 3)


def test_stable_cycles_and_chaos_do_not_warn(logistic):
    # an attracting 2-cycle that float64 reaches exactly is the true answer: no warning
    assert _no_precision_warning(lambda: bifurc.period(logistic, 0.3, {"r": 3.2})) == 2
    _no_precision_warning(lambda: bifurc.orbit(logistic, 0.3, 100, transient=1000, params={"r": 3.2}))
    # chaos (logistic r = 4 does not collapse: its orbit never lands on 0 or 3/4 exactly here)
    _no_precision_warning(lambda: bifurc.lyapunov(logistic, 0.3, 10_000, params={"r": 4.0}))
    # slope 1.5: the tent map is chaotic and does not collapse
    _no_precision_warning(lambda: bifurc.orbit(bifurc.maps.tent, 0.3, 100, transient=1000))


# --- (c) overflow before escape is detected ----------------------------------------------
# x*x of 1e200 overflows to inf inside one step; (1 - a) x^2 - a x^2 (not simplified by sympy,
# 0 in exact arithmetic) is then inf - inf = nan. Both must be reported as escape, also with
# an infinite escape radius.
SQUARE = bifurc.Map.from_expressions({"x": "a*x*x"}, {"a": 1.0}, name="square")
NAN_STEP = bifurc.Map.from_expressions({"x": "(1 - a)*x*x - a*x*x + 2*x"}, {"a": 0.5}, name="nan-step")


@pytest.mark.parametrize("escape", [1e8, np.inf])
@pytest.mark.parametrize("m", [SQUARE, NAN_STEP], ids=["inf", "nan"])
def test_overflow_in_one_step_is_an_escape(m, escape):
    with pytest.warns(EscapeWarning, match="escaped after 1 steps"):
        x = bifurc.orbit(m, 1e200, 4, escape=escape)
    assert x[0, 0] == 1e200 and np.all(np.isnan(x[1:]))
    with pytest.warns(EscapeWarning):
        assert np.all(np.isnan(bifurc.lyapunov(m, 1e200, 10, transient=0, escape=escape)))
    assert bifurc.period(m, 1e200, transient=0, escape=escape) == -1


@pytest.mark.parametrize("escape", [1e8, np.inf])
def test_overflow_in_sweeps_is_counted(escape):
    values = np.array([1.0, 2.0, 3.0])
    with pytest.warns(EscapeWarning, match="3 of 3"):
        d = bifurc.orbit_diagram(SQUARE, "a", values, 1e200, transient=0, keep=3, escape=escape)
    assert d.escaped.all() and np.all(np.isnan(d.points))
    with pytest.warns(EscapeWarning, match="3 of 3"):
        s = bifurc.lyapunov_sweep(SQUARE, "a", values, 1e200, n=5, transient=0, escape=escape)
    assert s.escaped.all() and np.all(np.isnan(s.exponents))


def test_huge_but_finite_values_beyond_the_radius_escape():
    # 1e150 squared is 1e300: finite, beyond any radius below it
    with pytest.warns(EscapeWarning):
        x = bifurc.orbit(SQUARE, 1e150, 3, escape=1e299)
    assert np.isnan(x[1:]).all()
    # and within an infinite radius it is a state like any other
    x = bifurc.orbit(SQUARE, 1e150, 2, escape=np.inf)
    assert x[1, 0] == 1e150 * 1e150  # the float64 product, finite


def test_cli_reports_the_collapse_in_one_warning_line(capsys):
    from bifurc.cli import main

    assert main(["period", "tent", "--set", "mu=2", "--x0", "0.3"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "tent: period 1"
    (line,) = err.splitlines()
    assert line.startswith("bifurc: warning: ") and "unstable" in line and "float64 cannot answer" in line
