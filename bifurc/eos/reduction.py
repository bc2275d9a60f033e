"""Reduce gradient descent on a model of your own to a map of the coordinates you choose.

:func:`reduce` takes the model's output f(θ), its parameters θ and named coordinates c(θ),
derives one GD step θ' = θ - η m_θ ℓ'(f - y) ∂f/∂θ (m_θ the per-parameter step multipliers),
and rewrites each c(θ') in terms of c(θ): the result is a :class:`~bifurc.eos.ReducedModel`
whose map iterates the coordinates, with ``eta`` and ``y`` (and the declared constants) as its
parameters. Where some c(θ') is not a function of the coordinates, :class:`NotClosed` names
what it still depends on; ``closing=True`` adds those quantities as coordinates until the
update closes.

How closure is decided. The coordinates and their updates are written in *base variables* X:
the parameters themselves when they are scalars, and the scalar inner products (words such as
vᵀUx) when they are vectors and matrices of symbolic size (:mod:`bifurc.eos.invariants`), which
are algebraically independent for a generic width. A parameter that is itself a coordinate is
substituted; the rest must be rational in X. An update is written in the coordinates by
elimination with lex Gröbner bases, X eliminated first: for polynomial coordinates its normal
form modulo the relations Cᵢ - cᵢ(X) is free of X exactly when it is a polynomial in them
(subalgebra membership); for rational ones, an element linear in z of the ideal of the
relations and z = c(X') gives z as a rational function of the coordinates. Either way the
result is checked by substituting the coordinates back (the proof of closure). When there is
none, the Jacobian of (c, c') in X is evaluated at a random rational point in exact
arithmetic: a rank above that of c proves that c' is not a function of c even locally, and the
remainder of c' modulo the relations names what is missing. Lex bases grow fast with the
number of parameters and the degree: four scalar parameters of degree four take seconds.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from ..analysis.arguments import name_list
from ..definition.formulas import as_expression
from ..definition.iterated_map import Map
from ..errors import InputError
from .invariants import gd_step, scalar_terms, split_word, transposed
from .invariants import tangent_kernel as _matrix_kernel
from .model import ReducedModel

__all__ = ["reduce", "derive_updates", "Reduction", "NotClosed", "ntk", "residual", "sharpness",
           "sharpness_at_minimum", "gram", "assignments", "ETA", "TARGET", "SLOPE"]

#: The step size and the target, parameters of every reduced map.
ETA, TARGET = sp.Symbol("eta", real=True), sp.Symbol("y", real=True)
#: ℓ'(f - y) where the loss is left unspecified (``loss=None`` in :func:`derive_updates`).
SLOPE = sp.Symbol("g", real=True)
#: The residual p in which a loss is written.
_P = sp.Symbol("p", real=True)
#: The most coordinates ``closing=True`` may add, unless told otherwise.
MAX_ADDED = 6
#: Seed of the random point at which non-closure is proved (the proof holds at any point).
_SEED = 20240521
#: The unknown update z and the saturation variable t of the elimination.
_Z, _T = sp.Dummy("z"), sp.Dummy("t")


class NotClosed(InputError):  # noqa: N818 (the name issue 21 asks for; it is an InputError)
    """The GD update is not a function of the coordinates; ``leftover`` names what it depends on.

    Attributes
    ----------
    leftover : tuple of sympy.Expr
        Quantities in the parameters (or, for matrix parameters, in their inner products, named
        like ``v.T*v``) that the update still depends on: adding them as coordinates is the
        first thing to try (``closing=True`` does it).

    Examples
    --------
    f = uv alone does not close: its update involves the NTK u² + v².

    >>> from bifurc.eos import NotClosed, reduce
    >>> try:
    ...     reduce("u*v", "u, v", {"f": "u*v"})
    ... except NotClosed as error:
    ...     print(error.leftover)
    (u**2 + v**2,)
    """

    def __init__(self, message: str, leftover: Sequence[sp.Expr] = ()) -> None:
        super().__init__(message)
        self.leftover = tuple(leftover)


@dataclass(frozen=True)
class _Model:
    """A model read from the user's input: output, parameters, multipliers, constants."""

    output: sp.Basic
    params: tuple
    steps: dict
    constants: dict  # name -> real Symbol (scalar constants: map parameters)
    matrix: bool
    target: sp.Expr  # the symbol y, or a fixed number

    @property
    def reserved(self) -> dict[str, sp.Symbol]:
        """The map's own parameters: eta, and y unless the target is fixed."""
        return {"eta": ETA, **({"y": TARGET} if self.target == TARGET else {})}


def _read_model(output: object, params: object, constants: object, steps: object,
                target: object = None) -> _Model:
    """Parse and check the model; every error names the argument."""
    if target is None:
        fixed = TARGET
    else:
        fixed = _parsed(target, {}, "target")
        if not fixed.is_number:
            raise InputError(f"target: {target!r} is not a number")
    matrix = isinstance(output, MatrixExpr) or any(isinstance(p, sp.MatrixSymbol) for p in
                                                   (params if isinstance(params, (list, tuple)) else ()))
    if matrix:
        return _read_matrix_model(output, params, constants, steps, fixed)
    names = name_list(params, "params")
    if not names:
        raise InputError("params: give at least one parameter")
    const_names = name_list(constants, "constants")
    reserved = {"eta", "y"} if fixed == TARGET else {"eta"}
    for name in (*names, *const_names):
        if name in reserved:
            raise InputError(f"params/constants: {name!r} is reserved for the step size or the target "
                             f"(a fixed target=... frees y)")
    if set(names) & set(const_names):
        raise InputError(f"constants: {sorted(set(names) & set(const_names))} are also parameters")
    symbols = {n: sp.Symbol(n, real=True) for n in (*names, *const_names)}
    f = _parsed(output, symbols, "output")
    if not f.free_symbols & {symbols[n] for n in names}:
        raise InputError(f"output {output!r} does not depend on the parameters {', '.join(names)}")
    thetas = tuple(symbols[n] for n in names)
    consts = {n: symbols[n] for n in const_names}
    return _Model(f, thetas, _read_steps(steps, thetas, consts), consts, False, fixed)


def _read_matrix_model(output: object, params: object, constants: object, steps: object,
                       fixed: sp.Expr) -> _Model:
    if not isinstance(output, MatrixExpr) or output.shape != (1, 1):
        raise InputError("output: with matrix parameters give the output as a 1x1 sympy matrix expression")
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, sp.MatrixSymbol) for p in params):
        raise InputError("params: with matrix parameters give a list of sympy MatrixSymbols")
    items = constants.split(",") if isinstance(constants, str) else list(constants or ())
    data = [c for c in items if isinstance(c, sp.MatrixSymbol)]
    const_names = name_list([c for c in items if not isinstance(c, sp.MatrixSymbol)], "constants")
    shapes = {s for m in (*params, *data) for d in m.shape for s in sp.sympify(d).free_symbols}
    mats = {s for s in output.atoms(sp.MatrixSymbol)}
    unknown = sorted(str(s) for s in mats - set(params) - set(data))
    scalars = output.free_symbols - mats - shapes
    unknown += sorted(s.name for s in scalars if s.name not in const_names)
    if unknown:
        raise InputError(f"output {output}: unknown symbols {', '.join(unknown)} (declare data and "
                         f"constants in constants=)")
    if not any(output.has(p) for p in params):
        raise InputError(f"output {output} does not depend on the parameters")
    consts = {n: sp.Symbol(n, real=True) for n in const_names}
    real = {s: consts[s.name] for s in scalars}
    steps = _read_steps(steps, tuple(params), consts)
    for name in consts:
        if name == "eta" or (name == "y" and fixed == TARGET):
            raise InputError(f"constants: {name!r} is reserved for the step size or the target")
    return _Model(output.xreplace(real), tuple(params), steps, consts, True, fixed)


def _parsed(value: object, symbols: Mapping[str, sp.Symbol], what: str) -> sp.Expr:
    """A formula (or sympy expression) over ``symbols``; errors begin with ``what``."""
    try:
        return as_expression(value, symbols)
    except InputError as error:
        raise InputError(f"{what}: {error}") from None


def _read_steps(steps: object, thetas: tuple, consts: dict) -> dict:
    """Per-parameter step multipliers m_θ (default 1), formulas in the constants."""
    steps = dict(steps or {})
    by_name = {t.name: t for t in thetas}
    unknown = sorted(str(k) for k in steps if str(k) not in by_name)
    if unknown:
        raise InputError(f"steps: {', '.join(unknown)} are not parameters")
    out = {}
    for theta in thetas:
        value = steps.get(theta.name, steps.get(theta, 1))
        out[theta] = _parsed(value, consts, f"steps[{theta.name!r}]")
    return out


def _read_loss(loss: object) -> sp.Expr:
    """ℓ(p) from a catalogued name, a formula in ``p`` or a :class:`~bifurc.losses.Loss`."""
    from ..losses import CATALOGUE, Loss

    if isinstance(loss, Loss):
        expr = loss.expression
    elif isinstance(loss, str) and loss in CATALOGUE:
        expr = CATALOGUE[loss].expression
    else:
        expr = _parsed(loss, {"p": _P}, "loss (a formula in the residual p = f - y)")
    if _P not in expr.free_symbols:
        raise InputError(f"loss {loss!r} is not a function of the residual p = f - y")
    return expr


class _Words:
    """Scalar words in matrix symbols (vᵀUx, ...) as real symbols named like the word."""

    def __init__(self, constraints: Mapping) -> None:
        self.matrices: dict[sp.Symbol, sp.MatMul] = {}
        self.fixed: dict[tuple, sp.Expr] = {}
        for word, value in (constraints or {}).items():
            factors = tuple(word.args) if isinstance(word, sp.MatMul) else (word,)
            self.fixed[self._key(factors)] = sp.sympify(value)

    @staticmethod
    def _key(factors: tuple) -> tuple:
        return min(tuple(factors), transposed(factors), key=lambda k: str(sp.MatMul(*k)))

    def symbol(self, factors: tuple) -> sp.Expr:
        key = self._key(factors)
        if key in self.fixed:
            return self.fixed[key]
        word = sp.MatMul(*key) if len(key) > 1 else key[0]
        sym = sp.Symbol(str(word), real=True)
        self.matrices[sym] = word
        return sym

    def scalar(self, expr: sp.Basic) -> sp.Expr:
        """A scalar built from 1×1 matrix expressions and traces as a polynomial in words."""
        if isinstance(expr, MatrixExpr):
            if expr.shape != (1, 1):
                raise InputError(f"{expr} is not a scalar (shape {expr.shape})")
            expr = sp.Trace(expr)

        def value(trace: sp.Trace) -> sp.Expr:
            total = sp.Integer(0)
            try:
                for coeff, factors, cyclic in scalar_terms(trace):
                    term = coeff
                    for word in split_word(factors, cyclic):
                        term *= self.symbol(word)
                    total += term
            except ValueError as error:
                raise InputError(f"{trace.arg}: {error}; write coordinates as inner products of "
                                 f"vectors such as v.T*U*x") from None
            return total

        return sp.expand(expr.replace(lambda e: isinstance(e, sp.Trace), value))


class _Reducer:
    """Derives the update of coordinates given at the level of base variables."""

    def __init__(self, model: _Model, loss: sp.Expr | None, constraints: Mapping | None) -> None:
        self.model = model
        self.words = _Words(constraints) if model.matrix else None
        self.f = self.base(model.output)
        slope = SLOPE if loss is None else sp.simplify(sp.diff(loss, _P))
        if loss is None:  # ℓ' left unspecified: the updates keep the symbol g
            self.slope_symbol, g = None, SLOPE
        elif slope.is_polynomial(_P):  # substitute ℓ'(f - y) at once: the elimination stays complete
            self.slope_symbol, g = None, sp.expand(slope.xreplace({_P: self.f - model.target}))
        else:  # ℓ'(f - y) as a symbol, replaced by ℓ'(F - y) once f is written as F(c)
            self.slope_symbol = g = sp.Dummy("g", real=True)
        self.slope = slope
        if model.matrix:
            self.new = gd_step(model.output, list(model.params),
                               {t: ETA * model.steps[t] for t in model.params}, g)
            self.step = {}
        else:
            self.step = {t: _tidy_step(t - ETA * model.steps[t] * g * sp.diff(model.output, t))
                         for t in model.params}

    @property
    def base_variables(self) -> list[sp.Symbol]:
        return list(self.words.matrices) if self.model.matrix else list(self.model.params)

    def base(self, expr: sp.Basic) -> sp.Expr:
        """A user's scalar (of the parameters, or of matrix words) in base variables."""
        return self.words.scalar(expr) if self.model.matrix else sp.sympify(expr)

    def updated(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` (in base variables) after one GD step."""
        if not self.model.matrix:
            return expr.xreplace(self.step)
        for sym in list(self.words.matrices):
            if sym in expr.free_symbols and sym not in self.step:
                self.step[sym] = self.words.scalar(sp.Trace(self.words.matrices[sym].xreplace(self.new)))
        return expr.xreplace(self.step)

    def depends(self, expr: sp.Expr) -> bool:
        """Whether ``expr`` depends on the parameters."""
        if not self.model.matrix:
            return bool(expr.free_symbols & set(self.model.params))
        return any(self.words.matrices[s].has(t) for s in expr.free_symbols & set(self.words.matrices)
                   for t in self.model.params)


def _by_name(value: sp.Basic, table: Mapping[str, sp.Symbol], model: _Model, what: str) -> sp.Basic:
    """A matrix-model coordinate with its scalar symbols replaced by the map's, matched by name."""
    shapes = {s for t in model.params for dim in t.shape for s in sp.sympify(dim).free_symbols}
    scalars = {s for s in sp.sympify(value).free_symbols
               if not isinstance(s, sp.MatrixSymbol) and s not in shapes}
    unknown = sorted(s.name for s in scalars if s.name not in table)
    if unknown:
        raise InputError(f"{what}: unknown symbols {', '.join(unknown)}")
    return value.xreplace({s: table[s.name] for s in scalars})


def _tidy_step(expr: sp.Expr) -> sp.Expr:
    """A polynomial step expanded (for the elimination), any other as derived."""
    return sp.expand(expr) if expr.is_polynomial() else expr


def _express(value: sp.Expr, basis: list[tuple[sp.Symbol, sp.Expr]], X: list[sp.Symbol],
             what: str) -> sp.Expr:
    """``value`` (in X) as a function of the coordinates ``basis`` (symbol, expression in X).

    Raises
    ------
    NotClosed
        If it is not a function of them (proved by a Jacobian rank), naming what is missing.
    InputError
        If it is not rational in X, or is a function of them that elimination cannot write.
    """
    identity = {expr: sym for sym, expr in basis if expr in X}
    value = value.xreplace(identity)
    rest = [x for x in X if x not in identity and (value.has(x) or any(e.has(x) for _, e in basis))]
    if not value.free_symbols & set(rest):
        return value
    relations = [(sym, e.xreplace(identity)) for sym, e in basis if e not in X]
    relations = [(sym, e) for sym, e in relations if e.free_symbols & set(rest)]
    for name, expr in [(what, value), *relations]:
        num, den = sp.fraction(sp.together(expr))
        if not (num.is_polynomial(*rest) and den.is_polynomial(*rest)):
            raise InputError(f"{name} is not rational in {', '.join(map(str, rest))}; closure is decided "
                             f"for rational models (a parameter may be a coordinate itself)")
    candidate = _eliminate(value, relations, rest)
    if candidate is not None:
        return candidate
    if _depends_locally(value, relations, rest):
        raise InputError(f"{what} is locally a function of the coordinates, but not a rational one "
                         f"that elimination could find (the coordinates may fix the parameters only up to "
                         f"roots); choose coordinates it is a polynomial or rational function of")
    leftover = _leftover(value, relations, rest)
    raise NotClosed(f"{what} is not a function of the coordinates "
                    f"({', '.join(str(s) for s, _ in basis)}): it still depends on "
                    f"{', '.join(map(str, leftover))}", leftover)


def _polys(relations: list, z: sp.Symbol | None, value: sp.Expr | None) -> tuple[list, list]:
    """Numerators of D c - N (and D z - N for the value), and the denominators to saturate."""
    polys, dens = [], []
    for sym, expr in ([*relations, (z, value)] if z is not None else relations):
        num, den = sp.fraction(sp.together(expr))
        polys.append(sp.expand(den * sym - num))
        dens.append(den)
    return polys, dens


def _atomize(exprs: list[sp.Expr], gens: list[sp.Symbol]) -> tuple[list[sp.Expr], dict]:
    """Replace the coefficients' roots and functions (√n, tanh(g), ...) by symbols, for sympy's polys.

    A root b^(p/q) becomes d^p for one symbol d = b^(1/q), so that √n and n^(3/2) stay related.
    Returns the new expressions and the substitution back.
    """
    back: dict[sp.Symbol, sp.Expr] = {}
    names: dict[sp.Expr, sp.Symbol] = {}

    def atom(expr: sp.Expr) -> sp.Symbol:
        if expr not in names:  # numbered in order of appearance: equal inputs give equal outputs (cached)
            names[expr] = sp.Dummy("a", dummy_index=len(names) + 1)
            back[names[expr]] = expr
        return names[expr]

    def replace(expr: sp.Expr) -> sp.Expr:
        subs = {}
        for sub in expr.atoms(sp.Pow, sp.Function):
            if sub.free_symbols & set(gens):
                continue
            if isinstance(sub, sp.Pow) and sub.exp.is_Integer:
                continue
            if isinstance(sub, sp.Pow) and sub.exp.is_Rational:
                subs[sub] = atom(sub.base ** sp.Rational(1, sub.exp.q)) ** sub.exp.p
            else:
                subs[sub] = atom(sub)
        return expr.xreplace(subs)

    return [replace(e) for e in exprs], back


@functools.lru_cache(maxsize=64)
def _basis(polys: tuple, gens: tuple) -> sp.GroebnerBasis:
    """The lex Gröbner basis (cached: each coordinate's update reduces modulo the same one)."""
    return sp.groebner(list(polys), *gens, order="lex")


def _reduced(parts: list[sp.Expr], relations: list, X: list) -> list[sp.Expr]:
    """Normal forms of the polynomials ``parts`` modulo the coordinates' relations, X eliminated first.

    A polynomial is a polynomial in the coordinates exactly when its normal form is free of X
    (the subalgebra membership test); denominators of the coordinates that depend on X are
    saturated away.
    """
    polys, dens = _polys(relations, None, None)
    gens = [*X, *(s for s, _ in relations)]
    saturate = [d for d in dens if d.free_symbols & set(X)]
    if saturate:
        polys.append(sp.expand(1 - _T * sp.Mul(*saturate)))
        gens = [_T, *gens]
    everything, atoms = _atomize([*(sp.expand(p) for p in parts), *polys], gens)
    parts, polys = everything[:len(parts)], everything[len(parts):]
    others = sorted(set().union(*(p.free_symbols for p in everything)) - set(gens), key=str)
    if not polys:
        return [p.xreplace(atoms) for p in parts]
    basis = _basis(tuple(polys), (*gens, *others))
    return [basis.reduce(p)[1].xreplace(atoms) for p in parts]


def _eliminate(value: sp.Expr, relations: list, X: list) -> sp.Expr | None:
    """``value`` as a rational function of the coordinates, by elimination; None if none is found."""
    back = {s: e for s, e in relations}
    num, den = sp.fraction(sp.together(value))
    polynomial = not den.free_symbols & set(X) and not any(
        sp.fraction(sp.together(e))[1].free_symbols & set(X) for _, e in relations)
    if polynomial:  # the normal form of the numerator decides, with the relations' basis cached
        (rest,) = _reduced([num], relations, X)
        if rest.free_symbols & set(X):
            return None
        candidate = rest / den
        return candidate if sp.expand(candidate.xreplace(back) - value) == 0 else None  # the proof
    polys, dens = _polys(relations, _Z, value)
    saturate = [d for d in dens if d.free_symbols & set(X)]
    gens = [*X, _Z, *(s for s, _ in relations)]
    if saturate:
        polys.append(sp.expand(1 - _T * sp.Mul(*saturate)))
        gens = [_T, *gens]
    polys, atoms = _atomize(polys, gens)
    others = sorted(set().union(*(p.free_symbols for p in polys)) - set(gens), key=str)
    basis = sp.groebner(polys, *gens, *others, order="lex")
    for g in basis.exprs:
        if g.free_symbols & {_T, *X} or sp.degree(g, _Z) != 1:
            continue
        a, b = (c.xreplace(atoms) for c in sp.Poly(g, _Z).all_coeffs())
        if a.xreplace(back) == 0 or sp.cancel(sp.together(a.xreplace(back))) == 0:
            continue
        candidate = sp.factor(-b / a)
        if sp.cancel(sp.together(candidate.xreplace(back) - value)) == 0:  # the proof of closure
            return candidate
    return None


def _random_point(symbols: set, rng: random.Random) -> dict:
    """Rational squares (so that square roots stay rational), away from zero."""
    return {s: sp.Rational(rng.randint(2, 40), rng.randint(2, 40)) ** 2 for s in symbols}


def _depends_locally(value: sp.Expr, relations: list, X: list) -> bool:
    """Whether rank J(c, value) = rank J(c) at a random rational point (exact arithmetic)."""
    exprs = [e for _, e in relations]
    rng = random.Random(_SEED)
    point = _random_point(set().union(value.free_symbols, *(e.free_symbols for e in exprs)), rng)
    J = sp.Matrix([[sp.diff(e, x) for x in X] for e in [*exprs, value]]).xreplace(point)
    J = J.applyfunc(sp.nsimplify)
    return J.rank() == J[:-1, :].rank()


def _leftover(value: sp.Expr, relations: list, X: list) -> list[sp.Expr]:
    """The parameter-dependent parts of ``value`` left after reducing it modulo the coordinates."""
    parts: list[sp.Expr] = []
    for part in _reduced(list(sp.fraction(sp.together(value))), relations, X):
        groups: dict[sp.Expr, sp.Expr] = {}
        for term in sp.Add.make_args(sp.expand(part)):
            coeff, dep = term.as_independent(*X, as_Add=False)
            if not dep.free_symbols & set(X):
                continue
            number, key = coeff.as_coeff_Mul()
            groups[key] = groups.get(key, 0) + number * dep
        for quantity in groups.values():
            quantity = sp.expand(quantity.as_content_primitive()[1])
            if quantity.could_extract_minus_sign():
                quantity = -quantity
            if quantity != 0 and quantity not in parts:
                parts.append(quantity)
    return parts


def assignments(text: str, what: str) -> dict[str, str]:
    """``"f=u*v, lam=max(u, v)"`` -> ``{"f": "u*v", "lam": "max(u, v)"}`` (commas inside brackets kept).

    Raises
    ------
    InputError
        If a part is not NAME=FORMULA or a name is given twice; the message begins with ``what``.
    """
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    pairs: dict[str, str] = {}
    for part in parts:
        name, sep, formula = part.partition("=")
        if not sep or formula.startswith("="):
            raise InputError(f"{what}: expected NAME=FORMULA, got {part.strip()!r}")
        if name.strip() in pairs:
            raise InputError(f"{what}: {name.strip()!r} is given twice")
        pairs[name.strip()] = formula.strip()
    return pairs


def _coordinate_names(coordinates: object) -> dict[str, object]:
    if isinstance(coordinates, str):
        coordinates = assignments(coordinates, "coordinates")
    if not isinstance(coordinates, Mapping) or not coordinates:
        raise InputError("coordinates: give a mapping of names to expressions in the parameters")
    return dict(coordinates)


@dataclass(frozen=True)
class Reduction:
    """The derived update of a set of coordinates (what :func:`reduce` builds its map from).

    Attributes
    ----------
    updates : dict
        Coordinate name -> its update, in the coordinates (real symbols of those names), ``eta``,
        the target and the constants (and ``g`` = ℓ'(f - y) where the loss was left unspecified).
    coordinates : dict
        Coordinate name -> its expression in the parameters (for matrix parameters, in their
        inner products), those added by ``closing`` included.
    added : dict
        The coordinates ``closing`` added.
    derivation : tuple of (str, sympy object)
        The output, the GD step, the coordinates and each update.
    parameters : tuple of str
        The map's parameters: ``eta``, ``y`` (unless the target is fixed) and the constants.
    """

    updates: dict
    coordinates: dict
    added: dict
    derivation: tuple
    parameters: tuple


def derive_updates(
    output: object,
    params: object,
    coordinates: object,
    loss: object = "squared",
    steps: Mapping[str, object] | None = None,
    constants: object = None,
    constraints: Mapping | None = None,
    target: object = None,
    closing: bool = False,
    max_added: int = MAX_ADDED,
) -> Reduction:
    """The update of the coordinates under one GD step, without building the map.

    Arguments are those of :func:`reduce`; ``loss=None`` leaves ℓ'(f - y) unspecified as the
    symbol :data:`SLOPE` (``g``), so that one derivation serves every loss.

    Raises
    ------
    NotClosed, InputError
        As :func:`reduce`.
    """
    model = _read_model(output, params, constants, steps, target)
    if loss is None and "g" in {*model.constants, *(t.name for t in model.params)}:
        raise InputError("loss=None writes l'(f - y) as g, which is also a parameter or constant here")
    reducer = _Reducer(model, None if loss is None else _read_loss(loss), constraints)
    given = _coordinate_names(coordinates)
    table = {**{t.name: t for t in model.params if not model.matrix}, **model.constants, **model.reserved}
    coords: dict[str, sp.Expr] = {}
    for key, value in given.items():
        _check_coordinate_name(key, model)
        if model.matrix and not isinstance(value, str):
            expr = reducer.base(_by_name(value, table, model, f"coordinate {key!r}"))
            if not any(sp.sympify(value).has(t) for t in model.params):
                raise InputError(f"coordinate {key!r} = {value} does not depend on the parameters")
        else:
            expr = _parsed(value, table, f"coordinate {key!r}")
            if not reducer.depends(expr):
                raise InputError(f"coordinate {key!r} = {value} does not depend on the parameters")
        coords[key] = sp.expand(expr) if expr.is_polynomial() else expr
    added: dict[str, sp.Expr] = {}
    max_added = int(max_added)
    while True:
        try:
            updates = _updates(reducer, coords)
            break
        except NotClosed as error:
            if not closing or len(added) >= max_added:
                if closing:
                    raise NotClosed(f"{error} (after adding {len(added)} coordinates, the most allowed)",
                                    error.leftover) from None
                raise
            for quantity in error.leftover:
                if len(added) < max_added:
                    label = _fresh(coords, model, len(added) + 1)
                    coords[label] = added[label] = quantity
    slope = str(reducer.slope.xreplace({_P: sp.Symbol("f") - model.target}))
    if model.matrix:
        steps_taken = [sp.Eq(sp.MatrixSymbol(f"{t}'", *t.shape), e, evaluate=False)
                       for t, e in reducer.new.items()]
    else:
        steps_taken = [sp.Eq(sp.Symbol(f"{t}'"), e) for t, e in reducer.step.items()]
    derivation = (
        ("output", model.output),
        (f"GD step, l'(f - y) = {slope}", sp.Tuple(*steps_taken)),
        ("coordinates", sp.Tuple(*(sp.Eq(sp.Symbol(k), e) for k, e in coords.items()))),
        *((f"update of {k}", sp.Eq(sp.Symbol(f"{k}'"), e)) for k, e in updates.items()),
    )
    return Reduction(updates, coords, added, derivation, (*model.reserved, *model.constants))


def reduce(
    output: object,
    params: object,
    coordinates: object,
    loss: object = "squared",
    steps: Mapping[str, object] | None = None,
    constants: object = None,
    constraints: Mapping | None = None,
    target: object = None,
    defaults: Mapping[str, float] | None = None,
    closing: bool = False,
    max_added: int = MAX_ADDED,
    name: str | None = None,
) -> ReducedModel:
    """Derive the map that one GD step induces on the chosen coordinates.

    Parameters
    ----------
    output
        The model's output f(θ) on one data point: a formula string or sympy expression in the
        parameters and constants; with vector or matrix parameters a 1×1 sympy matrix expression
        (e.g. ``v.T*U*x``).
    params
        The trained parameters: names (``"u, v"`` or a list), or sympy ``MatrixSymbol`` objects of
        symbolic size.
    coordinates
        Coordinate name -> expression in the parameters, constants, ``eta`` and ``y`` (formula
        strings, or sympy expressions; with matrix parameters, scalars built from 1×1 matrix
        expressions and traces). A string ``"f=u*v, lam=u**2+v**2"`` is accepted.
    loss
        ℓ(p) of the residual p = f - y: a catalogued name (``"squared"``, ``"logcosh"``, ...) or
        a formula in ``p``.
    steps
        Parameter name -> its step multiplier m_θ (μP-style), a formula in the constants; default 1.
    constants
        Names of the other symbols in the output (inputs, scales, widths): they become parameters
        of the map. With matrix parameters, also the data ``MatrixSymbol`` objects (e.g. ``x``).
    constraints
        Known values of data words, e.g. ``{x.T*x: 1}``.
    target
        A number to fix the target y at (then ``y`` is free to name a parameter); by default the
        target is the map's parameter ``y``.
    defaults
        Default values of the map's parameters (``eta`` 0.1, ``y`` 1, constants 1); the map lists
        its parameters as ``eta``, then in this order, then the rest.
    closing
        If the update does not close, add the quantities it still depends on as coordinates
        ``z1, z2, ...`` until it does; ``results["added"]`` lists them.
    max_added
        The most coordinates ``closing`` may add.
    name
        The model's name.

    Returns
    -------
    ReducedModel
        State: the coordinates; parameters ``eta``, ``y`` and the constants. ``derivation`` has
        the GD step and each coordinate's update; ``results["coordinates"]`` the coordinates in
        the parameters, ``results["added"]`` those added by ``closing``.

    Raises
    ------
    NotClosed
        If some update is not a function of the coordinates (the message and ``leftover`` name
        what it still depends on), also after ``max_added`` additions with ``closing``.
    InputError
        If a formula uses an unknown symbol, a coordinate does not depend on the parameters, the
        loss is not a function of p, or the model is outside what can be decided (not rational).

    Examples
    --------
    The output f = uv with λ = u² + v² closes (Kalra et al.'s map with c = 1, Δ = f - y):
    f' = f - ηλΔ + η²Δ²f and λ' = λ + ηΔ(ηλΔ - 4f).

    >>> import sympy as sp
    >>> from bifurc.eos import reduce
    >>> m = reduce("u*v", "u, v", {"f": "u*v", "lam": "u**2 + v**2"})
    >>> (f, lam), (eta, y) = m.map.state_symbols, m.map.param_symbols
    >>> d = f - y
    >>> sp.expand(m.updates["f"] - (f - eta*lam*d + eta**2*d**2*f)) == 0
    True
    >>> sp.expand(m.updates["lam"] - (lam + eta*d*(eta*lam*d - 4*f))) == 0
    True
    """
    if loss is None:
        raise InputError("loss: give a loss (a catalogued name or a formula in p)")
    reduction = derive_updates(output, params, coordinates, loss, steps, constants, constraints, target,
                               closing, max_added)
    return _build(reduction, defaults, name)


def _check_coordinate_name(key: str, model: _Model) -> None:
    if not isinstance(key, str) or not key.isidentifier():
        raise InputError(f"coordinates: {key!r} is not a valid name")
    if key in model.reserved or key in model.constants:
        raise InputError(f"coordinates: {key!r} is already a parameter of the map")


def _fresh(coords: Mapping, model: _Model, start: int) -> str:
    taken = {*coords, *model.constants, *model.reserved}
    k = start
    while f"z{k}" in taken:
        k += 1
    return f"z{k}"


def _updates(reducer: _Reducer, coords: Mapping[str, sp.Expr]) -> dict[str, sp.Expr]:
    """Each coordinate's update in the coordinates; NotClosed if one is not a function of them."""
    symbols = {n: sp.Symbol(n, real=True) for n in coords}
    basis = [(symbols[n], e) for n, e in coords.items()]
    out = {}
    for key, expr in coords.items():
        value = reducer.updated(expr)  # computes the steps of new words first: base_variables grows
        out[key] = _express(value, basis, reducer.base_variables, f"the update of {key!r}")
    if reducer.slope_symbol is not None:  # ℓ'(f - y) needs f in the coordinates
        F = _express(reducer.f, basis, reducer.base_variables, "the output f")
        slope = reducer.slope.xreplace({_P: F - reducer.model.target})
        out = {k: v.xreplace({reducer.slope_symbol: slope}) for k, v in out.items()}
    return out


def _build(reduction: Reduction, defaults: Mapping[str, float] | None, name: str | None) -> ReducedModel:
    params = {p: {"eta": 0.1, "y": 1.0}.get(p, 1.0) for p in reduction.parameters}
    unknown = sorted(set(defaults or {}) - set(params))
    if unknown:
        raise InputError(f"defaults: {', '.join(unknown)} are not parameters of the map")
    given = {k: float(v) for k, v in (defaults or {}).items()}
    params = {"eta": given.pop("eta", params.pop("eta")), **given,
              **{k: v for k, v in params.items() if k not in given}}  # eta, then the defaults' order
    simplified = {k: _tidy(v) for k, v in reduction.updates.items()}
    label = name or f"reduced[{', '.join(reduction.coordinates)}]"
    m = Map.from_expressions(simplified, params, name=label)
    derivation = (*reduction.derivation[:3],
                  *((f"update of {k}", sp.Eq(sp.Symbol(f"{k}'"), e)) for k, e in simplified.items()))
    results = {"coordinates": sp.Tuple(*(sp.Eq(sp.Symbol(k), e) for k, e in reduction.coordinates.items())),
               "added": sp.Tuple(*(sp.Eq(sp.Symbol(k), e) for k, e in reduction.added.items()))}
    return ReducedModel(label, m, derivation, results, positive=("eta",))


def _tidy(expr: sp.Expr) -> sp.Expr:
    """A polynomial expanded, a rational function factored if that is shorter, anything else as it is."""
    if expr.is_polynomial():
        return sp.expand(expr)
    if expr.atoms(sp.Function):
        return expr
    factored = sp.factor(expr)
    return factored if sp.count_ops(factored) <= sp.count_ops(expr) else expr


# --- helpers that build coordinates ------------------------------------------------------------


def residual(output: object, params: object, constants: object = None) -> sp.Expr:
    """The residual p = f - y of an output (a coordinate Song & Yun's maps use).

    Parameters are as for :func:`reduce`; returns a scalar sympy expression.

    Examples
    --------
    >>> from bifurc.eos import residual
    >>> residual("u*v", "u, v")
    u*v - y
    """
    model = _read_model(output, params, constants, None)
    f = sp.Trace(model.output) if model.matrix else model.output
    return f - TARGET


def ntk(output: object, params: object, steps: Mapping | None = None, constants: object = None) -> sp.Expr:
    """The neural tangent kernel λ = Σ_θ m_θ ‖∂f/∂θ‖² of an output on one data point.

    With the step multipliers m_θ of :func:`reduce`, η λ is the output's step under GD, and for
    the squared loss λ is the sharpness at a minimum. Parameters are as for :func:`reduce`.

    Returns
    -------
    sympy.Expr
        For scalar parameters an expression in them; for matrix parameters a sum of traces.

    Examples
    --------
    For f = uv, ‖∂f/∂(u, v)‖² = v² + u²:

    >>> from bifurc.eos import ntk
    >>> ntk("u*v", "u, v")
    u**2 + v**2
    """
    model = _read_model(output, params, constants, steps)
    if model.matrix:
        return _matrix_kernel(model.output, list(model.params), model.steps)
    return sp.expand(sum(model.steps[t] * sp.diff(model.output, t) ** 2 for t in model.params))


def sharpness_at_minimum(output: object, params: object, loss: object = "squared",
                         steps: Mapping | None = None, constants: object = None) -> sp.Expr:
    """ℓ''(f - y) λ: the sharpness of the loss (of η⁻¹ times GD's step Jacobian) at a minimum.

    At a point with ℓ'(f - y) = 0 the Hessian of ℓ(f - y), preconditioned by the step
    multipliers, is ℓ''·(M^½∇f)(M^½∇f)ᵀ, whose one non-zero eigenvalue is ℓ''λ. Away from a
    minimum this is the Gauss-Newton part only; :func:`sharpness` gives the whole.

    Examples
    --------
    For the squared loss ℓ'' = 1, so the sharpness at a minimum of f = uv is the NTK u² + v²:

    >>> from bifurc.eos import sharpness_at_minimum
    >>> sharpness_at_minimum("u*v", "u, v")
    u**2 + v**2
    """
    lam = ntk(output, params, steps, constants)
    second = sp.diff(_read_loss(loss), _P, 2)
    return second.xreplace({_P: residual(output, params, constants)}) * lam


def sharpness(output: object, params: object, at: Mapping[str, float], loss: object = "squared",
              steps: Mapping | None = None, constants: object = None) -> float:
    """The sharpness at a point: the largest eigenvalue of M^½ ∇²ℓ(f - y) M^½ (scalar parameters).

    Parameters
    ----------
    at
        A value for every parameter, constant and ``y``.
    Other parameters
        As for :func:`reduce`.

    Raises
    ------
    InputError
        If a value is missing, or the parameters are matrices (instantiate them to use this).

    Examples
    --------
    The Hessian of ½(uv - y)² is [[v², 2uv - y], [2uv - y, u²]]; at (u, v, y) = (1, 1, 0):

    >>> import numpy as np
    >>> from bifurc.eos import sharpness
    >>> s = sharpness("u*v", "u, v", {"u": 1.0, "v": 1.0, "y": 0.0})
    >>> bool(np.isclose(s, np.linalg.eigvalsh([[1.0, 2.0], [2.0, 1.0]])[-1], rtol=1e-12))
    True
    >>> round(sharpness("u*v", "u, v", {"u": 1.0, "v": 2.0, "y": 2.0}), 12)  # a minimum: u² + v²
    5.0
    """
    model = _read_model(output, params, constants, steps)
    if model.matrix:
        raise InputError("sharpness: give scalar parameters (instantiate matrices to evaluate at a point)")
    L = _read_loss(loss).xreplace({_P: model.output - TARGET})
    multipliers = set().union(*(m.free_symbols for m in model.steps.values()))
    needed = {s.name: s for s in L.free_symbols | multipliers}
    missing = sorted(set(needed) - set(at))
    if missing:
        raise InputError(f"at: give values of {', '.join(missing)}")
    point = {needed[k]: float(v) for k, v in at.items() if k in needed}
    roots = [sp.sqrt(model.steps[t]) for t in model.params]
    H = sp.Matrix([[roots[i] * roots[j] * sp.diff(L, a, b) for j, b in enumerate(model.params)]
                   for i, a in enumerate(model.params)])
    values = np.array(H.xreplace(point).evalf(), dtype=float)
    return float(np.linalg.eigvalsh(values)[-1])


def gram(**vectors: MatrixExpr) -> dict[str, sp.Trace]:
    """The Gram invariants of vectors: ``gram(u=u, v=v)`` -> ``{"u_u": uᵀu, "u_v": uᵀv, "v_v": vᵀv}``.

    Each value is a trace of a 1×1 product, ready to be a coordinate of :func:`reduce`; a
    vector may be a product such as ``U*x``.

    Raises
    ------
    InputError
        If a value is not a column vector.

    Examples
    --------
    >>> import sympy as sp
    >>> from bifurc.eos import gram
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)
    >>> invariants = gram(u=u, v=v)
    >>> sorted(invariants)
    ['u_u', 'u_v', 'v_v']
    >>> invariants["u_v"] == sp.Trace(u.T*v)
    True
    """
    for key, vec in vectors.items():
        if not isinstance(vec, MatrixExpr) or vec.shape[1] != 1:
            raise InputError(f"gram: {key} is not a column vector")
    names = list(vectors)
    return {f"{a}_{b}": sp.Trace(vectors[a].T * vectors[b]) for i, a in enumerate(names) for b in names[i:]}
