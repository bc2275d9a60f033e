"""Derivations cached on disk.

sympy is slow: deriving every model of the papers takes about ten seconds. A derivation's
result depends only on its arguments and on the source code that derives it, so
:func:`derived` keys a pickle of the result by both (and by the sympy and Python
versions) in ``<cache dir>/symbolic/``, beside the compiled kernels (the same private
folder: a pickle is code, see :mod:`bifurc.compilation.loader`). A result that cannot be
pickled is kept in memory only; a file that cannot be read is discarded, with one warning,
and derived again.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sympy as sp

from ..atomic import replacing
from ..compilation.loader import CacheWarning, kernel_folder

__all__ = ["derived"]

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def _fingerprint() -> str:
    """Hash of the source that derivations run (definition, losses, eos) and the versions."""
    digest = hashlib.sha256(f"{sp.__version__} {sys.version}".encode())
    for folder in ("definition", "compilation", "losses", "eos"):
        for path in sorted((_PACKAGE / folder).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _token(value: object) -> str:
    """A stable text of an argument: losses and models by their formulas."""
    if hasattr(value, "expression") and hasattr(value, "assumptions"):  # a Loss
        return f"Loss({value.name!r}, {value.expression})"
    if hasattr(value, "map") and hasattr(value, "derivation"):  # a ReducedModel
        return f"Model({value.name!r}, {value.map.updates}, {dict(value.map.params)})"
    return repr(value)


_warned: list[bool] = []


def _discard(path: Path, error: Exception) -> None:
    """Remove an unreadable pickle; warn the first time."""
    if not _warned:
        _warned.append(True)
        warnings.warn(f"discarded an unreadable derivation cache file {path.name} ({type(error).__name__}); "
                      "deriving it again", CacheWarning, stacklevel=3)
    path.unlink(missing_ok=True)


def derived(function: Callable[..., T]) -> Callable[..., T]:
    """Cache ``function``'s results in memory and on disk, keyed by arguments and source."""

    @functools.cache
    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> T:
        text = repr((_fingerprint(), function.__module__, function.__qualname__,
                     [_token(a) for a in args], sorted((k, _token(v)) for k, v in kwargs.items())))
        path = kernel_folder() / "symbolic" / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.pkl"
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            pass
        except Exception as error:  # truncated, garbled or from another layout: discard it
            _discard(path, error)
        value = function(*args, **kwargs)
        try:
            with replacing(path) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not picklable, or no writable cache: keep it in memory only
            pass
        return value

    return wrapper
