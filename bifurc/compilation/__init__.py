"""Compilation layer: sympy expressions to cached numba kernels."""
