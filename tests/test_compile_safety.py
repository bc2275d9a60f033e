"""No text a user supplies becomes code, except formulas through the safe printer.

Each injection below would, if written into a generated kernel module, run code that
creates a marker file when the module is imported. The tests compile maps named by (or
defined with a trailing comment holding) those texts and assert that the marker was
never created and that no generated file holds the text.
"""

import json
import math

import pytest

from bifurc import Map
from bifurc.cli import main


def _payloads(marker):
    """Texts that break out of a string literal or a comment and create ``marker``."""
    def text(value):  # a string expression without quotes, so no escaping can defuse it
        return f"bytes({list(value.encode())}).decode()"

    touch = f"__import__({text('pathlib')}).Path({text(str(marker))}).touch()"
    return [
        f'"""+{touch}+"""',
        f"'''+{touch}+'''",
        f'\\"""+{touch}+"""\\',
        f'x"""\n{touch}\n"""',
        f"x'''\n{touch}\n'''",
        f"\\\n{touch}\n",
        f"'+{touch}+'",
        f'"+{touch}+"',
    ]


def _generated(folder):
    return [p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*.py")]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("BIFURC_CACHE_DIR", str(folder))
    return folder


def test_map_name_never_reaches_the_kernel_module(cache, tmp_path):
    marker = tmp_path / "ran"
    for i, name in enumerate(_payloads(marker)):
        m = Map.from_expressions({"x": f"r*x*(1 - x) + {i}*x*0"}, {"r": 3.0}, name=name)
        assert m(0.5)[0] == 0.75  # compiled and imported: 3 * 0.5 * 0.5, exact in binary
        assert not marker.exists(), f"code ran from the name {name!r}"
        assert all(name not in text for text in _generated(cache))


def test_formula_comment_on_the_command_line_never_runs(cache, tmp_path, capsys):
    marker = tmp_path / "ran"
    for i, payload in enumerate(p for p in _payloads(marker) if ";" not in p and "\n" not in p):
        spec = f"x=a*x + {i}*x*0 # {payload}"
        status = main(["lyapunov", spec, "--set", "a=0.5", "--n", "100", "--transient", "0", "--json"])
        out = capsys.readouterr().out
        assert status == 0 and not marker.exists(), f"code ran from the spec {spec!r}"
        # x -> a x has exponent log|a|; the sum of 100 logarithms rounds at 1e-15
        assert math.isclose(json.loads(out)["exponents"][0], math.log(0.5), rel_tol=1e-12)
        assert all(payload not in text for text in _generated(cache))


def test_loss_text_of_verify_never_runs(cache, tmp_path, capsys):
    marker = tmp_path / "ran"
    payload = _payloads(marker)[0]
    loss = f"2*sqrt(4 + p**2) - 4 # {payload}"  # a pseudo-Huber loss with l''(0) = 1, as verify asks
    status = main(["verify", "--only", "song-yun/period-doubling", "--loss", loss])
    capsys.readouterr()
    assert status in (0, 1) and not marker.exists()
    assert all(payload not in text for text in _generated(cache))
