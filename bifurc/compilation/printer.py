"""Turn a map's sympy expressions into the source text of its numba kernels.

The generated kernels are the only executable form of a map. Every symbol is renamed
to an internal name (``s0, s1, ...`` for the state, ``k0, k1, ...`` for parameters,
``c0, c1, ...`` for common subexpressions), so user names never clash with Python
keywords or with the kernel's own variables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

__all__ = ["kernel_source"]

#: Every kernel's decorator (the shared algorithms' in :mod:`bifurc.compilation.engine` too):
#: cached on disk, the GIL released, IEEE arithmetic (a pole gives inf, an escape, not an exception).
_DECORATOR = '@nb.njit(cache=True, nogil=True, error_model="numpy")'


class _KernelPrinter(PythonCodePrinter):
    """Python printer whose output numba compiles: ``math`` functions, float literals."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})

    def _print_Integer(self, expr: sp.Integer) -> str:  # keep kernels in float64
        return f"{int(expr)}.0"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({int(expr.p)}.0/{int(expr.q)}.0)"

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_sign(self, expr: sp.sign) -> str:
        x = self._print(expr.args[0])
        return f"(1.0 if ({x}) > 0.0 else (-1.0 if ({x}) < 0.0 else 0.0))"

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        x = self._print(expr.args[0])
        return f"(1.0 if ({x}) > 0.0 else (0.0 if ({x}) < 0.0 else 0.5))"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        # multiplied out for a symbol only: a compound base would be printed k times at every level,
        # 2**24 copies for ((x**2 + r)**2 + r)**2 ... nested 24 deep (_body names such bases first)
        if _small_integer_power(expr) and base.is_Atom:
            product = "*".join([f"({self._print(base)})"] * abs(int(exponent)))
            return f"({product})" if exponent > 0 else f"(1.0/({product}))"
        if exponent in (sp.S.Half, -sp.S.Half, sp.S.NegativeOne):
            return super()._print_Pow(expr, rational=rational)  # math.sqrt, 1.0/math.sqrt, 1.0/x
        # math.pow is numba's ** for floats; as plain Python it raises where ** would turn complex
        return f"math.pow({self._print(base)}, {self._print(exponent)})"

    def _print_floor(self, expr: sp.floor) -> str:  # a float, as numba's math.floor is not past 2**63
        return f"np.floor({self._print(expr.args[0])})"

    def _print_ceiling(self, expr: sp.ceiling) -> str:
        return f"np.ceil({self._print(expr.args[0])})"


def _small_integer_power(expr: sp.Basic) -> bool:
    """True for x**n with an integer 1 < |n| <= 4: printed as a product of n factors."""
    return expr.is_Pow and expr.exp.is_Integer and 1 < abs(int(expr.exp)) <= 4


def _name_power_bases(
    replacements: list[tuple[sp.Symbol, sp.Expr]], reduced: list[sp.Expr], names: Iterator[sp.Symbol]
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """Give each compound base of a small integer power a name of its own, assigned before use.

    Then every such power is a product of names, the same arithmetic compiled and as plain
    Python (:mod:`bifurc.compilation.interpreted`); left as ``pow(b, 2.0)``, LLVM would
    multiply where the C library's pow, within 0.52 ulp, need not agree.
    """
    out: list[tuple[sp.Symbol, sp.Expr]] = []

    def hoist(expr: sp.Expr) -> sp.Expr:
        def named(power: sp.Pow) -> sp.Pow:  # bottom-up: a base's own powers are named already
            name = next(names)
            out.append((name, power.base))
            return sp.Pow(name, power.exp, evaluate=False)

        return expr.replace(lambda e: _small_integer_power(e) and not e.base.is_Atom, named)

    for symbol, expr in replacements:
        out.append((symbol, hoist(expr)))
    return out, [hoist(e) for e in reduced]


class _FloorAE(sp.Function):
    """floor, with derivative zero: its derivative almost everywhere."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class _CeilingAE(sp.Function):
    """ceiling, with derivative zero: its derivative almost everywhere."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


def jacobian_matrix(updates: Sequence[sp.Expr], state: Sequence[sp.Symbol]) -> sp.Matrix:
    """Jacobian ``d updates_i / d state_j``, defined almost everywhere for non-smooth maps.

    Piecewise-constant parts have derivative zero away from their jumps:
    ``Mod(u, c) = u - c floor(u/c)`` differentiates as ``u``, ``floor`` and ``ceiling`` as 0,
    and the Dirac deltas that sympy returns for ``sign`` and ``Heaviside`` are dropped.
    """
    smooth = [
        sp.sympify(u)
        .replace(sp.Mod, lambda a, c: a - c * _FloorAE(a / c))
        .replace(sp.floor, _FloorAE)
        .replace(sp.ceiling, _CeilingAE)
        for u in updates
    ]
    rows = []
    for u in smooth:
        row = []
        for s in state:
            d = sp.diff(u, s).replace(sp.DiracDelta, lambda *args: sp.Integer(0))
            # common factors pulled out: r(1 - 2x), not r - 2rx, which cancels near x = 1/2
            row.append(sp.factor_terms(d.replace(_FloorAE, sp.floor).replace(_CeilingAE, sp.ceiling)))
        rows.append(row)
    return sp.Matrix(rows)


def _body(
    outputs: Sequence[tuple[str, sp.Expr]],
    state: Sequence[sp.Symbol],
    params: Sequence[sp.Symbol],
    load_state: str,
    load_param: str,
    indent: str,
    load_all_state: bool = True,
) -> list[str]:
    """Lines that load inputs, compute common subexpressions and store the outputs.

    With ``load_all_state=False`` the state is already held in the scalars ``s0, s1, ...``.
    """
    printer = _KernelPrinter()
    rename = {s: sp.Symbol(f"s{i}", real=True) for i, s in enumerate(state)}
    rename.update({k: sp.Symbol(f"k{i}", real=True) for i, k in enumerate(params)})
    exprs = [sp.sympify(e).xreplace(rename) for _, e in outputs]
    used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    names = sp.numbered_symbols("c")
    replacements, reduced = _name_power_bases(*sp.cse(exprs, symbols=names, order="none"), names)
    lines = []
    for i in range(len(state)):
        if load_all_state and sp.Symbol(f"s{i}", real=True) in used:
            lines.append(f"{indent}s{i} = {load_state.format(i=i)}")
    for i in range(len(params)):
        if sp.Symbol(f"k{i}", real=True) in used:
            lines.append(f"{indent}k{i} = {load_param.format(i=i)}")
    lines += [f"{indent}{printer.doprint(s)} = {printer.doprint(e)}" for s, e in replacements]
    lines += [f"{indent}{target} = {printer.doprint(e)}" for (target, _), e in zip(outputs, reduced)]
    return lines


def kernel_source(
    updates: Sequence[sp.Expr],
    jacobian: sp.Matrix,
    state: Sequence[sp.Symbol],
    params: Sequence[sp.Symbol],
) -> str:
    """Source text of the map-specific kernels.

    No text of the user's reaches the source except through the printer: symbols are
    renamed, numbers printed as float literals, and the map's name is left out (a hash
    of the formulas names the module).

    Parameters
    ----------
    updates
        The next value of each state variable.
    jacobian
        The derived Jacobian matrix of ``updates`` with respect to ``state``.
    state, params
        The state and parameter symbols, in kernel order.

    Returns
    -------
    str
        Python source defining ``DIM``, ``NPAR`` and four kernels: ``step(x, p, out)``
        (one state), ``jacobian(x, p, J)``, ``run_lanes``, which advances many
        independent orbits stored column-wise (``X[i, lane]``) side by side, with the time
        loop inside so that the lane loop is vectorised and nothing is allocated per step,
        ``run_lanes_logdet``, the same while summing log|det J| (the Lyapunov
        exponent of a 1D map; the sum of the exponents in general), and ``run_tangent``,
        Benettin's method for one orbit written out in scalars.
    """
    dim = len(state)
    step_out = [(f"out[{i}]", u) for i, u in enumerate(updates)]
    jac_out = [(f"J[{i}, {j}]", jacobian[i, j]) for i in range(dim) for j in range(dim)]
    lanes_out = [(f"v{i}", u) for i, u in enumerate(updates)]
    entries = [(f"J{a}_{b}", jacobian[a, b]) for a in range(dim) for b in range(dim)]
    logdet_out = [*lanes_out, *entries]
    rows_x = "; ".join(f"x{i} = X[{i}]" for i in range(dim))
    rows_p = "; ".join(f"q{i} = P[{i}]" for i in range(len(params))) or "pass"
    text = [
        '"""numba kernels of one map, generated by bifurc. Do not edit."""',
        "",
        "import math",
        "from threading import Lock",
        "",
        "import numba as nb",
        "import numpy as np",
        "",
        "from bifurc.compilation.pool import shared_pool",
        "",
        f"DIM = {dim}",
        f"NPAR = {max(len(params), 1)}",
        "",
        "",
        _DECORATOR,
        "def step(x, p, out):",
        *_body(step_out, state, params, "x[{i}]", "p[{i}]", "    "),
        "",
        "",
        _DECORATOR,
        "def jacobian(x, p, J):",
        *_body(jac_out, state, params, "x[{i}]", "p[{i}]", "    "),
        "",
        "",
        _DECORATOR,
        "def run_lanes(X, P, n, out, lo, skip, big, nan):",
        '    """Advance the lanes (columns) of X n steps; record the state before step t into',
        "    out[lo + lane, t - skip] if t >= skip; keep each lane's largest |state| in big and",
        '    a NaN-sticky sum in nan."""',
        f"    {rows_x}",
        f"    {rows_p}",
        "    L = X.shape[1]",
        "    for t in range(n):",
        "        if t >= skip:",
        "            for j in range(L):",
        *[f"                out[lo + j, t - skip, {i}] = x{i}[j]" for i in range(dim)],
        "        for j in range(L):",
        *_body(lanes_out, state, params, "x{i}[j]", "q{i}[j]", "            "),
        *[f"            x{i}[j] = v{i}" for i in range(dim)],
        *_watch(dim, "        "),
        "",
        "",
        _DECORATOR,
        "def run_lanes_logdet(X, P, n, sums, big, nan):",
        '    """Advance the lanes n steps, adding log|det J| at each visited state to sums.',
        "",
        "    |det J| is multiplied over 8 steps between logarithms (a log costs ~10 products).",
        '    """',
        f"    {rows_x}",
        f"    {rows_p}",
        "    L = X.shape[1]",
        "    prod = np.ones(L)",
        "    for t in range(n):",
        "        for j in range(L):",
        *_body(logdet_out, state, params, "x{i}[j]", "q{i}[j]", "            "),
        f"            d = {_symbol_determinant(dim)}",
        *[f"            x{i}[j] = v{i}" for i in range(dim)],
        "            prod[j] *= abs(d)",
        *_watch(dim, "        "),
        "        if t % 8 == 7:",
        "            for j in range(L):",
        "                sums[j] += math.log(prod[j])",
        "                prod[j] = 1.0",
        "    for j in range(L):",
        "        sums[j] += math.log(prod[j])",
        "",
        "",
        *_tangent_kernel(jacobian, updates, state, params),
        "",
    ]
    return "\n".join(text) + "\n"


def _tangent_kernel(jacobian: sp.Matrix, updates: Sequence[sp.Expr], state: Sequence[sp.Symbol],
                    params: Sequence[sp.Symbol]) -> list[str]:
    """``run_tangent``: Benettin's method written out for this map's dimension.

    The tangent basis Q is held in scalars; the Jacobian entries J_ak are computed once
    per step and A = J Q is written out term by term, dropping the entries that are
    identically 0 and the factors that are identically 1 (never multiplying the
    expressions symbolically, which is slow for large formulas). A is then
    re-orthonormalised by modified Gram-Schmidt.
    """
    dim = len(state)
    outputs = [(f"J{a}_{b}", jacobian[a, b]) for a in range(dim) for b in range(dim)]
    outputs += [(f"v{i}", u) for i, u in enumerate(updates)]
    loads = "; ".join(f"s{i} = x[{i}]" for i in range(dim))
    basis = [(a, b) for a in range(dim) for b in range(dim)]
    load_basis = "; ".join(f"Q{a}_{b} = Q[{a}, {b}]" for a, b in basis)
    store_basis = [f"Q[{a}, {b}] = Q{a}_{b}" for a, b in basis]
    lines = [
        _DECORATOR,
        "def run_tangent(x, p, n, R, sums, Q):",
        '    """Advance x and the orthonormal tangent basis Q (columns) in place n steps, adding',
        "    the log stretch of each tangent direction to sums (Benettin, Gram-Schmidt every",
        "    step; stretches are multiplied over 8 steps between logarithms); returns 0 or the",
        '    1-based step of escape."""',
        f"    {loads}",
        f"    {load_basis}",
        f"    {'; '.join(f'g{b} = 1.0' for b in range(dim))}",
        "    for t in range(n):",
        *_body(outputs, state, params, "s{i}", "p[{i}]", "        ", load_all_state=False),
    ]
    for a in range(dim):
        for b in range(dim):
            terms = [f"Q{k}_{b}" if jacobian[a, k] == 1 else f"J{a}_{k}*Q{k}_{b}"
                     for k in range(dim) if jacobian[a, k] != 0]
            lines.append(f"        A{a}_{b} = {' + '.join(terms) or '0.0'}")
    for b in range(dim):
        column = [f"A{a}_{b}" for a in range(dim)]
        for c in range(b):
            dot = " + ".join(f"Q{a}_{c}*A{a}_{b}" for a in range(dim))
            lines.append(f"        dot = {dot}")
            lines += [f"        A{a}_{b} -= dot*Q{a}_{c}" for a in range(dim)]
        lines.append(f"        norm = math.sqrt({' + '.join(f'{e}*{e}' for e in column)})")
        lines.append(f"        g{b} *= norm")
        lines.append("        if norm > 0.0:")
        lines += [f"            Q{a}_{b} = A{a}_{b}/norm" for a in range(dim)]
        lines.append("        else:")
        lines += [f"            Q{a}_{b} = 0.0" for a in range(dim)]
    lines += [f"        s{i} = v{i}" for i in range(dim)]
    ok = " and ".join(f"abs(s{i}) <= R" for i in range(dim))
    lines += [
        f"        if not ({ok}):",
        *[f"            x[{i}] = s{i}" for i in range(dim)],
        *[f"            {line}" for line in store_basis],
        "            return t + 1",
        "        if t % 8 == 7:",
        *[f"            sums[{b}] += math.log(g{b})" for b in range(dim)],
        f"            {'; '.join(f'g{b} = 1.0' for b in range(dim))}",
        *[f"    sums[{b}] += math.log(g{b})" for b in range(dim)],
        *[f"    x[{i}] = s{i}" for i in range(dim)],
        *[f"    {line}" for line in store_basis],
        "    return 0",
    ]
    return lines


def _symbol_determinant(dim: int) -> str:
    """det of the matrix of names J{a}_{b}, as code (cheap: the entries are symbols)."""
    names = sp.Matrix(dim, dim, lambda a, b: sp.Symbol(f"J{a}_{b}", real=True))
    return _KernelPrinter().doprint(names.det(method="berkowitz"))


def _watch(dim: int, indent: str) -> list[str]:
    """Lines that keep each lane's largest |component| and a NaN-sticky sum."""
    lines = []
    for i in range(dim):
        lines += [
            f"{indent}for j in range(L):",
            f"{indent}    big[j] = max(big[j], abs(x{i}[j]))",
            f"{indent}    nan[j] += x{i}[j] - x{i}[j]",
        ]
    return lines
