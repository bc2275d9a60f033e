"""Figures carry the data they claim to show."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import bifurc
from bifurc import plot


def test_cobweb_vertices_alternate_between_graph_and_diagonal(logistic):
    fig = plot.cobweb(logistic, 0.2, 30, {"r": 3.7})
    assert isinstance(fig, Figure)
    stairs = fig.axes[0].lines[2]
    x, y = stairs.get_xdata(), stairs.get_ydata()
    on_graph = np.array([logistic(v, {"r": 3.7})[0] for v in x[::2]])
    assert np.allclose(y[1::2], on_graph[: len(y[1::2])], rtol=0, atol=1e-15)  # vertical: up to F(x)
    assert np.allclose(y[2::2], x[2::2])  # horizontal: across to the diagonal


def test_orbit_diagram_marks_escape_and_shades_density(logistic):
    d = bifurc.orbit_diagram(logistic, "r", np.linspace(3.0, 3.9, 40), 0.3, transient=200, keep=200)
    fig = plot.orbit_diagram(d)
    image = fig.axes[0].images[0].get_array()
    assert image.count() > 0 and image.mask.any()  # visited cells shaded, the rest left white
    s = bifurc.lyapunov_sweep(logistic, "r", d.values, 0.3, n=500)
    both = plot.diagram_with_lyapunov(d, s)
    assert np.array_equal(both.axes[1].lines[0].get_ydata(), s.largest)


def test_basins_and_parameter_plane_figures(henon):
    m = bifurc.Map.from_expressions({"x": "x + c*(x - x**3)", "y": "y/2"}, {"c": 0.5})
    b = bifurc.basins(m, np.linspace(-1.5, 1.5, 20), np.linspace(-1, 1, 5))
    fig = plot.basins(b)
    assert len(fig.axes[0].get_legend().get_texts()) == len(b.attractors) == 2
    plane = bifurc.parameter_plane(henon, "a", np.linspace(0.1, 1.0, 6), "b", np.linspace(0.1, 0.3, 4),
                                   [0.1, 0.1], transient=500)
    shown = plot.parameter_plane(plane).axes[0].images[0].get_array()
    assert np.array_equal(np.asarray(shown), plane.values)


def test_phase_portrait_marks_the_fixed_points_by_type(henon):
    fig = plot.phase_portrait(henon, [(-2, 2), (-1, 1)], starts=[[0.1, 0.1]], n=100)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["saddle"]  # both Henon fixed points are saddles at (1.4, 0.3)


def test_cascade_figure(logistic):
    c = bifurc.cascade(logistic, "r", 2.8, 3.57, 0.3, count=6)
    fig = plot.cascade(c)
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), c.gaps)


def test_verify_results_figure_colours_failures():
    from bifurc.verify.registry import CheckResult

    results = [CheckResult("a/ok", "p", "holds", 1.0, 1.0, 0.1, True, 2.0, 0.5),
               CheckResult("a/no", "p", "fails", 1.0, 3.0, 0.1, False, None, 0.2)]
    bars = plot.verify_results(results).axes[0].patches
    assert [b.get_width() for b in bars] == [0.5, 0.2]
    assert bars[0].get_facecolor() != bars[1].get_facecolor()


def test_lyapunov_plane_scale_ignores_superstable_minus_infinity_and_marks_escape():
    from bifurc.analysis.planes import ParameterPlane

    values = np.array([[-np.inf, -0.5, 0.0], [0.25, np.nan, -2.0]])
    plane = ParameterPlane("m", "lyapunov", ("a", "b"), np.arange(3.0), np.arange(2.0), values)
    image = plot.parameter_plane(plane).axes[0].images[0]
    assert image.get_clim() == (-2.0, 0.25)  # the finite extremes, each sign its own half
    rgba = image.cmap(image.norm(image.get_array()))
    assert tuple(rgba[1, 1]) == (0.0, 0.0, 0.0, 1.0)  # escaped (NaN): black, unlike the centre 0
    assert tuple(rgba[0, 0]) == tuple(image.cmap(0.0))  # -inf: the darkest blue of the scale


def test_plane_cells_are_centred_on_their_values_and_one_row_draws_without_a_warning():
    """Each image cell is centred on its grid value (the extent is half a cell beyond the ends);
    a plane of one row has a cell 1 tall around its value, not limits that coincide."""
    import warnings

    from bifurc.analysis.planes import ParameterPlane

    plane = ParameterPlane("m", "lyapunov", ("a", "b"), np.linspace(1.0, 2.0, 5), np.array([0.3]),
                           np.array([[0.1, -0.2, 0.3, -0.4, 0.5]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = plot.parameter_plane(plane).axes[0].images[0]
    assert image.get_extent() == [0.875, 2.125, -0.2, 0.8]  # spacing 0.25: 0.125 beyond each end


def test_continuation_figure_splits_stability_at_the_flip(logistic):
    from bifurc.continuation import continuation

    b = continuation(logistic, "r", 0.6, 2.5, 3.6)
    d = bifurc.orbit_diagram(logistic, "r", np.linspace(2.5, 3.6, 30), 0.3, transient=100, keep=50)
    ax = plot.continuation(b, diagram=d).axes[0]
    assert ax.images  # drawn over the orbit diagram
    solid, dashed = [line for line in ax.lines if line.get_linestyle() in ("-", "--")]
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    # the fixed point 1 - 1/r has multiplier 2 - r: stable (solid) exactly up to the flip at r = 3,
    # where the two parts meet; 1e-12: the flip is located to that (tests/test_continuation.py)
    r_solid, r_dashed = solid.get_xdata(), dashed.get_xdata()
    assert abs(r_solid[-1] - 3) < 1e-12 and abs(r_dashed[0] - 3) < 1e-12
    assert r_solid.max() == r_solid[-1] and r_dashed.min() == r_dashed[0]
    assert r_solid[0] == 2.5 and r_dashed[-1] == 3.6
    for line in (solid, dashed):
        assert np.allclose(line.get_ydata(), 1 - 1 / line.get_xdata(), rtol=0, atol=1e-12)
    (marker,) = [line for line in ax.lines if line.get_label() == "flip"]
    assert abs(marker.get_xdata()[0] - 3) < 1e-12 and abs(marker.get_ydata()[0] - 2 / 3) < 1e-12
    assert [t.get_text() for t in ax.texts] == ["flip"]


def test_continuation_figure_of_a_cascade_and_of_curves(logistic, henon):
    from bifurc.continuation import bifurcation_curve, continuation, follow_cascade

    c = follow_cascade(logistic, "r", 0.6, 2.5, 3.5, count=2)
    ax = plot.continuation(c).axes[0]
    flips = sorted(t.xy[0] for t in ax.texts if t.get_text() == "flip")
    # r = 3 and 1 + sqrt 6, the logistic map's first two doublings (1e-12: located to that)
    assert np.allclose(flips, [3, 1 + np.sqrt(6)], rtol=0, atol=1e-12)
    assert {line.get_color() for line in ax.lines if line.get_linestyle() == "-"} == {plot.PALETTE[0],
                                                                                        plot.PALETTE[1]}
    flip = continuation(henon, "a", [1.2, 0.36], 0.1, 0.5, params={"b": 0.3}).points[0]
    curve = bifurcation_curve(henon, flip, "b", 0.0)
    line = plot.continuation([curve]).axes[0].lines[0]
    assert np.array_equal(line.get_xdata(), curve.values[:, 0]) and np.array_equal(line.get_ydata(),
                                                                                 curve.values[:, 1])
    with pytest.raises(bifurc.InputError, match="not mixed|only"):
        plot.continuation([curve, c.branches[0]])


def test_continue_command_draws_the_figure(tmp_path, capsys):
    from bifurc.cli import main

    target = tmp_path / "branch.svg"
    assert main(["continue", "logistic", "--param", "r", "--start", "2.5", "--stop", "3.6", "--x0", "0.6",
                 "--out", str(target)]) == 0
    assert target.read_text().lstrip().startswith("<?xml") and "flip" in target.read_text()
    assert main(["continue", "logistic", "--param", "r", "--start", "2.5", "--stop", "3.6", "--x0", "0.6",
                 "--out", str(tmp_path / "b.npz")]) == 2
    assert "writes a figure" in capsys.readouterr().err


def test_continuation_figure_draws_every_point_of_a_cycle(logistic):
    from bifurc.continuation import continuation

    b = continuation(logistic, "r", 0.5, 3.2, 3.5, period=2)
    ax = plot.continuation(b, m=logistic).axes[0]
    assert ax.get_ylabel() == "x"
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(solid) == len(dashed) == 2  # the cycle's two points, each stable up to the flip
    flip = 1 + np.sqrt(6)  # the 2-cycle's multiplier 4 + 2r - r^2 is -1 there
    for line in solid + dashed:
        r, x = line.get_xdata(), line.get_ydata()
        # the 2-cycle (r + 1 +- sqrt((r - 3)(r + 1)))/(2r); 1e-12: points and flip are located to that
        root = np.sqrt((r - 3) * (r + 1))
        assert np.max(np.minimum(*(np.abs(x - (r + 1 + e * root) / (2 * r)) for e in (-1, 1)))) < 1e-12
    assert all(abs(line.get_xdata()[-1] - flip) < 1e-12 for line in solid)
    assert all(abs(line.get_xdata()[0] - flip) < 1e-12 for line in dashed)
    marks = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(marks) == 2 and [t.get_text() for t in ax.texts] == ["flip"]
