"""Derivations cached on disk come back equal, and the maps in them still iterate."""

import os
import subprocess
import sys

SCRIPT = """
from bifurc import eos, losses, orbit
model = eos.two_layer_linear(losses.logcosh)
print(eos.alignment(losses.logcosh).h0, model.map.updates)
print(orbit(model.map, [0.3, 0.8], 3, params={"eta": 0.1, "y": 1.0})[-1].tolist())
"""


def test_second_process_reads_the_same_derivations(tmp_path):
    env = {**os.environ, "BIFURC_CACHE_DIR": str(tmp_path)}
    first, second = (subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                                    check=True).stdout for _ in range(2))
    # the first process derives and writes, the second reads: same formulas, same orbit bits
    assert first == second and first.startswith("3/4 ")
    assert any((tmp_path / "symbolic").glob("*.pkl"))
