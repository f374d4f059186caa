"""The ``logitlab`` command: ``serve`` (the default), ``fit`` and ``demo``.

This module only parses arguments and hands over to the layers that do the work.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8765)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logitlab",
        description="Logistic regression, visualized and done right. "
        "Without a command, starts the Lab (same as `logitlab serve`).",
    )
    _add_serve_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="start the Lab in your browser (the default)")
    _add_serve_arguments(serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "serve"):
        from logitlab.lab.server import serve

        return serve(host=args.host, port=args.port, open_browser=not args.no_browser)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
