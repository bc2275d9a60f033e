"""Kalra et al.'s sharpness phenomenology on any network trained by full-batch GD.

:func:`~bifurc.nets.kalra.phases_run` trains from θ₀ with η = c/λ₀ (λ₀ the sharpness at θ₀,
so c = ηλ₀ says where the run starts relative to the edge 2/η) and classifies the sharpness
history by the criteria of :func:`~bifurc.nets.kalra.sharpening_phases` (early reduction,
sharpening to the edge, edge of stability with an oscillating loss).

:func:`sharpness_spectrum` trains past a transient and then records ηλ_t at every step of a
window: its :func:`~bifurc.analysis.spectrum.power_spectrum` has a peak at frequency 1/2
when λ oscillates with period 2 (the iterate flipping across the valley); ``period_two`` is
the share of the power at frequencies in [1/10, 1/2] that lies in the peak at 1/2 (the Hann
window's main lobe, ±2 bins), which falls as the oscillation doubles its period or turns
chaotic (the spectrum broadens). Frequencies below 1/10 hold the slow drift of the level and
are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.spectrum import power_spectrum
from .objective import Objective
from .sharpness import initial_sharpness
from .train import train

__all__ = ["SharpnessSpectrum", "sharpness_spectrum", "period_two"]

#: Lowest frequency (1/step) of the band in which the spectrum's period-2 share is measured.
BAND_LOW = 0.1
#: Half-width in bins of the peak at 1/2 (the main lobe of the Hann window).
PEAK_BINS = 2


def period_two(frequencies: np.ndarray, power: np.ndarray) -> tuple[float, float]:
    """The frequency of the largest power in [1/10, 1/2], and the share of that band's power
    within ±2 bins of 1/2 (the Hann window's main lobe)."""
    band = frequencies >= BAND_LOW
    peak = float(frequencies[band][np.argmax(power[band])])
    bins = PEAK_BINS * frequencies[1] if frequencies.size > 1 else 0.0
    return peak, float(power[band & (frequencies >= 0.5 - bins)].sum() / power[band].sum())


@dataclass(frozen=True)
class SharpnessSpectrum:
    """The sharpness at the edge of stability, step by step, and its power spectrum.

    Attributes
    ----------
    c, eta : float
        ηλ₀ and η.
    series : ndarray
        ηλ_t at every step of the window.
    frequencies, power : ndarray
        :func:`~bifurc.analysis.spectrum.power_spectrum` of ``series``.
    peak : float
        The frequency of the largest power in [1/10, 1/2].
    period_two : float
        The share of the power in [1/10, 1/2] within ±2 bins of 1/2.
    diverged : bool
        Whether the run diverged (then the series is empty and the statistics NaN).
    """

    c: float
    eta: float
    series: np.ndarray
    frequencies: np.ndarray
    power: np.ndarray
    peak: float
    period_two: float
    diverged: bool


def sharpness_spectrum(objective: Objective, theta: np.ndarray, c: float, transient: int, window: int, *,
                       tol: float = 1e-8) -> SharpnessSpectrum:
    """Train ``transient`` GD steps with η = c/λ₀, then record ηλ_t for ``window`` steps.

    Parameters
    ----------
    objective, theta, c
        As in :func:`~bifurc.nets.kalra.phases_run`.
    transient
        Steps before the window (to reach the edge).
    window
        Steps in the window (≥ 16; a power of 2 is fastest).
    tol
        Relative accuracy of each Lanczos estimate (tight: the oscillation of λ is small).

    Raises
    ------
    ValueError
        If ``c`` is not positive, ``transient`` negative or ``window`` below 16.
    """
    if not c > 0 or transient < 0 or window < 16:
        raise ValueError(f"need c > 0, transient >= 0 and window >= 16, got {c}, {transient}, {window}")
    eta = c / initial_sharpness(objective, theta)
    settled = train(objective, theta, eta, transient)
    run = None if settled.diverged else train(objective, settled.theta, eta, window - 1, sharpness_every=1,
                                               tol=tol)
    if run is None or run.diverged:
        empty = np.zeros(0)
        return SharpnessSpectrum(float(c), eta, empty, empty, empty, np.nan, np.nan, True)
    series = eta * run.sharpness
    freq, power = power_spectrum(series)
    return SharpnessSpectrum(float(c), float(eta), series, freq, power, *period_two(freq, power), False)
