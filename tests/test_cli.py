"""The command line: results as tables or JSON, user errors as one line with status 2."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import LOGISTIC_DOUBLINGS

import bifurc
from bifurc.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cascade_json_matches_the_logistic_doublings(capsys):
    status, out, _ = run(capsys, "cascade", "logistic", "--param", "r", "--start", "2.8", "--stop", "3.57",
                         "--count", "6", "--x0", "0.3", "--json")
    assert status == 0
    data = json.loads(out)
    assert np.allclose(data["points"][:4], LOGISTIC_DOUBLINGS, atol=1e-9)
    assert data["periods"] == [1, 2, 4, 8, 16, 32]


def test_formula_map_from_the_command_line(capsys):
    status, out, _ = run(capsys, "lyapunov", "x=1-a*x**2+y; y=b*x", "--set", "a=1.4", "--set", "b=0.3",
                         "--x0", "0.1,0.1", "--n", "100000", "--json")
    assert status == 0
    exps = json.loads(out)["exponents"]
    assert abs(sum(exps) - np.log(0.3)) < 1e-6  # sum of exponents = ln|det J| exactly


def test_period_sweep_table(capsys):
    status, out, _ = run(capsys, "period", "logistic", "--sweep", "r=3.2:3.5:2", "--x0", "0.3")
    assert status == 0
    assert "r=3.2" in out and out.strip().endswith("4")


def test_diagram_writes_a_figure_and_reports_escape(capsys, tmp_path):
    target = tmp_path / "d.png"
    status, out, err = run(capsys, "diagram", "logistic", "--sweep", "r=3.5:4.2:50", "--keep", "50",
                           "--transient", "100", "--out", str(target))
    assert status == 0 and target.stat().st_size > 1000
    assert "escaped" in err  # r > 4 leaves [0, 1]; reported, not hidden


def test_out_npz_saves_the_result(capsys, tmp_path):
    target = tmp_path / "c.npz"
    status, _, _ = run(capsys, "cascade", "logistic", "--param", "r", "--start", "2.8", "--stop", "3.57",
                       "--count", "3", "--x0", "0.3", "--out", str(target))
    assert status == 0
    assert np.allclose(bifurc.load(target).points, LOGISTIC_DOUBLINGS[:3], atol=1e-12)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["diagram", "nosuchmap", "--sweep", "r=1:2:3"], "unknown map"),
        (["diagram", "logistic", "--sweep", "q=1:2:3"], "unknown parameter 'q'"),
        (["diagram", "logistic", "--sweep", "r=1:2"], "NAME=START:STOP:COUNT"),
        (["diagram", "logistic", "--sweep", "r=1:1:5"], "START != STOP"),
        (["diagram", "logistic", "--sweep", "r=1:x:5"], "not a number"),
        (["diagram", "x=r*x*(1-x", "--sweep", "r=1:2:3"], "malformed"),
        (["diagram", "logistic", "--sweep", "r=1:2:3", "--out", "d.txt"], ".png, .pdf or .svg"),
        (["lyapunov", "henon", "--x0", "0.1"], "x0 must have 2 entries"),
        (["cascade", "logistic", "--param", "r", "--start", "3.9", "--stop", "4"], "periodic window"),
        (["diagram", "logistic", "--sweep", "r=3:4:1000000", "--keep", "1000000"], "more than half"),
    ],
)
def test_user_errors_are_one_line_and_status_2(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["period", "logistic", "--tol", "nan"], "not finite"),
        (["period", "logistic", "--max-period", "0"], "must be a positive integer"),
        (["diagram", "logistic"], "required: --sweep"),
    ],
)
def test_malformed_options_are_one_line_and_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_derive_prints_the_derived_map(capsys):
    status, out, _ = run(capsys, "derive", "canonical", "--loss", "sqrt(1 + p**2) - 1", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["state"] == ["p"] and "q" in data["parameters"]
    status, out, _ = run(capsys, "derive", "cubic")
    assert status == 0 and "theta" in out


def test_derive_rejects_a_loss_that_breaks_an_assumption(capsys):
    status, _, err = run(capsys, "derive", "canonical", "--loss", "p**4")
    assert status == 2 and "l''(0) = 1" in err and len(err.strip().splitlines()) == 1


def test_figures_command_writes_files(capsys, tmp_path):
    status, out, _ = run(capsys, "figures", "--only", "classics-cascade", "--quick", "--out", str(tmp_path))
    assert status == 0 and (tmp_path / "classics-cascade.png").stat().st_size > 1000
    status, _, err = run(capsys, "figures", "--only", "nosuch")
    assert status == 2 and "no figure named" in err


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "bifurc", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("bifurc ")


def test_diagram_follow_shows_hysteresis(capsys):
    # x' = x + (r + x - x^3)/5: two stable fixed points (outer roots of r + x - x^3) for
    # |r| < 2/(3 sqrt 3) = 0.385, one outside. Swept up from r = -0.5, where only the lower one
    # exists, the followed diagram stays on the lower branch at r = 0.3; restarted from x0 = 1.2
    # at every value it lands on the upper one there. Swept down from 0.5, the mirror image.
    spec = "x=x+(r+x-x**3)/5"
    for sweep, x0, branch in (("r=-0.5:0.3:9", "1.2", min), ("r=0.5:-0.3:9", "-1.2", max)):
        r_end = float(sweep.split(":")[1])
        roots = np.roots([-1.0, 0.0, 1.0, r_end]).real
        ends = {}
        for follow in ((), ("--follow",)):
            status, out, _ = run(capsys, "diagram", spec, "--set", "r=0", "--sweep", sweep, f"--x0={x0}",
                                 *follow, "--transient", "400", "--keep", "4", "--json")
            assert status == 0
            ends[bool(follow)] = np.asarray(json.loads(out)["points"])[-1, -1, 0]
        # multipliers 1 - (3x^2 - 1)/5 <= 0.84 in modulus on these branches: 400 steps reach rounding
        assert abs(ends[True] - branch(roots)) < 1e-12
        assert abs(ends[False] - (max if branch is min else min)(roots)) < 1e-12
