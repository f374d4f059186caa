"""The Lab's web server: a FastAPI app factory and the ``serve`` entry point.

Routes
------
``GET /``
    The Lab page: the template ``lab/pages/lab.html`` with every
    ``<!-- slot:NAME -->`` comment replaced by the HTML of
    :data:`logitlab.lab.content.SLOTS` (derivation, try-this, in-one-glance, faq).
``GET /static/...``
    Files of the package's ``lab/static`` folder, and nothing outside it.
``WS /ws``
    One :class:`~logitlab.lab.session.LabSession` per connection. Every text
    message is validated as a command; an invalid one is answered with an error
    frame and the connection stays open. The numeric work runs in a worker
    thread so the event loop stays free.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import webbrowser
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from logitlab.lab import content
from logitlab.lab.protocol import MAX_MESSAGE_BYTES, ErrorFrame
from logitlab.lab.session import LabSession

SLOT = re.compile(r"<!--\s*slot:([a-z0-9-]+)\s*-->")
"""A place in a page template where :data:`logitlab.lab.content.SLOTS` HTML goes."""


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
        Largest WebSocket message accepted; larger ones get an error frame.
    pages_dir, static_dir : Path or None
        Where the page templates and static files are; None = inside the package.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    max_message_bytes: int = MAX_MESSAGE_BYTES
    pages_dir: Path | None = None
    static_dir: Path | None = None


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
    app = FastAPI(title="logitlab Lab", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings

    @app.get("/", response_class=HTMLResponse)
    def lab_page() -> Response:
        template = pages_dir / "lab.html"
        try:
            text = template.read_text(encoding="utf-8")
        except FileNotFoundError:
            return PlainTextResponse(
                f"The Lab page template is missing: {template}", status_code=500
            )
        return HTMLResponse(render_page(text))

    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")

    @app.websocket("/ws")
    async def lab_socket(websocket: WebSocket) -> None:
        await websocket.accept()
        session = LabSession()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    reply = _error("send commands as JSON text messages, not binary ones")
                elif len(text) > settings.max_message_bytes or (
                    len(text.encode("utf-8")) > settings.max_message_bytes
                ):
                    reply = _error(
                        f"message too large: at most {settings.max_message_bytes:,} bytes allowed"
                    )
                else:
                    reply = await anyio.to_thread.run_sync(session.handle_json, text)
                await websocket.send_text(reply)
        except WebSocketDisconnect:
            return

    return app


def _error(message: str, seq: int = 0) -> str:
    return ErrorFrame(seq=seq, message=message).model_dump_json()


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str, port: int, open_browser: bool) -> int:
    """Run the Lab server until interrupted; returns the exit status.

    Prints the address, and opens it in the default browser once the server
    is listening unless ``open_browser`` is False.
    """
    import uvicorn

    if not _port_free(host, port):
        print(f"logitlab: cannot listen on {host}:{port} (in use?); try --port {port + 1}")
        return 1
    settings = Settings(host=host, port=port)
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=settings.max_message_bytes + 1024,
    )
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
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
