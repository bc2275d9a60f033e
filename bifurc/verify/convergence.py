"""Error orders from step-size ladders, with the evidence that a single slope is meaningful."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..analysis.fits import log_log_fit

__all__ = ["OrderFit", "fit_order"]

#: How far the local orders of one ladder may disagree (max - min) for its fitted slope to
#: count as the error's order: asymptotic ladders of smooth errors agree to a few tenths; a
#: ladder that has not reached its asymptotic regime, or sits on a rounding floor, does not.
LOCAL_SPREAD = 1.0


@dataclass(frozen=True)
class OrderFit:
    """The fit error ≈ C step^k over a ladder, with the local orders between neighbours.

    Unpacks as ``order, coefficient = fit_order(...)``.

    Attributes
    ----------
    order, coefficient : float
        The least-squares slope k and constant C in log-log coordinates.
    local_orders : tuple of float
        log(e_i / e_{i+1}) / log(h_i / h_{i+1}) for neighbouring rungs, largest step first.
    r_squared : float
        The coefficient of determination of the log-log fit.

    Examples
    --------
    Errors that stop falling on the last rung are not an order, whatever the slope says:

    >>> from bifurc.verify import fit_order
    >>> fit = fit_order([0.4, 0.2, 0.1], [1.0, 0.25, 0.25])
    >>> [round(k, 12) for k in fit.local_orders], fit.decreasing, fit.at_least(1)
    ([2.0, 0.0], False, False)
    """

    order: float
    coefficient: float
    local_orders: tuple[float, ...]
    r_squared: float

    def __iter__(self) -> Iterator[float]:
        yield self.order
        yield self.coefficient

    @property
    def decreasing(self) -> bool:
        """Whether the error falls at every rung as the step falls."""
        return all(k > 0 for k in self.local_orders)

    @property
    def spread(self) -> float:
        """max - min of the local orders (0 for a two-rung ladder)."""
        return max(self.local_orders) - min(self.local_orders)

    def consistent(self, spread: float = LOCAL_SPREAD) -> bool:
        """Decreasing errors whose local orders agree within ``spread``: one order describes them."""
        return self.decreasing and self.spread <= spread

    def at_least(self, order: float, slack: float = 0.3, spread: float = LOCAL_SPREAD) -> bool:
        """The claim "the error is O(step^order)": consistent, and the slope above order - slack."""
        return self.consistent(spread) and self.order > order - slack

    def within(self, order: float, slack: float = 0.3, spread: float = LOCAL_SPREAD) -> bool:
        """The claim "the error is exactly of order ``order``": consistent and |k - order| < slack."""
        return self.consistent(spread) and abs(self.order - order) < slack

    def as_dict(self) -> dict:
        """The fit as plain values for a check's details."""
        return {"order": self.order, "coefficient": self.coefficient,
                "local orders": list(self.local_orders), "R^2": self.r_squared}


def fit_order(steps: np.ndarray, errors: np.ndarray) -> OrderFit:
    """Fit log|error| = log C + k log(step) over a ladder, and the local orders between rungs.

    Parameters
    ----------
    steps
        The step sizes (e.g. eta), positive and distinct.
    errors
        The errors measured at each step size; zeros are not allowed (the fit is in logs).

    Returns
    -------
    OrderFit
        The slope k, the constant C of error ~ C step^k, the local orders and R²; use
        :meth:`OrderFit.at_least` or :meth:`OrderFit.within` to judge a claimed order, so
        that a ladder whose errors do not decrease, or whose local orders disagree, fails
        instead of reporting a slope.

    Raises
    ------
    ValueError
        If there are fewer than two distinct positive steps, or an error is zero or not finite.

    Examples
    --------
    The central difference of exp at 0 has the error h²/6 + O(h⁴): second order, not third:

    >>> import numpy as np
    >>> from bifurc.verify import fit_order
    >>> h = np.array([0.1, 0.05, 0.025, 0.0125])
    >>> fit = fit_order(h, (np.exp(h) - np.exp(-h)) / (2 * h) - 1)
    >>> round(fit.order, 2), fit.at_least(2), fit.at_least(3)
    (2.0, True, False)
    """
    steps = np.asarray(steps, dtype=float)
    errors = np.abs(np.asarray(errors, dtype=float))
    if (steps.size < 2 or steps.shape != errors.shape or np.any(steps <= 0) or np.any(errors <= 0)
            or not np.all(np.isfinite(errors)) or np.unique(steps).size != steps.size):
        raise ValueError("fit_order needs at least two distinct positive steps and non-zero finite errors")
    order, coefficient, r2 = log_log_fit(steps, errors)
    ordered = np.argsort(steps)[::-1]
    h, e = steps[ordered], errors[ordered]
    local = tuple(float(k) for k in np.log(e[:-1] / e[1:]) / np.log(h[:-1] / h[1:]))
    return OrderFit(order, coefficient, local, r2)
