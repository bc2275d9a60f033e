"""Song & Yun's loss-generic claims, checked on losses nobody typed into the package (issue 22)."""

import json

import numpy as np
import pytest
import sympy as sp

from bifurc import eos, losses
from bifurc.cli import main
from bifurc.verify.registry import Settings, Skip, load_all

P = sp.Symbol("p", real=True)

#: Two losses outside the catalogue meeting Song & Yun's assumptions, with r''(0) = -2 and -8/3
#: (log-cosh and the arctan loss have -2/3, pseudo-Huber -1). The expected h(0) = -1/(2 r''(0))
#: from the hand expansions r = (1 + 2p²)^(-1/2) = 1 - p² + ... and
#: r = tanh(2p)/(2p) = 1 - 4p²/3 + ...
NEW_LOSSES = {"(sqrt(1 + 2*p**2) - 1)/2": sp.Rational(1, 4), "log(cosh(2*p))/4": sp.Rational(3, 16)}

#: Every claim of Song & Yun that holds for any loss meeting the assumptions.
LOSS_GENERIC = ("song-yun/period-doubling", "song-yun/qstar", "song-yun/limiting-sharpness",
                "song-yun/alignment", "song-yun/progressive-sharpening")


def _h0_by_limit(text: str) -> sp.Expr:
    """-1/(2 r''(0)) with r''(0) as a limit of the second derivative of ℓ'(p)/p (the package
    expands r in a series instead)."""
    loss = sp.sympify(text, locals={"p": P})
    return -1 / (2 * sp.limit(sp.diff(sp.diff(loss, P) / P, P, 2), P, 0))


def test_the_loss_generic_claims_run_once_per_loss():
    registry = load_all()
    assert all(registry[cid].per_loss for cid in LOSS_GENERIC)


@pytest.mark.parametrize("text", NEW_LOSSES)
def test_qstar_on_a_new_loss_converges_to_the_exact_h0(text):
    expected = _h0_by_limit(text)
    assert expected == NEW_LOSSES[text]  # the limit agrees with the hand expansion
    loss = losses.get(text)
    h0 = eos.alignment(loss).h0
    assert isinstance(h0, sp.Rational) and h0 == expected
    outcome = load_all()["song-yun/qstar"].run(Settings(), loss)
    assert outcome.passed, outcome.details
    at_zero = outcome.details["y=0"]
    # (q* - 1)/eta^2 measured per eta, judged here against the test's own h(0): the error is
    # O(eta^2), so halving eta divides it by ~4 (local orders within 0.3 of 2, the slack of
    # every order in the checks)
    coefficient = np.array(at_zero["(q*-1)/eta^2 per eta (mean over starts)"])
    error = np.abs(coefficient - float(expected))
    local = np.log2(error[:-1] / error[1:])  # the ladder halves eta at every rung
    assert np.all(np.abs(local - 2) < 0.3), local
    assert outcome.details["h(0) derived"] == str(expected)
    assert outcome.details["h(0) exact and = -1/(2 r''(0))"]


def test_verify_loss_from_the_command_line_names_the_loss(capsys):
    text = next(iter(NEW_LOSSES))
    assert main(["verify", "--only", "song-yun/qstar", "--loss", text, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["loss"] for r in records] == ["logcosh", "pseudo_huber", "p*atan(p) - log(1 + p**2)/2", text]
    (mine,) = [r for r in records if r["loss"] == text]
    assert mine["passed"] and mine["predicted"] == float(NEW_LOSSES[text])


def test_verify_refuses_a_loss_breaking_an_assumption_before_any_check(capsys):
    # p^2/2 + p^3/3 has l'(0) = 0 and l''(0) = 1 but is not even
    assert main(["verify", "--only", "song-yun/qstar", "--loss", "p**2/2 + p**3/3", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "assumption 'even'" in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


def test_a_loss_partly_in_the_theory_runs_what_applies_and_skips_the_rest():
    # two pseudo-Huber scales: every assumption holds, but l''/r (so the sharpness on the
    # 2-cycle) rises again for large p: lambda-tilde(q) decreases on part of the runs' q range
    loss = losses.get("(sqrt(1 + 4*p**2) - 1)/8 + 50*(sqrt(1 + p**2/100) - 1)")
    assert all(a.holds for a in loss.assumptions)
    checks = load_all()
    with pytest.raises(Skip, match="Assumption 4.3"):
        checks["song-yun/progressive-sharpening"].run(Settings(), loss)
    assert checks["song-yun/qstar"].run(Settings(), loss).passed


def test_the_squared_loss_is_outside_every_loss_generic_claim(capsys):
    """ℓ = p²/2 is built (with a NoBifurcationWarning: r ≡ 1, f_q(p) = p(1 - 2/q) is linear) but
    breaks Song & Yun's assumptions, so each loss-generic claim is recorded as skipped with the
    broken assumptions named, not failed with h(0) = -1/(2 r''(0)) undefined; exit 0."""
    only = [arg for cid in LOSS_GENERIC for arg in ("--only", cid)]
    assert main(["verify", *only, "--loss", "p**2/2", "--json"]) == 0
    captured = capsys.readouterr()
    assert "identically 1" in captured.err  # the NoBifurcationWarning, as one line
    records = [r for r in json.loads(captured.out) if r["loss"] == "p**2/2"]
    assert sorted(r["id"] for r in records) == sorted(LOSS_GENERIC)
    assert all(r["skipped"] and "breaks Song & Yun's assumptions" in r["skipped"] and r["error"] is None
               for r in records)


def test_a_direct_call_of_a_loss_generic_check_skips_the_squared_loss_as_the_registry_does():
    """The guard is part of each registered check, not of the runner: ``check.run(settings,
    squared)`` skips naming the broken assumptions (Lipschitz, r bell-shaped), for the five
    Song & Yun checks and Chen & Bruna's instance alike."""
    checks = load_all()
    generic = [c for c in checks.values() if c.per_loss]
    assert "chen-bruna/song-yun-instance" in [c.id for c in generic] and len(generic) >= 6
    for c in generic:
        with pytest.raises(Skip, match=r"breaks Song & Yun's assumptions \(Lipschitz, r bell-shaped\)"):
            c.run(Settings(), losses.squared)
