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
- **State-changing requests** (any method but GET, HEAD, OPTIONS) from another
  site are refused with HTTP 403, as WebSocket handshakes are: an ``Origin``
  must be the server's own (or allowed), and without ``Origin`` a
  ``Sec-Fetch-Site`` must say ``same-origin`` or ``none``. A request with
  neither header is a non-browser client and is accepted (the decision above).
  The routes of ``content_types`` take only their declared ``Content-Type``
  (HTTP 415 otherwise, naming it): a cross-site form or ``no-cors`` fetch can
  send only ``text/plain``, form types or none at all, never ``application/json``.
  A browser request (``Origin`` or ``Sec-Fetch-Site`` present) without a
  ``Content-Type`` is refused too; a non-browser client may leave it out.
- **Rate limits per client address** (HTTP 429 with ``Retry-After``): one token
  bucket for ``/api/`` routes and one for everything else (pages, static files),
  see :class:`HttpRates`.
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
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""HTTP methods that change nothing (no Origin check)."""


@dataclass(frozen=True)
class HttpRates:
    """Per-client-address request rates (token buckets), for :class:`SecurityMiddleware`.

    Parameters
    ----------
    api_per_second, api_burst : float
        Requests to ``/api/...`` (uploads, data by hash).
    other_per_second, other_burst : float
        Every other request (pages, static files: a page load is about 40 of them).
    max_clients : int
        Addresses remembered at most (the least recently seen are forgotten).
    """

    api_per_second: float = 10.0
    api_burst: float = 40.0
    other_per_second: float = 200.0
    other_burst: float = 600.0
    max_clients: int = 10_000


class _Buckets:
    """Token buckets by key, bounded in number (least recently used dropped)."""

    def __init__(self, rate: float, burst: float, size: int, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.size, self._clock = rate, burst, size, clock
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 if a request may go now, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, then = self._state.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._state[key] = (tokens, now)
            while len(self._state) > self.size:
                self._state.popitem(last=False)
        return wait


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
    content_types : mapping of str to tuple of str, default={}
        For these paths, the media types a state-changing request must declare.
    rates : HttpRates or None, default=None
        Request rates per client address; None = no rate limit.
    clock : callable, default=time.monotonic
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        max_body_bytes: int = 1 << 20,
        content_types: Mapping[str, tuple[str, ...]] | None = None,
        rates: HttpRates | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.content_types = {
            path: tuple(t.lower() for t in types) for path, types in (content_types or {}).items()
        }
        self.rates = rates
        self._api = self._other = None
        if rates is not None:
            size = rates.max_clients
            self._api = _Buckets(rates.api_per_second, rates.api_burst, size, clock)
            self._other = _Buckets(rates.other_per_second, rates.other_burst, size, clock)
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

    def site_problem(self, scope: Scope) -> str | None:
        """Why a state-changing request looks sent by another site, or None."""
        origin = _header(scope, b"origin")
        if origin is not None:
            problem = self.origin_problem(scope)
            return None if problem is None else problem.replace("WebSocket connections", "Requests")
        site = _header(scope, b"sec-fetch-site")
        if site is None or site.strip().lower() in ("same-origin", "none"):
            return None
        return f"requests from another site (Sec-Fetch-Site: {site}) may not change the Lab's data"

    def content_type_problem(self, scope: Scope) -> str | None:
        """Why the request's ``Content-Type`` is wrong for its path, or None."""
        wanted = self.content_types.get(str(scope.get("path", "")))
        if not wanted:
            return None
        declared = _header(scope, b"content-type")
        if declared is None:
            browser = _header(scope, b"origin") or _header(scope, b"sec-fetch-site")
            if browser is None:
                return None  # a non-browser client (see the module notes)
            return f"the request has no Content-Type; send it as {' or '.join(wanted)}"
        media = declared.split(";", 1)[0].strip().lower()
        if media in wanted:
            return None
        allowed = " or ".join(wanted)
        return f"Content-Type {media or declared!r} is not accepted here; send {allowed}"

    def rate_wait(self, scope: Scope) -> float:
        """0.0 if the client may make this request now, else the seconds to wait."""
        if self._api is None or self._other is None:
            return 0.0
        client = scope.get("client")
        address = str(client[0]) if client else ""
        api = str(scope.get("path", "")).startswith("/api/")
        return (self._api if api else self._other).take(address)

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
        wait = self.rate_wait(scope)
        if wait > 0.0:
            seconds = max(1, math.ceil(wait))
            await _plain(
                send_with_headers,
                429,
                f"Too many requests from your address: slow down (retry in {seconds} s).",
                extra=[(b"retry-after", str(seconds).encode("ascii"))],
            )
            return
        if str(scope.get("method", "GET")).upper() not in SAFE_METHODS:
            problem = self.site_problem(scope)
            if problem is not None:
                await _plain(send_with_headers, 403, f"Forbidden: {problem}.")
                return
            problem = self.content_type_problem(scope)
            if problem is not None:
                await _plain(send_with_headers, 415, f"Unsupported media type: {problem}.")
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


async def _plain(
    send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
