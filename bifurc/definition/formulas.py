"""Safe conversion of formula strings to sympy expressions.

Formulas are parsed with Python's :mod:`ast` and translated node by node; nothing is
passed to ``eval``. Only arithmetic, comparisons, boolean connectives, numbers, the
names the caller declares and a fixed set of mathematical functions are accepted.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

import sympy as sp

from ..errors import InputError

__all__ = ["FUNCTIONS", "CONSTANTS", "parse_formula", "as_expression"]


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

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.BitXor: lambda a, b: a**b,  # the usual mathematical reading of x^2
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
        return InputError(f"formula {self.text!r}: {what}")

    def visit(self, node: ast.AST) -> sp.Basic:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"{type(node).__name__.lower()} syntax is not allowed")
        return method(node)

    def visit_Expression(self, node: ast.Expression) -> sp.Basic:
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> sp.Basic:
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node.value, int):
            return sp.Integer(node.value)
        if isinstance(node.value, float):
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
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(f"operator {type(node.op).__name__} is not allowed")
        return op(self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Basic:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return sp.Not(operand)
        raise self.fail(f"operator {type(node.op).__name__} is not allowed")

    def visit_Compare(self, node: ast.Compare) -> sp.Basic:
        terms = [self.visit(node.left)] + [self.visit(c) for c in node.comparators]
        relations = [_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, terms, terms[1:])]
        return sp.And(*relations)

    def visit_BoolOp(self, node: ast.BoolOp) -> sp.Basic:
        values = [self.visit(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def visit_Tuple(self, node: ast.Tuple) -> sp.Basic:
        return sp.Tuple(*[self.visit(e) for e in node.elts])

    def visit_Call(self, node: ast.Call) -> sp.Basic:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.fail(f"unknown function {name!r} (known: {', '.join(sorted(FUNCTIONS))})")
        if node.keywords:
            raise self.fail(f"keyword arguments to {node.func.id!r} are not allowed")
        args = [self.visit(a) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError) as error:
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
        outside arithmetic, comparisons and calls of known functions.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"formula {text!r}: expected a non-empty string")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise InputError(f"formula {text!r}: malformed ({error.msg})") from None
    return _Translator(text, symbols).visit(tree)


def as_expression(value: object, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Return ``value`` as a sympy expression over ``symbols``.

    Strings are parsed with :func:`parse_formula`; numbers and sympy expressions are
    accepted as they are, after checking that every free symbol is declared (symbols
    are matched by name, so a user's ``sympy.Symbol("x")`` is the state variable ``x``).

    Raises
    ------
    ValueError
        If the value is not a formula or uses an undeclared symbol.
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
    return expr.subs({s: symbols[s.name] for s in expr.free_symbols})
