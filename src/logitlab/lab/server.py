"""The Lab's web server: a FastAPI app factory and the ``serve`` entry point.

Routes
------
``GET /``
    The Lab page: the template ``lab/pages/lab.html`` with every
    ``<!-- slot:NAME -->`` comment replaced by the HTML of
    :data:`logitlab.lab.content.SLOTS` (derivation, try-this, in-one-glance, faq).
``GET /roc``
    The ROC & AUC page: ``lab/pages/roc.html`` with the slots of
    :data:`logitlab.lab.roc_content.SLOTS`. Its WebSocket ``hello`` names
    ``page="roc"``; the session is the same kind as the Lab's.
``POST /api/csv``, ``POST /api/data``, ``GET /api/data/{hash}``
    The user's own data (CSV upload, points by content hash): see
    :mod:`logitlab.lab.csv_data`.
``GET /static/...``
    Files of the package's ``lab/static`` folder, and nothing outside it.
``WS /ws``
    One :class:`~logitlab.lab.session.LabSession` per connection. Every text
    message is validated as a command; an invalid one is answered with an error
    frame and the connection stays open. :class:`~logitlab.lab.channel.Channel`
    reads and answers it; the numeric work runs in the app's
    :class:`~logitlab.lab.executor.ComputePool`, shared fairly by the sessions and
    apart from the threads of pages and static files.

Safety (issue 6)
----------------
Every response goes through :class:`~logitlab.lab.security.SecurityMiddleware`
(Content-Security-Policy and other headers; WebSocket handshakes from another
origin refused with 403; under :func:`serve` on a loopback address, requests
for other host names refused against DNS rebinding). Each WebSocket holds a slot
of :class:`~logitlab.lab.limits.SessionRegistry`: at most ``limits.max_sessions``
at once (one more gets an error frame, then close code 1013), closed with code
4000 after ``limits.idle_timeout`` seconds without a message, and rate-limited
(an excess command gets an error frame saying to slow down). A text message over
``max_message_bytes`` (1 MiB) gets an error frame and the connection stays
open; :func:`serve` lets the WebSocket layer cut off anything over four times
that (close code 1009). Binary messages get an error frame.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from logitlab.lab import content, csv_data
from logitlab.lab.access import TokenMiddleware, new_token
from logitlab.lab.channel import Channel, error_json
from logitlab.lab.connections import ConnectionGuard, guarded_protocol
from logitlab.lab.executor import ComputePool
from logitlab.lab.limits import (
    FULL_CLOSE_CODE,
    Limits,
    SessionRegistry,
)
from logitlab.lab.protocol import MAX_CSV_BYTES, MAX_MESSAGE_BYTES
from logitlab.lab.roc_content import SLOTS as ROC_SLOTS
from logitlab.lab.security import LOOPBACK_HOSTS, HttpRates, SecurityMiddleware, is_loopback

SLOT = re.compile(r"<!--\s*slot:([a-z0-9-]+)\s*-->")
#: ``<!-- part:NAME -->`` in a page template stands for the markup of ``pages/_NAME.html``,
#: shared by the Lab and the ROC page (the same controls, by the same ids).
PART = re.compile(r"<!--\s*part:([a-z0-9-]+)\s*-->")
"""A place in a page template where :data:`logitlab.lab.content.SLOTS` HTML goes."""


UPLOAD_CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "/api/csv": ("text/csv",),
    "/api/data": ("application/json",),
}
"""The Content-Type each upload route takes (what the page sends)."""


def _package_dir(name: str) -> Path:
    return Path(str(files("logitlab.lab").joinpath(name)))


@dataclass(frozen=True)
class Settings:
    """What a Lab server needs to know.

    Parameters
    ----------
    host, port : str, int
        Where :func:`serve` listens (the app itself does not use them).
    max_message_bytes : int
        Largest WebSocket message handled; a larger one gets an error frame (the
        connection stays open). Messages over :data:`WS_MAX_FRAME_FACTOR` times this
        are cut off by the WebSocket layer under :func:`serve` (close code 1009).
    limits : Limits
        Session cap, idle time-out and rate limits (:mod:`logitlab.lab.limits`).
    allowed_hosts : tuple of str
        Host names requests may be addressed to; empty = any (see :mod:`.security`).
    allowed_origins : tuple of str
        Origins accepted on WebSocket handshakes besides the server's own.
    pages_dir, static_dir : Path or None
        Where the page templates and static files are; None = inside the package.
    compute_threads : int or None
        Threads of the compute pool every session's work runs in
        (:mod:`logitlab.lab.executor`); None = one per core, at most 4.
    http_rates : HttpRates or None
        HTTP requests per client address (:class:`~logitlab.lab.security.HttpRates`);
        None = unlimited.
    token : str or None
        The access token every request must carry (:mod:`logitlab.lab.access`);
        None = no token (a Lab on loopback).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    max_message_bytes: int = MAX_MESSAGE_BYTES
    limits: Limits = field(default_factory=Limits)
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    pages_dir: Path | None = None
    static_dir: Path | None = None
    compute_threads: int | None = None
    http_rates: HttpRates | None = field(default_factory=HttpRates)
    token: str | None = None

    def to_json(self) -> str:
        """These settings as JSON (for worker processes; the folders are not kept)."""
        data = dataclasses.asdict(self)
        data.pop("pages_dir")
        data.pop("static_dir")
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """The settings :meth:`to_json` wrote."""
        data = json.loads(text)
        limits = Limits(**data.pop("limits"))
        rates = data.pop("http_rates")
        return cls(
            limits=limits,
            http_rates=None if rates is None else HttpRates(**rates),
            allowed_hosts=tuple(data.pop("allowed_hosts")),
            allowed_origins=tuple(data.pop("allowed_origins")),
            **data,
        )


def include_parts(template: str, pages_dir: Path) -> str:
    """Replace every ``<!-- part:NAME -->`` in ``template`` by the file ``_NAME.html``.

    Raises
    ------
    FileNotFoundError
        If a named part has no file.
    """
    return PART.sub(
        lambda match: (pages_dir / f"_{match.group(1)}.html").read_text(encoding="utf-8"),
        template,
    )


def render_page(template: str, slots: dict[str, str] | None = None) -> str:
    """Replace every ``<!-- slot:NAME -->`` in ``template`` by ``slots[NAME]``.

    Raises
    ------
    KeyError
        If the template names a slot that ``slots`` does not have.
    """
    table = content.SLOTS if slots is None else slots

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in table:
            raise KeyError(f"page slot {name!r} has no content; known: {', '.join(table)}")
        return table[name]

    return SLOT.sub(fill, template)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Lab app (see the module docstring for its routes)."""
    settings = settings if settings is not None else Settings()
    pages_dir = settings.pages_dir if settings.pages_dir is not None else _package_dir("pages")
    static_dir = settings.static_dir if settings.static_dir is not None else _package_dir("static")
    pool = ComputePool(settings.compute_threads)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(
        title="logitlab Lab", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.compute = pool
    registry = SessionRegistry(settings.limits)
    app.state.registry = registry
    if settings.token:
        # Inside the security middleware: its headers go on the refusals too.
        app.add_middleware(TokenMiddleware, token=settings.token)
    app.add_middleware(
        SecurityMiddleware,
        allowed_hosts=settings.allowed_hosts,
        allowed_origins=settings.allowed_origins,
        max_body_bytes=max(MAX_CSV_BYTES, csv_data.MAX_DATA_JSON_BYTES),
        content_types=UPLOAD_CONTENT_TYPES,
        rates=settings.http_rates,
    )

    def page(file_name: str, title: str, slots: dict[str, str]) -> Response:
        template = pages_dir / file_name
        try:
            text = include_parts(template.read_text(encoding="utf-8"), pages_dir)
        except FileNotFoundError as missing:
            return PlainTextResponse(
                f"The {title} page template is missing: {missing.filename}", status_code=500
            )
        return HTMLResponse(render_page(text, slots))

    # Pages are async: they never wait for a thread (compute has its own pool anyway).
    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def lab_page() -> Response:
        return page("lab.html", "Lab", content.SLOTS)

    @app.api_route("/roc", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def roc_page() -> Response:
        return page("roc.html", "ROC", ROC_SLOTS)

    app.include_router(csv_data.router)  # POST /api/csv, POST /api/data, GET /api/data/{hash}
    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")

    @app.websocket("/ws")
    async def lab_socket(websocket: WebSocket) -> None:
        await websocket.accept()
        slot = registry.open()
        if slot is None:
            await websocket.send_text(_error(registry.full_message()))
            await websocket.close(code=FULL_CLOSE_CODE, reason="the Lab server is full")
            return
        channel = Channel(websocket, slot, settings.limits, pool, settings.max_message_bytes)
        try:
            await channel.run()
        except (WebSocketDisconnect, OSError):
            return  # the client went away (OSError: uvicorn's ClientDisconnected)
        finally:
            registry.close(slot)

    return app


def _error(message: str, seq: int = 0) -> str:
    return error_json(message, seq)


def _host_problem(host: str) -> str | None:
    """Why ``host`` cannot be listened on whatever the port, or None."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return (
            f"--host {host!r} is not a valid address or host name ({why}); "
            "use e.g. 127.0.0.1 (this computer only) or 0.0.0.0 (every network)"
        )
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((address[0], 0))
        except OSError as exc:
            return (
                f"--host {host!r} is not an address of this computer ({exc.strerror}); "
                "use 127.0.0.1, 0.0.0.0 or one of this computer's own addresses"
            )
    return None


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        # As uvicorn does: a port held only by closing connections (TIME_WAIT) is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


SWITCH_INTERVAL = 0.001
"""Seconds between the interpreter's thread switches under :func:`serve` (default 0.005)."""

WS_MAX_FRAME_FACTOR = 4
"""The WebSocket layer drops messages over this many times ``max_message_bytes`` (1009)."""


def uvicorn_config(app: ASGIApp, settings: Settings, *, host: str, port: int) -> Any:
    """The uvicorn configuration :func:`serve` runs ``app`` with (tests use it too).

    HTTP goes through :func:`~logitlab.lab.connections.guarded_protocol` (a cap per
    client address, a deadline per request); WebSockets through the sans-I/O
    protocol of the ``websockets`` package.
    """
    import uvicorn

    limits = settings.limits
    guard = ConnectionGuard(limits.connections_per_client)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=guarded_protocol(guard, limits.request_timeout),
        ws="websockets-sansio",
        ws_max_size=WS_MAX_FRAME_FACTOR * settings.max_message_bytes,
        # Compressing every frame costs the event loop more than the session's own work
        # (benchmarks/load.py); worth it only when frames cross a real network.
        ws_per_message_deflate=not is_loopback(host),
    )


SETTINGS_ENV = "LOGITLAB_SERVE_SETTINGS"
"""Worker processes of ``serve --workers N`` read their :class:`Settings` (JSON) here."""
TOKEN_ENV = "LOGITLAB_TOKEN"
"""A token to use instead of a random one (off loopback)."""
MAX_WORKERS = 16


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve --workers N`` (settings from the environment)."""
    settings = Settings.from_json(os.environ[SETTINGS_ENV])
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_app(settings)


def __getattr__(name: str) -> Any:
    # uvicorn's worker processes import their HTTP protocol by name; it is built here,
    # in the worker, from the settings the parent put in the environment.
    if name == "worker_protocol":
        limits = Settings.from_json(os.environ[SETTINGS_ENV]).limits
        protocol = guarded_protocol(
            ConnectionGuard(limits.connections_per_client), limits.request_timeout
        )
        globals()[name] = protocol
        return protocol
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def page_url(host: str, port: int, path: str = "/", token: str | None = None) -> str:
    """The address to print and open: ``path`` with ``?token=…`` before any ``#fragment``."""
    shown = f"[{host}]" if ":" in host else host
    where, hash_sign, fragment = path.partition("#")
    query = f"?token={token}" if token else ""
    return f"http://{shown}:{port}{where}{query}{hash_sign}{fragment}"


def serve(
    host: str,
    port: int,
    open_browser: bool,
    max_sessions: int | None = None,
    path: str = "/",
    *,
    idle_timeout: float | None = None,
    compute_threads: int | None = None,
    token: str | None = None,
    allow_hosts: tuple[str, ...] = (),
    workers: int = 1,
) -> int:
    """Run the Lab server until interrupted; returns the exit status.

    Prints the address, and opens it in the default browser once the server
    is listening unless ``open_browser`` is False. On a loopback address the
    server answers only to loopback host names. On any other address it prints
    a warning that the Lab is reachable from other machines, and requires an
    access token (``token``, else ``$LOGITLAB_TOKEN``, else a random one; the
    printed address carries it) and, when ``allow_hosts`` names any, a ``Host``
    among them. ``workers`` > 1 runs that many server processes on the port.
    """
    import uvicorn

    if not 1 <= workers <= MAX_WORKERS:
        print(f"logitlab: --workers must be 1–{MAX_WORKERS}, got {workers}")
        return 1
    problem = _host_problem(host)
    if problem is not None:
        print(f"logitlab: cannot listen: {problem}")
        return 1
    if not _port_free(host, port):
        print(f"logitlab: cannot listen on {host}:{port} (in use?); try --port {port + 1}")
        return 1
    local = is_loopback(host)
    options: dict[str, Any] = {"max_sessions": max_sessions, "idle_timeout": idle_timeout}
    limits = Limits(**{k: v for k, v in options.items() if v is not None})
    if not token and not local:  # off loopback there is always a token
        token = os.environ.get(TOKEN_ENV) or new_token()
    hosts = (*LOOPBACK_HOSTS, host) if local else (*allow_hosts, host) if allow_hosts else ()
    settings = Settings(
        host=host,
        port=port,
        limits=limits,
        allowed_hosts=hosts,
        compute_threads=compute_threads,
        token=token or None,
    )
    # The event loop shares the interpreter lock with the compute threads: hand it over
    # every millisecond instead of every 5 so pages and probes wait less behind compute.
    sys.setswitchinterval(SWITCH_INTERVAL)
    if not local:
        names = f" It answers to {', '.join(allow_hosts)} only." if allow_hosts else ""
        print(
            f"logitlab: WARNING: listening on {host}, so the Lab is reachable from other "
            "machines on your network. Only those who have the address below, with its "
            f"access token, can use it (at most {limits.max_sessions} sessions at once)."
            f"{names} Use --host 127.0.0.1 to keep it on this computer.",
            flush=True,
        )
    url = page_url(host, port, path, settings.token)
    if workers > 1:
        os.environ[SETTINGS_ENV] = settings.to_json()
        print(f"logitlab Lab: {url}  ({workers} worker processes; Ctrl+C to stop)", flush=True)
        if open_browser:
            threading.Timer(2.0, webbrowser.open, args=(url,)).start()
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run(
                f"{__name__}:app_from_environment",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                http=f"{__name__}:worker_protocol",
                ws="websockets-sansio",
                ws_max_size=WS_MAX_FRAME_FACTOR * settings.max_message_bytes,
                ws_per_message_deflate=not local,
            )
        return 0
    config = uvicorn_config(create_app(settings), settings, host=host, port=port)
    server = uvicorn.Server(config)
    print(f"logitlab Lab: {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:

        def open_when_ready() -> None:
            deadline = time.monotonic() + 15.0
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_when_ready, daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0
