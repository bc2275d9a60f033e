"""bifurc.backends without a model back-end: the warm-started Lanczos finds the top eigenpairs of
operators with a known spectrum to its tolerance, in fewer products than a cold start from a good
start, and the right ones after the top two cross; the recorders' progress line."""

import io

import numpy as np
import pytest
from scipy.sparse.linalg import aslinearoperator

from bifurc import InputError
from bifurc.backends import progress
from bifurc.backends.curvature import eigenpairs
from bifurc.backends.lanczos import warm_eigenpairs


def _operator(spectrum, seed=0):
    """Q diag(spectrum) Qᵀ with a random orthogonal Q, and Q."""
    n = len(spectrum)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return aslinearoperator(Q @ np.diag(spectrum) @ Q.T), Q


def _bulk(n, low, high, seed=1):
    return np.random.default_rng(seed).uniform(low, high, n)


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("tol", [1e-10, 1e-6])
def test_warm_start_agrees_with_the_spectrum_to_tol_in_fewer_products_than_cold(k, tol):
    top = np.array([10.0, 9.0, 8.5])
    spectrum = np.r_[top, _bulk(297, -1, 5)]
    op, Q = _operator(spectrum)
    # the previous step's vectors: the true ones turned by an angle of about 1e-2
    previous = Q[:, :k] + 1e-2 * np.random.default_rng(2).standard_normal((300, k)) / np.sqrt(300)
    warm, cold = eigenpairs(op, k, previous, tol), eigenpairs(op, k, None, tol)
    # Krylov-Bogoliubov: an eigenvalue lies within the residual ‖Ay - θy‖ <= tol |θ| of each Ritz value
    # (and the residual squared over the gap is the true error, far smaller)
    np.testing.assert_allclose(warm.values, top[:k], rtol=tol)
    np.testing.assert_allclose(cold.values, top[:k], rtol=tol)
    A = op.matmat(np.eye(300))
    residuals = np.linalg.norm(A @ warm.vectors - warm.vectors * warm.values, axis=0)
    assert np.all(residuals <= 1.01 * tol * warm.values)  # 1%: the recurrence's estimate vs the true residual
    assert warm.matvecs < cold.matvecs


def test_warm_start_finds_the_new_top_pair_after_the_top_two_cross():
    """The old top vector is now exactly the second eigenvector: alone it spans an invariant subspace
    and Lanczos would stop at 9 after one product; the start's pseudo-random part finds 10."""
    op, Q = _operator(np.r_[10.0, 9.0, _bulk(198, 0, 8)])
    result = eigenpairs(op, 1, Q[:, 1], 1e-10)
    assert result.values[0] == pytest.approx(10.0, rel=1e-10)
    assert abs(result.vectors[:, 0] @ Q[:, 0]) == pytest.approx(1.0, rel=1e-9)


def test_a_poor_start_falls_back_to_the_cold_method_with_the_same_answer():
    """A cluster at the top (gap 1e-3 of the spread) takes Lanczos more than ncv = 20 products."""
    spectrum = np.r_[1.0, 0.999, _bulk(398, 0.0, 0.998)]
    op, _ = _operator(spectrum)
    start = np.random.default_rng(5).standard_normal(400)
    result = warm_eigenpairs(op, 1, start, 1e-10)
    assert result.matvecs > 20  # the warm recurrence stopped at 20 and ARPACK went on
    assert result.values[0] == pytest.approx(1.0, rel=1e-10)


def test_bad_warm_starts_are_input_errors():
    op, _ = _operator(np.arange(1.0, 31.0))
    for v0 in (np.ones(29), np.zeros(30), np.full(30, np.nan), np.c_[np.ones(30), -np.ones(30)],
               np.ones((30, 2, 2))):
        with pytest.raises(InputError, match="v0 must be"):
            eigenpairs(op, 1, v0)


def test_progress_line_shows_the_share_done_and_time_left_and_is_silent_by_default(monkeypatch):
    ticks = iter([0.0, 0.0, 10.0, 20.0])  # construction, then three updates
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(ticks))
    out = io.StringIO()
    bar = progress.Progress(total=4, show=True, stream=out)
    bar.update(1, "sharpness 3.9")
    bar.update(2)
    bar.update(4)
    lines = out.getvalue().splitlines()
    # 1 of 4 steps at 0 s: nothing to extrapolate yet; 2 of 4 at 10 s: 10 s left; done at 20 s
    assert lines == [
        "bifurc: step 1/4 [#####...............]  25%, sharpness 3.9, 0:00 elapsed, 0:00 left",
        "bifurc: step 2/4 [##########..........]  50%, 0:10 elapsed, 0:10 left",
        "bifurc: step 4/4 [####################] 100%, 0:20 elapsed",
    ]
    quiet = io.StringIO()  # not a terminal: the default shows nothing, however long the run
    ticks = iter([0.0, 100.0])
    default = progress.Progress(total=4, stream=quiet)
    default.update(4)
    assert quiet.getvalue() == ""


def test_progress_on_a_terminal_rewrites_one_line_after_the_delay(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    ticks = iter([0.0, 1.0, progress.DELAY + 1.0, progress.DELAY + 1.1, progress.DELAY + 2.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(ticks))
    out = Terminal()
    bar = progress.Progress(total=3, stream=out)
    bar.update(1)  # before the delay: silent
    bar.update(2)  # shown
    bar.update(2)  # within INTERVAL of the last: skipped
    bar.update(3)  # the last step: shown, and the line ended
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "step 2/3" in text and "step 3/3" in text and "step 1/3" not in text


def test_a_back_end_by_name_and_an_unknown_or_missing_one_is_one_line():
    import subprocess
    import sys

    import bifurc

    for name in ("tensorflow", "", None, 3):
        with pytest.raises(InputError, match="backend must be one of torch, jax") as info:
            bifurc.backend(name)
        assert "\n" not in str(info.value)
    # a back-end whose framework is missing (hidden from the import system in a fresh process)
    code = ("import sys; sys.modules['torch'] = None\nimport bifurc\ntry:\n    bifurc.backend('Torch')\n"
            "except bifurc.InputError as error:\n    print(error)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.startswith("backend 'torch' needs torch, which is not installed: pip install torch==2.13.0")
    assert shown.count("\n") == 1
