"""Losses: Song & Yun's assumptions, r''(0) exactly, r-hat as the inverse of r (MATH.md §1)."""

import re
import warnings

import numpy as np
import pytest
import sympy as sp

from bifurc import losses
from bifurc.losses import Loss, NoBifurcationWarning


def test_r2_at_zero_is_exact():
    # MATH.md §1: r''(0) = -2/3 (log-cosh), -1 (pseudo-Huber); exact sympy rationals
    assert losses.logcosh.r2_at_zero == sp.Rational(-2, 3)
    assert losses.pseudo_huber.r2_at_zero == -1


def test_r_is_derived():
    p = sp.Symbol("p", real=True)
    assert sp.simplify(losses.logcosh.r - sp.tanh(p) / p) == 0
    assert sp.simplify(losses.pseudo_huber.r - 1 / sp.sqrt(1 + p**2)) == 0


@pytest.mark.parametrize("text, assumption", [
    ("p**4", "l''(0) = 1"),
    ("p**2/2 + p", "l'(0) = 0"),
    ("1 - cos(p)", "convex"),
    ("p**2/2 + p**4", "Lipschitz"),
    ("log(cosh(p)) + p**3/10", "even"),
])
def test_bad_losses_are_rejected_naming_the_assumption(text, assumption):
    with pytest.raises(ValueError, match=re.escape(f"assumption {assumption!r}")):
        Loss.from_expression(text)


def test_grid_fallback_is_recorded():
    # sympy cannot sign d/dp (tanh(p)/p) on p > 0, so bell-shapedness is decided on a grid
    checks = {c.name: c for c in losses.logcosh.assumptions}
    assert checks["r bell-shaped"].holds and checks["r bell-shaped"].method == "grid"
    assert checks["l''(0) = 1"].method == "symbolic"
    assert all(c.method == "symbolic" for c in losses.pseudo_huber.assumptions)


def test_squared_loss_warns_and_stays_usable():
    with pytest.warns(NoBifurcationWarning, match="no bifurcation"):
        loss = Loss.from_expression("p**2/2")
    assert loss.is_squared and loss.r == 1
    with pytest.raises(ValueError, match="no root"):
        loss.r_hat(0.5)


def test_formula_is_parsed_without_eval():
    with pytest.raises(ValueError):
        Loss.from_expression("__import__('os').getcwd()")
    with pytest.raises(ValueError, match="unknown symbol"):
        Loss.from_expression("log(cosh(x))")


def test_r_hat_inverts_r():
    q = np.linspace(0.01, 0.99, 99)
    p = losses.logcosh.r_hat(q)
    # independent numpy r; bisection to float64 resolution, r' = O(1): error ~ a few ulps
    assert np.allclose(np.tanh(p) / p, q, rtol=0, atol=1e-14)
    p = losses.pseudo_huber.r_hat(q)
    assert np.allclose(p, np.sqrt(1 / q**2 - 1), rtol=1e-14)  # closed-form inverse of (1+p^2)^(-1/2)
    with pytest.raises(ValueError, match="q must lie in"):
        losses.logcosh.r_hat([0.5, 1.0])


def test_symbolic_results_are_cached_and_reproducible():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = Loss.from_expression("log(cosh(p))")
    assert again == losses.logcosh and again.assumptions == losses.logcosh.assumptions
