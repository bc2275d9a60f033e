"""The :class:`Loss`: a loss of the residual, written once, with everything the theory needs derived."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import sympy as sp

from ..definition.formulas import as_expression
from .assumptions import AssumptionCheck, check_assumptions

__all__ = ["Loss", "NoBifurcationWarning", "P"]

#: The residual symbol every loss is written in.
P = sp.Symbol("p", real=True)


class NoBifurcationWarning(UserWarning):
    """The loss has r ≡ 1 (squared loss): the reduced map f_q has no bifurcation in q.

    Examples
    --------
    >>> import warnings
    >>> from bifurc.losses import Loss, NoBifurcationWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     loss = Loss.from_expression("p**2/2")
    >>> loss.r, caught[0].category is NoBifurcationWarning  # r = l'(p)/p = 1
    (1, True)
    """


@cache
def _checked(expression: sp.Expr) -> tuple[AssumptionCheck, ...]:
    return check_assumptions(expression, P)


@dataclass(frozen=True, eq=False)
class Loss:
    """A loss ℓ(p) of the residual p = f(x) - y, with r(p) = ℓ'(p)/p and its derived objects.

    Build one with :meth:`from_expression`. Construction checks Song & Yun's assumptions
    (see :attr:`assumptions`); symbolic results are cached per expression.

    Attributes
    ----------
    expression : sympy.Expr
        ℓ(p), in the real symbol :data:`P`.
    name : str
        A label.
    assumptions : tuple of AssumptionCheck
        The verdict on each assumption and how it was reached.

    Examples
    --------
    >>> from bifurc import Loss
    >>> loss = Loss.from_expression("sqrt(1 + p**2) - 1", name="pseudo_huber")
    >>> loss.r  # l'(p)/p
    1/sqrt(p**2 + 1)
    >>> print(round(float(loss.r_hat(0.5)[()]), 12), round(3 ** 0.5, 12))  # r(p) = 1/2 at p = sqrt 3
    1.732050807569 1.732050807569
    >>> all(check.holds for check in loss.assumptions)
    True
    """

    expression: sp.Expr
    name: str
    assumptions: tuple[AssumptionCheck, ...]

    @classmethod
    def from_expression(cls, expression: object, name: str | None = None) -> Loss:
        """Define a loss by its formula in the residual ``p``.

        Parameters
        ----------
        expression
            A formula string (parsed without ``eval``) or a sympy expression in ``p``,
            e.g. ``"log(cosh(p))"``.
        name
            A label; defaults to the formula.

        Returns
        -------
        Loss

        Raises
        ------
        ValueError
            If the formula is malformed or uses a symbol other than ``p``, or if the loss
            breaks one of Song & Yun's assumptions (the message names it). The squared loss
            ℓ = p²/2 (r ≡ 1) is accepted with a :class:`NoBifurcationWarning` instead.

        Examples
        --------
        >>> Loss.from_expression("sqrt(1 + p**2) - 1").r2_at_zero
        -1
        """
        try:
            expr = sp.sympify(as_expression(expression, {"p": P}))
        except ValueError as error:
            raise ValueError(f"loss: {error}") from None
        if not isinstance(expr, sp.Expr) or expr.free_symbols - {P}:
            raise ValueError(f"loss {expression!r} must be an expression in p alone")
        checks = _checked(expr)
        loss = cls(expr, str(expression) if name is None else name, checks)
        failed = [c for c in checks if not c.holds]
        if failed and loss.is_squared:
            warnings.warn(
                f"loss {loss.name!r}: r(p) = l'(p)/p is identically 1, so f_q(p) = p(1 - 2/q) is linear "
                "and has no bifurcation in q (Song & Yun treat the squared loss separately); failed: "
                + ", ".join(c.name for c in failed),
                NoBifurcationWarning,
                stacklevel=2,
            )
        elif failed:
            first = failed[0]
            raise ValueError(f"loss {loss.name!r} breaks the assumption {first.name!r} "
                             f"({first.detail}; decided {first.method}ally)".replace("gridally", "on a grid"))
        return loss

    # --- derived symbolic objects ------------------------------------------------
    @cached_property
    def derivative(self) -> sp.Expr:
        """ℓ'(p)."""
        return sp.simplify(sp.diff(self.expression, P))

    @cached_property
    def second_derivative(self) -> sp.Expr:
        """ℓ''(p)."""
        return sp.diff(self.expression, P, 2)

    @cached_property
    def r(self) -> sp.Expr:
        """r(p) = ℓ'(p)/p (removable singularity at p = 0, where r = 1)."""
        return sp.simplify(self.derivative / P)

    @cached_property
    def r_prime(self) -> sp.Expr:
        """r'(p)."""
        return sp.diff(self.r, P)

    @cached_property
    def is_squared(self) -> bool:
        """Whether r ≡ 1, i.e. ℓ = p²/2 (no bifurcation)."""
        return sp.simplify(self.r - 1) == 0

    @cached_property
    def r2_at_zero(self) -> sp.Expr:
        """r''(0), exactly: twice the p² coefficient of the Taylor series of r at 0."""
        return 2 * sp.series(self.r, P, 0, 3).removeO().coeff(P, 2)

    # --- numeric helpers derived from the expressions ------------------------------
    @cached_property
    def _numeric_derivative(self):
        return sp.lambdify(P, self.derivative, modules="numpy")

    def __getstate__(self) -> dict:
        """Pickled without lambdified helpers (derived again on first use)."""
        return {k: v for k, v in self.__dict__.items() if k != "_numeric_derivative"}

    def r_hat(self, q: object) -> np.ndarray:
        """The positive root p of r(p) = q, for 0 < q < 1 (vectorised bisection).

        The root is bracketed as the sign change of ℓ'(p) - q p (positive just right of
        0 because r(0) = 1 > q) and bisected to float64 resolution, so r has no
        singularity to avoid.

        Parameters
        ----------
        q
            Array-like of values in (0, 1).

        Returns
        -------
        numpy.ndarray
            r̂(q), the same shape as ``q``.

        Raises
        ------
        ValueError
            If a value of ``q`` is outside (0, 1), or the loss is squared (r ≡ 1 has no root).
        """
        if self.is_squared:
            raise ValueError(f"loss {self.name!r}: r ≡ 1, so r(p) = q has no root for q < 1")
        q = np.asarray(q, dtype=np.float64)
        if not np.all((q > 0) & (q < 1)):
            raise ValueError(f"q must lie in (0, 1), got values in [{np.min(q)}, {np.max(q)}]")
        g = lambda p: np.asarray(self._numeric_derivative(p), dtype=np.float64) - q * p
        lo = np.zeros_like(q)
        hi = np.ones_like(q)
        while np.any(g(hi) > 0):  # r decreases to 0 (Lipschitz), so the bracket closes
            hi = np.where(g(hi) > 0, 2 * hi, hi)
        for _ in range(1100):  # bisection to float64 resolution (at most ~1075 halvings)
            mid = 0.5 * (lo + hi)
            if np.all((mid == lo) | (mid == hi)):
                break
            positive = g(mid) > 0
            lo = np.where(positive, mid, lo)
            hi = np.where(positive, hi, mid)
        return 0.5 * (lo + hi)

    def __repr__(self) -> str:
        return f"Loss({self.name!r}: l(p) = {self.expression})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Loss) and self.expression == other.expression

    def __hash__(self) -> int:
        return hash(self.expression)
