"""Figures carry the data they claim to show."""

import numpy as np
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
