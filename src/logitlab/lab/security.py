"""The Lab server's guards against other sites and other machines (ASGI middleware).

:class:`SecurityMiddleware` wraps the whole app and does four things:

- **Headers on every HTTP response**: :data:`SECURITY_HEADERS`, a
  Content-Security-Policy that allows scripts, styles, fonts and connections
  from the Lab's own origin only (no inline script, no ``eval``), forbids
  framing, and ``nosniff`` / ``no-referrer``.
- **WebSocket origin check** (no cross-site WebSocket hijacking): a handshake
  whose ``Origin`` is not the server's own — the same scheme, host and port the
  browser used to reach it, read from the ``Host`` header — is refused with
  HTTP 403 before the socket opens. Origins listed in ``allowed_origins`` are
  accepted too (e.g. a Lab behind a reverse proxy).

  *Decision*: a handshake **without** an ``Origin`` header is accepted.
  Browsers always send ``Origin`` on WebSocket handshakes, so a page on another
  site cannot leave it out; a missing ``Origin`` means a non-browser client
  (a script, ``benchmarks/load.py``), which could send any ``Origin`` it liked
  anyway. The literal origin ``null`` (sandboxed frames, ``file:`` pages) is refused.
- **Host check** (DNS rebinding): when ``allowed_hosts`` is not empty, a request
  or handshake whose ``Host`` names another host gets HTTP 400 / 403.
  :func:`~logitlab.lab.server.serve` sets it to the loopback names when it binds
  a loopback address, so a page on ``evil.example`` re-pointed at 127.0.0.1
  cannot read the Lab.
- **Request body limit**: a request body over ``max_body_bytes`` gets HTTP 413
  (nothing in the Lab takes uploads over HTTP yet; a future CSV upload is bounded
  by :data:`~logitlab.lab.protocol.MAX_CSV_BYTES`).

Static files are served by Starlette's ``StaticFiles``, which resolves every
path (symlinks included) and refuses anything that lands outside its folder;
``tests/lab/test_security.py`` checks ``../``, ``%2e%2e``, absolute paths and
symlinks against it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
"""No inline script or style, nothing from other origins, no framing."""

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
"""Headers added to every HTTP response (replacing any of the same name)."""

LOOPBACK_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
"""Host names a Lab bound to a loopback address answers to."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WS_TO_HTTP = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def is_loopback(host: str) -> bool:
    """True if ``host`` (an address or ``localhost``) only accepts connections from this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(host_header: str, scheme: str) -> tuple[str, int] | None:
    """``(host, port)`` of a ``Host`` header, lower-cased, default port filled in; None if bad."""
    try:
        parts = urlsplit(f"//{host_header}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path or parts.query:
        return None
    return parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def origin_tuple(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an ``Origin`` value, default port filled in; None if bad."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class _BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    """ASGI middleware: security headers, Host and WebSocket Origin checks, body limit.

    Parameters
    ----------
    app : ASGI app
        The app to guard.
    allowed_hosts : iterable of str, default=()
        Host names (without port) requests may be addressed to; empty = any.
    allowed_origins : iterable of str, default=()
        Origins accepted on WebSocket handshakes besides the server's own.
    max_body_bytes : int, default=1 MiB
        Largest HTTP request body accepted.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        max_body_bytes: int = 1 << 20,
    ) -> None:
        self.app = app
        self.allowed_hosts = frozenset(h.strip("[]").lower() for h in allowed_hosts)
        origins = (origin_tuple(o) for o in allowed_origins)
        self.allowed_origins = frozenset(o for o in origins if o is not None)
        self.max_body_bytes = max_body_bytes

    # ----------------------------------------------------------- checks

    def host_problem(self, scope: Scope) -> str | None:
        """Why the request's ``Host`` is not acceptable, or None."""
        scheme = _WS_TO_HTTP.get(str(scope.get("scheme", "http")), "http")
        host = _header(scope, b"host")
        if host is None:
            return None if not self.allowed_hosts else "the request has no Host header"
        split = split_host(host, scheme)
        if split is None:
            return f"the Host header {host!r} is not a host name"
        if self.allowed_hosts and split[0] not in self.allowed_hosts:
            allowed = ", ".join(sorted(self.allowed_hosts))
            return f"this Lab answers only to {allowed}, not {split[0]!r}"
        return None

    def origin_problem(self, scope: Scope) -> str | None:
        """Why a WebSocket handshake's ``Origin`` is refused, or None (see the module notes)."""
        origin = _header(scope, b"origin")
        if origin is None:
            return None
        parsed = origin_tuple(origin)
        if parsed is None:
            return f"the Origin {origin!r} is not a web origin"
        if parsed in self.allowed_origins:
            return None
        scheme = _WS_TO_HTTP.get(str(scope.get("scheme", "ws")), "http")
        host = _header(scope, b"host")
        own = split_host(host, scheme) if host is not None else None
        if own is not None and parsed == (scheme, *own):
            return None
        return f"WebSocket connections from {origin} are not allowed (only from the Lab's own page)"

    # ----------------------------------------------------------- ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            problem = self.host_problem(scope) or self.origin_problem(scope)
            if problem is not None:
                # Closing before accepting makes the server answer the handshake with 403.
                await send({"type": "websocket.close", "code": 1008, "reason": _short(problem)})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.encode("latin-1") for name, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS]
                message = {**message, "headers": headers}
            await send(message)

        problem = self.host_problem(scope)
        if problem is not None:
            await _plain(send_with_headers, 400, f"Bad request: {problem}.")
            return
        length = _header(scope, b"content-length")
        limit = self.max_body_bytes
        too_large = f"Request body too large: at most {limit:,} bytes are accepted."
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _plain(send_with_headers, 413, too_large)
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _BodyTooLarge:
            if started:
                raise
            await _plain(send_with_headers, 413, too_large)


def _short(text: str, limit: int = 120) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (a close reason holds at most 123)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
