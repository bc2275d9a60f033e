"""A model back-end by name: ``"torch"`` (:mod:`bifurc.torch`) or ``"jax"`` (:mod:`bifurc.jax`)."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import InputError

__all__ = ["BACKENDS", "backend"]

#: Each back-end's name, the package it needs, and how to install it.
BACKENDS = {
    "torch": ("torch", "pip install torch==2.13.0 && pip install 'bifurc[torch]' (a CPU build of torch)"),
    "jax": ("jax", "pip install 'bifurc[jax]'"),
}


def backend(name: object) -> ModuleType:
    """The adapter module of a back-end: ``bifurc.backend("torch")`` is :mod:`bifurc.torch`.

    Parameters
    ----------
    name
        ``"torch"`` or ``"jax"`` (case-insensitive).

    Raises
    ------
    InputError
        If the name is not a back-end's, or its framework is not installed (the message says
        how to install it).

    Examples
    --------
    >>> import bifurc
    >>> try:
    ...     bifurc.backend("tensorflow")
    ... except bifurc.InputError as error:  # one line, naming the argument
    ...     print(error)
    backend must be one of torch, jax, got 'tensorflow'
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    package, install = BACKENDS[key]
    try:
        return importlib.import_module(f"bifurc.{key}")
    except ModuleNotFoundError as error:
        if error.name != package and not (error.name or "").startswith(f"{package}."):
            raise
        raise InputError(f"backend {key!r} needs {package}, which is not installed: {install}") from None
