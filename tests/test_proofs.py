"""Every script in proofs/ runs to the end: each prints its derivation and asserts its claim."""

import pathlib
import subprocess
import sys

import pytest

PROOFS = sorted((pathlib.Path(__file__).parent.parent / "proofs").glob("*.py"))


@pytest.fixture(scope="module")
def runs():
    """All proofs started at once (they are independent), then awaited."""
    started = {p.name: subprocess.Popen([sys.executable, str(p)], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True) for p in PROOFS}
    return {name: (proc, *proc.communicate(timeout=300)) for name, proc in started.items()}


def test_there_is_a_proof_per_claim():
    assert {p.stem for p in PROOFS} >= {"canonical_map_closure", "h_limit", "q_star_series",
                                         "uv_fixed_points", "zhu_two_step", "cubic_map"}


@pytest.mark.parametrize("name", [p.name for p in PROOFS])
def test_proof_runs(runs, name):
    proc, out, err = runs[name]
    assert proc.returncode == 0, f"{name} failed:\n{out}\n{err}"
    assert "proved" in out.splitlines()[-1]
