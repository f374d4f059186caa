"""Bounds on the shape of an uploaded CSV file, checked before it is parsed.

The summary of a CSV file costs time per column (distinct values, missing
counts), and a file of 150,000 one-byte columns fits in 150 KB (issue 12,
item 2). :func:`column_problem` refuses a file with more than
:data:`MAX_CSV_COLUMNS` fields on any line, in one pass over its bytes, so
every file the Lab does parse has at most that many columns.
"""

from __future__ import annotations

import re

MAX_CSV_COLUMNS = 1_000
"""Fields a line of an uploaded CSV file may have at most."""

_QUOTED = re.compile(rb'"[^"]*"')


def _fields(line: bytes) -> int:
    """Fields of one CSV line; commas inside double quotes do not count."""
    return line.count(b",") + 1 if b'"' not in line else _QUOTED.sub(b"", line).count(b",") + 1


def column_problem(body: bytes, source: str, limit: int = MAX_CSV_COLUMNS) -> str | None:
    """Why ``body`` has too many columns for the Lab, or None; linear in its size."""
    for number, line in enumerate(body.split(b"\n"), start=1):
        # Counting the commas is cheap; only a line that may be over the limit is looked at
        # closely (quoted commas do not separate fields).
        if line.count(b",") + 1 > limit and (n := _fields(line)) > limit:
            where = "its header line has" if number == 1 else f"line {number:,} has"
            return (
                f"{source} has too many columns: {where} {n:,} fields; the Lab reads at most "
                f"{limit:,} columns: keep the columns you need (two features and the target) "
                "and upload that file"
            )
    return None
