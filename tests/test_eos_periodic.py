"""Solved period-2 orbits of the 2D models, numeric solutions of transcendental ones, UV labels I-IV."""

import json

import numpy as np
import sympy as sp

from bifurc import losses
from bifurc.analysis.orbits import orbit
from bifurc.analysis.periods import newton_cycle, periodic_orbits
from bifurc.eos import degree2, period_two, two_layer_linear, uv_model
from bifurc.eos.elimination import probe_point
from bifurc.eos.kalra import balanced_lines, uv_fixed_point_labels
from bifurc.eos.numeric_solutions import numeric_fixed_points, numeric_period_two
from bifurc.eos.report import derive, to_json


def _numeric(expr, values):
    return complex(sp.N(sp.sympify(expr).xreplace(values), 30))


def _real_orbits(model, params):
    """The solved orbits whose points are real at ``params``, as float arrays, with multipliers."""
    symbols = {s.name: s for s in (*model.map.param_symbols, *model.map.state_symbols)}
    values = {symbols[k]: sp.nsimplify(v) for k, v in params.items()}
    out = []
    for c in period_two(model).orbits:
        pts = np.array([[_numeric(p[s], values) for s in model.map.state_symbols] for p in c.points])
        if np.abs(pts.imag).max() < 1e-25:
            out.append((pts.real, np.array([_numeric(mu, values) for mu in c.multipliers])))
    return out


def test_degree2_two_cycles_are_exact_and_not_fixed():
    model = degree2()
    m = model.map
    orbits = period_two(model).orbits
    assert len(orbits) == 6 and not any(c.free for c in orbits)  # isolated: gcd of the equations is xy - 1
    for c in orbits:
        a, b = c.points
        for start, image in ((a, b), (b, a)):
            for u, s in zip(m.updates, m.state_symbols):
                residual = sp.simplify(u.xreplace(start) - image[s])  # F(a) = b, F(b) = a exactly
                if residual != 0:  # nested radicals sympy cannot denest: 30 digits at the generic
                    # parameter point the solver paired the orbit at (elsewhere sqrt's branches may differ)
                    assert abs(_numeric(residual, probe_point(set(m.param_symbols)))) < 1e-25
        assert any(sp.simplify(a[s] - b[s]) != 0 for s in m.state_symbols)  # not a fixed point


def test_multipliers_agree_with_newton_monodromy():
    # the derived eigenvalues of DF(b)DF(a) against the compiled Newton's monodromy matrix:
    # both are float64 products of two 2x2 Jacobians, so ~1e-14 relative; 1e-10 leaves margin
    for model, params, box in ((degree2(), {"eta": 0.3}, [(-5, 5), (-5, 5)]),
                               (uv_model("mup"), {"eta": 0.4, "y": 1.0, "n": 100.0, "x": 1.5},
                                [(-10, 10), (-5, 30)])):
        m = model.map
        solved = _real_orbits(model, params)
        assert solved
        p = m.parameter_vector(params)
        for pts, mults in solved:
            assert np.abs(m(pts[0], params) - pts[1]).max() < 1e-12 * (1 + np.abs(pts).max())
            x, M = newton_cycle(m, pts[0], p, 2)
            newton = np.sort_complex(np.linalg.eigvals(M))
            assert np.abs(np.sort_complex(mults) - newton).max() < 1e-10 * (1 + np.abs(newton).max())
        # the symbolic list is complete: every real 2-cycle Newton finds in the box is one of them
        for o in periodic_orbits(m, 2, box, params, starts=20):
            assert any(np.abs(np.sort(o.points, axis=0) - np.sort(pts, axis=0)).max() < 1e-8
                       for pts, _ in solved)


def test_two_layer_two_cycles_at_y0():
    # y = 0: the map is odd in p, so a 2-cycle {(p, q), (-p, q)} needs q' = q, i.e.
    # l'(p)(l'(p) - 2qp) = 0, so q = r(p)/2, and then p' = -p gives eta^2 l'(p)^2 = 2
    # (log-cosh: tanh(p)^2 = 2/eta^2, only for eta > sqrt 2).
    model = two_layer_linear(losses.logcosh)
    found = numeric_period_two(model, [(-3, 3), (0.05, 1)], {"eta": 2.0, "y": 0.0}, starts=24)
    assert found.tolerance < 1e-12
    symmetric = [o.points for o in found.orbits if abs(o.points[0, 0] + o.points[1, 0]) < 1e-9
                 and abs(o.points[0, 1] - o.points[1, 1]) < 1e-9]
    assert symmetric  # (asymmetric 2-cycles exist too)
    for (p1, q1), _ in symmetric:  # Newton's tolerance 1e-12, derivatives O(1)
        assert abs(np.tanh(p1) ** 2 - 0.5) < 1e-11 and abs(q1 - np.tanh(p1) / p1 / 2) < 1e-11
    # eta -> 0 (eta = 0 exactly): q is frozen and the 2D map is (f_q(p), q), so its 2-cycles are the
    # canonical map's {+-r-hat(q)}, a curve (Newton's Jacobian is singular along it, so iterate)
    qs = np.array([0.3, 0.6, 0.9])
    for q, p_hat in zip(qs, losses.logcosh.r_hat(qs)):
        path = orbit(model.map, (p_hat, q), 3, params={"eta": 0.0, "y": 0.0})  # starts at (p_hat, q)
        # r-hat is bisected to ~1e-16; one step of f_q amplifies by |f_q'| < 3
        assert np.abs(path - [[p_hat, q], [-p_hat, q], [p_hat, q]]).max() < 1e-13


def test_numeric_fixed_points_of_transcendental_models():
    # two-layer map (log-cosh, y = 1): sympy solves the line p = 0 and leaves four transcendental
    # systems, (tanh p, 2q(p + y) - tanh p), (eta^2 q (p + y) tanh p - 2, q), ...: none has a
    # solution with q > 0 (tanh p = 0 forces q y = 0; q = 0 gives -2 = 0), and Newton finds none
    model = two_layer_linear(losses.logcosh)
    box, params = [(-3, 3), (0.05, 3)], {"eta": 0.5}
    sol = numeric_fixed_points(model, box, params, starts=12)
    assert sol.orbits == () and sol.method == "numeric"
    # its 2-cycles at eta = 2, y = 0 (transcendental): each satisfies F(F(x)) = x to the tolerance
    # the solver reports, and that tolerance is Newton's (1e-12 relative)
    two = numeric_period_two(model, [(-3, 3), (0.05, 1)], {"eta": 2.0, "y": 0.0}, starts=16)
    assert two.orbits and two.tolerance < 1e-11
    for o in two.orbits:
        image = model.map(model.map(o.points[0], two.params), two.params)
        assert np.abs(image - o.points[0]).max() <= 4 * two.tolerance + 1e-15  # two steps, |DF| ~ 2


def test_uv_labels_follow_the_eos_oscillation():
    # IV is the fixed point the edge-of-stability oscillation runs towards from II: the
    # oscillation direction is parallel to IV - II (on the balanced line when eta sqrt(kappa) y = 1)
    for par in ("sp", "mup"):
        model = uv_model(par)
        labels = uv_fixed_point_labels(par)
        f, lam = model.map.state_symbols
        lines = balanced_lines(model)
        assert labels["II"].point == {f: 0, lam: 0} and labels["I"].free == ("lam",)
        for eta, n, x in ((1.0, 4.0, 1.0), (0.3, 16.0, 2.0), (0.05, 100.0, 0.7)):
            kappa = float(model.results["c2_eff"].xreplace({sp.Symbol("n", real=True): n,
                                                             sp.Symbol("x", real=True): x}))
            params = {"eta": eta, "n": n, "x": x, "y": 1 / (eta * np.sqrt(kappa))}
            values = {s: params[s.name] for s in model.map.param_symbols}
            pts = {k: np.array([float(fp.point[s].xreplace(values)) for s in (f, lam)])
                   for k, fp in labels.items() if k != "I"}
            run = orbit(model.map, (0.05 / (eta * np.sqrt(kappa)), 0.2 / eta), 4000, params=params)
            step = run[-1] - run[-2]
            step /= np.linalg.norm(step)
            cosines = {k: abs(step @ (pts[k] - pts["II"])) / np.linalg.norm(pts[k] - pts["II"])
                       for k in ("III", "IV")}
            assert abs(eta * run[-1, 1] - 2) < 0.05 and cosines["IV"] > 1 - 1e-9 > cosines["III"]
            # on the balanced line up to the imbalance |u|^2 - |v|^2, which shrinks by 1 - eta^2 kappa
            # Delta^2 per step, slowly at the EoS (small Delta): ~1e-6 relative after 4000 steps
            residual = float(lines["balanced"].xreplace({f: run[-1, 0], lam: run[-1, 1]}).xreplace(values))
            assert abs(residual) < 1e-4 * run[-1, 1]


def test_derive_reports_solved_and_numeric_orbits():
    data = derive("degree2")
    assert len(data["period_two"]["orbits"]) == 6 and not data["period_two"]["unsolved"]
    data = derive("single_neuron_tanh")
    u = sp.Symbol("u", real=True)
    assert any(point.get(u) == u for point, _ in data["fixed_points"])  # the curve of minima, u free
    out = json.loads(to_json(data))
    assert out["numeric_period_two"]["method"].startswith("numeric")
    assert out["numeric_period_two"]["tolerance reached"] < 1e-10
    labels = derive("uv_mup")["fixed_point_labels"]
    assert set(labels) == {"I", "II", "III", "IV"}
