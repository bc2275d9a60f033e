"""A small progress line on standard error: tiles done, cells per second, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Report progress on one line, rewritten in place at most every ``interval`` seconds.

    Nothing is printed before ``delay`` seconds have passed, so short sweeps stay quiet.

    Parameters
    ----------
    total
        Tiles to compute.
    quiet
        Print nothing.
    stream, delay, interval
        Where to print, the silence at the start and the time between updates (seconds).
    """

    def __init__(self, total: int, quiet: bool = False, stream: TextIO | None = None, delay: float = 1.0,
                 interval: float = 0.5) -> None:
        self.total, self.quiet = total, quiet
        self.stream = stream if stream is not None else sys.stderr
        self.delay, self.interval = delay, interval
        self.start = self.last = time.perf_counter()
        self.tiles = self.cells = 0
        self.shown = False

    def update(self, cells: int) -> None:
        """One more tile, of ``cells`` cells, is done."""
        self.tiles += 1
        self.cells += cells
        now = time.perf_counter()
        if not self.quiet and now - self.start >= self.delay and (now - self.last >= self.interval
                                                                  or self.tiles == self.total):
            self.last = now
            self.shown = True
            self.stream.write("\r" + self.line(now - self.start))
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        """The progress text after ``elapsed`` seconds."""
        rate = self.cells / elapsed if elapsed > 0 else float("inf")
        left = elapsed * (self.total - self.tiles) / self.tiles if self.tiles else float("nan")
        return (f"sweep: {self.tiles}/{self.total} tiles, {rate:.3g} cells/s, "
                f"{'done in' if self.tiles == self.total else 'ETA'} "
                f"{left if self.tiles < self.total else elapsed:.0f} s ")

    def close(self) -> None:
        """End the line if one was printed."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
