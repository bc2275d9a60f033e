"""Gradient descent on vector and matrix parameters of any size, reduced to inner products.

Parameters are sympy ``MatrixSymbol`` objects of symbolic size, so nothing here depends on a
width. One GD step is derived with sympy's matrix calculus, every new inner product is
expanded into words (products of matrices), and each word is split into scalar factors
(row vector ... column vector): :func:`scalar_terms` and :func:`split_word`, with which
:mod:`bifurc.eos.reduction` decides whether a step closes on a set of invariants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

__all__ = ["gd_step", "tangent_kernel", "scalar_terms", "split_word", "transposed", "WordKey"]

#: A scalar word as the tuple of its matrix factors.
WordKey = tuple


def gd_step(
    output: MatrixExpr,
    parameters: Sequence[sp.MatrixSymbol],
    step: Mapping[sp.MatrixSymbol, sp.Expr],
    loss_slope: sp.Expr,
) -> dict[sp.MatrixSymbol, MatrixExpr]:
    """One gradient-descent step Θ' = Θ - η_Θ ℓ'(f - y) ∂f/∂Θ, derived with matrix calculus.

    Parameters
    ----------
    output
        The network output f(Θ), a 1×1 matrix expression.
    parameters
        The trained parameters.
    step
        The step size of each parameter (η, or η times a per-layer multiplier).
    loss_slope
        ℓ'(f - y), the same scalar for every parameter by the chain rule.

    Returns
    -------
    dict
        Each parameter -> its updated value, a matrix expression.
    """
    f = sp.Trace(output)
    return {theta: theta - step[theta] * loss_slope * f.diff(theta) for theta in parameters}


def tangent_kernel(
    output: MatrixExpr, parameters: Sequence[sp.MatrixSymbol], weights: Mapping[sp.MatrixSymbol, sp.Expr]
) -> sp.Expr:
    """The neural tangent kernel Σ_Θ w_Θ ‖∂f/∂Θ‖² of one input, as a sum of traces.

    ``weights`` are the per-parameter step multipliers, so that η times the kernel is the
    step of the output under GD.
    """
    f = sp.Trace(output)
    total = sp.Integer(0)
    for theta in parameters:
        g = f.diff(theta)
        total += weights[theta] * sp.Trace(g.T * g)
    return total


def _key(factors: Sequence[MatrixExpr]) -> WordKey:
    return tuple(factors)


def transposed(factors: Sequence[MatrixExpr]) -> WordKey:
    """The same scalar word read backwards (its transpose)."""
    return tuple(f.T for f in reversed(factors))


def split_word(factors: list[MatrixExpr], cyclic: bool) -> list[WordKey]:
    """Split a word whose product is 1×1 (or a trace) into its scalar sub-words."""
    if cyclic:  # trace: rotate so that the word starts with a row vector
        starts = [i for i, f in enumerate(factors) if f.rows == 1]
        if not starts:
            raise ValueError(f"cannot split trace of {sp.MatMul(*factors)} into inner products")
        factors = factors[starts[0]:] + factors[:starts[0]]
    words, start = [], 0
    for i, f in enumerate(factors):
        if factors[start].rows != 1:
            raise ValueError(f"word {sp.MatMul(*factors)} is not a product of inner products")
        if f.cols == 1:
            words.append(_key(factors[start:i + 1]))
            start = i + 1
    if start != len(factors):
        raise ValueError(f"word {sp.MatMul(*factors)} is not a product of inner products")
    return words


def _flatten(expr: sp.Basic) -> tuple[sp.Expr, list[MatrixExpr]]:
    """A product as (scalar coefficient, matrix factors in order), nested products flattened."""
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        coeff, factors = sp.Integer(1), []
        for arg in expr.args:
            c, fs = _flatten(arg)
            coeff, factors = coeff * c, factors + fs
        return coeff, factors
    if isinstance(expr, MatrixExpr):
        return sp.Integer(1), [expr]
    return expr, []


def scalar_terms(expr: sp.Basic) -> list[tuple[sp.Expr, list[MatrixExpr], bool]]:
    """Expand a 1×1 matrix expression or a trace into (coefficient, factors, cyclic) terms."""
    if isinstance(expr, sp.Mul) and any(isinstance(a, sp.Trace) for a in expr.args):
        traces = [a for a in expr.args if isinstance(a, sp.Trace)]
        if len(traces) > 1:
            raise ValueError(f"products of traces are not supported: {expr}")
        coeff = sp.Mul(*[a for a in expr.args if not isinstance(a, sp.Trace)])
        return [(coeff * c, factors, cyclic) for c, factors, cyclic in scalar_terms(traces[0])]
    cyclic = isinstance(expr, sp.Trace)
    body = expr.arg if cyclic else expr
    out = []
    for term in sp.Add.make_args(sp.expand(body)):
        coeff, factors = _flatten(term)
        for scalar_term in sp.Add.make_args(sp.expand(coeff)):
            out.append((scalar_term, factors, cyclic))
    return out
