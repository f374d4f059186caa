"""Progress messages: milestones when logging to a file, in-place updates on a terminal."""

from __future__ import annotations

import io

from logitlab.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_stream_gets_one_line_per_quarter_and_the_time() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream)
    progress.start("reading big.csv")
    for fraction in (0.1, 0.26, 0.3, 0.55, 0.8, 1.0):
        progress.update(fraction)
    progress.done("10 rows")
    lines = stream.getvalue().splitlines()
    assert lines[:4] == [
        "reading big.csv …",
        "reading big.csv … 26%",
        "reading big.csv … 55%",
        "reading big.csv … 80%",
    ]
    assert lines[4].startswith("reading big.csv: done in ") and lines[4].endswith(" s, 10 rows")
    assert len(lines) == 5


def test_terminal_rewrites_the_line_in_place() -> None:
    stream = Terminal()
    progress = Progress(enabled=True, stream=stream)
    progress.start("fitting")
    progress.update(0.5)
    progress.done()
    text = stream.getvalue()
    assert "\r\x1b[Kfitting …  50%" in text
    assert text.endswith("\n") and text.count("\n") == 1  # only the final message ends a line


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=False, stream=stream)
    progress.start("reading")
    progress.update(0.5)
    progress.done()
    assert stream.getvalue() == ""
