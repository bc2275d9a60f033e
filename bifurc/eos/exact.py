"""Exact numbers from what a user gives: a float as the rational it reads as, anything else parsed safely."""

from __future__ import annotations

import sympy as sp

from ..definition.formulas import as_expression
from ..errors import InputError

__all__ = ["exact_number"]


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
