"""Argument checks shared by the analyses: every message names the bad argument."""

from __future__ import annotations

import math
import os
import sys
import warnings

import numpy as np

from ..errors import InputError

__all__ = [
    "EscapeWarning", "PrecisionWarning", "positive_int", "nonnegative_int", "grid", "positive_float",
    "escape_radius", "paired", "warn_escape", "warn_precision", "affordable", "finishable", "MAX_STEPS",
    "MAX_DIGITS", "MAX_DOUBLINGS", "MAX_WORK", "name_list",
]

#: The most steps (n, transient, keep, periods, grid points) an argument may ask for. Far below
#: int64's 9.2e18, so no counter of the compiled kernels can overflow (2**63 steps used to wrap
#: round and return zeros); at the fastest ~1 ns a step, 1e12 steps already take a quarter of an hour,
#: more for every cell of a sweep.
MAX_STEPS = 10**12
#: The most significant digits of a high-precision (mpmath) refinement: its points are kept as
#: decimal strings, which Python converts back only up to 4300 digits (its default
#: ``sys.get_int_max_str_digits()``); 4000 leaves room for the guard digits.
MAX_DIGITS = 4000
#: The most period doublings a cascade may look for: 2**39 steps is within :data:`MAX_STEPS`, and a
#: period 2**40 would not be.
MAX_DOUBLINGS = 39
#: The most steps one call may take in all (orbits times steps each): a day or more at the fastest
#: ~1 ns a step on one core.
MAX_WORK = 10**14


class EscapeWarning(RuntimeWarning):
    """An orbit left the escape radius or became non-finite; its values are NaN.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import bifurc
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     x = bifurc.orbit(bifurc.maps.logistic, 0.5, 8, params={"r": 5.0})
    >>> caught[0].category.__name__  # from 0.5 at r = 5 the orbit runs off to -infinity
    'EscapeWarning'
    >>> bool(np.isnan(x[-1, 0]))
    True
    """


class PrecisionWarning(RuntimeWarning):
    """float64 cannot answer: the result is decided by rounding, not by the map.

    Issued when an orbit lands exactly on an unstable periodic orbit (the slope-2 tent map
    and the doubling map collapse to 0 within about 55 steps, since each step shifts out
    one bit of the mantissa); see docs/numerics.md.

    Examples
    --------
    >>> import warnings
    >>> import bifurc
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     x = bifurc.orbit(bifurc.maps.tent, 0.1, 1, transient=100, params={"mu": 2.0})
    >>> x  # each doubling shifts out one bit: float64 reaches the unstable fixed point 0
    array([[0.]])
    >>> caught[0].category.__name__
    'PrecisionWarning'
    """


def positive_int(value: object, name: str, limit: int = MAX_STEPS) -> int:
    """``value`` as an int with 1 <= value <= ``limit``, or InputError naming ``name`` (and the limit)."""
    return _bounded_int(value, name, 1, limit, "a positive integer")


def nonnegative_int(value: object, name: str, limit: int = MAX_STEPS) -> int:
    """``value`` as an int with 0 <= value <= ``limit``, or InputError naming ``name`` (and the limit)."""
    return _bounded_int(value, name, 0, limit, "a non-negative integer")


def _bounded_int(value: object, name: str, low: int, limit: int, kind: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be {kind}, got {value!r}")
    if value > limit:
        raise InputError(f"{name} must be at most {limit:,}, got {value:,}")
    return int(value)


def positive_float(value: object, name: str) -> float:
    """``value`` as a float > 0 (inf allowed), or ValueError naming ``name``."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a positive number, got {value!r}") from None
    if math.isnan(result) or result <= 0:
        raise InputError(f"{name} must be a positive number, got {value!r}")
    return result


def escape_radius(value: object) -> float:
    """The escape radius: a positive number; infinity means the largest float64.

    An infinite radius would let an overflowed state (inf) pass the test |x| <= R; capped
    at the largest finite float64, every non-finite state counts as escaped.
    """
    return min(positive_float(value, "escape"), sys.float_info.max)


def grid(values: object, name: str) -> np.ndarray:
    """``values`` as a non-empty, finite, strictly monotone float64 grid.

    Raises
    ------
    ValueError
        If the grid is empty, not one-dimensional, has a non-finite entry, or is not
        strictly increasing or strictly decreasing.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a sequence of numbers") from None
    if array.ndim != 1 or array.size == 0:
        raise InputError(f"{name} must be a non-empty one-dimensional grid, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} has non-finite entries")
    steps = np.diff(array)
    if array.size > 1 and not (np.all(steps > 0) or np.all(steps < 0)):
        raise InputError(f"{name} must be strictly increasing or strictly decreasing")
    return array


def paired(x: object, y: object, names: str, minimum: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` flattened to float64 arrays of one length, at least ``minimum``.

    Raises
    ------
    ValueError
        If the lengths differ or are below ``minimum``; ``names`` (e.g. "x and y") names them.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape or x.size < minimum:
        raise InputError(f"{names} must have one length of at least {minimum}, got {x.size} and {y.size}")
    return x, y


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def affordable(shape: tuple[int, ...], what: str, itemsize: int = 8) -> tuple[int, ...]:
    """``shape`` if an array of it fits in half the machine's memory, else InputError.

    Checked before allocating, so that a mistyped size is refused at once instead of
    exhausting the machine.
    """
    need = math.prod(shape) * itemsize
    total = physical_memory()
    if total is not None and need > total // 2:
        raise InputError(
            f"{what} would need {need / 2**30:.1f} GiB ({' x '.join(map(str, shape))} values), "
            f"more than half of this machine's {total / 2**30:.1f} GiB; reduce the sizes"
        )
    return shape


def finishable(orbits: int, steps: int, what: str) -> None:
    """Refuse, before any work, ``orbits`` orbits of ``steps`` steps each beyond :data:`MAX_WORK`."""
    if orbits * steps > MAX_WORK:
        raise InputError(
            f"{what} would take {orbits:,} orbits x {steps:,} steps = {orbits * steps:.1e} steps, more than "
            f"the {MAX_WORK:.0e} one call may take; reduce the sizes"
        )


def warn_escape(count: int, total: int, what: str) -> None:
    """Warn that ``count`` of ``total`` orbits escaped (nothing if none did)."""
    if count:
        warnings.warn(
            f"{count} of {total} {what} escaped (non-finite or beyond the escape radius); "
            "their values are NaN",
            EscapeWarning,
            stacklevel=3,
        )


def warn_precision(message: str, depth: int = 1) -> None:
    """Warn that float64 rounding, not the map, decided a result (``message`` says how).

    ``depth``: how many bifurc frames lie between the caller and the user's code.
    """
    warnings.warn(f"{message}; float64 cannot answer this (see docs/numerics.md)", PrecisionWarning,
                  stacklevel=2 + depth)


def name_list(value: object, what: str) -> list[str]:
    """``"u, v"`` or a sequence of names (or sympy symbols) as a list of names.

    Raises
    ------
    InputError
        If an item is not an identifier or a name is given twice (``what`` names the argument).

    Examples
    --------
    >>> from bifurc.analysis.arguments import name_list
    >>> name_list("u, v", "params"), name_list(None, "constants")
    (['u', 'v'], [])
    """
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        name = item.strip() if isinstance(item, str) else getattr(item, "name", None)
        if not isinstance(name, str) or not name.isidentifier():
            raise InputError(f"{what}: {item!r} is not a name")
        out.append(name)
    if len(set(out)) != len(out):
        raise InputError(f"{what}: a name is given twice in {', '.join(out)}")
    return out
