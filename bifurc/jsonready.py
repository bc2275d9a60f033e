"""Nested results as plain Python values, ready for ``json.dumps``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["plain"]


def plain(value: object, leaf: Callable[[object], object] | None = None) -> object:
    """``value`` with dicts (string keys), lists, tuples and arrays made plain, recursively.

    Arrays and tuples become lists and numpy scalars Python numbers; every other value
    is passed through ``leaf`` (default: kept as it is), e.g. to print sympy expressions as
    strings or to turn NaN into None.
    """
    if isinstance(value, dict):
        return {str(k): plain(v, leaf) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, leaf) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), leaf) if value.ndim else plain(value.item(), leaf)
    if isinstance(value, np.generic):
        value = value.item()
    return leaf(value) if leaf is not None else value
