"""Kalra, He & Barkeshli's UV model in function space, and the cubic map of the EoS manifold.

The UV model f = c vᵀu (u, v ∈ Rⁿ, one example, squared loss) is derived for a symbolic
width by :func:`~bifurc.eos.reduce`: GD written in A = ‖u‖², B = ‖v‖², C = vᵀu closes in
the output f = cC and the tangent kernel λ (B drops out).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..definition.iterated_map import Map
from .cache import derived
from .invariants import tangent_kernel
from .model import ReducedModel, real_symbols
from .reduction import derive_updates
from .symbolic import Cycle, FixedPoint, fixed_points, period_two, stability

__all__ = ["uv_model", "cubic_map", "PARAMETERIZATIONS", "uv_fixed_point_labels", "balanced_lines",
           "uv_scaled", "uv_cubic_reduction", "CubicReduction", "uv_edge", "UVEdge"]

#: Output scale c and per-layer step multiplier of each parameterisation, for width n and
#: scalar input x: standard (c = x/√n, step η) and maximal update (c = x/n, step η n).
PARAMETERIZATIONS = {
    "sp": (lambda n, x: x / sp.sqrt(n), lambda n: sp.Integer(1)),
    "mup": (lambda n, x: x / n, lambda n: n),
}


@derived
def uv_model(parameterization: str = "sp") -> ReducedModel:
    """The UV model's exact map in function space (f, λ).

    Parameters
    ----------
    parameterization
        ``"sp"`` (standard: f = vᵀu x/√n, step η) or ``"mup"`` (maximal update:
        f = vᵀu x/n, per-layer step η n). λ is the tangent kernel of the step actually
        taken, so that η λ is the output's step.

    Returns
    -------
    ReducedModel
        State (f, lam), parameters ``eta`` (0.1), ``y`` (1), ``n`` (width, 100) and
        ``x`` (input, 1). ``results["c2_eff"]`` is the coefficient κ of the nonlinear terms
        f' = f - η λ Δ + η² κ Δ² f, λ' = λ + η κ Δ (η λ Δ - 4 f), Δ = f - y.

    Raises
    ------
    ValueError
        If the parameterisation is unknown, or the update does not close in (f, λ).

    Examples
    --------
    In the standard parameterisation κ = c² = x²/n, and the update is Kalra et al.'s closed form:

    >>> import sympy as sp
    >>> from bifurc.eos import uv_model
    >>> model = uv_model("sp")
    >>> (f, lam), (eta, y, n, x) = model.map.state_symbols, model.map.param_symbols
    >>> kappa, d = x**2/n, f - y
    >>> model.results["c2_eff"] == kappa
    True
    >>> exact = (f - eta*lam*d + eta**2*kappa*d**2*f, lam + eta*kappa*d*(eta*lam*d - 4*f))
    >>> [sp.expand(u - e) == 0 for u, e in zip(model.map.updates, exact)]
    [True, True]
    """
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization must be one of {', '.join(PARAMETERIZATIONS)}, "
                         f"got {parameterization!r}")
    n_pos, x_pos = sp.symbols("n x", positive=True)
    scale, multiplier = PARAMETERIZATIONS[parameterization]
    c, mult = scale(n_pos, x_pos), multiplier(n_pos)
    width = sp.Symbol("n", integer=True, positive=True)
    u, v = sp.MatrixSymbol("u", width, 1), sp.MatrixSymbol("v", width, 1)
    out = c * v.T * u
    kernel = tangent_kernel(out, [u, v], {u: mult, v: mult})
    reduction = derive_updates(out, [u, v], {"f": out, "lam": kernel}, steps={"u": mult, "v": mult},
                               constants="n, x")
    updates = {k: sp.expand(e) for k, e in reduction.updates.items()}
    real = {n_pos: sp.Symbol("n", real=True), x_pos: sp.Symbol("x", real=True)}
    kappa = sp.simplify(mult**2 * c**2).xreplace(real)
    m = Map.from_expressions(updates, {"eta": 0.1, "y": 1.0, "n": 100.0, "x": 1.0},
                             name=f"uv_model[{parameterization}]")
    derivation = (
        ("output f = c v^T u, c and the step multiplier set by the parameterisation", out),
        *reduction.derivation[1:3],
        ("update in function space (by eos.reduce; ||v||^2 drops out)", sp.Tuple(*updates.values())),
    )
    return ReducedModel(m.name, m, derivation, {"c2_eff": kappa}, positive=("eta", "n", "x"))


def balanced_lines(model: ReducedModel) -> dict[str, sp.Expr]:
    """The invariant lines u = v and u = -v of the UV model in (f, λ): λ = 2√κ f and λ = -2√κ f.

    On u = ±v, ‖u‖² = ‖v‖² = ±vᵀu, so λ = ±2√κ f (κ = ``results["c2_eff"]``); GD keeps u = ±v,
    and by Cauchy-Schwarz every state has λ ≥ 2√κ|f|: the lines bound the reachable region.

    Returns
    -------
    dict
        ``"balanced"`` and ``"antibalanced"``: each λ - (±2√κ f), zero on its line.

    Examples
    --------
    u = v = (1, 2) with n = 2, x = 1 (c = 1/√2): f = 5/√2 and λ = (5 + 5)/2 = 5, on the balanced line:

    >>> import sympy as sp
    >>> from bifurc.eos import balanced_lines, uv_model
    >>> model = uv_model("sp")
    >>> (f, lam), (eta, y, n, x) = model.map.state_symbols, model.map.param_symbols
    >>> sp.simplify(balanced_lines(model)["balanced"].subs({f: 5/sp.sqrt(2), lam: 5, n: 2, x: 1}))
    0
    """
    f, lam = model.map.state_symbols
    root = sp.sqrt(model.results["c2_eff"])
    return {"balanced": lam - 2 * root * f, "antibalanced": lam + 2 * root * f}


@derived
def uv_fixed_point_labels(parameterization: str = "sp") -> dict[str, FixedPoint]:
    """The UV model's fixed points with Kalra et al.'s numerals I-IV.

    I is the line of minima Δ = 0 (f = y); II the origin (f, λ) = (0, 0), the saddle that
    early sharpness reduction flows towards. Of the two points Δ = ±2/(η√κ), the paper's IV
    is the one the edge-of-stability oscillation runs towards, "between fixed points II and
    IV": the point on the balanced line u = v, λ = 2√κ f (:func:`balanced_lines`), which joins
    II to IV; III lies on the antibalanced line λ = -2√κ f. For y > 0 (and η, n, x > 0) IV is
    f = y + 2/(η√κ) and III is f = y - 2/(η√κ). The evidence is in
    ``proofs/uv_fixed_points.py``: the lines are invariant, and at the edge of stability the
    compiled map oscillates along the direction from II to IV (exactly on the balanced line
    when η√κ y = 1, the setting of the Kalra checks).

    Returns
    -------
    dict
        ``"I"``, ``"II"``, ``"III"``, ``"IV"`` -> :class:`~bifurc.eos.symbolic.FixedPoint`.

    Raises
    ------
    ArithmeticError
        If the fixed points are not one line, the origin, and one point on each balanced line.

    Examples
    --------
    I is the line f = y (λ free), II the origin, IV the point f = y + 2/(η√κ), κ = x²/n:

    >>> import sympy as sp
    >>> from bifurc.eos import uv_fixed_point_labels, uv_model
    >>> model = uv_model("sp")
    >>> (f, lam), (eta, y, n, x) = model.map.state_symbols, model.map.param_symbols
    >>> labels = uv_fixed_point_labels("sp")
    >>> labels["I"].free, labels["II"].point == {f: 0, lam: 0}
    (('lam',), True)
    >>> sp.simplify(labels["IV"].point[f] - (y + 2*sp.sqrt(n)/(eta*x))) == 0
    True
    """
    model = uv_model(parameterization)
    f, lam = model.map.state_symbols
    solved, _ = fixed_points(model)
    lines = balanced_lines(model)

    positive = {sym: sp.Symbol(sym.name, positive=True) for sym in model.map.param_symbols
                if sym.name in model.positive}

    def on(fp: FixedPoint, line: str) -> bool:
        return sp.simplify(lines[line].xreplace(fp.point).xreplace(positive)) == 0

    labels = {
        "I": [fp for fp in solved if fp.free],
        "II": [fp for fp in solved if fp.point == {f: 0, lam: 0}],
        "III": [fp for fp in solved if not fp.free and fp.point[f] != 0 and on(fp, "antibalanced")],
        "IV": [fp for fp in solved if not fp.free and fp.point[f] != 0 and on(fp, "balanced")],
    }
    if any(len(found) != 1 for found in labels.values()) or len(solved) != 4:
        raise ArithmeticError(f"the UV fixed points {solved} do not match Kalra et al.'s I-IV")
    return {name: found[0] for name, found in labels.items()}


@derived
def cubic_map() -> ReducedModel:
    """GD on the EoS-manifold loss ½(aθ² - b)²: the cubic map θ' = θ(1 + 2ηab - 2ηa²θ²).

    Returns
    -------
    ReducedModel
        State ``theta``, parameters ``eta`` (0.1), ``a`` (1) and ``b`` (1).

    Examples
    --------
    >>> import sympy as sp
    >>> from bifurc.eos import cubic_map
    >>> model = cubic_map()
    >>> (theta,), (eta, a, b) = model.map.state_symbols, model.map.param_symbols
    >>> sp.expand(model.map.updates[0] - theta*(1 + 2*eta*a*b - 2*eta*a**2*theta**2)) == 0
    True
    """
    theta, eta, a, b = real_symbols("theta eta a b")
    L = (a * theta**2 - b) ** 2 / 2
    update = sp.factor(theta - eta * sp.diff(L, theta))
    m = Map.from_expressions({"theta": update}, {"eta": 0.1, "a": 1.0, "b": 1.0}, name="cubic_eos")
    derivation = (("loss on the EoS manifold", L), ("GD step", sp.Eq(sp.Symbol("theta'"), update)))
    return ReducedModel(m.name, m, derivation, positive=("eta", "a", "b"))


def _to_scaled(model: ReducedModel) -> tuple[dict, dict, sp.Expr]:
    """Substitution (f, λ, y) -> (g, L, Y) of the scaled variables, positive twins, and η√κ."""
    g, L, Y = real_symbols("g L Y")
    f, lam = model.map.state_symbols
    names = {s.name: s for s in model.map.param_symbols}
    pos = {s: sp.Symbol(s.name, positive=True) for s in model.map.param_symbols if s.name in model.positive}
    scale = pos[names["eta"]] * sp.sqrt(model.results["c2_eff"].xreplace(pos))
    eta = pos[names["eta"]]
    return {f: g / scale, lam: L / eta, names["y"]: Y / scale}, pos, scale


@derived
def uv_scaled() -> ReducedModel:
    """The UV model in the scaled variables g = η√κ f, L = ηλ: one map for SP and μP.

    Substituted into :func:`uv_model`, both parameterisations give the same map, whose only
    parameter is the scaled target Y = η√κ y:
    g' = g - L D + D² g, L' = L + D² L - 4 D g, D = g - Y.

    Returns
    -------
    ReducedModel
        State (g, L), parameter ``Y`` (default 1.2). ``results["scale_sp"]`` and
        ``results["scale_mup"]`` hold η√κ of each parameterisation (g = η√κ f, Y = η√κ y),
        in the raw parameters; scale_mup / scale_sp = √n.

    Raises
    ------
    ArithmeticError
        If a parameterisation's map does not reduce to Y alone, or the two differ.

    Examples
    --------
    >>> import sympy as sp
    >>> from bifurc.eos import uv_scaled
    >>> model = uv_scaled()
    >>> (g, L), (Y,) = model.map.state_symbols, model.map.param_symbols
    >>> D = g - Y
    >>> [sp.expand(u - e) == 0 for u, e in zip(model.map.updates, (g - L*D + D**2*g, L + D**2*L - 4*D*g))]
    [True, True]
    >>> sp.simplify(model.results["scale_mup"] / model.results["scale_sp"])
    sqrt(n)
    """
    g, L, Y = real_symbols("g L Y")
    scaled, scales = {}, {}
    for parameterization in PARAMETERIZATIONS:
        model = uv_model(parameterization)
        to_scaled, pos, scale = _to_scaled(model)
        eta = next(v for k, v in pos.items() if k.name == "eta")
        f_next, lam_next = (u.xreplace(pos).xreplace(to_scaled) for u in model.map.updates)
        scaled[parameterization] = tuple(sp.expand(sp.simplify(e)) for e in (scale * f_next, eta * lam_next))
        scales[parameterization] = scale.xreplace({v: k for k, v in pos.items()})
        leftover = set().union(*(e.free_symbols for e in scaled[parameterization])) - {g, L, Y}
        if leftover:
            raise ArithmeticError(f"the scaled UV map ({parameterization}) depends on "
                                  f"{sorted(map(str, leftover))}")
    if any(sp.expand(a - b) != 0 for a, b in zip(scaled["sp"], scaled["mup"])):
        raise ArithmeticError(f"the scaled SP and muP maps differ: {scaled}")
    m = Map.from_expressions(dict(zip(("g", "L"), scaled["sp"])), {"Y": 1.2}, name="uv_scaled")
    derivation = (
        ("scaled variables", sp.Tuple(sp.Eq(sp.Symbol("g"), sp.Symbol("eta*sqrt(kappa)*f")),
                                      sp.Eq(sp.Symbol("L"), sp.Symbol("eta*lambda")),
                                      sp.Eq(sp.Symbol("Y"), sp.Symbol("eta*sqrt(kappa)*y")))),
        ("UV map in them, the same for SP and muP", sp.Tuple(*scaled["sp"])),
    )
    return ReducedModel(m.name, m, derivation, {f"scale_{k}": v for k, v in scales.items()}, positive=("Y",))


@dataclass(frozen=True)
class CubicReduction:
    """The UV map reduced to the cubic map on its edge-of-stability manifold, the balanced line.

    Attributes
    ----------
    coordinates : dict
        ``"P"`` = L - 2g and ``"Q"`` = L + 2g (P ∝ ‖u - v‖², Q ∝ ‖u + v‖²), in the scaled variables.
    rates : dict
        ``"P"``: P'/P and ``"Q"``: Q'/Q, functions of g and Y alone ((1 + D)² and (1 - D)²,
        D = g - Y): both lines P = 0 and Q = 0 are invariant, and a 2-cycle with
        Π(1 + D_t)² < 1 attracts onto P = 0.
    line_map : sympy.Expr
        g' on the balanced line P = 0 (L = 2g): g(1 + Y - g)².
    conjugacy : dict
        ``"g"`` and ``"Y"`` in the cubic map's θ, a, b, η: with g = 2ηa²θ² and Y = 2ηab the
        cubic map θ' = θ(1 + 2ηab - 2ηa²θ²) is carried exactly onto ``line_map``.

    Examples
    --------
    >>> import sympy as sp
    >>> from bifurc.eos import uv_cubic_reduction, uv_scaled
    >>> (g, L), (Y,) = uv_scaled().map.state_symbols, uv_scaled().map.param_symbols
    >>> reduction = uv_cubic_reduction()
    >>> sp.expand(reduction.line_map - g*(1 + Y - g)**2) == 0
    True
    """

    coordinates: dict
    rates: dict
    line_map: sp.Expr
    conjugacy: dict


@derived
def uv_cubic_reduction() -> CubicReduction:
    """Derive the reduction of the scaled UV map (:func:`uv_scaled`) to the cubic map.

    The balanced lines of :func:`balanced_lines` become P = L - 2g and Q = L + 2g; P'/P and
    Q'/Q are factored from the map; on P = 0 the map is one-dimensional, and the conjugacy
    g = kθ², Y = m b to :func:`cubic_map` is solved for k and m from the identity
    k θ'² = line_map(kθ², m b) in θ and b. This is Kalra et al.'s sub-quadratic mechanism:
    on the EoS manifold GD is GD on ½(aθ² - b)².

    Raises
    ------
    ArithmeticError
        If a rate is not a function of g and Y, or the conjugacy has no unique solution.

    Examples
    --------
    P'/P = (1 + D)², Q'/Q = (1 - D)² with D = g - Y, and g = 2ηa²θ², Y = 2ηab:

    >>> import sympy as sp
    >>> from bifurc.eos import cubic_map, uv_cubic_reduction, uv_scaled
    >>> (g, L), (Y,) = uv_scaled().map.state_symbols, uv_scaled().map.param_symbols
    >>> (theta,), (eta, a, b) = cubic_map().map.state_symbols, cubic_map().map.param_symbols
    >>> reduction = uv_cubic_reduction()
    >>> D = g - Y
    >>> [sp.expand(reduction.rates[k] - e) == 0 for k, e in (("P", (1 + D)**2), ("Q", (1 - D)**2))]
    [True, True]
    >>> reduction.conjugacy == {"g": 2*eta*a**2*theta**2, "Y": 2*eta*a*b}
    True
    """
    model = uv_scaled()
    g, L = model.map.state_symbols
    (Y,) = model.map.param_symbols
    raw = uv_model("sp")
    to_scaled, pos, _ = _to_scaled(raw)
    eta = next(v for k, v in pos.items() if k.name == "eta")
    coordinates = {name: sp.expand(sp.simplify(eta * line.xreplace(pos).xreplace(to_scaled)))
                   for name, line in zip(("P", "Q"), balanced_lines(raw).values())}
    step = dict(zip((g, L), model.map.updates))
    rates = {}
    for name, expr in coordinates.items():
        rate = sp.factor(sp.cancel(expr.xreplace(step) / expr))
        if rate.free_symbols - {g, Y}:
            raise ArithmeticError(f"{name}'/{name} = {rate} is not a function of g and Y")
        rates[name] = rate
    (on_line,) = sp.solve(coordinates["P"], L)
    line_map = sp.factor(step[g].xreplace({L: on_line}))
    cubic = cubic_map()
    (theta,) = cubic.map.state_symbols
    names = {s.name: s for s in cubic.map.param_symbols}
    k, m = sp.symbols("k m")
    conjugated = line_map.xreplace({g: k * theta**2, Y: m * names["b"]})
    identity = sp.expand(k * cubic.map.updates[0] ** 2 - conjugated)
    solutions = [s for s in sp.solve(sp.Poly(identity, theta, names["b"]).coeffs(), [k, m], dict=True)
                 if s[k] != 0 and s[m] != 0]
    if len(solutions) != 1:
        raise ArithmeticError(f"the cubic map's conjugacy to {line_map} is not unique: {solutions}")
    (solution,) = solutions
    conjugacy = {"g": solution[k] * theta**2, "Y": solution[m] * names["b"]}
    return CubicReduction(coordinates, rates, line_map, conjugacy)


@dataclass(frozen=True)
class UVEdge:
    """The UV model's edge of stability, in the scaled variables of :func:`uv_scaled`.

    Attributes
    ----------
    threshold : sympy.Expr
        Y* = 1: below it minima with ηλ < 2 are reachable (convergence below 2/η); above it
        every reachable minimum has ηλ ≥ 2Y > 2, and a 2-cycle is born.
    cycle : Cycle
        The 2-cycle born from the line of minima at Y*, on the balanced line L = 2g.
    sharpness : tuple of sympy.Expr
        Its two values of ηλ.
    mean, product : sympy.Expr
        Their arithmetic mean (1 + Y) and product (4: the geometric mean of λ is 2/η).
    in_line, transverse : sympy.Expr
        The cycle's multipliers along the balanced line and across it, for Y > 1.
    period_four : sympy.Expr
        Where the in-line multiplier reaches -1: the cycle's period doubling (√5 - 1).

    Examples
    --------
    The threshold Y* = 1; the cycle's values of ηλ multiply to 4; it doubles its period at √5 - 1:

    >>> from bifurc.eos import uv_edge
    >>> edge = uv_edge()
    >>> edge.threshold, edge.product, edge.period_four
    (1, 4, -1 + sqrt(5))
    """

    threshold: sp.Expr
    cycle: Cycle
    sharpness: tuple
    mean: sp.Expr
    product: sp.Expr
    in_line: sp.Expr
    transverse: sp.Expr
    period_four: sp.Expr


@derived
def uv_edge() -> UVEdge:
    """Derive the UV model's edge-of-stability threshold and the 2-cycle beyond it.

    The line of minima g = Y has multiplier 1 - L (period doubling at L = 2); the balanced
    lines bound the reachable region by L ≥ 2|g| (:func:`balanced_lines`), so on the line of
    minima L ≥ 2Y; the threshold Y* is where the two meet. The 2-cycle is the one of
    :func:`~bifurc.eos.period_two` whose points both tend to (g, L) = (Y*, 2) at Y*; its
    in-line multiplier is that of the line map of :func:`uv_cubic_reduction`.

    Raises
    ------
    ArithmeticError
        If the threshold, the cycle or its multipliers are not unique.

    Examples
    --------
    At Y = 2 the cycle's points g = (3 ∓ √5)/2 on L = 2g are swapped by the line map g(1 + Y - g)²,
    and the in-line multiplier is -1 at Y = √5 - 1:

    >>> import sympy as sp
    >>> from bifurc.eos import uv_edge, uv_scaled
    >>> (g, L), (Y,) = uv_scaled().map.state_symbols, uv_scaled().map.param_symbols
    >>> edge = uv_edge()
    >>> low, high = (point[g].subs(Y, 2) for point in edge.cycle.points)
    >>> sp.simplify(low - (3 - sp.sqrt(5))/2) == 0, sp.simplify(low*(3 - low)**2 - high) == 0
    (True, True)
    >>> sp.simplify(edge.in_line.subs(Y, sp.sqrt(5) - 1))
    -1
    """
    model = uv_scaled()
    g, L = model.map.state_symbols
    (Y,) = model.map.param_symbols
    (line,) = [fp for fp in fixed_points(model)[0] if fp.free]
    (mu,) = [e for e in line.eigenvalues if e.has(L)]
    (flip,) = stability(model, mu, "L")["period_doubling"]
    reduction = uv_cubic_reduction()
    (bound,) = sp.solve(reduction.coordinates["P"].xreplace({g: line.point[g]}), L)
    (threshold,) = [t for t in sp.solve(bound - flip, Y) if t.is_positive]
    born = [c for c in period_two(model).orbits if not c.free and all(
        sp.simplify(p[g].subs(Y, threshold) - line.point[g].subs(Y, threshold)) == 0
        and sp.simplify(p[L].subs(Y, threshold) - flip) == 0 for p in c.points)]
    if len(born) != 1:
        raise ArithmeticError(f"{len(born)} 2-cycles are born from the line of minima at Y = {threshold}")
    (cycle,) = born
    sharpness = tuple(p[L] for p in cycle.points)
    above = sp.Symbol("s", positive=True)  # Y = threshold + s, beyond the threshold

    def beyond(expr: sp.Expr) -> sp.Expr:
        return sp.expand(sp.simplify(expr.subs(Y, threshold + above))).subs(above, Y - threshold)

    slope = sp.diff(reduction.line_map, g)
    in_line = sp.expand(beyond(slope.subs(g, cycle.points[0][g]) * slope.subs(g, cycle.points[1][g])))
    multipliers = [sp.expand(beyond(v)) for v in cycle.multipliers]
    if sum(sp.expand(v - in_line) == 0 for v in multipliers) != 1:
        raise ArithmeticError(f"the line map's multiplier {in_line} is not one of the cycle's {multipliers}")
    (transverse,) = [v for v in multipliers if sp.expand(v - in_line) != 0]
    (period_four,) = [y for y in sp.solve(in_line + 1, Y) if (y - threshold).is_positive]
    mean, product = beyond(sum(sharpness) / 2), beyond(sharpness[0] * sharpness[1])
    return UVEdge(threshold, cycle, sharpness, mean, product, in_line, sp.factor(transverse), period_four)
