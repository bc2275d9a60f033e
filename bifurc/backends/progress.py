"""The recorders' progress line on stderr: the step, the share done, the last sharpness against 2/η, the time.

Shown when asked (``show=True``), or by default (``show=None``) on long runs: only when the
stream is a terminal and only once the run has lasted :data:`DELAY` seconds, so that short
runs, scripts whose stderr goes to a file, and tests stay silent. On a terminal the line is
rewritten in place; elsewhere each update is a line of its own.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

__all__ = ["DELAY", "Progress"]

#: Seconds a run lasts before the default (``show=None``) progress line appears.
DELAY = 2.0
#: Seconds between two updates (the last step is always shown).
INTERVAL = 0.25
_WIDTH = 20


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


class Progress:
    """A one-line progress display.

    Parameters
    ----------
    total
        The planned number of steps (None: unknown, no bar and no time left).
    show
        True: always; False: never; None: on a terminal, once the run has lasted DELAY seconds.
    stream
        Where to write (default: ``sys.stderr`` at the time of each write).
    """

    def __init__(self, total: int | None = None, show: bool | None = None,
                 stream: TextIO | None = None) -> None:
        self.total, self.show, self._stream = total, show, stream
        self.start = time.monotonic()
        self._last = -math.inf
        self._open = False

    @property
    def stream(self) -> TextIO:
        """The stream written to."""
        return sys.stderr if self._stream is None else self._stream

    def _terminal(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def line(self, step: int, note: str = "", elapsed: float = 0.0) -> str:
        """The text shown after ``step`` steps, ``elapsed`` seconds into the run."""
        parts = [f"step {step}" if self.total is None else f"step {step}/{self.total}"]
        if self.total:
            done = min(step / self.total, 1.0)
            filled = int(done * _WIDTH)
            parts[0] += f" [{'#' * filled}{'.' * (_WIDTH - filled)}] {done:4.0%}"
        if note:
            parts.append(note)
        timing = f"{_clock(elapsed)} elapsed"
        if self.total and 0 < step < self.total:
            timing += f", {_clock(elapsed * (self.total - step) / step)} left"
        parts.append(timing)
        return "bifurc: " + ", ".join(parts)

    def update(self, step: int, note: str = "") -> None:
        """Show the state after ``step`` steps (skipped when hidden or within INTERVAL of the last)."""
        now = time.monotonic()
        elapsed = now - self.start
        terminal = self._terminal()
        last = self.total is not None and step >= self.total
        if self.show is False or (self.show is None and (not terminal or elapsed < DELAY)):
            return
        if now - self._last < INTERVAL and not last:
            return
        self._last = now
        text = self.line(step, note, elapsed)
        if terminal:
            self.stream.write("\r" + text + "\x1b[K")
            self._open = True
        else:
            self.stream.write(text + "\n")
        if last:
            self.close()
        self.stream.flush()

    def close(self) -> None:
        """End the line on a terminal (nothing to do elsewhere)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
