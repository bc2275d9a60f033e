"""The power spectrum of a scalar series (a sharpness history, an orbit coordinate)."""

from __future__ import annotations

import numpy as np

__all__ = ["power_spectrum"]


def power_spectrum(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (1/step, 0 … 1/2) and power |FFT|² of ``series``, mean removed, Hann window.

    A period-k oscillation shows as peaks at multiples of 1/k; chaos as a broad band.
    """
    x = np.asarray(series, dtype=np.float64)
    x = (x - x.mean()) * np.hanning(x.size)
    return np.fft.rfftfreq(x.size), np.abs(np.fft.rfft(x)) ** 2
