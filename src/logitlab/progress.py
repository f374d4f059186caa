"""Progress messages on standard error for long command-line runs.

Only big inputs get them (small files finish before anyone would read a
message). On a terminal the reading percentage is rewritten in place; when
stderr is a file or a pipe, a line is written at every quarter so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Reports phases ("reading", "fitting", ...) and the fraction done of the current one.

    Parameters
    ----------
    enabled : bool
        When False every method does nothing.
    stream : text stream, default=sys.stderr
    """

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._phase = ""
        self._started = 0.0
        self._last_quarter = -1

    def start(self, phase: str) -> None:
        """Begin a phase, e.g. ``"reading data.csv"``."""
        if not self.enabled:
            return
        self._phase = phase
        self._started = time.perf_counter()
        self._last_quarter = -1
        self._write(f"{phase} …", final=not self._interactive)

    def update(self, fraction: float) -> None:
        """Fraction of the current phase done, between 0 and 1."""
        if not self.enabled:
            return
        percent = int(100 * min(max(fraction, 0.0), 1.0))
        if self._interactive:
            self._write(f"{self._phase} … {percent:3d}%", final=False)
            return
        quarter = percent // 25
        if quarter > self._last_quarter and 0 < quarter < 4:
            self._last_quarter = quarter
            self._write(f"{self._phase} … {percent}%", final=True)

    def done(self, detail: str = "") -> None:
        """End the current phase, reporting the time it took."""
        if not self.enabled:
            return
        seconds = time.perf_counter() - self._started
        extra = f", {detail}" if detail else ""
        self._write(f"{self._phase}: done in {seconds:.1f} s{extra}", final=True)

    def _write(self, text: str, *, final: bool) -> None:
        if self._interactive:
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
