"""Every subcommand fed bad input: a user error is one line ``bifurc: error: ...`` and status 2.

Anything else (an exception escaping ``main``) is an internal error: the console script
then prints a traceback and exits with status 1, which the last test checks end to end.
"""

import subprocess
import sys

import pytest
from helpers import outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import formulas

from bifurc.analysis.arguments import MAX_STEPS

LOG = ["logistic", "--x0", "0.3"]
CASCADE = ["cascade", *LOG, "--param", "r", "--start", "2.8", "--stop", "3.3", "--count", "1"]


def assert_user_error(capsys, argv, match=None):
    status, _, err = outcome(capsys, argv)
    assert status == 2, (argv, status, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bifurc: error: "), (argv, err)
    if match:
        assert match in lines[0], (argv, lines[0])


BAD = {
    # malformed numbers
    "x0 text": ["period", "logistic", "--x0", "abc"],
    "x0 empty entry": ["period", "henon", "--x0", "0.1,,0.2"],
    "x0 wrong length": ["period", "logistic", "--x0", "0.1,0.2"],
    "set text": ["period", *LOG, "--set", "r=abc"],
    "set no value": ["period", *LOG, "--set", "r"],
    "set no name": ["period", *LOG, "--set", "=3"],
    "sweep text": ["period", *LOG, "--sweep", "r=a:b:3"],
    "sweep count text": ["period", *LOG, "--sweep", "r=3:4:x"],
    "sweep count float": ["diagram", *LOG, "--sweep", "r=3:4:2.5"],
    "sweep two fields": ["diagram", *LOG, "--sweep", "r=3:4"],
    "sweep no name": ["diagram", *LOG, "--sweep", "3:4:5"],
    "start text": [*CASCADE[:6], "--start", "abc", "--stop", "3.3"],
    "count zero": [*CASCADE[:-1], "0"],
    "count negative": [*CASCADE[:-1], "-1"],
    "count float": [*CASCADE[:-1], "1.5"],
    "digits small": [*CASCADE, "--digits", "3"],
    "digits text": [*CASCADE, "--digits", "many"],
    "n zero": ["lyapunov", *LOG, "--n", "0"],
    "transient negative": ["lyapunov", *LOG, "--transient", "-1"],
    "keep zero": ["diagram", *LOG, "--sweep", "r=3:4:5", "--keep", "0"],
    "tol text": ["period", *LOG, "--tol", "abc"],
    "tol zero": ["period", *LOG, "--tol", "0"],
    "tol negative": ["period", *LOG, "--tol", "-1e-9"],
    "max-period zero": ["period", *LOG, "--max-period", "0"],
    # nan and infinities
    "x0 nan": ["period", "logistic", "--x0", "nan"],
    "x0 inf": ["lyapunov", "logistic", "--x0", "inf"],
    "set nan": ["period", *LOG, "--set", "r=nan"],
    "set -inf": ["period", *LOG, "--set", "r=-inf"],
    "sweep nan": ["diagram", *LOG, "--sweep", "r=nan:4:5"],
    "sweep inf": ["diagram", *LOG, "--sweep", "r=3:inf:5"],
    "start inf": [*CASCADE[:6], "--start", "inf", "--stop", "3.3"],
    "tol nan": ["period", *LOG, "--tol", "nan"],
    "tol inf": ["period", *LOG, "--tol", "inf"],
    # empty and degenerate ranges
    "empty range": ["diagram", *LOG, "--sweep", "r=1:1:0"],
    "zero count": ["diagram", *LOG, "--sweep", "r=1:2:0"],
    "negative count": ["diagram", *LOG, "--sweep", "r=1:2:-5"],
    "one point range of many": ["lyapunov", *LOG, "--sweep", "r=3:3:5"],
    "cascade empty interval": [*CASCADE[:6], "--start", "3", "--stop", "3"],
    # huge sizes: refused before allocating
    "huge sweep": ["diagram", *LOG, "--sweep", "r=3:4:100000000000000"],
    "huge keep": ["diagram", *LOG, "--sweep", "r=3:4:1000", "--keep", "100000000000"],
    "huge period sweep": ["period", *LOG, "--sweep", "r=3:4:100000000000000"],
    "huge lyapunov sweep": ["lyapunov", *LOG, "--sweep", "r=3:4:100000000000000"],
    # unknown names
    "unknown map": ["period", "nosuchmap"],
    "unknown set parameter": ["period", *LOG, "--set", "zz=1"],
    "unknown sweep parameter": ["diagram", *LOG, "--sweep", "zz=1:2:3"],
    "unknown cascade parameter": [*CASCADE[:4], "--param", "zz", *CASCADE[6:]],
    "unknown model": ["derive", "nosuchmodel"],
    "unknown figure": ["figures", "--only", "nosuchfigure"],
    "unknown check": ["verify", "--only", "nosuch/check"],
    "unknown format": ["figures", "--format", "bmp"],
    "unknown subcommand": ["frobnicate"],
    "no subcommand": [],
    "unknown option": ["period", *LOG, "--frobnicate"],
    # malformed formulas
    "formula unclosed": ["period", "x=r*x*(1-", "--set", "r=3"],
    "formula empty": ["period", "x="],
    "formula no variable": ["period", "=x"],
    "formula unknown function": ["period", "x=foo(x)"],
    "formula unknown symbol": ["period", "x=r*x"],
    "formula python": ["period", "x=__import__('os').getcwd()"],
    "formula attribute": ["period", "x=x.real"],
    "formula bad name": ["period", "1x=2"],
    "formula keyword": ["period", "x=lambda*x"],
    "formula lambda": ["period", "x=(lambda y: y)(x)"],
    "formula string": ["period", "x='a'"],
    "formula reserved parameter": ["period", "x=pi*x", "--set", "pi=3"],
    "formula is": ["period", "x=x is x"],
    "formula not in": ["period", "x=x not in x"],
    "formula tower of powers": ["period", "x=2**2**2**2**2**2*x"],
    "formula huge power": ["period", "x=9**9999*x"],
    "formula many signs": ["period", "x=" + "-" * 10**5 + "x"],
    "formula nested signs": ["period", "x=" + "-" * 500 + "x"],
    "formula complex constant": ["period", "x=sqrt(-1)*x"],
    "formula complex log": ["period", "x=log(-1)+x"],
    "formula overflowing constant": ["period", "x=x*1e300*1e300"],
    "formula division by zero": ["period", "x=x/0"],
    "formula modulo zero": ["period", "x=x % 0"],
    "formula condition as number": ["period", "x=(x<1)+x"],
    "formula keyword name": ["period", "lambda=1"],
    "formula look-alike names": ["period", "x=y; 𝑥=x"],
    "formula state assigned twice": ["period", "x=r*x; x=x", "--set", "r=1"],
    # counts beyond the limits
    "n 2**63": ["lyapunov", "henon", "--x0", "0.1,0.1", "--n", str(2**63)],
    "n 2**64": ["lyapunov", "henon", "--x0", "0.1,0.1", "--n", str(2**64)],
    "transient 2**63": ["lyapunov", *LOG, "--transient", str(2**63)],
    "max-period 2**64": ["period", *LOG, "--max-period", str(2**64)],
    "digits 10000": [*CASCADE, "--digits", "10000"],
    "count 2**63": [*CASCADE[:-1], str(2**63)],
    "sweep count 2**63": ["period", *LOG, "--sweep", f"r=3:4:{2**63}"],
    "period sweep of 10**9 values": ["period", *LOG, "--sweep", "r=3:4:1000000000"],
    "loss malformed": ["derive", "canonical", "--loss", "log(cosh(p)"],
    "loss unknown function": ["derive", "canonical", "--loss", "frob(p)"],
    "verify loss malformed": ["verify", "--only", "song-yun/period-doubling", "--loss", "p**"],
    # outputs
    "out suffix": ["period", *LOG, "--out", "x.txt"],
    "out no figure": ["lyapunov", *LOG, "--out", "x.png"],
    "out unwritable": ["diagram", *LOG, "--sweep", "r=3:4:5", "--out", "/proc/bifurc/x.png"],
    "out npz unwritable": ["diagram", *LOG, "--sweep", "r=3:4:5", "--out", "/proc/bifurc/x.npz"],
    "verify out suffix": ["verify", "--only", "song-yun/period-doubling", "--out", "x.npz"],
    "figures out is a file": ["figures", "--only", "classics-logistic", "--out", "/dev/null"],
    # the sweep subcommands
    "sweep unknown map": ["sweep", "nosuch", "store", "--x", "r=1:2:3", "--y", "x=0:1:3"],
    "sweep unknown axis": ["sweep", "logistic", "store", "--x", "zz=1:2:3", "--y", "x=0:1:3"],
    "sweep huge axis": ["sweep", "logistic", "store", "--x", "r=1:2:100000000000", "--y", "x=0:1:3"],
    "sweep nan axis": ["sweep", "logistic", "store", "--x", "r=nan:2:3", "--y", "x=0:1:3"],
    "sweep tile zero": ["sweep", "logistic", "store", "--x", "r=1:2:3", "--y", "x=0:1:3", "--tile", "0"],
    "plot-sweep no store": ["plot-sweep", "/nonexistent/store"],
}


@pytest.mark.parametrize("argv", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_status_2(capsys, argv):
    assert_user_error(capsys, argv)


def test_messages_name_the_culprit(capsys):
    assert_user_error(capsys, ["diagram", *LOG, "--sweep", "zz=1:2:3"], "'zz'")
    assert_user_error(capsys, ["period", "x=foo(x)"], "foo")
    assert_user_error(capsys, ["period", "nosuchmap"], "nosuchmap")
    assert_user_error(capsys, ["diagram", *LOG, "--sweep", "r=3:4:100000000000"], "GiB")
    assert_user_error(capsys, ["diagram", *LOG, "--sweep", "r=3:4:100000000000000"], "at most")


GOOD = {
    "reversed range": ["diagram", *LOG, "--sweep", "r=4:3:7", "--keep", "5", "--transient", "5"],
    "single value": ["lyapunov", *LOG, "--sweep", "r=3.5:3.5:1", "--n", "10"],
    "escaping orbits are reported, not errors": ["period", "logistic", "--x0", "2", "--sweep", "r=3:4:4"],
    "formula map": ["period", "x=r*x*(1-x)", "--set", "r=3.2", "--x0", "0.3"],
    "descending cascade with nothing found": ["cascade", *LOG, "--param", "r", "--start", "2.9",
                                              "--stop", "2.5", "--count", "1"],
}


@pytest.mark.parametrize("argv", GOOD.values(), ids=GOOD.keys())
def test_valid_edge_cases_succeed(capsys, argv):
    status, out, err = outcome(capsys, argv)
    assert status == 0 and out, (status, err)
    assert "Traceback" not in err


INTEGER_OPTIONS = [
    lambda v: ["lyapunov", *LOG, "--n", v, "--transient", "0"],
    lambda v: ["lyapunov", *LOG, "--n", "10", "--transient", v],
    lambda v: ["period", *LOG, "--transient", "10", "--max-period", v],
    lambda v: ["diagram", *LOG, "--sweep", "r=3:4:3", "--transient", "5", "--keep", v],
    lambda v: [*CASCADE[:-1], v],
    lambda v: [*CASCADE, "--digits", v],
    lambda v: ["period", *LOG, "--transient", "10", "--max-period", "4", "--sweep", f"r=3:4:{v}"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(range(len(INTEGER_OPTIONS))),
       value=st.one_of(st.integers(-2**70, 2), st.integers(MAX_STEPS + 1, 2**80)).map(str))
def test_any_integer_in_an_integer_option_is_handled(capsys, field, value):
    # small values run (quickly); values beyond the limits are one-line errors, never a wrong number
    argv = INTEGER_OPTIONS[field](value)
    status, out, err = outcome(capsys, argv)
    if int(value) > MAX_STEPS:
        assert status == 2, (argv, status, out)
    if status != 0:
        assert status == 2 and len(err.splitlines()) == 1 and err.startswith("bifurc: error: "), (argv, err)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(formula=formulas)
def test_any_formula_on_the_command_line_is_handled(capsys, formula):
    # each accepted formula is compiled: what the parser lets through must compile and run
    argv = ["period", f"x={formula}", "--set", "r=0.5", "--x0", "0.25", "--transient", "10",
            "--max-period", "4"]
    status, _, err = outcome(capsys, argv)
    assert "Traceback" not in err
    if status != 0:
        assert status == 2 and len(err.splitlines()) == 1 and err.startswith("bifurc: error: "), (argv, err)


NUMBER_FIELDS = [
    lambda v: ["period", "logistic", "--x0", v, "--transient", "10", "--max-period", "4"],
    lambda v: ["period", *LOG, "--set", f"r={v}", "--transient", "10", "--max-period", "4"],
    lambda v: ["period", *LOG, "--tol", v, "--transient", "10", "--max-period", "4"],
    lambda v: ["period", *LOG, "--sweep", f"r={v}:3:2", "--transient", "10", "--max-period", "4"],
    lambda v: ["period", *LOG, "--sweep", f"r=2:3:{v}", "--transient", "10", "--max-period", "4"],
    lambda v: ["lyapunov", *LOG, "--n", v, "--transient", "0"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(range(len(NUMBER_FIELDS))),
       value=st.one_of(st.text(max_size=8), st.floats().map(repr), st.integers(-10, 10).map(str),
                       st.sampled_from(["nan", "-inf", "1e999", "0x10", "1_0", " 3 ", "", "-", "--1"])))
def test_any_text_in_a_number_field_is_handled(capsys, field, value):
    argv = NUMBER_FIELDS[field](value)
    status, _, err = outcome(capsys, argv)
    if status != 0:
        assert status == 2 and len(err.splitlines()) == 1 and err.startswith("bifurc: error: "), (argv, err)


def test_internal_error_is_a_traceback_and_status_1(tmp_path):
    # a fault inside bifurc (not the user's input) must not be dressed up as a user error
    script = ("import sys, bifurc.cli as c\n"
              "def broken(args): raise RuntimeError('internal fault')\n"
              "parser = c.build_parser\n"
              "def build():\n"
              "    p = parser()\n"
              "    p._subparsers._group_actions[0].choices['maps'].set_defaults(func=broken)\n"
              "    return p\n"
              "c.build_parser = build\n"
              "sys.exit(c.main(['maps']))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: internal fault" in proc.stderr
