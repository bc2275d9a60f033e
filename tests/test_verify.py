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
def test_check_holds_and_rejects_its_controls(check_id):
    results = run_checks([check_id], Settings(), controls=True)
    assert results
    for result in results:
        record = json.dumps(result.as_dict(), default=str)[:3000]
        assert result.error is None, result.error
        assert result.passed, record
        assert result.controls, f"{check_id} declares no negative control"
        assert all(c.rejected for c in result.controls), record
        assert result.ok, record


def test_every_check_declares_a_control():
    missing = [cid for cid, c in load_all().items() if not c.controls]
    assert not missing, missing


def test_fit_order_recovers_exact_power_laws():
    h = np.array([0.2, 0.1, 0.05, 0.025])
    for k, c in ((2.0, 0.75), (4.0, 3.0), (1.0, 1e-3)):
        fit = fit_order(h, c * h**k)
        order, coefficient = fit
        assert abs(order - k) < 1e-12 and abs(coefficient - c) < 1e-12 * c
        assert np.allclose(fit.local_orders, k, atol=1e-12) and fit.at_least(k) and fit.within(k)
        assert not fit.at_least(k + 0.5) and not fit.within(k - 0.5)


def test_fit_order_refuses_a_ladder_whose_local_orders_disagree():
    h = np.array([0.2, 0.1, 0.05, 0.025])
    # local orders 0.6, 4.1, 0.5: the least-squares slope is about 2, but no order describes them
    errors = [1.0]
    for k in (0.6, 4.1, 0.5):
        errors.append(errors[-1] / 2**k)
    fit = fit_order(h, np.array(errors))
    assert np.allclose(fit.local_orders, (0.6, 4.1, 0.5))
    assert 1.5 < fit.order < 2.5 and not fit.consistent() and not fit.at_least(1.7)
    # errors that grow at one rung are not an order at all
    assert not fit_order(h, np.array([1.0, 0.5, 0.6, 0.1])).decreasing


def test_controls_and_resolution_are_run_and_judged(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", {})
    constant = 2.0

    def judged(value):  # measures 2 to 1e-6 and accepts a claim within 1e-4 of it
        return Outcome(value, constant + 1e-6, 1e-4, abs(constant + 1e-6 - value) < 1e-4)

    registry.check("test/constant", "nobody", "c = 2")(lambda s: judged(2.0))
    registry.control("test/constant", "c = 2.1")(lambda s: judged(2.1))
    registry.control("test/constant", "c = 2.00001 (inside the tolerance)")(lambda s: judged(2.00001))
    registry.resolution("test/constant", "c")(lambda s, rel: judged(2.0 * (1 + rel)))
    (result,) = run_checks(None, Settings(), controls=True)
    assert result.passed and [c.rejected for c in result.controls] == [True, False] and not result.ok
    # the rejection threshold is |2 rel +- 1e-6| >= 1e-4: rel ~ 5e-5, bracketed within a factor 1.25
    assert 5.05e-5 / 1.25 < result.resolution < 5.05e-5 * 1.25
    (plain,) = run_checks(None, Settings())
    assert plain.controls is None and plain.ok


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


def test_a_loss_generic_check_gives_one_record_per_loss_and_may_skip(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", {})

    def run(settings, loss):
        if loss.name == "p*atan(p) - log(1 + p**2)/2":
            raise registry.Skip("not for this loss")
        return Outcome(0.0, 0.0, 0.0, True)

    registry.check("test/per-loss", "nobody", "any loss", per_loss=True)(run)
    results = run_checks(None, Settings(losses=("sqrt(1 + p**2) - 1",)))
    assert [r.loss for r in results] == ["logcosh", "pseudo_huber", "p*atan(p) - log(1 + p**2)/2",
                                         "sqrt(1 + p**2) - 1"]
    assert [bool(r.skipped) for r in results] == [False, False, True, False] and all(r.ok for r in results)
