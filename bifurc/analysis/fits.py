"""Least-squares fits shared by the analyses, the checks and the network experiments."""

from __future__ import annotations

import numpy as np

__all__ = ["log_log_fit"]


def log_log_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares fit of log y = log c + k log x: y ≈ c x^k.

    Parameters
    ----------
    x, y
        Positive values of one length (at least two); the caller checks them.

    Returns
    -------
    exponent, coefficient, r_squared : float
        k, c, and the coefficient of determination in log-log coordinates (1 when log y is constant).
    """
    lx, ly = np.log(x), np.log(y)
    k, logc = np.polyfit(lx, ly, 1)
    resid = ly - (logc + k * lx)
    total = np.sum((ly - ly.mean()) ** 2)
    r2 = 1.0 - float(np.sum(resid**2) / total) if total > 0 else 1.0
    return float(k), float(np.exp(logc)), r2
