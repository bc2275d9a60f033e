"""The :class:`ReducedModel`: a derived reduced map, its derivation and its named side results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from ..definition.iterated_map import Map

__all__ = ["ReducedModel", "real_symbols"]


def real_symbols(names: str) -> tuple[sp.Symbol, ...]:
    """Real sympy symbols, named as the :class:`~bifurc.Map` will name them."""
    return tuple(sp.Symbol(n, real=True) for n in names.split())


@dataclass(frozen=True, eq=False)
class ReducedModel:
    """A model of gradient descent reduced to a low-dimensional map, derived with sympy.

    Attributes
    ----------
    name : str
        The model's name.
    map : Map
        The reduced map, built from the derived expressions (the only copy of them).
    derivation : tuple of (str, sympy object)
        The steps of the derivation, in order, each a sentence and the expression it names.
    results : mapping of str to sympy object
        Named side results (sharpness at a minimum, canonical coordinates, series, ...).
    positive : tuple of str
        Parameters and state variables known to be positive (used when solving inequalities).

    Examples
    --------
    >>> from bifurc.eos import cubic_map
    >>> model = cubic_map()
    >>> model.name, model.map.state, dict(model.map.params)
    ('cubic_eos', ('theta',), {'eta': 0.1, 'a': 1.0, 'b': 1.0})
    """

    name: str
    map: Map
    derivation: tuple[tuple[str, sp.Basic], ...]
    results: Mapping[str, sp.Basic] = field(default_factory=dict)
    positive: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "results": dict(self.results)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, results=MappingProxyType(state["results"]))

    @property
    def updates(self) -> dict[str, sp.Expr]:
        """State variable -> its derived update."""
        return dict(zip(self.map.state, self.map.updates))

    def __repr__(self) -> str:
        rules = "; ".join(f"{s}' = {e}" for s, e in self.updates.items())
        return f"ReducedModel({self.name!r}: {rules})"
