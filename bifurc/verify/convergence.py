"""Error orders from step-size ladders."""

from __future__ import annotations

import numpy as np

from ..analysis.fits import log_log_fit

__all__ = ["fit_order"]


def fit_order(steps: np.ndarray, errors: np.ndarray) -> tuple[float, float]:
    """Least-squares fit of log|error| = log C + k log(step): returns (k, C).

    Parameters
    ----------
    steps
        The step sizes (e.g. eta), positive.
    errors
        The errors measured at each step size; zeros are not allowed (the fit is in logs).

    Returns
    -------
    order, coefficient : float
        The exponent k and the constant C of error ~ C step^k.
    """
    steps = np.asarray(steps, dtype=float)
    errors = np.abs(np.asarray(errors, dtype=float))
    if steps.size < 2 or np.any(steps <= 0) or np.any(errors <= 0) or not np.all(np.isfinite(errors)):
        raise ValueError("fit_order needs at least two positive steps and non-zero finite errors")
    order, coefficient, _ = log_log_fit(steps, errors)
    return order, coefficient
