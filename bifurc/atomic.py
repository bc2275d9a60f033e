"""Files written whole or not at all: every file bifurc writes goes through :func:`replacing`.

The content is written to a temporary file in the target's folder, which then replaces
the target in one step (``os.replace``, atomic on POSIX and Windows). If anything goes
wrong on the way, Ctrl-C (KeyboardInterrupt) included, the temporary file is removed and
the target is left as it was: an interrupted run never leaves a partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["replacing"]


@contextmanager
def replacing(target: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file that replaces ``target`` when the ``with`` block completes.

    Parameters
    ----------
    target
        The file to write (its folder is created if missing).
    mode
        ``"wb"`` (bytes) or ``"w"`` (text).
    encoding
        For text mode.

    Yields
    ------
    file object
        Write the content to it; it is closed and moved onto ``target`` on success, removed on
        any exception (which is re-raised).

    Examples
    --------
    >>> with replacing("out.json", "w", encoding="utf-8") as handle:  # doctest: +SKIP
    ...     handle.write("{}")
    """
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False, encoding=encoding)
    try:
        with handle:
            yield handle
        os.chmod(handle.name, 0o666 & ~_umask())  # as an ordinary open() would have made it
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
