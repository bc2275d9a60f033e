"""Safe conversion of formula strings to sympy expressions.

Formulas are parsed with Python's :mod:`ast` and translated node by node; nothing is
passed to ``eval``. Only arithmetic, comparisons, boolean connectives, numbers, the
names the caller declares and a fixed set of mathematical functions are accepted.
Their size and nesting are bounded, and every constant must be a finite real float64
(no ``sqrt(-1)``, no ``1e300*1e300``): what is refused here never reaches the compiler.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

import sympy as sp
from sympy.logic.boolalg import Boolean

from ..errors import InputError

__all__ = ["FUNCTIONS", "CONSTANTS", "parse_formula", "as_expression", "MAX_LENGTH", "MAX_DEPTH"]

#: The longest formula accepted, in characters: thousands of terms, each derived and compiled.
MAX_LENGTH = 10_000
#: The deepest nesting accepted (calls, powers, parentheses; a chain such as ``a + b + c`` counts
#: once): the derivatives, the printer and Python's parser of the generated kernels recurse
#: through it, and the parser allows 200 nested parentheses, which the printer's own may double.
MAX_DEPTH = 50
#: The largest exponent of two a constant may have: float64 ends at 2**1024.
_MAX_BITS = 1024
#: The most negative: below 2**-1075 float64 has only zero.
_MIN_BITS = 1075


def _piecewise(*pieces: object) -> sp.Expr:
    return sp.Piecewise(*pieces)


def _where(condition: sp.Basic, if_true: sp.Expr, if_false: sp.Expr) -> sp.Expr:
    return sp.Piecewise((if_true, condition), (if_false, True))


#: Functions a formula may call, by the name it uses.
FUNCTIONS: dict[str, Callable[..., sp.Basic]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "atan2": sp.atan2,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "cbrt": sp.cbrt,
    "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign,
    "min": sp.Min, "Min": sp.Min, "max": sp.Max, "Max": sp.Max,
    "floor": sp.floor, "ceiling": sp.ceiling,
    "mod": sp.Mod, "Mod": sp.Mod, "Heaviside": sp.Heaviside,
    "Piecewise": _piecewise, "where": _where,
}

#: Named constants a formula may use.
CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E}

def _power(base: sp.Basic, exponent: sp.Basic) -> sp.Basic:
    return base**exponent


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: _power,
    ast.BitXor: _power,  # the usual mathematical reading of x^2
    ast.Mod: sp.Mod,
}
_COMPARE = {
    ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge,
    ast.Eq: sp.Eq, ast.NotEq: sp.Ne,
}


class _Translator:
    """Translate a parsed formula into sympy, refusing anything not whitelisted."""

    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol]) -> None:
        self.text = text
        self.symbols = symbols

    def fail(self, what: str) -> InputError:
        return _failure(self.text, what)

    def visit(self, node: ast.AST) -> sp.Basic:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"{type(node).__name__.lower()} syntax is not allowed")
        return method(node)

    def excerpt(self, node: ast.AST) -> str:
        """The text of ``node``, shortened to 40 characters (read from the formula: no recursion)."""
        return _short(ast.get_source_segment(self.text.strip(), node) or type(node).__name__)

    def visit_Expression(self, node: ast.Expression) -> sp.Basic:
        return self.visit(node.body)

    def number(self, node: ast.AST) -> sp.Expr:
        """``node`` translated, refused unless it is a number (not a condition or a tuple)."""
        value = self.visit(node)
        if not isinstance(value, sp.Expr):
            raise self.fail(f"{self.excerpt(node)!r} is not a number (a condition or a tuple)")
        return value

    def condition(self, node: ast.AST) -> sp.Basic:
        """``node`` translated, refused unless it is a condition."""
        value = self.visit(node)
        if not isinstance(value, Boolean) or isinstance(value, sp.Expr):  # a sympy Symbol is both
            raise self.fail(f"{self.excerpt(node)!r} is not a condition (use a comparison)")
        return value

    def visit_Constant(self, node: ast.Constant) -> sp.Basic:
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node.value, int):
            if node.value.bit_length() > _MAX_BITS:
                raise self.fail("an integer constant is beyond float64's range (about 1.8e308)")
            return sp.Integer(node.value)
        if isinstance(node.value, float):
            if not math.isfinite(node.value):  # 1e999 is read as inf
                raise self.fail("a constant is beyond float64's range (about 1.8e308)")
            return sp.Float(node.value)
        raise self.fail(f"constant {node.value!r} is not a number")

    def visit_Name(self, node: ast.Name) -> sp.Basic:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise self.fail(f"function {node.id!r} used without arguments")
        known = ", ".join(sorted(self.symbols)) or "none"
        raise self.fail(f"unknown symbol {node.id!r} (declared symbols: {known})")

    def visit_BinOp(self, node: ast.BinOp) -> sp.Basic:
        chain = []  # a + b + c is ((a + b) + c): walk down its left side in a loop, not by recursion
        while isinstance(node, ast.BinOp):
            chain.append(node)
            node = node.left
        value = self.number(node)
        terms: list[sp.Basic] = []  # a run of + and -, added at once (pairwise is quadratic)
        for link in reversed(chain):
            op = _BINARY.get(type(link.op))
            if op is None:
                raise self.fail(f"operator {type(link.op).__name__} is not allowed")
            right = self.number(link.right)
            if isinstance(link.op, (ast.Add, ast.Sub)):
                terms += [value] if not terms else []
                terms.append(right if isinstance(link.op, ast.Add) else -right)
                continue
            if terms:
                value, terms = sp.Add(*terms), []
            if op is _power:
                self.check_power(value, right)
            try:
                value = op(value, right)
            except (TypeError, ValueError, ZeroDivisionError) as error:
                what = f"{type(link.op).__name__} with {self.excerpt(link.right)!r}"
                raise self.fail(f"{what}: {error}") from None
        return sp.Add(*terms) if terms else value

    def check_power(self, base: sp.Basic, exponent: sp.Basic) -> None:
        """Refuse a power of numbers beyond float64's range before sympy computes it exactly
        (``2**2**2**2**2**2`` would take hours and gigabytes)."""
        if not (isinstance(base, sp.Number) and isinstance(exponent, sp.Number)) or abs(base) in (0, 1):
            return
        try:  # the result's exponent of two
            bits = float(exponent) * math.log2(abs(float(base)))
        except (OverflowError, ValueError):
            bits = math.inf
        if not -_MIN_BITS <= bits <= _MAX_BITS:
            raise self.fail(f"the power {base}**{exponent} is beyond float64's range")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Basic:
        if isinstance(node.op, ast.USub):
            return -self.number(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.number(node.operand)
        if isinstance(node.op, ast.Not):
            return sp.Not(self.condition(node.operand))
        raise self.fail(f"operator {type(node.op).__name__} is not allowed")

    def visit_Compare(self, node: ast.Compare) -> sp.Basic:
        for op in node.ops:
            if type(op) not in _COMPARE:
                words = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
                raise self.fail(f"comparison {words.get(type(op), type(op).__name__)!r} is not allowed")
        terms = [self.number(node.left)] + [self.number(c) for c in node.comparators]
        relations = [_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, terms, terms[1:])]
        return sp.And(*relations)

    def visit_BoolOp(self, node: ast.BoolOp) -> sp.Basic:
        values = [self.condition(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def visit_Tuple(self, node: ast.Tuple) -> sp.Basic:
        return sp.Tuple(*[self.visit(e) for e in node.elts])

    def visit_Call(self, node: ast.Call) -> sp.Basic:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.fail(f"unknown function {name!r} (known: {', '.join(sorted(FUNCTIONS))})")
        if node.keywords:
            raise self.fail(f"keyword arguments to {node.func.id!r} are not allowed")
        if node.func.id == "Piecewise":  # (value, condition) pairs
            args = [self.visit(a) for a in node.args]
        elif node.func.id == "where":
            args = [self.condition(a) if i == 0 else self.number(a) for i, a in enumerate(node.args)]
        else:
            args = [self.number(a) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError, ZeroDivisionError) as error:
            raise self.fail(f"{node.func.id}(...): {error}") from None


def parse_formula(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Parse a formula string into a sympy expression without evaluating Python code.

    Parameters
    ----------
    text
        The formula, in Python syntax (``^`` is read as a power), e.g. ``"r*x*(1 - x)"``.
    symbols
        The names the formula may use, mapped to their sympy symbols. The constants in
        :data:`CONSTANTS` and the functions in :data:`FUNCTIONS` are always available.

    Returns
    -------
    sympy.Expr
        The expression.

    Raises
    ------
    ValueError
        If the text is not a formula, uses an unknown name or function, or uses syntax
        outside arithmetic, comparisons and calls of known functions; if it is longer than
        :data:`MAX_LENGTH` characters or nested deeper than :data:`MAX_DEPTH`; or if a constant
        is complex (``sqrt(-1)``), infinite (``log(0)``) or beyond float64 (``1e300*1e300``).
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"formula {text!r}: expected a non-empty string")
    if len(text) > MAX_LENGTH:
        raise _failure(text, f"{len(text):,} characters, more than the {MAX_LENGTH:,} allowed")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise _failure(text, f"malformed ({error.msg})") from None
    except (RecursionError, MemoryError):  # Python's own parser gives up on deep nesting
        raise _failure(text, "too deeply nested or too long a chain for Python's parser") from None
    if _depth(tree) > MAX_DEPTH:
        raise _failure(text, f"nested more than {MAX_DEPTH} deep")
    expr = _Translator(text, symbols).visit(tree)
    _check_constants(expr, text)
    return expr


def _failure(text: str, what: str) -> InputError:
    """The error for formula ``text`` (shortened to 80 characters in the message)."""
    shown = text if len(text) <= 80 else text[:60] + f"... ({len(text):,} characters)"
    return InputError(f"formula {shown!r}: {what}")


def _depth(tree: ast.AST) -> int:
    """How deep ``tree`` nests, counting a chain of binary operations (``a + b - c``) once;
    without recursion, since the tree may be deeper than Python's recursion limit."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.expr):  # operators and contexts
                continue
            chained = isinstance(node, ast.BinOp) and child is node.left
            stack.append((child, depth if chained else depth + 1))
    return deepest


def _check_constants(expr: sp.Basic, text: object) -> None:
    """Refuse a formula with a constant that is infinite or undefined (``log(0)``), beyond float64
    (``1e300*1e300``, a numerator beyond 2**1024) or complex (``sqrt(-1)``, ``asin(2)``): the
    compiled kernels compute in real float64, where it would fail to compile or silently become
    inf or NaN. Decided from sympy's assumptions, without evaluating (``exp(exp(exp(10)))``
    would take hours)."""
    if expr.has(sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity):
        raise _failure(str(text), "a constant is infinite or undefined (a division by zero, log(0), ...)")
    for sub in sp.preorder_traversal(expr):
        if not isinstance(sub, sp.Expr) or not sub.is_number:
            continue
        parts = (sub.p, sub.q) if isinstance(sub, sp.Rational) else (sub,) if sub.is_Float else ()
        if not all(_finite(part) for part in parts):
            raise _failure(str(text), "a constant is beyond float64's range (about 1.8e308)")
        if sub.is_real is False:
            raise _failure(str(text), "a constant is complex; the kernels compute in real numbers")
    for sub in _computed_constants(expr):
        if not _finite_in_float64(sub):
            raise _failure(str(text), f"the constant {_short(str(sub))} overflows float64 (the kernels would "
                                      "compute inf or NaN)")


def _computed_constants(expr: sp.Basic) -> list[sp.Expr]:
    """The largest subexpressions of ``expr`` that are numbers computed by the kernels
    (``exp(exp(exp(10)))``, ``cosh(800)``), not literals."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sp.Expr) and node.is_number and not node.is_Atom:
            found.append(node)
        else:
            stack.extend(node.args)
    return found


def _finite_in_float64(constant: sp.Expr) -> bool:
    """True unless ``constant``, computed in float64 as the kernels compute it, overflows or is
    undefined: ``exp(exp(exp(10)))`` overflows at once, where evaluating it exactly would take
    hours. A constant that cannot be computed this way is left to the checks above."""
    try:
        value = sp.lambdify((), constant, modules="math")()
    except (ArithmeticError, ValueError):
        return False
    except Exception:  # a function the math module lacks: not decided here
        return True
    return isinstance(value, (int, float)) and math.isfinite(value)


def _short(text: str) -> str:
    """``text`` shortened to 40 characters for a message."""
    return text if len(text) <= 40 else text[:37] + "..."


def _finite(number: object) -> bool:
    try:
        return math.isfinite(float(number))
    except (OverflowError, TypeError, ValueError):
        return False


def as_expression(value: object, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Return ``value`` as a sympy expression over ``symbols``.

    Strings are parsed with :func:`parse_formula`; numbers and sympy expressions are
    accepted as they are, after checking that every free symbol is declared (symbols
    are matched by name, so a user's ``sympy.Symbol("x")`` is the state variable ``x``).

    Raises
    ------
    ValueError
        If the value is not a formula, uses an undeclared symbol or a constant that is not a
        finite real float64.
    """
    if isinstance(value, str):
        return parse_formula(value, symbols)
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise InputError(f"expected a formula string or a sympy expression, got {value!r}") from None
    unknown = sorted(s.name for s in expr.free_symbols if s.name not in symbols)
    if unknown:
        raise InputError(f"expression {expr}: unknown symbols {', '.join(unknown)}")
    _check_constants(expr, expr)
    return expr.subs({s: symbols[s.name] for s in expr.free_symbols})
