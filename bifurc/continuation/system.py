"""The period-k cycle equation F^k(x; a) - x = 0 of a map in one parameter, with its derivatives.

The parameter ``a`` is made a state variable of a *suspended* map G(x, a) = (F(x; a), a),
built from the map's own formulas. Its derived Jacobian, compiled by bifurc like any
map's, is [[F_x, F_a], [0, 1]], so the product of Jacobians along a cycle (the engine's
``flow_with_monodromy``) is [[M, d(F^k)/da], [0, 1]]: the monodromy matrix and the
parameter derivative of F^k in one pass, by the chain rule, with nothing written twice.

The second and third derivative tensors of G are derived from the same formulas
(differentiating the Jacobian again, as :func:`~bifurc.compilation.printer.jacobian_matrix`
does, so non-smooth functions differentiate almost everywhere) and evaluated at the
cycle's points; :class:`CycleForms` composes them along the cycle into the multilinear
forms of G^k (the derivatives of a composition, order by order).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import sympy as sp

from ..analysis.orbits import DEFAULT_ESCAPE
from ..compilation.printer import jacobian_matrix
from ..definition.iterated_map import Map

__all__ = ["CycleSystem", "CycleForms"]

_suspensions: dict[tuple, tuple[Map, object, object]] = {}


def _suspension(m: Map, free: tuple[str, ...]) -> tuple[Map, object, object]:
    """The suspended map of ``m`` in the ``free`` parameters, and its 2nd and 3rd derivative tensors.

    Cached per map formulas and parameters, so that the symbolic work is done once per session
    (the compiled kernels are cached on disk by the loader).
    """
    key = (m.name, m.state, tuple(m.params), m.updates, free)
    if key in _suspensions:
        return _suspensions[key]
    others = {k: v for k, v in m.params.items() if k not in free}
    updates = {**dict(zip(m.state, m.updates)), **{a: sp.Symbol(a, real=True) for a in free}}
    suspended = Map.from_expressions(updates, others, name=f"{m.name} suspended in {', '.join(free)}")
    z = suspended.state_symbols
    jac = suspended.jacobian
    n1 = len(z)
    hess = [jacobian_matrix(list(jac.row(i)), z) for i in range(n1)]  # hess[i][j, l] = d2 G_i/dz_j dz_l
    third = [[jacobian_matrix(list(hess[i].row(j)), z) for j in range(n1)] for i in range(n1)]
    args = (*z, *suspended.param_symbols)
    flat2 = [hess[i][j, l] for i in range(n1) for j in range(n1) for l in range(n1)]
    flat3 = [third[i][j][l, s] for i in range(n1) for j in range(n1) for l in range(n1) for s in range(n1)]
    f2 = sp.lambdify(args, flat2, modules="numpy", cse=True)
    f3 = sp.lambdify(args, flat3, modules="numpy", cse=True)
    _suspensions[key] = (suspended, f2, f3)
    return _suspensions[key]


class CycleSystem:
    """F^k(x; a) - x = 0 for the period-``k`` cycles of ``m`` in the free parameter(s) ``free``.

    Points are extended states z = (x, a) of length ``dim + len(free)``; ``param`` is the
    first free parameter.
    """

    def __init__(self, m: Map, free: str | tuple[str, ...], period: int,
                 params: Mapping[str, float] | None = None, escape: float = DEFAULT_ESCAPE) -> None:
        self.free = (free,) if isinstance(free, str) else tuple(free)
        self.m, self.param, self.period, self.escape = m, self.free[0], int(period), escape
        self.indices = [m.parameter_index(a) for a in self.free]
        self.base = m.parameter_vector(params)
        self.suspended, self._f2, self._f3 = _suspension(m, self.free)
        others = np.delete(self.base, self.indices) if len(m.params) > len(self.free) else np.zeros(1)
        self.others = np.ascontiguousarray(others, dtype=np.float64)

    @property
    def dim(self) -> int:
        """Dimension of the state x."""
        return self.m.dim

    @property
    def size(self) -> int:
        """Length of an extended point z = (x, free parameters)."""
        return self.dim + len(self.free)

    def parameters(self, values: float | np.ndarray) -> np.ndarray:
        """The map's parameter vector with the free parameters set to ``values``."""
        p = self.base.copy()
        p[self.indices] = values
        return p

    def flow(self, z: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(G^k(z), DG^k(z)) for the suspended map, or None if the orbit escaped or met a pole."""
        n1 = self.size
        y = np.empty(n1)
        M = np.empty((n1, n1))
        z = np.ascontiguousarray(z, dtype=np.float64)
        ok = self.suspended.kernels.flow_with_monodromy(z, self.others, k or self.period, self.escape, y, M)
        if not ok or not (np.all(np.isfinite(y)) and np.all(np.isfinite(M))):  # escaped, or met a pole
            return None
        return y, M

    def residual(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(F^k(x) - x, its Jacobian [M - I, dF^k/da] of shape (dim, size), M), or None."""
        out = self.flow(z)
        if out is None:
            return None
        y, M = out
        n = self.dim
        jac = M[:n, :].copy()
        jac[:, :n] -= np.eye(n)
        return y[:n] - z[:n], jac, M[:n, :n]

    def equations(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(F^k(x) - x, its Jacobian), the equations a continuation solves, or None."""
        out = self.residual(z)
        return None if out is None else out[:2]

    def cycle(self, z: np.ndarray, k: int | None = None) -> np.ndarray:
        """The ``k`` extended points of the orbit from ``z`` (shape (k, size))."""
        k = k or self.period
        out = np.empty((k, self.size))
        self.suspended.kernels.orbit(np.ascontiguousarray(z, dtype=np.float64), self.others, k, 0,
                                     np.inf, out)
        return out

    def forms(self, z: np.ndarray) -> CycleForms:
        """The multilinear forms of G^k at ``z`` (first, second and third derivatives)."""
        n1 = self.size
        jacs, hess, thirds = [], [], []
        J = np.empty((n1, n1))
        for point in self.cycle(z):
            args = (*point, *self.others[: len(self.suspended.params)])
            self.suspended.kernels.jacobian(point, self.others, J)
            jacs.append(J.copy())
            hess.append(np.asarray(self._f2(*args), dtype=np.float64).reshape(n1, n1, n1))
            thirds.append(np.asarray(self._f3(*args), dtype=np.float64).reshape(n1, n1, n1, n1))
        return CycleForms(tuple(jacs), tuple(hess), tuple(thirds))


class CycleForms:
    """Derivatives of a composition G^k = G o ... o G at the start of a cycle.

    With A_i, B_i, C_i the first three derivatives of G at the i-th point, a direction u is
    carried as u_{i+1} = A_i u_i; the second derivative as b_{i+1} = A_i b_i + B_i(u_i, v_i);
    the third as c_{i+1} = A_i c_i + B_i(u_i, b^{vw}_i) + B_i(v_i, b^{uw}_i) + B_i(w_i, b^{uv}_i)
    + C_i(u_i, v_i, w_i). Vectors may be complex.
    """

    def __init__(self, jacobians: tuple, hessians: tuple, thirds: tuple) -> None:
        self.jacobians, self.hessians, self.thirds = jacobians, hessians, thirds

    @cached_property
    def monodromy(self) -> np.ndarray:
        """DG^k: the product of the Jacobians along the cycle."""
        M = np.eye(self.jacobians[0].shape[0])
        for A in self.jacobians:
            M = A @ M
        return M

    def _carried(self, u: np.ndarray) -> list[np.ndarray]:
        out = [np.asarray(u)]
        for A in self.jacobians[:-1]:
            out.append(A @ out[-1])
        return out

    def _second_along(self, us: list, vs: list) -> list[np.ndarray]:
        """b_i for i = 0..k (b_0 = 0)."""
        b = [np.zeros(len(us[0]), dtype=np.result_type(us[0], vs[0]))]
        for A, B, u, v in zip(self.jacobians, self.hessians, us, vs):
            b.append(A @ b[-1] + np.einsum("ijl,j,l->i", B, u, v))
        return b

    def second(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """D^2 G^k [u, v]."""
        return self._second_along(self._carried(u), self._carried(v))[-1]

    def third(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """D^3 G^k [u, v, w]."""
        us, vs, ws = self._carried(u), self._carried(v), self._carried(w)
        vw, uw, uv = self._second_along(vs, ws), self._second_along(us, ws), self._second_along(us, vs)
        c = np.zeros(len(u), dtype=np.result_type(u, v, w))
        for i, (A, B, C) in enumerate(zip(self.jacobians, self.hessians, self.thirds)):
            c = (A @ c + np.einsum("ijl,j,l->i", B, us[i], vw[i]) + np.einsum("ijl,j,l->i", B, vs[i], uw[i])
                 + np.einsum("ijl,j,l->i", B, ws[i], uv[i])
                 + np.einsum("ijls,j,l,s->i", C, us[i], vs[i], ws[i]))
        return c
