"""Solving two polynomial equations in two unknowns with symbolic coefficients, by elimination.

The second unknown is eliminated with a resultant; its factors give the first coordinates
(explicit roots up to degree 4) and a subresultant of degree one gives the second
coordinate as a polynomial in the first, reduced modulo the factor. The models' polynomials
carry several parameters but few independent ones (scalings: the UV model depends on η, x
and y through ηx and ηxy), and multivariate factoring in sympy is slow in the number of
variables, so a weighted-homogeneous polynomial is factored with the redundant parameters
set to 1 and each factor is homogenised back (:func:`factor_weighted`).
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

__all__ = ["factor_weighted", "solve_pair", "probe_point", "at"]


def _scaling_weights(poly: sp.Poly) -> sp.Matrix | None:
    """Rows w with w·(e - e₀) = 0 for all exponent vectors e of ``poly``: its scaling symmetries."""
    exponents = sp.Matrix(poly.monoms())
    if exponents.rows < 2:
        return None
    differences = exponents[1:, :] - sp.ones(exponents.rows - 1, 1) * exponents[0, :]
    basis = differences.nullspace()
    return sp.Matrix.hstack(*basis).T if basis else None


def factor_weighted(expr: sp.Expr, var: sp.Symbol) -> list[tuple[sp.Expr, int]]:
    """The irreducible factors of a polynomial that involve ``var``, with their multiplicities.

    If the polynomial is weighted-homogeneous (invariant under scalings of its generators),
    one generator other than ``var`` per independent scaling is set to 1, the smaller
    polynomial is factored, and each factor is homogenised back; the result is checked to
    divide ``expr`` (otherwise the plain factorisation is used).
    """
    poly = sp.Poly(expr)
    gens = poly.gens
    weights = _scaling_weights(poly)
    if weights is None or var not in gens:
        return [(f, k) for f, k in sp.factor_list(expr)[1] if var in f.free_symbols]
    chosen: list[int] = []
    for j, g in enumerate(gens):
        if g != var and weights[:, [*chosen, j]].rank() > len(chosen):
            chosen.append(j)
        if len(chosen) == weights.rows:
            break
    if len(chosen) < weights.rows:  # only var itself scales
        return [(f, k) for f, k in sp.factor_list(expr)[1] if var in f.free_symbols]
    inverse = weights[:, chosen].inv()
    reduced = poly.as_expr().xreplace({gens[j]: sp.Integer(1) for j in chosen})
    out = []
    for factor, k in sp.factor_list(reduced)[1]:
        if var not in factor.free_symbols:
            continue
        terms = sp.Poly(factor, *gens).terms()
        shifts = [-(inverse * (weights * sp.Matrix(e))) for e, _ in terms]
        lowest = [min(s[i] for s in shifts) for i in range(len(chosen))]
        extra = [[s[i] - lowest[i] for i in range(len(chosen))] for s in shifts]
        if not all(v.is_integer for row in extra for v in row):
            return [(f, k) for f, k in sp.factor_list(expr)[1] if var in f.free_symbols]
        homogeneous = sp.Add(*[
            c * sp.Mul(*[g**p for g, p in zip(gens, e)])
            * sp.Mul(*[gens[j]**int(v) for j, v in zip(chosen, row)])
            for (e, c), row in zip(terms, extra)])
        if not sp.Poly(expr, *gens).rem(sp.Poly(homogeneous, *gens)).is_zero:
            return [(f, k) for f, k in sp.factor_list(expr)[1] if var in f.free_symbols]
        out.append((homogeneous, k))
    return out


def probe_point(symbols: set[sp.Symbol]) -> dict[sp.Symbol, sp.Rational]:
    """Seeded random positive rationals for ``symbols``: a generic point to test identities at."""
    rng = random.Random(2)
    return {s: sp.Rational(rng.randint(11, 97), rng.randint(11, 97)) for s in sorted(symbols, key=str)}


def at(expr: sp.Expr, probe: dict) -> mpmath.mpc:
    """``expr`` at the probe point, to 40 digits."""
    re, im = sp.N(expr.xreplace(probe), 40).as_real_imag()
    return mpmath.mpc(mpmath.mpf(str(sp.N(re, 40))), mpmath.mpf(str(sp.N(im, 40))))


def _square_roots_suffice(factor: sp.Expr, var: sp.Symbol, max_degree: int) -> bool:
    """Degree up to ``max_degree``, or a quadratic in var² (roots in nested square roots)."""
    poly = sp.Poly(factor, var)
    if poly.degree() <= max_degree:
        return True
    return poly.degree() == 2 * max_degree and all(e % 2 == 0 for (e,) in poly.monoms())


def _roots(p1: sp.Expr, p2: sp.Expr, var: sp.Symbol, other: sp.Symbol,
           max_degree: int) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Explicit roots in ``var`` of the resultant eliminating ``other``; factors left unsolved."""
    roots, unsolved = [], []
    for factor, _ in factor_weighted(sp.resultant(p1, p2, other), var):
        found = sp.roots(factor, var) if _square_roots_suffice(factor, var, max_degree) else {}
        if sum(found.values()) < sp.degree(factor, var):
            unsolved.append(factor)
        else:
            roots += list(found)
    return roots, unsolved


def solve_pair(
    p1: sp.Expr, p2: sp.Expr, x1: sp.Symbol, x2: sp.Symbol, probe: dict, max_degree: int = 2
) -> tuple[list[dict], list[sp.Expr]]:
    """The common zeros of two coprime polynomials in (x1, x2), coefficients symbolic.

    Both variables are eliminated in turn (resultants); the explicit roots of each are paired
    where p1 and p2 vanish at the ``probe`` parameter point (40 digits, relative to 1e-25).

    Parameters
    ----------
    p1, p2
        Polynomials in x1, x2 (and parameters) without a common factor.
    probe
        A generic value of each parameter (:func:`probe_point`).
    max_degree
        Factors of the resultants of higher degree are not solved, except polynomials in
        x² of twice that degree.

    Returns
    -------
    points : list of dict
        {x1: value, x2: value}, complex ones included (which are real depends on the parameters).
    unsolved : list of sympy.Expr
        Factors of the resultants whose roots were not found explicitly.
    """
    first, unsolved1 = _roots(p1, p2, x1, x2, max_degree)
    second, unsolved2 = _roots(p1, p2, x2, x1, max_degree)
    with mpmath.workdps(40):
        values1 = [at(r, probe) for r in first]
        values2 = [at(r, probe) for r in second]
        residuals = [sp.lambdify((x1, x2), p.xreplace(probe), "mpmath") for p in (p1, p2)]
        sizes = [sp.lambdify((x1, x2), sum(abs(t) for t in sp.Add.make_args(sp.expand(p.xreplace(probe)))),
                             "mpmath") for p in (p1, p2)]
        points = [{x1: r1, x2: r2}
                  for r1, v1 in zip(first, values1) for r2, v2 in zip(second, values2)
                  if all(abs(f(v1, v2)) <= mpmath.mpf(10) ** -25 * (1 + abs(s(v1, v2)))
                         for f, s in zip(residuals, sizes))]
    return points, unsolved1 + unsolved2
