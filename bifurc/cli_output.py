"""Where the command line's results go: JSON, figures and files, written atomically.

An output path is checked before any work (:func:`check_writable`); a write that fails
(no such folder, no permission, a full disk) is a one-line :class:`UserError`, and an
interrupted write leaves no partial file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .atomic import replacing
from .cli_options import UserError
from .jsonready import plain

__all__ = ["FIGURE_SUFFIXES", "OUT_SUFFIXES", "jsonable", "check_writable", "writing", "save_figure"]

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
OUT_SUFFIXES = (*FIGURE_SUFFIXES, ".npz")


def jsonable(value: object) -> object:
    """Results as JSON values; NaN and infinities become null."""
    return plain(value, lambda v: None if isinstance(v, float) and not math.isfinite(v) else v)


def check_writable(text: str, option: str) -> None:
    """Refuse, before any work, an output path whose folder cannot be written."""
    path = Path(text).expanduser().absolute()
    if path.is_dir():
        raise UserError(f"{option} {text!r} is a folder; give a file name")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{option} {text!r}: cannot write in {folder}")


@contextmanager
def writing(target: object, option: str = "--out") -> Iterator[None]:
    """Report a failed write (no such folder, no permission, full disk) as a user error."""
    try:
        yield
    except OSError as error:
        raise UserError(f"{option} {str(target)!r}: cannot write ({error.strerror or error})") from None


def save_figure(figure, target: Path) -> None:
    """Write the figure atomically: an interrupted run leaves no partial file."""
    with writing(target), replacing(target) as handle:
        figure.savefig(handle, format=target.suffix[1:].lower(), dpi=150)
