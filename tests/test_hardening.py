"""A hostile or careless user (issue 15): every bad input is one clear error, never a traceback,
a hang or a wrong number."""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import bifurc
from bifurc.analysis import arguments
from bifurc.analysis.arguments import MAX_DIGITS, MAX_DOUBLINGS, MAX_STEPS
from bifurc.cli import main

GiB = 2**30


def outcome(capsys, argv):
    """(status, stdout, stderr) of ``bifurc argv``, argparse's exits included."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


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
