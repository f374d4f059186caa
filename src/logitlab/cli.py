"""The ``logitlab`` command: ``serve`` (the default), ``fit`` and ``demo``.

This module only parses arguments and hands over to the layers that do the work.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors become one JSON object on stdout after ``fit --json``."""

    json_errors = False
    """Set by :func:`main` while it parses a ``fit ... --json`` command line."""

    def error(self, message: str) -> NoReturn:
        if _Parser.json_errors:
            _json_usage_error(self.prog, message)
        super().error(message)


def _json_usage_error(prog: str, message: str) -> NoReturn:
    from logitlab.report import render_json_error

    print(render_json_error(f"{prog}: {message}", kind="usage"))
    sys.exit(2)


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8765)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    parser.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=None,
        metavar="N",
        help="most Lab sessions (browser tabs) served at once (default 100)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="close a Lab session after this long without a message (default 1800); "
        "the page rebuilds it when used again",
    )
    parser.add_argument(
        "--compute-threads",
        type=_positive_int,
        default=None,
        metavar="N",
        help="threads for the sessions' computations (default: one per core, at most 4)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="server processes sharing the port, to use every core for a class (default 1)",
    )
    parser.add_argument(
        "--token",
        default=None,
        help="access token off loopback (default: $LOGITLAB_TOKEN or a random one; "
        "the printed address carries it)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="off loopback, answer only to this Host name (repeat for more; default: any)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0.0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="logitlab",
        description="Logistic regression, visualized and done right. "
        "Without a command, starts the Lab (same as `logitlab serve`).",
    )
    _add_serve_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="start the Lab in your browser (the default)")
    _add_serve_arguments(serve)
    _add_fit_parser(sub)
    _add_demo_parser(sub)
    return parser


def _positive_or_inf(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number or inf, got {text!r}"
        ) from None
    if not value > 0.0:
        raise argparse.ArgumentTypeError(f"expected a positive number or inf, got {text!r}")
    return value


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def _add_fit_parser(sub: Any) -> None:
    fit = sub.add_parser(
        "fit",
        help="fit a logistic regression to a CSV file and print the summary table",
        description="Fit a logistic regression to the columns of a CSV file (header line "
        "required) and print a statsmodels-style summary. Without --C the fit is "
        "unpenalized (maximum likelihood). Text feature columns become categorical "
        "(dummies against their first level in sorted order, as C() codes them). "
        "With --json, the output is one JSON object on stdout, errors included "
        '({"schema_version": 1, "error": {"kind": ..., "message": ...}}); the exit '
        "status is 0 on success, 1 for a data error and 2 for a usage error.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="CSV file with a header line")
    fit.add_argument(
        "--target", metavar="COLUMN", help="column with the classes (required without --formula)"
    )
    fit.add_argument(
        "--features", nargs="+", metavar="COLUMN", help="feature columns (default: all others)"
    )
    fit.add_argument(
        "--formula",
        metavar='"Y ~ TERMS"',
        help='model formula instead of --target/--features, e.g. "y ~ x1 + C(g) + x1:x2"',
    )
    fit.add_argument(
        "--sep",
        metavar="CHAR",
        help="field separator, e.g. ';' or tab (default: detected among , ; tab |)",
    )
    fit.add_argument(
        "--encoding", metavar="NAME", help="text encoding, e.g. latin-1 (default utf-8)"
    )
    fit.add_argument(
        "--decimal",
        choices=[".", ","],
        default=".",
        help="decimal mark of the numbers (default '.'; ',' needs another --sep)",
    )
    fit.add_argument(
        "--dropna",
        action="store_true",
        help="leave out rows with a missing value in a used column (default: an error)",
    )
    fit.add_argument(
        "--C",
        dest="C",
        type=_positive_or_inf,
        default=math.inf,
        help="inverse penalty strength as in scikit-learn (default inf: no penalty)",
    )
    fit.add_argument(
        "--l1-ratio",
        type=_unit_interval,
        default=0.0,
        metavar="R",
        help="share of L1 in the penalty, 0 (L2, default) to 1 (L1); needs a finite --C",
    )
    fit.add_argument(
        "--standardize",
        action="store_true",
        help="scale features to mean 0 and SD 1 first (coefficients per SD)",
    )
    fit.add_argument(
        "--class-weight",
        choices=["balanced"],
        default=None,
        help="weight classes inversely to their frequency",
    )
    fit.add_argument("--max-iter", type=int, default=100, help="Newton iterations at most")
    fit.add_argument("--plot", metavar="OUT.png", help="also save ROC/calibration (and boundary)")
    fit.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    fit.add_argument(
        "--lab",
        action="store_true",
        help="open the Lab with this data instead of printing the summary (two --features "
        "and a two-class target; `logitlab --port P fit ... --lab` picks the port)",
    )


def _add_demo_parser(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="fit two generated features and save the decision-boundary figure",
        description="Generate 300 samples with two informative features (seed 2), fit a "
        "logistic regression (C=1), print the training accuracy and coefficients and save "
        "the decision-boundary figure.",
    )
    demo.add_argument("--out", default="demo.png", help="figure file (default demo.png)")
    demo.add_argument("--n-samples", type=int, default=300, help="number of samples")
    demo.add_argument("--seed", type=int, default=2, help="random seed of the data")


def _fail(command: str, message: str, *, as_json: bool = False) -> int:
    if as_json:
        from logitlab.report import render_json_error

        print(render_json_error(message))
    else:
        print(f"logitlab {command}: error: {message}", file=sys.stderr)
    return 1


def _run_lab(args: argparse.Namespace) -> int:
    from logitlab.lab.csv_data import prepare_lab
    from logitlab.lab.server import serve
    from logitlab.tabular import DataError

    try:
        launch = prepare_lab(args.data, args.target, args.features)
    except DataError as exc:
        return _fail("fit", str(exc), as_json=args.json)
    print(f"logitlab fit: {launch.data.n_points:,} points from {launch.data.source} in the Lab")
    return serve(host=args.host, port=args.port, open_browser=not args.no_browser, path=launch.path)


def _run_fit(args: argparse.Namespace) -> int:
    if args.target is None and args.formula is None:
        message = "the following arguments are required: --target (or --formula)"
        if args.json:
            _json_usage_error("logitlab fit", message)
        _Parser(prog="logitlab fit").error(message)
    if getattr(args, "lab", False):
        if args.formula is not None or args.target is None:
            return _fail(
                "fit", "--lab takes --target and two --features, not --formula", as_json=args.json
            )
        return _run_lab(args)
    from logitlab.commands import FitOptions, fit_csv, write_fit_plot
    from logitlab.report import render_json, render_text
    from logitlab.tabular import DataError

    options = FitOptions(
        path=args.data,
        target=args.target,
        features=args.features,
        C=args.C,
        l1_ratio=args.l1_ratio,
        standardize=args.standardize,
        class_weight=args.class_weight,
        max_iter=args.max_iter,
        plot=args.plot,
        sep=args.sep,
        encoding=args.encoding,
        decimal=args.decimal,
        dropna=args.dropna,
        formula=args.formula,
    )
    try:
        outcome = fit_csv(options)
        if args.plot:
            write_fit_plot(outcome, args.plot)
    except DataError as exc:
        return _fail("fit", str(exc), as_json=args.json)
    except Exception as exc:
        if not args.json:
            raise
        # A bug of ours: a caller of --json still gets one JSON object (and status 1).
        from logitlab.report import render_json_error

        message = f"internal error ({type(exc).__name__}: {' '.join(str(exc).split())})"
        print(render_json_error(message, kind="internal"))
        return 1
    try:
        print(render_json(outcome.report) if args.json else render_text(outcome.report))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `logitlab fit ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if not outcome.report.converged:
        print(
            "logitlab fit: warning: the solver did not converge; raise --max-iter, "
            "use --standardize or add a penalty (--C)",
            file=sys.stderr,
        )
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from logitlab.commands import run_demo

    if args.n_samples < 10:
        return _fail("demo", f"--n-samples must be at least 10, got {args.n_samples}")
    try:
        result = run_demo(args.out, n_samples=args.n_samples, random_state=args.seed)
    except (OSError, ValueError) as exc:
        return _fail("demo", f"cannot write {args.out}: {exc}")
    print(f"Training accuracy:     {result.accuracy:.3f}")
    print(f"Coefficient feature 1: {result.coef[0]:.3f}")
    print(f"Coefficient feature 2: {result.coef[1]:.3f}")
    print(f"Intercept:             {result.intercept:.3f}")
    print(f"Figure written to {result.figure}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    _Parser.json_errors = "fit" in arguments and "--json" in arguments
    try:
        args = parser.parse_args(arguments)
    finally:
        _Parser.json_errors = False
    if args.command in (None, "serve"):
        from logitlab.lab.server import serve

        return serve(
            host=args.host,
            port=args.port,
            open_browser=not args.no_browser,
            max_sessions=args.max_sessions,
            idle_timeout=args.idle_timeout,
            compute_threads=args.compute_threads,
            token=args.token,
            allow_hosts=tuple(args.allow_host),
            workers=args.workers,
        )
    if args.command == "fit":
        return _run_fit(args)
    if args.command == "demo":
        return _run_demo(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
