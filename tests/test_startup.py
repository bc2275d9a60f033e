"""Fast start, checked by structure, never by the clock: which modules a command imports,
that the catalogue parses when asked, and that chunked kernels give the unchunked result.
"""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import bifurc
from bifurc import Map

HEAVY = ("sympy", "scipy", "matplotlib", "numba", "mpmath", "sklearn", "zarr", "dask")


def _imported(code: str, env: dict | None = None) -> set[str]:
    """The heavy packages imported by ``code`` run in a new process."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env=env or os.environ)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_bifurc_imports_nothing_heavy():
    assert _imported("import bifurc; bifurc.maps.logistic.dim") == set()


def test_help_and_maps_import_nothing_heavy():
    code = ("import contextlib, io\nfrom bifurc.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['maps']); main(['maps', '--json'])\n"
            "from bifurc.cli import build_parser\nbuild_parser().format_help()")
    assert _imported(code) == set()


def test_analysis_with_a_warm_cache_needs_no_sympy(tmp_path):
    env = dict(os.environ, BIFURC_CACHE_DIR=str(tmp_path))
    code = ("import contextlib, io\nfrom bifurc.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['period', 'logistic', '--sweep', 'r=3.2:3.5:2', '--x0', '0.3']) == 0")
    assert "sympy" in _imported(code, env)  # empty cache: the kernels are derived and printed
    assert _imported(code, env) & {"sympy", "matplotlib"} == set()  # cached: found by the formulas


def test_every_catalogued_map_parses_to_its_formulas():
    for name, m in bifurc.maps.CATALOGUE.items():
        twin = Map.from_expressions(dict(zip(m.state, m.formulas)), dict(m.params), name=name)
        assert m.updates == twin.updates and m.formula_key == twin.formula_key


def test_formula_key_tells_maps_apart():
    a = Map.from_expressions({"x": "r*x*(1 - x)"}, {"r": 3.5})
    assert a.formula_key == a.with_params(r=3.9).formula_key  # defaults are arguments, not code
    assert a.formula_key != Map.from_expressions({"x": "r*x*(1 - x)"}, {"r": 3.5, "s": 1.0}).formula_key
    assert a.formula_key != Map.from_expressions({"y": "r*y*(1 - y)"}, {"r": 3.5}).formula_key
    assert a.formula_key != Map.from_expressions({"x": "r*x*(1 + x)"}, {"r": 3.5}).formula_key


def test_chunked_spectrum_is_bit_for_bit_one_call(henon, monkeypatch):
    k = henon.kernels
    x0, p = np.array([0.1, 0.1]), henon.parameter_vector()
    whole, chunked = np.empty(2), np.empty(2)
    assert k.lyapunov_cell(x0, p, 10_001, 37, 1e8, whole) == 0  # one call, no chunks
    monkeypatch.setattr(k, "CHUNK", 64)  # 157 chunks of the orbit, 1 of the transient
    assert k.lyapunov_spectrum(x0, p, 10_001, 37, 1e8, chunked) == 0
    assert np.array_equal(whole, chunked)


def test_chunked_parallel_diagram_equals_the_serial_one(logistic, monkeypatch):
    import numba

    values = np.linspace(2.5, 4.1, 1000)  # r > 4 escapes: the monitors carry over too
    numba.set_num_threads(1)
    try:
        with pytest.warns(bifurc.EscapeWarning):
            serial = bifurc.orbit_diagram(logistic, "r", values, 0.5, transient=200, keep=100)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    monkeypatch.setattr(logistic.kernels, "CHUNK", 64 * 24)  # one block of 24 steps per chunk
    monkeypatch.setattr(logistic.kernels, "STEPS", 24)  # 13 pieces, one ending inside the transient
    with pytest.warns(bifurc.EscapeWarning):
        parallel = bifurc.orbit_diagram(logistic, "r", values, 0.5, transient=200, keep=100)
    assert np.array_equal(parallel.points, serial.points, equal_nan=True)
    assert np.array_equal(parallel.escaped, serial.escaped) and 0 < serial.n_escaped < values.size


def test_chunked_exponent_sweep_is_bit_for_bit_one_call(logistic, monkeypatch):
    k = logistic.kernels
    X = np.full((1, 300), 0.3)
    P = np.ascontiguousarray(np.linspace(3.4, 4.0, 300)[None, :])
    whole, chunked = np.empty(300), np.empty(300)
    bad_whole, bad_chunked = np.zeros(300, np.bool_), np.zeros(300, np.bool_)
    k.logdet_means(X, P, 1000, 100, 1e8, whole, bad_whole)  # one piece of each phase
    monkeypatch.setattr(k, "STEPS", 32)  # pieces of 32 steps, a multiple of the 8-step product
    monkeypatch.setattr(k, "CHUNK", 64 * 32)
    k.logdet_means(X, P, 1000, 100, 1e8, chunked, bad_chunked)
    assert np.array_equal(whole, chunked) and np.array_equal(bad_whole, bad_chunked)


def test_ctrl_c_stops_a_long_compiled_call(tmp_path):
    """10^11 steps take half an hour; Ctrl-C ends the run between two chunks instead."""
    env = dict(os.environ, BIFURC_CACHE_DIR=str(tmp_path))
    args = ["lyapunov", "henon", "--x0", "0.1,0.1", "--n"]
    subprocess.run([sys.executable, "-m", "bifurc", *args, "10"], env=env, capture_output=True, check=True)
    code = ("import sys, bifurc.cli\nprint('ready', file=sys.stderr, flush=True)\n"
            f"sys.exit(bifurc.cli.main({[*args, '100000000000']!r}))")
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr.readline() == "ready\n"
    try:
        process.wait(timeout=5)  # loading the cached kernels takes a second: then it is in the loop
    except subprocess.TimeoutExpired:
        pass
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=120)  # a hang guard, far above a chunk's time
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("Ctrl-C was not honoured during the compiled call")
    assert process.returncode == 130 and err.strip() == "bifurc: interrupted"


def test_figures_without_scikit_learn_draw_the_rest(tmp_path, monkeypatch, capsys):
    """The base install: figures that need the digits are named in one line, not a traceback."""
    from matplotlib.figure import Figure

    import bifurc.figures as figures
    from bifurc.nets.data import digits

    def drawn(quick=False):
        return Figure()

    def on_digits(quick=False):
        digits(8)
        return Figure()

    # as if scikit-learn were not installed: its submodules too, since an earlier test may have
    # imported sklearn.datasets, which Python would then find without looking at its parent
    for name in ["sklearn", *(m for m in sys.modules if m.startswith("sklearn."))]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(figures, "FIGURES", {"plain": drawn, "nets-digits": on_digits})
    for only, status in ((None, 0), (["nets"], 1), (["plain"], 0)):
        args = type("Args", (), {"out": str(tmp_path), "format": "svg", "only": only, "quick": True})()
        assert figures.main_cli(args) == status
        out, err = capsys.readouterr()
        assert (tmp_path / "plain.svg").exists() == (only != ["nets"])
        line = "bifurc: not drawn, they need scikit-learn (pip install 'bifurc[data]'): nets-digits\n"
        assert err == ("" if only == ["plain"] else line)
        (tmp_path / "plain.svg").unlink(missing_ok=True)


def test_cells_in_pieces_are_bit_for_bit_whole(henon, monkeypatch):
    """Spectra, periods and escape times of many cells, and single orbits and periods: pieces
    of 40 steps, states, tangent bases, sums and escape steps carried over, give what one
    piece gives."""
    k = henon.kernels
    a = np.linspace(1.0, 1.5, 24)  # a > ~1.43 escapes from this start
    P = np.ascontiguousarray(np.column_stack([a, np.full(a.size, 0.3)]))
    X0 = np.full((a.size, 2), 0.1)

    def run():
        rows = np.full((300, 2), np.nan)
        written = k.orbit(X0[0], P[0], 300, 100, 1e8, rows)  # a = 1, not escaping
        escaping = np.full((300, 2), np.nan)
        gone = k.orbit(X0[-1], P[-1], 300, 0, 1e8, escaping)
        x = X0[0].copy()
        period = k.settle(x, P[0], 1000, 64, 1e-9, 1e8)
        assert written == 300 and 0 < gone < 300 and period > 0
        spectra, status = np.empty((a.size, 2)), np.empty(a.size, np.int64)
        k.lyapunov_many(X0, P, 1000, 100, 1e8, spectra, status)
        periods, finals = np.empty(a.size, np.int64), np.empty((a.size, 2))
        k.settle_many(X0, P, 1000, 64, 1e-9, 1e8, periods, finals)
        times = np.empty(a.size, np.int64)
        k.escape_times(X0, P, 1000, 1e8, times)
        return spectra, status, periods, finals, times, rows, escaping, x

    whole = run()
    monkeypatch.setattr(k, "CHUNK", 40)  # a multiple of 8, and of no phase's length
    pieces = run()
    for w, p in zip(whole, pieces):
        assert np.array_equal(w, p, equal_nan=True)
    spectra, status, periods, _, times = whole[:5]
    assert 0 < np.count_nonzero(status) < a.size and np.array_equal(status > 0, times > 0)
    assert np.array_equal(periods < 0, times > 0)


def test_one_cell_spectrum(henon):
    """A single cell (an edge case of the per-cell arrays): its spectrum sums to log b."""
    out, status = np.empty((1, 2)), np.empty(1, np.int64)
    henon.kernels.lyapunov_many(np.full((1, 2), 0.1), np.array([[1.4, 0.3]]), 5000, 10, 1e8, out, status)
    assert status[0] == 0 and abs(out.sum() - np.log(0.3)) < 1e-12  # det J = -b exactly: the sum is log b


@pytest.mark.parametrize("count, cost, threads", [(63, 128_000, 2), (1000, 1, 2), (5, 10**7, 16),
                                                   (10**6, 300, 3), (1, 1, 4), (7, 2**20, 1),
                                                   (10**5, 10**4, 16)])
def test_chunks_cover_the_range_evenly(logistic, count, cost, threads):
    """Chunks tile range(count) in order and differ by at most one item; fewer chunks than
    items come in a multiple of the threads (equal chunks leave no thread idle); a big job
    has at least 4 chunks per thread, each within CHUNK evaluations (plus one item's
    rounding) and not under MIN_CHUNK / 2 (the rounding up to a multiple at most doubles
    their number)."""
    k = logistic.kernels
    bounds = k.chunk_bounds(count, cost, threads)
    total = count * cost
    assert bounds[0][0] == 0 and bounds[-1][1] == count
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    sizes = [b - a for a, b in bounds]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1
    if len(bounds) < count:
        assert len(bounds) % threads == 0
    if total >= threads * k.MIN_CHUNK:
        assert min(sizes) * cost >= k.MIN_CHUNK // 2 - cost
    if total >= 4 * threads * k.MIN_CHUNK and count >= 4 * threads:
        assert len(bounds) >= 4 * threads
        assert max(sizes) * cost <= max(k.CHUNK, total // (4 * threads)) + cost
