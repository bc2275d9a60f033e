"""The :class:`Map`: an iterated map defined once, by its formulas."""

from __future__ import annotations

import keyword
import math
import unicodedata
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import sympy as sp

    from ..compilation.interpreted import Interpreted

__all__ = ["Map"]


def _finite(value: object, what: str) -> float:
    """``value`` as a finite float, or InputError naming ``what``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{what} is not finite: {number}")
    return number


def _check_name(name: object, role: str) -> str:
    from .formulas import CONSTANTS, FUNCTIONS

    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"{role} name {name!r} is not a valid identifier")
    if keyword.iskeyword(name):
        raise InputError(f"{role} name {name!r} is a Python keyword, which a formula cannot use as a name")
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:  # formulas are read as Python reads them, which normalises names: x and 𝑥 are one
        raise InputError(f"{role} name {name!r} reads as {normal!r} in a formula (Unicode NFKC); "
                         f"write {normal!r}")
    if name in CONSTANTS or name in FUNCTIONS:
        raise InputError(f"{role} name {name!r} is reserved for a constant or function")
    return name


class Map:
    """A discrete-time map x_{t+1} = F(x_t; params), defined by its formulas.

    Build one with :meth:`from_expressions`. The formulas are the single source of
    truth: the Jacobian is derived from them symbolically and both are compiled to
    numba kernels on first use. Every analysis in bifurc is a plain function taking a
    ``Map``.

    Attributes
    ----------
    name : str
        A label for plots and messages.
    state : tuple of str
        The state variables, in order.
    params : mapping of str to float
        Parameter names and their default values, in order.
    updates : tuple of sympy.Expr
        The next value of each state variable.
    formulas : tuple of str or None
        The formula texts the map was defined from, or None if it was given sympy
        expressions. They identify the map's compiled kernels in the disk cache.

    Examples
    --------
    >>> from bifurc import Map
    >>> m = Map.from_expressions({"x": "r*x*(1 - x)"}, {"r": 3.2}, name="logistic")
    >>> m.state, dict(m.params)
    (('x',), {'r': 3.2})
    >>> m.jacobian  # derived from the formula: d/dx r x (1 - x)
    Matrix([[r*(1 - 2*x)]])
    >>> m(0.5)  # one step: 3.2 * 0.5 * 0.5
    array([0.8])
    """

    def __init__(
        self,
        name: str,
        state: tuple[str, ...],
        params: Mapping[str, float],
        updates: tuple[sp.Expr, ...] | None,
        formulas: tuple[str, ...] | None = None,
    ) -> None:
        self.name = name
        self.state = state
        self.params = MappingProxyType(dict(params))
        self.formulas = None if formulas is None else tuple(formulas)
        if updates is not None:
            self.updates = tuple(updates)
        elif self.formulas is None:
            raise InputError("a Map needs its updates or its formulas")

    @classmethod
    def from_trusted_formulas(cls, updates: Mapping[str, str], params: Mapping[str, float], name: str) -> Map:
        """A map whose formulas are parsed (with sympy) on first use, not now.

        For formulas known to be valid, such as :mod:`bifurc.maps`' catalogue: a map whose
        compiled kernels are in the disk cache then runs without sympy. The arguments are
        those of :meth:`from_expressions`; a malformed formula is reported on first use.
        """
        defaults = {k: float(v) for k, v in params.items()}
        return cls(name, tuple(updates), defaults, None, tuple(updates.values()))

    @cached_property
    def updates(self) -> tuple[sp.Expr, ...]:
        """The next value of each state variable, parsed from :attr:`formulas` on first use."""
        return Map.from_expressions(dict(zip(self.state, self.formulas)), self.params, self.name).updates

    @classmethod
    def from_expressions(
        cls,
        updates: Mapping[str, object],
        params: Mapping[str, float] | None = None,
        name: str | None = None,
    ) -> Map:
        """Define a map by the next value of each state variable.

        Parameters
        ----------
        updates
            State variable name -> its next value, as a formula string
            (``{"x": "r*x*(1 - x)"}``) or a sympy expression. Non-smooth functions
            (``abs``, ``min``, ``max``, ``Piecewise``, ``mod``) are allowed; their
            Jacobian is defined almost everywhere.
        params
            Parameter name -> default value. Every symbol in the formulas must be a state
            variable or a parameter.
        name
            A label; defaults to the formulas themselves.

        Returns
        -------
        Map

        Raises
        ------
        ValueError
            If a formula is malformed or uses an undeclared name, a name is not an
            identifier, or a default is not a finite number.

        Examples
        --------
        >>> henon = Map.from_expressions({"x": "1 - a*x**2 + y", "y": "b*x"},
        ...                              {"a": 1.4, "b": 0.3}, name="henon")
        >>> henon.dim
        2
        """
        import sympy as sp

        from .formulas import as_expression

        if not isinstance(updates, Mapping) or not updates:
            raise InputError("updates must be a non-empty mapping of state variable -> formula")
        params = dict(params or {})
        state = tuple(_check_name(s, "state variable") for s in updates)
        for p in params:
            _check_name(p, "parameter")
        clash = sorted(set(state) & set(params))
        if clash:
            raise InputError(f"names used both as state variable and parameter: {', '.join(clash)}")
        defaults = {p: _finite(value, f"default of parameter {p!r}") for p, value in params.items()}
        symbols = {s: sp.Symbol(s, real=True) for s in (*state, *params)}
        exprs = []
        for s, formula in updates.items():
            try:
                exprs.append(sp.sympify(as_expression(formula, symbols)))
            except ValueError as error:
                raise InputError(f"update of {s!r}: {error}") from None
            if not isinstance(exprs[-1], sp.Expr):
                raise InputError(f"update of {s!r} is not a number-valued expression: {formula!r}")
        if name is None:
            name = ", ".join(f"{s} -> {e}" for s, e in zip(state, exprs))
        texts = tuple(updates.values())
        return cls(str(name), state, defaults, tuple(exprs),
                   texts if all(isinstance(t, str) for t in texts) else None)

    # --- derived symbolic objects -------------------------------------------------
    @property
    def dim(self) -> int:
        """Number of state variables."""
        return len(self.state)

    @cached_property
    def state_symbols(self) -> tuple[sp.Symbol, ...]:
        """The sympy symbols of the state variables."""
        import sympy as sp

        return tuple(sp.Symbol(s, real=True) for s in self.state)

    @cached_property
    def param_symbols(self) -> tuple[sp.Symbol, ...]:
        """The sympy symbols of the parameters."""
        import sympy as sp

        return tuple(sp.Symbol(p, real=True) for p in self.params)

    @cached_property
    def jacobian(self) -> sp.Matrix:
        """The Jacobian matrix dF_i/dx_j, derived symbolically (almost everywhere)."""
        from ..compilation.printer import jacobian_matrix

        return jacobian_matrix(self.updates, self.state_symbols)

    def iterate_expressions(self, k: int) -> tuple[sp.Expr, ...]:
        """The formulas of the k-th iterate F^k, by symbolic composition (k up to
        :data:`~bifurc.definition.formulas.MAX_DEPTH`: F^k nests F k times)."""
        from .formulas import MAX_DEPTH

        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_DEPTH:
            raise InputError(f"k must be an integer from 1 to {MAX_DEPTH} (F^k nests F k times), got {k!r}")
        current = self.state_symbols
        for _ in range(int(k)):
            current = tuple(
                u.xreplace(dict(zip(self.state_symbols, current))) for u in self.updates
            )
        return current

    @cached_property
    def formula_key(self) -> str:
        """Text that identifies the formulas: the key of the compiled kernels in the disk cache.

        The formula texts if the map was defined by them (so that a cached map needs no
        sympy), else the sympy expressions' ``srepr``; with the names of the state and the
        parameters, in kernel order.
        """
        if self.formulas is not None:
            return repr(("formulas", self.state, tuple(self.params), self.formulas))
        import sympy as sp

        return repr(("expressions", self.state, tuple(self.params), tuple(sp.srepr(u) for u in self.updates)))

    def _kernel_source(self) -> str:
        from ..compilation.printer import kernel_source

        return kernel_source(self.updates, self.jacobian, self.state_symbols, self.param_symbols)

    @cached_property
    def kernels(self) -> ModuleType:
        """The compiled numba kernels (generated, written and imported on first use).

        Looked up in the disk cache by :attr:`formula_key`; the formulas are parsed and the
        Jacobian derived only if the cache has no kernels for them.
        """
        from ..compilation.loader import load_kernels

        return load_kernels(self._kernel_source, key=self.formula_key)

    def kernels_for(self, evaluations: int) -> ModuleType | Interpreted:
        """The kernels for a job of about ``evaluations`` map evaluations.

        The compiled kernels (:attr:`kernels`), unless they are not loaded in this process
        yet and the job fits in the process's plain-Python budget (evaluations weighted by
        the size of the formulas; :mod:`bifurc.compilation.interpreted`): then the same
        generated kernels run as plain Python, the same results bit for bit, without numba.

        Examples
        --------
        >>> import bifurc
        >>> m = bifurc.Map.from_expressions({"x": "x/2"}, name="half")
        >>> big = m.kernels_for(evaluations=10**9)
        >>> big is m.kernels
        True
        >>> m.kernels_for(evaluations=1) is m.kernels  # compiled, once they are loaded
        True
        """
        from ..compilation import interpreted
        from ..compilation.loader import is_loaded, load_interpreted

        if "kernels" in self.__dict__ or evaluations > interpreted.BUDGET or is_loaded(self.formula_key):
            return self.kernels
        plain = load_interpreted(self._kernel_source, self.formula_key)
        if not interpreted.claim(evaluations * plain.WEIGHT):
            return self.kernels
        return interpreted.Interpreted(plain, lambda: self.kernels)

    # --- argument handling shared by the analyses ---------------------------------
    def parameter_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """Parameters in kernel order: the defaults, updated by ``overrides``.

        Raises
        ------
        ValueError
            If an override names an unknown parameter or is not a finite number.
        """
        values = dict(self.params)
        for key, value in (overrides or {}).items():
            if key not in values:
                known = ", ".join(self.params) or "none"
                raise InputError(f"unknown parameter {key!r} for map {self.name!r} (parameters: {known})")
            values[key] = _finite(value, f"parameter {key!r}")
        vector = np.array(list(values.values()), dtype=np.float64)
        return vector if vector.size else np.zeros(1)

    def named_parameters(self, vector: np.ndarray, exclude: tuple[str, ...] = ()) -> dict[str, float]:
        """A parameter vector as name -> value, leaving out the names in ``exclude``."""
        return {k: float(v) for k, v in zip(self.params, vector) if k not in exclude}

    def parameter_index(self, name: str) -> int:
        """Position of parameter ``name`` in the kernels' parameter vector."""
        if name not in self.params:
            known = ", ".join(self.params) or "none"
            raise InputError(f"unknown parameter {name!r} for map {self.name!r} (parameters: {known})")
        return list(self.params).index(name)

    def state_vector(self, x0: object, what: str = "x0") -> np.ndarray:
        """``x0`` as a finite float64 state (a scalar is accepted for a 1D map).

        Raises
        ------
        ValueError
            If ``x0`` has the wrong length or a non-finite entry.
        """
        x = np.atleast_1d(np.asarray(x0, dtype=np.float64))
        if x.ndim != 1 or x.shape[0] != self.dim:
            raise InputError(
                f"{what} must have {self.dim} entr{'y' if self.dim == 1 else 'ies'} "
                f"({', '.join(self.state)}), got shape {np.shape(x0)}"
            )
        if not np.all(np.isfinite(x)):
            raise InputError(f"{what} must be finite, got {x.tolist()}")
        return x.copy()

    # --- numeric evaluation ------------------------------------------------------
    def __call__(self, x: object, params: Mapping[str, float] | None = None) -> np.ndarray:
        """One step F(x) with the compiled kernel."""
        out = np.empty(self.dim)
        self.kernels_for(1).step(self.state_vector(x, "x"), self.parameter_vector(params), out)
        return out

    def jacobian_at(self, x: object, params: Mapping[str, float] | None = None) -> np.ndarray:
        """The Jacobian matrix at ``x`` with the compiled kernel."""
        out = np.empty((self.dim, self.dim))
        self.kernels_for(1).jacobian(self.state_vector(x, "x"), self.parameter_vector(params), out)
        return out

    def with_params(self, **defaults: float) -> Map:
        """The same map with other default parameter values."""
        values = self.parameter_vector(defaults) if self.params else []
        return Map(self.name, self.state, dict(zip(self.params, values)), self.__dict__.get("updates"),
                   self.formulas)

    def __getstate__(self) -> dict:
        """Pickled without its compiled kernels (re-imported from the cache on first use)."""
        state = {k: v for k, v in self.__dict__.items() if k != "kernels"}
        state["params"] = dict(self.params)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"formulas": None, **state}, params=MappingProxyType(state["params"]))

    def __repr__(self) -> str:
        rules = "; ".join(f"{s} -> {e}" for s, e in zip(self.state, self.formulas or self.updates))
        params = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"Map({self.name!r}: {rules}; {params})"
