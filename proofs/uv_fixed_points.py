"""Claim: the UV model's function-space map (Kalra et al., MATH.md §6) has the fixed-point line
Δ = 0 (stable for ηλ < 2), the saddle at the origin, and the points Δ = ±2/(ηc), λ = ηc²Δf;
Kalra et al.'s numerals: I = the line, II = the origin, IV = the point the edge-of-stability
oscillation runs towards ("between fixed points II and IV"), III = the other.

Convention and evidence for III/IV: the lines u = v and u = -v are invariant under GD; in (f, λ)
they are λ = ±2√κ f, they bound the reachable region λ ≥ 2√κ|f|, and both pass through II.
Δ = +2/(η√κ) lies on the balanced line u = v, Δ = -2/(η√κ) on u = -v. At the edge of stability
(η√κ y = 1, the Kalra checks' setting) the compiled map oscillates exactly along the balanced
line, i.e. along the direction from II to Δ = +2/(η√κ): that point is IV.

Run: python proofs/uv_fixed_points.py
"""

import sympy as sp

from bifurc.eos import fixed_points, stability, uv_model

f, lam, eta, y, n, x = (sp.Symbol(s, real=True) for s in "f lam eta y n x".split())
sample = {eta: sp.Rational(1, 10), y: 1, n: 16, x: sp.Rational(13, 10)}


def kind(values):
    moduli = sorted(abs(complex(v)) for v in values)
    if moduli[-1] < 1:
        return "stable node"
    if moduli[0] > 1:
        return "unstable node (source)"
    if moduli[0] < 1 < moduli[-1]:
        return "saddle"
    return "non-hyperbolic"


for par in ("sp", "mup"):
    model = uv_model(par)
    c2 = model.results["c2_eff"]
    print(f"UV model ({par}), kappa = c^2 = {c2}")
    for step, expr in model.derivation:
        print(f"  {step}:\n      {expr}")
    solved, unsolved = fixed_points(model)
    assert not unsolved and len(solved) == 4
    for fp in solved:
        values = [e.subs(sample) for e in fp.eigenvalues]
        label = "line of fixed points" if fp.free else kind(values)
        print(f"  fixed point {fp.point}: eigenvalues {fp.eigenvalues} -> {label}")
    line = next(fp for fp in solved if fp.free)
    assert line.point[f] == y and 1 in line.eigenvalues
    st = stability(model, next(e for e in line.eigenvalues if e != 1), "lam")
    print(f"  on the line: stable where {st['stable']}, period doubling at lam = {st['period_doubling']}")
    assert st["period_doubling"] == (2 / eta,)
    origin = next(fp for fp in solved if fp.point == {f: 0, lam: 0})
    assert kind([e.subs(sample) for e in origin.eigenvalues]) == "saddle"
    edge = [fp for fp in solved if not fp.free and fp.point[f] != 0]
    for fp in edge:
        delta = fp.point[f] - y
        assert sp.simplify(fp.point[lam] - eta * c2 * delta * fp.point[f]) == 0
        assert abs(float((delta * eta * sp.sqrt(c2)).subs(sample))) - 2 < 1e-14

# the numerals I-IV
import numpy as np  # noqa: E402

from bifurc.analysis.orbits import orbit  # noqa: E402
from bifurc.eos.kalra import balanced_lines, uv_fixed_point_labels  # noqa: E402

positive = {eta: sp.Symbol("eta", positive=True), n: sp.Symbol("n", positive=True),
            x: sp.Symbol("x", positive=True)}
for par in ("sp", "mup"):
    model = uv_model(par)
    f_next, lam_next = model.map.updates
    root = sp.sqrt(model.results["c2_eff"])
    for sign in (1, -1):  # lambda = +-2 sqrt(kappa) f is invariant: lambda' = +-2 sqrt(kappa) f'
        on_line = {lam: sign * 2 * root * f}
        assert sp.simplify((lam_next - sign * 2 * root * f_next).xreplace(on_line).xreplace(positive)) == 0
    labels = uv_fixed_point_labels(par)
    lines = balanced_lines(model)
    for name, fp in labels.items():
        print(f"  {par} {name}: {fp.point}")
    assert all(sp.simplify(e.xreplace(labels["II"].point)) == 0 for e in lines.values())
    delta_iv = sp.simplify((labels["IV"].point[f] - y).xreplace(positive) * eta * root.xreplace(positive))
    assert delta_iv.xreplace(positive) == 2 or sp.simplify(delta_iv - 2) == 0
    # numerically: an EoS run (eta sqrt(kappa) y = 1) oscillates along II -> IV, not II -> III
    params = {"eta": 1.0, "n": 4.0, "x": 1.0}
    kappa = float(model.results["c2_eff"].xreplace({n: 4, x: 1}))
    params["y"] = 1 / np.sqrt(kappa)
    values = {s: params[s.name] for s in model.map.param_symbols}
    run = orbit(model.map, (0.05 / np.sqrt(kappa), 0.2), 4000, params=params)
    step = (run[-1] - run[-2]) / np.linalg.norm(run[-1] - run[-2])
    point = {k: np.array([float(labels[k].point[s].xreplace(values)) for s in (f, lam)])
             for k in ("III", "IV")}
    cos = {k: abs(step @ v) / np.linalg.norm(v) for k, v in point.items()}
    print(f"  {par}: EoS eta lam = {run[-1, 1]:.4f}; |cos| of the oscillation with II->III "
          f"{cos['III']:.4f}, with II->IV {cos['IV']:.12f}")
    assert abs(run[-1, 1] - 2) < 0.05 and cos["IV"] > 1 - 1e-9 and cos["III"] < 0.9
print("UV fixed points, their types and the numerals I-IV: proved")
