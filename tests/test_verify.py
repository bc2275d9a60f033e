"""Every check of `bifurc verify` is a test; the runner fails loudly."""

import json

import numpy as np
import pytest

from bifurc.cli import main
from bifurc.verify import registry
from bifurc.verify.convergence import fit_order
from bifurc.verify.registry import Outcome, Settings, load_all, run_checks

CHECKS = list(load_all())


@pytest.mark.parametrize("check_id", CHECKS)
def test_check_holds(check_id):
    (result,) = run_checks([check_id], Settings())
    assert result.error is None, result.error
    assert result.passed, json.dumps(result.as_dict(), default=str)[:2000]


def test_fit_order_recovers_exact_power_laws():
    h = np.array([0.2, 0.1, 0.05, 0.025])
    for k, c in ((2.0, 0.75), (4.0, 3.0), (1.0, 1e-3)):
        order, coefficient = fit_order(h, c * h**k)
        assert abs(order - k) < 1e-12 and abs(coefficient - c) < 1e-12 * c


def test_a_failing_or_crashing_check_fails_loudly(monkeypatch, capsys):
    monkeypatch.setattr(registry, "REGISTRY", {})
    registry.check("test/false", "nobody", "a claim that does not hold")(
        lambda s: Outcome(1.0, 2.0, 0.1, False))
    registry.check("test/crash", "nobody", "a check that crashes")(lambda s: 1 / 0)
    results = {r.id: r for r in run_checks(None, Settings())}
    assert [r.passed for r in results.values()] == [False, False]
    assert results["test/false"].error is None and "ZeroDivisionError" in results["test/crash"].error
    assert main(["verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {"id", "paper", "claim", "predicted", "measured", "tolerance", "passed"} <= set(out[0])


def test_unknown_check_is_a_user_error(capsys):
    assert main(["verify", "--only", "no/such-check"]) == 2
    assert "unknown check" in capsys.readouterr().err


def test_full_only_checks_run_by_default_only_under_full(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", {})
    registry.check("test/quick", "nobody", "cheap")(lambda s: Outcome(1.0, 1.0, 0.0, True))
    registry.check("test/slow", "nobody", "expensive", full_only=True)(
        lambda s: Outcome(1.0, 1.0, 0.0, s.full))
    assert [r.id for r in run_checks(None, Settings())] == ["test/quick"]
    assert [r.id for r in run_checks(None, Settings(full=True))] == ["test/quick", "test/slow"]
    # asked for by id, a full-only check runs at the size the settings give
    (result,) = run_checks(["test/slow"], Settings())
    assert result.passed is False
