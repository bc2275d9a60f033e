"""Small jobs run the generated kernels as plain Python: bit for bit the compiled results.

Every algorithm of the kernel module is run both ways on maps that use every construct
the printer writes (products for small integer powers, ``math.pow``, named compound
bases, ``math`` functions, floor, modulo, sign, piecewise, abs), and the plain run must
not have fallen back (it is called directly, with numpy raising on any floating-point
exception). Where plain Python would raise and numba returns inf or NaN, the compiled
kernel runs instead, on the arguments as they were.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import bifurc
from bifurc import Map
from bifurc.compilation import interpreted
from bifurc.compilation.loader import load_interpreted

#: Maps beyond the catalogue, one for each construct of the printer.
EXTRA = {
    "powers": Map.from_expressions(
        {"x": "a*x - (x + y)**3/5 + y**5/50", "y": "b*x + (x*y - 1)**2/9 - Abs(x)**(a/2)/20"},
        {"a": 1.2, "b": -0.4}, name="powers"),
    "roots": Map.from_expressions({"x": "a*sqrt(x**2 + 1) - x**(3/2)/3 + exp(-x**2)"}, {"a": 0.9},
                                  name="roots"),
    "rough": Map.from_expressions(
        {"x": "Mod(a*x + y, 1) + floor(2*x)/7", "y": "sign(x - 1/2)*y/2 + Abs(x - y)/3"},
        {"a": 2.3}, name="rough"),
    "pieces": Map.from_expressions({"x": "Piecewise((a*x, x < 1/2), (a*(1 - x), True)) + tanh(x)/10"},
                                   {"a": 1.7}, name="pieces"),
    "general-power": Map.from_expressions({"x": "c*x*(1 - x)**b"}, {"b": 1.3, "c": 3.1},
                                          name="general-power"),
}
MAPS = {**bifurc.maps.CATALOGUE, **EXTRA}


def _plain(m: Map):
    return load_interpreted(m._kernel_source, m.formula_key)


def _cells(m: Map, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """States on the attractor (200 steps from small random starts, keeping the orbits that
    stayed within 10) and parameters within 1% of the defaults: bounded orbits, so that
    neither run meets an exception."""
    rng = np.random.default_rng(seed)
    P = m.parameter_vector() * (1 + 0.01 * rng.uniform(-1, 1, (4 * count, m.parameter_vector().size)))
    X = 0.1 + 0.2 * rng.uniform(0, 1, (4 * count, m.dim))
    with np.errstate(all="ignore"):
        for _ in range(200):
            X = np.array([m(x, m.named_parameters(p)) if np.all(np.abs(x) < 10) else x * np.nan
                          for x, p in zip(X, P)])
    kept = np.flatnonzero(np.all(np.abs(X) < 10, axis=1))[:count]
    assert kept.size == count, m.name
    return np.ascontiguousarray(X[kept]), np.ascontiguousarray(P[kept])


def _both(m: Map, name: str, *args):
    """(plain result, plain arrays, compiled result, compiled arrays) of kernel ``name``."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # a fallback would raise here
        plain = getattr(_plain(m), name)(*args)
    compiled = getattr(m.kernels, name)(*copies)
    arrays = lambda values: [a for a in values if isinstance(a, np.ndarray)]  # noqa: E731
    return plain, arrays(args), compiled, arrays(copies)


def _assert_same(m: Map, name: str, *args) -> None:
    plain, plain_arrays, compiled, compiled_arrays = _both(m, name, *args)
    assert plain == compiled, (m.name, name)
    for a, b in zip(plain_arrays, compiled_arrays):
        assert np.array_equal(a, b, equal_nan=True), (m.name, name)  # bit for bit: no tolerance
        assert a.tobytes() == b.tobytes(), (m.name, name)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_every_algorithm_is_bit_for_bit_the_compiled_one(name):
    m = MAPS[name]
    X, P = _cells(m, 12, seed=len(name))
    R, n = 1e8, 300
    lanes, rows = np.ascontiguousarray(X.T), np.ascontiguousarray(P.T)
    _assert_same(m, "diagram", lanes, rows, 50, 40, R, np.empty((12, 40, m.dim)), np.empty(12, dtype=bool))
    _assert_same(m, "logdet_means", lanes, rows, n, 20, R, np.empty(12), np.empty(12, dtype=bool))
    _assert_same(m, "lyapunov_many", X, P, n, 20, R, np.empty((12, m.dim)), np.empty(12, dtype=np.int64))
    _assert_same(m, "lyapunov_spectrum", X[0].copy(), P[0], n, 20, R, np.empty(m.dim))
    _assert_same(m, "settle_many", X, P, 100, 64, 1e-9, R, np.empty(12, dtype=np.int64), np.empty_like(X))
    _assert_same(m, "orbit", X[1], P[1], 60, 10, R, np.empty((60, m.dim)))
    _assert_same(m, "escape_times", X, P, 200, R, np.empty(12, dtype=np.int64))
    _assert_same(m, "step_many", X, P, np.empty_like(X))
    _assert_same(m, "flow_with_monodromy", X[2], P[2], 7, R, np.empty(m.dim), np.empty((m.dim, m.dim)))
    _assert_same(m, "newton_cycle", X[3].copy(), P[3], 1, 1e-13, 30, R, np.empty((m.dim, m.dim)))


def test_an_overflow_falls_back_to_the_compiled_kernel_on_the_arguments_as_they_were(logistic):
    """r = 5 sends x = 0.3 off to -infinity, squaring its size each step: the step from about
    -1e200 overflows, where plain Python raises and numba returns -inf (an escape past R =
    1e300). The compiled kernel then runs from the state before the call."""
    kernels = interpreted.Interpreted(_plain(logistic), lambda: logistic.kernels)
    x, p = np.array([0.3]), np.array([5.0])
    with pytest.raises(FloatingPointError), np.errstate(over="raise"):
        _plain(logistic).advance(x.copy(), p, 40, 1e300)
    expected = x.copy()
    gone = logistic.kernels.advance(expected, p, 40, 1e300)
    assert 0 < gone < 40 and expected[0] == -np.inf
    assert kernels.advance(x, p, 40, 1e300) == gone
    assert x.tobytes() == expected.tobytes()


def test_a_domain_error_falls_back(logistic):
    """log|det J| of the logistic map at x = 1/2 is log 0: math.log raises, numba gives -inf."""
    kernels = interpreted.Interpreted(_plain(logistic), lambda: logistic.kernels)
    X, P = np.array([[0.5]]), np.array([[3.0]])
    out, bad = np.empty(1), np.empty(1, dtype=bool)
    kernels.logdet_means(X, P, 1, 0, 1e8, out, bad)
    assert out[0] == -np.inf and not bad[0]


def test_the_budget_is_spent_once():
    assert interpreted.claim(0)
    assert not interpreted.claim(interpreted.BUDGET + 1)
    assert not interpreted.claim(-1)


def test_compiled_kernels_once_loaded_are_used_for_small_jobs(logistic):
    compiled = logistic.kernels  # loaded
    assert logistic.kernels_for(1) is compiled


def test_a_small_command_runs_without_numba(tmp_path):
    """The period over eight values: 8 x (10^4 + 2 x 1024) evaluations, within the budget."""
    env = dict(os.environ, BIFURC_CACHE_DIR=str(tmp_path))
    args = ["period", "logistic", "--sweep", "r=3.2:3.9:8", "--x0", "0.3"]
    code = ("import sys\nfrom bifurc.cli import main\n"
            f"assert main({args!r}) == 0\nprint('numba' in sys.modules)")
    for _ in range(2):  # an empty cache, then a warm one
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                              check=True)
        lines = done.stdout.splitlines()
        assert lines[-1] == "False"
        # period 2 for 3 < r < 1 + sqrt 6, 4 up to r_3 = 3.5441, chaos past r_inf = 3.5699 (no window here)
        assert [int(line.split()[-1]) for line in lines[1:-1]] == [2, 2, 2, 4, 0, 0, 0, 0]
    compiled = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=dict(env, BIFURC_PLAIN_BUDGET="0"))  # the control: no plain Python
    assert compiled.stdout.splitlines()[-1] == "True" and compiled.stdout.splitlines()[:-1] == lines[:-1]


def test_a_malformed_budget_is_one_line_error(tmp_path):
    env = dict(os.environ, BIFURC_CACHE_DIR=str(tmp_path), BIFURC_PLAIN_BUDGET="lots")
    done = subprocess.run([sys.executable, "-m", "bifurc", "period", "logistic", "--x0", "0.3"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2 and done.stderr.strip() == (
        "bifurc: error: BIFURC_PLAIN_BUDGET must be a count of map evaluations from 0 to 10**12, got 'lots'")
