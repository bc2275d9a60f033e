"""Zhu et al.'s minimalist model: the end point of the EoS phase to O(eta^4), derived and run."""

import numpy as np
import sympy as sp

from bifurc import eos
from bifurc.analysis.basins import settle_cells
from bifurc.eos.zhu_limit import end_point, end_point_expansion

ETA = sp.Symbol("eta", real=True)


def test_expansion_extends_the_leading_order():
    # the same invariant curve, one order further: its eta^2 term is end_point's, and the
    # next one is q* = 1 + eta^2/4 - 125 eta^4/64, so gap/eta = 1/2 - 129 eta^2/32
    leading = end_point(eos.minimalist())
    expansion = end_point_expansion(eos.minimalist())
    assert sp.expand(expansion.q_star.removeO() - leading.q_star.removeO()).coeff(ETA, 2) == 0
    assert expansion.coefficients["b0"] == sp.Rational(1, 4)
    assert expansion.coefficients["c0"] == sp.Rational(-125, 64)
    assert sp.expand(expansion.gap.removeO() - (sp.Rational(1, 2) - sp.Rational(129, 32) * ETA**2)) == 0


def test_gd_ends_on_the_expansion_to_order_eta4():
    # GD from one start at eta and eta/2: what the expansion leaves is O(eta^4), so it falls
    # by 2^4 = 16 when eta halves (measured 15.9; the next term makes it 16(1 + O(eta^2)),
    # hence 14-18)
    model = eos.minimalist()
    gap = sp.lambdify(ETA, end_point_expansion(model).gap.removeO())
    left = []
    for eta in (0.05, 0.025):
        S, pi = 1.5 / eta, 0.9
        x = np.sqrt((S + np.sqrt(S * S - 4 * pi * pi)) / 2)
        periods, finals = settle_cells(model.map, np.array([[x, pi / x]]), np.array([[eta]]),
                                       int(200 / eta**2), 1, 1e-12, 1e8)
        assert periods[0] == 1
        sharpness = 2 * (finals[0, 0] ** 2 + finals[0, 1] ** 2)  # MATH.md §5, at the minimum
        left.append((2 / eta - sharpness) / eta - gap(eta))
    assert 14 < left[0] / left[1] < 18
