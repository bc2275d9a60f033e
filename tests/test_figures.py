"""Every figure builds at quick resolution, and the data it plots states its claim."""

import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from bifurc import eos, losses
from bifurc.figures import FIGURES, select, write_all


@pytest.fixture(scope="module")
def figures() -> dict[str, Figure]:
    return {name: build(quick=True) for name, build in FIGURES.items()}


def _lines(ax, prefix: str) -> list:
    return [line for line in ax.lines if str(line.get_label()).startswith(prefix)]


def test_every_figure_has_data(figures):
    for name, fig in figures.items():
        assert isinstance(fig, Figure), name
        drawn = sum(len(ax.lines) + len(ax.images) + len(ax.collections) for ax in fig.axes)
        assert drawn > 0, name
        for ax in fig.axes:
            for line in ax.lines:
                assert np.asarray(line.get_xdata()).size > 0, name


def test_toy_runs_land_on_q_equals_r_of_p(figures):
    eta = 2 / 16
    r = eos.alignment(losses.logcosh)  # q/r(p) = 1 + h(p) eta^2, h <= h(0) = 3/4
    runs = _lines(figures["song-yun-toy"].axes[1], "start")
    assert len(runs) == 4
    for line in runs:
        p, q = np.asarray(line.get_xdata())[-50:], np.asarray(line.get_ydata())[-50:]
        ratio = q / np.where(p == 0, 1.0, np.tanh(p) / np.where(p == 0, 1.0, p))
        # aligned: off the curve by the eta^2 term only (h(0) eta^2 = 0.0117), not O(1)
        assert np.all(np.abs(ratio - 1) < 1.5 * float(r.h0) * eta**2)


def test_net_trajectories_ride_the_period_two_branch(figures):
    for ax, loss in zip(figures["song-yun-bifurcation"].axes, (losses.logcosh, losses.pseudo_huber)):
        lines = _lines(ax, "two-layer")
        q = np.concatenate([np.asarray(line.get_xdata())[30:] for line in lines])  # after alignment
        p = np.concatenate([np.asarray(line.get_ydata())[30:] for line in lines])
        on = (q > 0.3) & (q < 0.95)
        assert on.sum() > 20
        # p_t = ±r̂(q_t) up to the O(eta^2) alignment error (eta = 0.1)
        assert np.abs(np.abs(p[on]) - loss.r_hat(q[on])).max() < 0.05


def test_sharpness_converges_to_the_derived_limit(figures):
    eta = 0.1
    a, _, c = figures["song-yun-limit"].axes
    limit = 2 / eta - 1.5 * eta  # 2/eta - eta/|r''(0)|, r''(0) = -2/3 for log-cosh
    for line in _lines(a, "$(p_0"):
        assert abs(np.asarray(line.get_ydata())[-1] - limit) < 5e-3  # O(eta^3) = 1e-3 times C
    measured = [line for line in c.lines if line.get_linewidth() > 2]
    predicted = [line for line in c.lines if line.get_linestyle() == "--"]
    for m, h in zip(measured, predicted):
        late = slice(400, None)  # after alignment; the O(eta^4)/eta^2 = O(eta^2) remainder
        assert np.abs(np.asarray(m.get_ydata())[late] - np.asarray(h.get_ydata())[late]).max() < 0.02


def test_uv_portrait_marks_the_saddle_and_runs_end_at_the_edge(figures):
    for ax in figures["kalra-phase-portrait"].axes:
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "saddle" in labels and "unstable" in labels
        for line in _lines(ax, "run from"):
            lam = np.asarray(line.get_ydata())
            assert abs(lam[-20:].mean() - 2.0) < 0.05  # eta = 1: lambda oscillates about 2/eta


def test_sharpness_spectrum_peaks_at_period_two(figures):
    left, right = figures["kalra-sharpness-spectrum"].axes[:2]
    for line in _lines(right, "SP") + _lines(right, "$\\mu$P"):
        f, power = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert abs(f[np.argmax(power)] - 0.5) < 2 / f.size
    # the series sits on the stable 2-cycle eta*lambda = 1 + Y -+ sqrt((Y - 1)(Y + 3)) of the
    # scaled UV map at Y = 1.2 (multipliers -0.68 and 0.36: after 2000 steps it is there to rounding)
    Y = 1.2
    cycle = np.array([1 + Y - np.sqrt((Y - 1) * (Y + 3)), 1 + Y + np.sqrt((Y - 1) * (Y + 3))])
    for line in _lines(left, "SP") + _lines(left, "$\\mu$P"):
        series = np.asarray(line.get_ydata())
        assert np.allclose(np.sort(series[:2]), cycle, rtol=1e-10)
        assert np.allclose(series[2:], series[:-2], rtol=1e-10)


def test_cubic_map_first_doubling_where_derived(figures):
    top, bottom = figures["kalra-cubic-map"].axes
    first = min(line.get_xdata()[0] for line in top.lines)
    assert abs(first - 5.0) < 1e-10  # 1 - 4 eta a b = -1 at b = 1/(2 eta a) = 5
    b, lam = np.asarray(bottom.lines[0].get_xdata()), np.asarray(bottom.lines[0].get_ydata())
    assert np.all(lam[b < first - 0.05] < 0)


def test_zhu_final_sharpness_tracks_two_over_eta(figures):
    ax = figures["zhu-adaptivity"].axes[0]
    for line in _lines(ax, "$\\eta"):
        eta = float(re.search(r"= ([\d.]+)", line.get_label()).group(1))
        final = np.asarray(line.get_ydata())[-1]
        assert 2 / eta - 20 * eta / 3 < final < 2 / eta


def test_zhu_concentration_inside_the_band(figures):
    ax = figures["zhu-concentration"].axes[0]
    gaps = np.concatenate([np.asarray(line.get_ydata()) for line in _lines(ax, "$\\eta")])
    assert gaps.size >= 100
    assert np.all((gaps > 0) & (gaps < 20 / 3))


def test_degree_two_ellipses_end_below_two_over_eta(figures):
    ax = figures["zhu-parabola-ellipse"].axes[1]
    for line in _lines(ax, "$\\sigma_0"):
        s0 = float(re.search(r"= ([\d.]+)", line.get_label()).group(1))
        assert np.asarray(line.get_ydata())[-1] < -0.5 * s0


def test_exponential_euler_follows_the_flow_and_gd_does_not(figures):
    ax = figures["lowell-kastner"].axes[0]
    gd, euler, flow = ax.lines[:3]
    def at(line, times):
        return np.interp(times, line.get_xdata(), line.get_ydata())
    times = np.asarray(flow.get_xdata())
    assert np.abs(at(euler, times) / flow.get_ydata() - 1).max() < 0.05
    assert np.abs(at(gd, times) / flow.get_ydata() - 1).max() > 0.2


def test_classics_state_their_constants(figures):
    bottom = figures["classics-logistic"].axes[1]
    assert abs(bottom.lines[0].get_ydata()[-1] - math.log(2)) < 0.05  # r = 4: exponent log 2
    title = figures["classics-henon"].axes[0].get_title()
    assert float(re.search(r"lambda_1 = ([-\d.]+)", title).group(1)) == pytest.approx(0.42, abs=0.02)
    roots = np.array([line.get_xydata()[0] for line in figures["classics-basins"].axes[0].lines])
    assert np.allclose(np.sort(np.angle(roots[:, 0] + 1j * roots[:, 1])), [-2 * np.pi / 3, 0, 2 * np.pi / 3])
    ratios = [float(t.get_text()) for t in figures["classics-cascade"].axes[0].texts]
    assert abs(ratios[-1] - 4.669201609) < 1e-3


def test_write_all_selects_by_prefix_and_writes(tmp_path):
    assert select("zhu") == [name for name in FIGURES if name.startswith("zhu-")]
    assert select(["zhu-adaptivity", "classics-henon"]) == ["zhu-adaptivity", "classics-henon"]
    with pytest.raises(ValueError, match="only"):
        select("nope")
    with pytest.raises(ValueError, match="fmt"):
        write_all(tmp_path, fmt="gif")
    (path,) = write_all(tmp_path, fmt="svg", only="classics-cascade", quick=True)
    assert path.exists() and path.stat().st_size > 0


def test_every_converged_start_ends_at_or_below_two_over_eta(figures):
    level = np.ma.filled(figures["zhu-convergence-map"].axes[0].images[1].get_array(), np.nan)
    assert np.mean(np.isfinite(level)) > 0.3
    # a minimum GD settles on is stable: eta lambda/2 <= 1, up to the settle tolerance
    assert np.nanmax(level) <= 1 + 1e-6


def test_jacobian_alignment_rises_and_its_power_law_is_the_least_squares_line(figures):
    initial, peak, fit = figures["nets-jacobian-alignment"].axes[0].lines[:3]
    D, top = np.asarray(peak.get_xdata()), np.asarray(peak.get_ydata())
    assert np.all(top > 1.5 * np.asarray(initial.get_ydata()))  # the check's criterion, drawn
    k, logc = np.polyfit(np.log(D), np.log(top), 1)  # least squares in log-log, independently
    x = np.asarray(fit.get_xdata())
    assert np.allclose(fit.get_ydata(), np.exp(logc) * x**k, rtol=1e-10)  # a few roundings
