"""Claim: along the trajectory q/r(p) = 1 + h(p) η² + O(η⁴) with
h(p) = -½(p r³/r' + p² r²), and h(0) = -1/(2 r''(0)) is its limit at p = 0 (MATH.md §1, §4).

h is derived, not typed: the curve q = r(p)(1 + η² h(p)) is required to be invariant under
one step of the two-layer (p, q) map (y = 0), for an unspecified r; then h(0) is a limit.

Run: python proofs/h_limit.py
"""

import sympy as sp

from bifurc import losses
from bifurc.eos import alignment
from bifurc.eos.alignment import generic_h

p = sp.Symbol("p", real=True)
derivation, h = generic_h()
for step, expr in derivation:
    print(f"{step}:\n    {expr}")
r = sp.Function("r")(p)
dr = sp.diff(r, p)
assert sp.simplify(h - (-(p * r**3 / dr + p**2 * r**2) / 2)) == 0
print("h(p) = -(p r^3/r' + p^2 r^2)/2 for a generic r")

for loss in (losses.logcosh, losses.pseudo_huber):
    a = alignment(loss)
    h0 = sp.limit(a.h, p, 0)
    print(f"{loss.name}: h(p) = {a.h};  lim p->0 = {h0};  -1/(2 r''(0)) = {-1 / (2 * loss.r2_at_zero)}")
    assert h0 == -1 / (2 * loss.r2_at_zero) == a.h0
# MATH.md §1: r''(0) = -2/3 and -1, so h(0) = 3/4 and 1/2
assert alignment(losses.logcosh).h0 == sp.Rational(3, 4)
assert alignment(losses.pseudo_huber).h0 == sp.Rational(1, 2)
print("h(0) as a limit: proved")
