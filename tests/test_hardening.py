"""A hostile or careless user (issue 15): every bad input is one clear error, never a traceback,
a hang or a wrong number."""

import itertools
import math
import re
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import sympy as sp
from helpers import outcome

import bifurc
from bifurc.analysis import arguments
from bifurc.analysis.arguments import MAX_DIGITS, MAX_DOUBLINGS, MAX_STEPS
from bifurc.definition.formulas import MAX_DEPTH, parse_formula

GiB = 2**30


def one_line_error(capsys, argv):
    """The one-line message of a user error (status 2)."""
    status, out, err = outcome(capsys, argv)
    lines = err.splitlines()
    assert status == 2 and not out and len(lines) == 1 and lines[0].startswith("bifurc: error: "), (
        argv, status, err)
    return lines[0]


# --- counts are bounded: 2**63 steps used to wrap round in the kernels and print exponents 0.000000
HUGE = [MAX_STEPS + 1, 2**63, 2**64, 10**30, np.uint64(2**64 - 1)]


@pytest.mark.parametrize("n", HUGE, ids=str)
def test_huge_step_counts_are_refused_naming_the_limit(henon, n):
    with pytest.raises(bifurc.InputError, match=r"n must be at most 1,000,000,000,000, got"):
        bifurc.lyapunov(henon, [0.1, 0.1], n)
    with pytest.raises(bifurc.InputError, match=r"transient must be at most 1,000,000,000,000"):
        bifurc.orbit(henon, [0.1, 0.1], 1, transient=n)
    with pytest.raises(bifurc.InputError, match=r"max_period must be at most"):
        bifurc.period(henon, [0.1, 0.1], max_period=n)
    with pytest.raises(bifurc.InputError, match=r"keep must be at most"):
        bifurc.orbit_diagram(henon, "a", [1.0], [0.1, 0.1], keep=n)


def test_the_limit_itself_is_accepted():
    assert arguments.positive_int(MAX_STEPS, "n") == MAX_STEPS
    assert arguments.nonnegative_int(0, "transient") == 0
    with pytest.raises(bifurc.InputError, match="k must be at most 7, got 8"):
        arguments.positive_int(8, "k", 7)


@pytest.mark.parametrize("count", [2**63, 2**64])
def test_huge_counts_on_the_command_line_are_one_line(capsys, count):
    line = one_line_error(capsys, ["lyapunov", "henon", "--x0", "0.1,0.1", "--n", str(count)])
    assert "--n" in line and "at most 1,000,000,000,000" in line


def test_the_console_script_refuses_two_to_the_63_steps():
    # end to end, as issue 15 reported it: exit 0 with exponents 0.000000 before
    proc = subprocess.run([sys.executable, "-m", "bifurc", "lyapunov", "henon", "--x0", "0.1,0.1", "--n",
                           str(2**63)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and not proc.stdout
    assert proc.stderr.splitlines() == [
        "bifurc: error: argument --n: value must be at most 1,000,000,000,000, got 9,223,372,036,854,775,808"]


@pytest.mark.parametrize("argv, words", [
    (["cascade", "logistic", "--param", "r", "--start", "2.8", "--stop", "3.5", "--digits", "10000"],
     f"--digits: value must be at most {MAX_DIGITS:,}"),
    (["cascade", "logistic", "--param", "r", "--start", "2.8", "--stop", "3.5", "--count", "100"],
     f"--count: value must be at most {MAX_DOUBLINGS}"),
    (["lyapunov", "logistic", "--transient", "-1"], "--transient: value must be a non-negative integer"),
    (["lyapunov", "logistic", "--n", "0"], "--n: value must be a positive integer"),
    (["period", "logistic", "--sweep", f"r=3:4:{2**63}"], "COUNT must be at most"),
])
def test_bounded_options_say_which_bound(capsys, argv, words):
    line = one_line_error(capsys, argv)
    assert words in line, line
    assert ">= 1" not in line  # --transient -1 used to say "must be >= 1" although 0 is allowed


def test_digits_are_bounded_in_the_api(logistic):
    with pytest.raises(bifurc.InputError, match="digits must be at most 4,000, got 10,000"):
        bifurc.cascade(logistic, "r", 2.8, 3.1, 0.3, count=1, digits=10_000)
    with pytest.raises(bifurc.InputError, match="count must be at most 39"):
        bifurc.cascade(logistic, "r", 2.8, 3.1, 0.3, count=40)


# --- memory: the whole footprint is estimated before anything is allocated
@pytest.fixture
def memory_of(monkeypatch):
    def pretend(total: int) -> None:
        monkeypatch.setattr(arguments, "physical_memory", lambda: total)
    return pretend


def test_a_billion_value_period_sweep_is_refused_before_allocating(capsys, memory_of):
    memory_of(64 * GiB)  # 8 GB for the values alone would fit; the sweep's arrays and output do not
    tracemalloc.start()
    try:
        line = one_line_error(capsys, ["period", "logistic", "--x0", "0.3", "--sweep", "r=3:4:1000000000"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # 8 (value) + 32 (start, parameter, period, final state) + 256 (a line of output) bytes a value
    assert "--sweep r would need 275.7 GiB (1000000000 values)" in line, line
    assert peak < 50 * 2**20  # nothing of the sweep's size was allocated


def test_every_array_counts_not_only_the_values(capsys, memory_of):
    # 10^7 values: 80 MB of values, 2.96 GB in all; 2 GiB of memory allows 1 GiB
    memory_of(2 * GiB)
    line = one_line_error(capsys, ["period", "logistic", "--x0", "0.3", "--sweep", "r=3:4:10000000"])
    assert "2.8 GiB" in line, line
    assert "more than half of this machine's 2.0 GiB" in line


@pytest.mark.parametrize("call, what", [
    (lambda m: bifurc.lyapunov_sweep(m, "a", np.linspace(1, 1.4, 10**7), [0.1, 0.1]), "the Lyapunov sweep"),
    (lambda m: bifurc.orbit_diagram(m, "a", np.linspace(1, 1.4, 10**4), [0.1, 0.1], keep=10**4),
     "the orbit diagram"),
    (lambda m: bifurc.basins(m, np.linspace(-1, 1, 10**4), np.linspace(-1, 1, 10**4)), "the basin map"),
    (lambda m: bifurc.parameter_plane(m, "a", np.linspace(1, 1.4, 10**4), "b", np.linspace(0.1, 0.3, 10**4),
                                      [0.1, 0.1]), "the parameter plane"),
    (lambda m: bifurc.periodic_orbits(m, 1, [(-1, 1), (-1, 1)], starts=10**5), "the grid of starts"),
])
def test_api_footprints_are_checked_before_allocating(henon, memory_of, call, what):
    memory_of(2 * GiB)
    with pytest.raises(bifurc.InputError, match=f"{what} would need .* GiB"):
        call(henon)


# --- formulas: every refusal is an InputError naming the problem, decided before compiling
def symbols(*names):
    return {n: sp.Symbol(n, real=True) for n in names}


@pytest.mark.parametrize("text, words", [
    ("x is x", "comparison 'is' is not allowed"),
    ("x is not x", "comparison 'is not' is not allowed"),
    ("x in x", "comparison 'in' is not allowed"),
    ("x not in x", "comparison 'not in' is not allowed"),
    ("-" * 500 + "x", f"nested more than {MAX_DEPTH} deep"),
    ("sin(" * 50 + "x" + ")" * 50, f"nested more than {MAX_DEPTH} deep"),
    ("x**" * 60 + "x", f"nested more than {MAX_DEPTH} deep"),
    ("-" * 10**5 + "x", "100,001 characters, more than the 10,000 allowed"),
    ("x" + "*x" * 4000, "too deeply nested or too long a chain for Python's parser"),
    ("x" + "+x" * 2000 + " and (x<1)", "'x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x...' is not a condition"),
    ("(x<1) + 1", "'x<1' is not a number"),
    ("not x", "'x' is not a condition"),
    ("x % 0", "Modulo by zero"),
    ("9**9999*x", "the power 9**9999 is beyond float64's range"),
    ("2**2**2**2**2**2*x", "the power 2**65536 is beyond float64's range"),
    ("x*0.5**2000", "is beyond float64's range"),
    ("x*" + "9" * 400, "an integer constant is beyond float64's range"),
    ("x*1e999", "a constant is beyond float64's range"),
    ("x*1e300*1e300", "a constant is beyond float64's range"),
    ("x*2**1024", "a constant is beyond float64's range"),
    ("sqrt(-1)*x", "a constant is complex"),
    ("log(-1)+x", "a constant is complex"),
    ("asin(2)*x", "a constant is complex"),
    ("(-8)**(1/3)*x", "a constant is complex"),
    ("x/0", "a constant is infinite or undefined"),
    ("exp(exp(exp(10)))*x", "the constant exp(exp(exp(10))) overflows float64"),
    ("x + cosh(720)", "the constant cosh(720) overflows float64"),  # e**720/2 > 1.8e308 > e**709/2
    ("log(0)+x", "a constant is infinite or undefined"),
])
def test_formulas_refused_before_compiling(text, words):
    with pytest.raises(bifurc.InputError, match="formula '") as refused:
        parse_formula(text, symbols("x"))
    assert words in str(refused.value)
    assert len(str(refused.value)) < 300  # a long formula is shortened in the message


def test_sympy_expressions_are_checked_alike():
    x = sp.Symbol("x")
    with pytest.raises(bifurc.InputError, match="complex"):
        bifurc.Map.from_expressions({"x": sp.I * x})
    with pytest.raises(bifurc.InputError, match="infinite"):
        bifurc.Map.from_expressions({"x": sp.oo * x})


def test_long_chains_are_read_without_recursion():
    x = symbols("x")["x"]
    assert parse_formula("+".join(["x"] * 500), symbols("x")) == 500 * x  # a RecursionError before
    assert parse_formula("-".join(["x"] * 2001), symbols("x")) == -1999 * x
    assert parse_formula("x" + "*x" * 999, symbols("x")) == x**1000
    terms = parse_formula("+".join(f"x**{k}" for k in range(1, 1301)), symbols("x"))
    assert terms == sp.Add(*[x**k for k in range(1, 1301)])
    assert parse_formula("2 - 3*x + x**2 - x", symbols("x")) == x**2 - 4 * x + 2  # order kept


def test_edges_of_float64_are_accepted():
    x = symbols("x")["x"]
    assert parse_formula("x*2**1023", symbols("x")) == 2**1023 * x
    assert parse_formula("x*2.0**-1074", symbols("x")) == sp.Float(2.0**-1074) * x  # the least subnormal
    assert parse_formula("x**(2**70)", symbols("x")) == x ** (2**70)  # a symbol's power may be large


def test_formulas_at_the_depth_limit_compile_and_compute():
    # the deepest nestings accepted compile in seconds: powers of compound bases were printed
    # as products, 2**24 copies of the base for 24 nested squares
    m = bifurc.Map.from_expressions({"x": "(" * 24 + "x" + "**2 + r)" * 24}, {"r": 0.1})
    y = 0.5
    for _ in range(24):
        y = y * y + 0.1
    # each of 24 contracting steps (|2y| < 1 after the first) rounds once or twice
    assert abs(m(0.5)[0] - y) <= 1e-14
    sines = bifurc.Map.from_expressions({"x": "sin(" * 49 + "x" + ")" * 49})
    y = 0.5
    for _ in range(49):
        y = math.sin(y)
    assert abs(sines(0.5)[0] - y) <= 1e-15  # sin contracts: 49 roundings of 1e-17 each
    # d/dx sin^49(x) = prod cos(sin^k(x)), the chain rule through every level
    slope = math.prod(math.cos(v) for v in itertools.accumulate(range(48), lambda v, _: math.sin(v),
                                                                  initial=0.5))
    assert abs(sines.jacobian_at(0.5)[0, 0] - slope) <= 1e-14


@pytest.mark.parametrize("formula", ["x=2**2**2**2**2**2*x", "x=x is x", "x=sqrt(-1)*x", "x=x*1e300*1e300",
                                     "x=" + "-" * 10**5 + "x", "x=9**9999*x"])
def test_formula_errors_on_the_command_line_are_one_line(capsys, formula):
    line = one_line_error(capsys, ["period", formula])
    assert "formula" in line and len(line) < 300


def test_a_tower_of_powers_is_refused_at_once_by_the_console_script():
    # it hung, growing past 1.7 GB; now refused before sympy computes it
    proc = subprocess.run([sys.executable, "-m", "bifurc", "period", "x=2**2**2**2**2**2*x"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["bifurc: error: update of 'x': formula '2**2**2**2**2**2*x': "
                                        "the power 2**65536 is beyond float64's range"]


# --- names: formulas read names as Python does (NFKC), so names must be what formulas read
@pytest.mark.parametrize("updates, params, words", [
    ({"x": "y", "𝑥": "x"}, {}, "state variable name '𝑥' reads as 'x' in a formula (Unicode NFKC); write 'x'"),
    ({"x": "µ*x"}, {"µ": 2.0}, "parameter name 'µ' reads as 'μ'"),  # the micro sign is Greek mu
    ({"x": "ﬁ*x"}, {"ﬁ": 2.0}, "parameter name 'ﬁ' reads as 'fi'"),
    ({"lambda": "1"}, {}, "state variable name 'lambda' is a Python keyword"),
    ({"x": "x"}, {"None": 1.0}, "parameter name 'None' is a Python keyword"),
    ({"if": "1"}, {}, "'if' is a Python keyword"),
])
def test_names_a_formula_cannot_mean_are_refused(updates, params, words):
    with pytest.raises(bifurc.InputError, match=re.escape(words)):
        bifurc.Map.from_expressions(updates, params)


def test_the_swap_map_with_look_alike_names_is_refused_not_miscomputed():
    # x and 𝑥 were two state variables whose formulas both read x: (x, 𝑥) -> (x, x), not the swap
    with pytest.raises(bifurc.InputError, match="reads as 'x'"):
        bifurc.Map.from_expressions({"x": "𝑥", "𝑥": "x"})
    swap = bifurc.Map.from_expressions({"x": "y", "y": "x"})
    assert swap([1.0, 2.0]).tolist() == [2.0, 1.0]


def test_names_in_normal_form_work_whatever_their_script():
    m = bifurc.Map.from_expressions({"η": "μ*η"}, {"μ": 0.5})
    assert m(3.0)[0] == 1.5 and m.state == ("η",)


def test_a_state_variable_assigned_twice_on_the_command_line_is_refused(capsys):
    # x=r*x; x=x used to keep the last update silently
    line = one_line_error(capsys, ["period", "x=r*x; x=x", "--set", "r=0.5"])
    assert line == "bifurc: error: state variable 'x' is assigned twice; give each variable one update"
    line = one_line_error(capsys, ["period", "x=y; 𝑥=x"])
    assert "reads as 'x'" in line


def test_symbolic_iterates_and_precise_orbits_are_bounded(logistic):
    r, x = logistic.param_symbols[0], logistic.state_symbols[0]
    f = r * x * (1 - x)
    assert sp.expand(logistic.iterate_expressions(2)[0] - f.subs(x, f)) == 0
    for k in (0, 51, 2.0, float("inf"), float("nan"), True):  # inf and nan were OverflowError, ValueError
        with pytest.raises(bifurc.InputError, match="k must be an integer from 1 to 50"):
            logistic.iterate_expressions(k)
    with pytest.raises(bifurc.InputError, match="n must be at most 100,000,000"):
        bifurc.orbit_mp(logistic, "0.3", 10**9)


# --- time: what fits in memory but could not finish (years of steps) is refused too
def test_work_beyond_the_limit_is_refused(capsys, henon, memory_of):
    memory_of(64 * GiB)
    line = one_line_error(capsys, ["period", "logistic", "--x0", "0.3", "--sweep", "r=3:4:1000000",
                                   "--transient", str(10**9)])
    # 10^6 orbits x (10^9 + 2 x 1024 steps each)
    assert "finding the periods would take 1,000,000 orbits x 1,000,002,048 steps = 1.0e+15 steps" in line
    assert "more than the 1e+14 one call may take" in line
    with pytest.raises(bifurc.InputError, match="the Lyapunov exponents would take 1,000 orbits"):
        bifurc.lyapunov_sweep(henon, "a", np.linspace(1, 1.4, 1000), [0.1, 0.1], n=10**12)
    with pytest.raises(bifurc.InputError, match="the orbit diagram would take"):
        bifurc.orbit_diagram(henon, "a", np.linspace(1, 1.4, 10**5), [0.1, 0.1], transient=10**10, keep=1)
    assert arguments.finishable(10**7, 10**7, "at the limit") is None


@pytest.mark.parametrize("budget", [0, 10**6], ids=["compiled", "plain"])
def test_a_pole_of_the_map_is_an_escape_not_a_traceback(budget, monkeypatch, capsys):
    """x -> 1/x from 0 divides by zero at the first step: IEEE gives inf, an escape at step 1,
    both compiled and (through the compiled fallback) from the plain-Python path."""
    from bifurc.analysis.arguments import EscapeWarning
    from bifurc.compilation import interpreted

    monkeypatch.setattr(interpreted, "BUDGET", budget)
    monkeypatch.setattr(interpreted, "_spent", 0)
    m = bifurc.Map.from_expressions({"x": "r/x"}, {"r": 1.0}, name="pole")
    with pytest.warns(EscapeWarning):
        points = bifurc.orbit(m, 0.0, 5)
    assert points[0, 0] == 0.0 and np.isnan(points[1:]).all()  # the start, then escaped
    assert bifurc.period(m, 0.0) == -1
    status, out, err = outcome(capsys, ["period", "x=1/x", "--x0", "0"])
    assert (status, out.strip(), err) == (0, "x=1/x: period escaped", "")
