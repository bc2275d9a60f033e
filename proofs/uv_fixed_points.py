"""Claim: the UV model's function-space map (Kalra et al., MATH.md §6) has the fixed-point line
Δ = 0 (stable for ηλ < 2), the saddle at the origin, and the points Δ = ±2/(ηc), λ = ηc²Δf.

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
print("UV fixed points and their types: proved")
