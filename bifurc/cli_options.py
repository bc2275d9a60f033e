"""The command line's option values: parsed, checked, and refused in one line.

Shared by :mod:`bifurc.cli` and the commands that live beside their subpackages
(:mod:`bifurc.sweep.command`, :mod:`bifurc.continuation.command`,
:mod:`bifurc.track_command`). A mistake is a :class:`UserError`, which the command line
prints as ``bifurc: error: ...`` with exit status 2; an option's type (``*_option``)
raises argparse's error instead, which argparse reports the same way.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

import numpy as np

from . import maps
from .analysis.arguments import (
    MAX_DIGITS,
    MAX_DOUBLINGS,
    MAX_STEPS,
    affordable,
    nonnegative_int,
    positive_int,
)
from .definition.iterated_map import Map
from .errors import InputError

__all__ = [
    "UserError", "assignment", "number", "parameter_settings", "resolve_map", "sweep_values", "initial_state",
    "integer_option", "positive_int_option", "nonnegative_int_option", "digits_option", "doublings_option",
    "finite_option",
]


class UserError(InputError):
    """A mistake in the command line, reported in one line with exit status 2."""


def assignment(text: str) -> tuple[str, str]:
    """``"NAME=VALUE"`` as (name, value), both stripped."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UserError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def number(text: str, what: str) -> float:
    """``text`` as a finite float; ``what`` names it in the message if it is not one."""
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UserError(f"{what}: {text!r} is not finite")
    return value


def parameter_settings(items: Sequence[str] | None) -> dict[str, float]:
    """``--set a=1.4 --set b=0.3`` as a dict."""
    out = {}
    for item in items or []:
        name, value = assignment(item)
        out[name] = number(value, f"--set {name}")
    return out


def resolve_map(spec: str, settings: dict[str, float]) -> tuple[Map, dict[str, float]]:
    """A catalogued map by name, or a map from formulas ``"x=...; y=..."``.

    For formulas, ``--set`` values declare the parameters and their defaults; for a
    catalogued map they override its defaults. Returns the map and the overrides.
    """
    if "=" not in spec:
        return maps.get(spec.strip()), settings
    updates: dict[str, str] = {}
    for part in spec.replace("\n", ";").split(";"):
        if part.strip():
            name, formula = assignment(part)
            if name in updates:  # the last would win silently
                raise UserError(f"state variable {name!r} is assigned twice; give each variable one update")
            updates[name] = formula
    return Map.from_expressions(updates, settings, name=spec.strip()), {}


def sweep_values(text: str, option: str = "--sweep", bytes_per_value: int = 8) -> tuple[str, np.ndarray]:
    """``r=2.5:4:2000`` -> ('r', linspace(2.5, 4, 2000)); messages name ``option``.

    ``bytes_per_value``: the memory the command needs for each value (every array and the
    output), checked before anything is allocated.
    """
    name, value = assignment(text)
    parts = value.split(":")
    if len(parts) != 3:
        raise UserError(f"{option} {text!r}: expected NAME=START:STOP:COUNT")
    start, stop = number(parts[0], f"{option} start"), number(parts[1], f"{option} stop")
    try:
        count = int(parts[2])
    except ValueError:
        raise UserError(f"{option} {text!r}: COUNT must be an integer") from None
    if count < 1 or (count > 1 and start == stop):
        raise UserError(f"{option} {text!r}: need COUNT >= 1 and START != STOP")
    positive_int(count, f"{option} {name} COUNT")
    # before allocating: a mistyped COUNT is refused at once
    affordable((count,), f"{option} {name}", itemsize=bytes_per_value)
    return name, np.linspace(start, stop, count)


def initial_state(text: str | None, m: Map) -> np.ndarray:
    """``--x0 0.1,0.2`` as a state (0.1 for every variable if not given)."""
    if text is None:
        return np.full(m.dim, 0.1)
    return np.array([number(v, "--x0") for v in text.split(",")])


def integer_option(text: str, check, limit: int = MAX_STEPS) -> int:
    """``text`` as an integer passed by ``check`` (an :mod:`~bifurc.analysis.arguments` check)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    try:
        return check(value, "value", limit)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int_option(text: str) -> int:
    return integer_option(text, positive_int)


def nonnegative_int_option(text: str) -> int:
    return integer_option(text, nonnegative_int)


def digits_option(text: str) -> int:
    return integer_option(text, positive_int, MAX_DIGITS)


def doublings_option(text: str) -> int:
    return integer_option(text, positive_int, MAX_DOUBLINGS)


def finite_option(text: str) -> float:
    try:
        return number(text, "value")
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
