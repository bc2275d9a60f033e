"""The benchmark runs end to end. It reports wall times and never asserts them."""

import json
import subprocess
import sys


def test_quick_bench_prints_a_table_and_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bifurc.bench", "--quick", "--workloads", "W3", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only, far above the ~15 s this takes
    )
    assert done.returncode == 0, done.stderr
    assert "ns/eval" in done.stdout
    assert "bifurc serial (1 thread)" in done.stdout
    report = json.loads(out.read_text())
    (w3,) = report["workloads"]
    assert w3["key"] == "W3"
    bifurc_rows = [r for r in w3["rows"] if r["kind"] in ("parallel", "serial")]
    assert len(bifurc_rows) == 2 and all(r["ns"] > 0 for r in bifurc_rows)


def test_unknown_workload_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "bifurc.bench", "--workloads", "W9"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "W9" in done.stderr


def test_startup_table_states_each_target_against_the_floor():
    from bifurc.bench import STARTUP_TARGETS, format_startup

    data = {"rows": [["python -c 'import numpy, numba' (floor)", 0.25, ""], ["import bifurc", 0.5, ""],
                     ["bifurc --help", 0.1, ""], ["pynamicalsys first call", None, "not installed"]],
            "kernels": [["diagram_range (W1's kernel: the orbit diagram)", 0.75]]}
    lines = format_startup(data)

    def row(label):
        (line,) = [line for line in lines if line.strip().startswith(label)]
        return line[len(label) + 2:].split()

    assert STARTUP_TARGETS["import bifurc"] == 0.4 and STARTUP_TARGETS["bifurc --help"] == 0.3
    assert row("import bifurc") == ["0.5", "2x", "0.4", "NOT", "MET"]  # 0.5 s is twice the 0.25 s floor
    assert row("bifurc --help") == ["0.1", "0.4x", "0.3", "MET"]
    assert row("pynamicalsys first call") == ["-", "-", "-", "not", "installed"]
    assert lines[-1].split()[-1] == "0.750"
