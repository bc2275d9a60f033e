"""Exact sympy objects from what a user gives: a loss in named parameters, a point, a number.

Floats are read as the rationals they are; formulas are parsed safely, never evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..analysis.arguments import name_list
from ..definition.formulas import as_expression
from ..errors import InputError

__all__ = ["exact_number", "loss_in", "exact_point"]


def exact_number(value: object, what: str = "point") -> sp.Expr:
    """An exact real number: a float as the rational it reads as, anything else parsed (never evaluated).

    Parameters
    ----------
    value
        A float, an int, a sympy number or a formula such as ``"1/3"`` or ``"sqrt(2)"``.
    what
        The argument's name for the error message.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    InputError
        If ``value`` is not a formula of a real number.

    Examples
    --------
    >>> from bifurc.eos.exact import exact_number
    >>> exact_number(0.1), exact_number("sqrt(8)/2"), exact_number(3)
    (1/10, sqrt(2), 3)
    """
    if isinstance(value, float):
        return sp.nsimplify(value, rational=True)
    try:
        number = as_expression(value, {})
    except InputError as error:
        raise InputError(f"{what}: {error}") from None
    if not number.is_real:
        raise InputError(f"{what}: {value!r} is not a real number")
    return number


def loss_in(loss: object, params: Sequence[str] | str) -> tuple[sp.Expr, list[sp.Symbol]]:
    """A loss formula in named parameters: the expression and the parameters' (real) symbols.

    Raises
    ------
    InputError
        If no parameter is given, a name is malformed, or the formula does not parse in them.

    Examples
    --------
    >>> from bifurc.eos.exact import loss_in
    >>> loss_in("a**2*b", "a, b")
    (a**2*b, [a, b])
    """
    names = name_list(params, "params")
    if not names:
        raise InputError("params: give at least one parameter")
    symbols = [sp.Symbol(n, real=True) for n in names]
    try:
        return as_expression(loss, dict(zip(names, symbols))), symbols
    except InputError as error:
        raise InputError(f"loss: {error}") from None


def exact_point(point: object, theta: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Expr]:
    """``point``, one coordinate per symbol of ``theta``, as exact numbers (see :func:`exact_number`).

    Raises
    ------
    InputError
        If ``point`` is not a sequence of one number per parameter.

    Examples
    --------
    >>> import sympy as sp
    >>> from bifurc.eos.exact import exact_point
    >>> exact_point([0.5, "1/3"], sp.symbols("a b"))
    {a: 1/2, b: 1/3}
    """
    if isinstance(point, (str, bytes)) or not isinstance(point, Sequence) or len(point) != len(theta):
        raise InputError(f"point: give {len(theta)} coordinates, one per parameter, not {point!r}")
    return {t: exact_number(v) for t, v in zip(theta, point)}
