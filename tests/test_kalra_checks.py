"""The Kalra checks' controls are wrong claims that the old, weak forms of the checks accepted:
the new checks reject them (tests/test_verify.py), the old forms did not."""

from bifurc.verify.checks import kalra
from bifurc.verify.registry import Settings


def test_old_forms_accept_what_the_checks_now_reject():
    settings = Settings()
    catapult = kalra.reduction_catapult(settings)
    assert not catapult.passed
    assert all(r["old form (min over 50 steps / lambda_0 < 0.8)"] for r in catapult.details["runs"])
    shuffled = kalra.rise_shuffled(settings)
    assert not shuffled.passed and shuffled.details["old form accepts it"]
    below = kalra.rise_below(settings)
    assert not below.passed and all(below.details["old form accepts them"])


def test_eos_at_the_threshold_decays_and_below_it_converges():
    records = kalra._eos_measurements(False, (1.0,))["records"]
    # the old check's setting Y = 1: the swing at T = 10 t1 is about sqrt(t1 / T) = 0.32 of that at t1
    # (t^(-1/2), proofs/uv_edge.py); 0.25-0.45 over these starts, which are not all on the balanced line
    assert all(0.25 < r["swing at T"] / r["swing at t1"] < 0.45 for r in records)
    below = kalra._eos_measurements(False, (0.9,))["records"]
    assert all(r["swing at T"] < kalra.NO_SWING and r["mean eta lambda"] < 2 for r in below)


def test_sp_and_mup_differ_only_through_the_scaled_target():
    same = kalra._same_weights()
    assert same["Y (SP, muP)"][1] == 4 * same["Y (SP, muP)"][0]  # sqrt(16)
    assert same["sp"]["holds"] and same["mup"]["holds"] and same["sp"]["t_min"] > same["mup"]["t_min"]
