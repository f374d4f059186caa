"""FastAPI app factory for the Lab (being written)."""

from __future__ import annotations


def serve(host: str, port: int, open_browser: bool) -> int:
    """Run the Lab server until interrupted; returns the exit status."""
    raise SystemExit("the Lab server is not written yet")
