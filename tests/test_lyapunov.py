"""Lyapunov exponents against known values and exact identities."""

import math

import numpy as np
from conftest import HENON_EXPONENTS

import bifurc


def test_logistic_at_r4_is_ln2(logistic):
    # the exponent of a chaotic orbit has statistical error ~ n^(-1/2): ~1e-3 at n = 10^6
    lam = bifurc.lyapunov(logistic, 0.3, 10**6, params={"r": 4.0})
    assert abs(lam[0] - math.log(2)) < 5e-3


def test_henon_spectrum(henon):
    lam = bifurc.lyapunov(henon, [0.1, 0.1], 10**6)
    assert lam[0] > lam[1]
    assert np.allclose(lam, HENON_EXPONENTS, atol=5e-3)
    # the exponents sum to the mean of log|det J| = ln b exactly, up to rounding: the running
    # sums of n = 10^6 logs of size ~1 round by ~sqrt(n) eps |lambda| ~ 4e-13 in the mean
    # (measured 3e-14)
    assert abs(lam.sum() - math.log(0.3)) < 1e-12


def test_stable_cycle_exponent_equals_log_multiplier(logistic):
    # on the attracting 2-cycle at r = 3.3 the exponent is ln|mu| / 2, mu = 4 + 2r - r^2
    r = 3.3
    lam = bifurc.lyapunov(logistic, 0.3, 10**5, transient=10**4, params={"r": r})
    assert abs(lam[0] - math.log(abs(4 + 2 * r - r * r)) / 2) < 1e-9


def test_sweep_agrees_with_single_orbits(logistic):
    values = np.linspace(3.0, 4.0, 9)
    s = bifurc.lyapunov_sweep(logistic, "r", values, 0.3, n=5000, transient=100)
    for i in (0, 4, 8):
        single = bifurc.lyapunov(logistic, 0.3, 5000, transient=100, params={"r": values[i]})
        # batched logarithms: the same sum, rounded differently (~ n eps)
        assert abs(s.exponents[i, 0] - single[0]) < 1e-12
    assert s.largest[-1] > 0.6 and s.largest[2] < 0


def test_tent_map_exponent_is_log_mu():
    # |F'| = mu everywhere (but at the kink), so the exponent is ln mu exactly
    lam = bifurc.lyapunov(bifurc.maps.tent, 0.123456, 1000, params={"mu": 1.7})
    assert abs(lam[0] - math.log(1.7)) < 1e-13
