"""A catalogue of classic maps, each defined by its formulas.

Every entry is an ordinary :class:`~bifurc.Map`; use ``m.with_params(...)`` for other
defaults. The formulas are parsed on first use (:meth:`bifurc.Map.from_trusted_formulas`),
so that importing the catalogue, or running a map whose kernels are cached, needs no sympy;
``tests/test_startup.py`` parses every entry.
"""

from __future__ import annotations

from .definition.iterated_map import Map
from .errors import InputError

__all__ = ["logistic", "tent", "cubic", "gauss", "henon", "lozi", "standard", "ikeda", "CATALOGUE", "get"]

#: x -> r x (1 - x): the period-doubling route to chaos (r in [0, 4]).
logistic = Map.from_trusted_formulas({"x": "r*x*(1 - x)"}, {"r": 3.5}, name="logistic")

#: x -> mu min(x, 1 - x): piecewise linear, exponent ln(mu) for mu in (1, 2].
tent = Map.from_trusted_formulas({"x": "mu*min(x, 1 - x)"}, {"mu": 1.5}, name="tent")

#: x -> a x - x^3: the odd cubic map, a symmetric period-doubling cascade.
cubic = Map.from_trusted_formulas({"x": "a*x - x**3"}, {"a": 2.5}, name="cubic")

#: x -> exp(-alpha x^2) + beta: the Gauss ("mouse") map, with period bubbles.
gauss = Map.from_trusted_formulas(
    {"x": "exp(-alpha*x**2) + beta"}, {"alpha": 6.2, "beta": -0.5}, name="gauss"
)

#: (x, y) -> (1 - a x^2 + y, b x): Henon's map, chaotic at (1.4, 0.3).
henon = Map.from_trusted_formulas(
    {"x": "1 - a*x**2 + y", "y": "b*x"}, {"a": 1.4, "b": 0.3}, name="henon"
)

#: (x, y) -> (1 - a |x| + y, b x): Lozi's piecewise-linear Henon.
lozi = Map.from_trusted_formulas(
    {"x": "1 - a*abs(x) + y", "y": "b*x"}, {"a": 1.7, "b": 0.5}, name="lozi"
)

#: Chirikov's standard map on the torus [0, 2 pi)^2: (theta, p) with kick strength K.
standard = Map.from_trusted_formulas(
    {"theta": "mod(theta + p + K*sin(theta), 2*pi)", "p": "mod(p + K*sin(theta), 2*pi)"},
    {"K": 0.97},
    name="standard",
)

#: Ikeda's map of a laser in a ring cavity, chaotic at u = 0.9.
ikeda = Map.from_trusted_formulas(
    {
        "x": "1 + u*(x*cos(0.4 - 6/(1 + x**2 + y**2)) - y*sin(0.4 - 6/(1 + x**2 + y**2)))",
        "y": "u*(x*sin(0.4 - 6/(1 + x**2 + y**2)) + y*cos(0.4 - 6/(1 + x**2 + y**2)))",
    },
    {"u": 0.9},
    name="ikeda",
)

#: Every catalogued map by name.
CATALOGUE: dict[str, Map] = {
    m.name: m for m in (logistic, tent, cubic, gauss, henon, lozi, standard, ikeda)
}


def get(name: str) -> Map:
    """The catalogued map called ``name``.

    Raises
    ------
    ValueError
        If there is no such map.

    Examples
    --------
    >>> from bifurc import maps
    >>> m = maps.get("henon")
    >>> m.state, dict(m.params)
    (('x', 'y'), {'a': 1.4, 'b': 0.3})
    >>> m.jacobian_at([1.0, 0.0])  # [[-2 a x, 1], [b, 0]]
    array([[-2.8,  1. ],
           [ 0.3,  0. ]])
    """
    try:
        return CATALOGUE[name]
    except KeyError:
        raise InputError(f"unknown map {name!r} (catalogue: {', '.join(CATALOGUE)})") from None
