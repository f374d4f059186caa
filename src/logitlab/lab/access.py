"""The class server's door: an access token, as Jupyter's (issue 12, "A class server").

Off loopback, ``logitlab serve --host …`` makes a random token (or takes
``--token`` / ``$LOGITLAB_TOKEN``) and prints the address with it:
``http://HOST:PORT/?token=…``. :class:`TokenMiddleware` then lets a request in
only when it carries the token:

- in the query (``?token=…``): a page request is answered with a redirect to the
  same address without the token and a cookie holding it (``HttpOnly``,
  ``SameSite=Strict``), so the token leaves the address bar and later requests
  (static files, the WebSocket, uploads) carry the cookie;
- in the cookie :data:`COOKIE`;
- or in an ``Authorization: token …`` header (scripts, ``benchmarks/load.py``).

Anything else gets HTTP 401 with a page saying how to get in (a WebSocket
handshake: 403). Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "logitlab_token"
"""The cookie that carries the token after the first visit."""
TOKEN_BYTES = 24
"""Random bytes of a generated token (32 URL-safe characters)."""


def new_token() -> str:
    """A fresh random token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _headers(scope: Scope) -> dict[bytes, str]:
    return {bytes(k).lower(): bytes(v).decode("latin-1") for k, v in scope.get("headers", ())}


class TokenMiddleware:
    """ASGI middleware: only requests with the token get through (see the module notes).

    Parameters
    ----------
    app : ASGI app
    token : str
        The token; must not be empty.
    """

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        if not token:
            raise ValueError("the access token must not be empty")
        self.app = app
        self.token = token

    def _matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.encode("utf-8"), self.token.encode("utf-8")
        )

    def _from_cookie(self, headers: dict[bytes, str]) -> str | None:
        raw = headers.get(b"cookie")
        if raw is None:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed Cookie header carries no token
            return None
        morsel = jar.get(COOKIE)
        return morsel.value if morsel is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        query = parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"))
        from_query = next((v for k, v in query if k == "token"), None)
        auth = headers.get(b"authorization", "")
        from_header = auth[6:].strip() if auth.lower().startswith("token ") else None
        if self._matches(self._from_cookie(headers)) or self._matches(from_header):
            await self.app(scope, receive, send)
            return
        if self._matches(from_query):
            if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
                await self._enter(scope, query, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "access token needed"})
            return
        await _refuse(send)

    async def _enter(self, scope: Scope, query: list[tuple[str, str]], send: Send) -> None:
        """Redirect to the address without the token, setting the cookie."""
        rest = urlencode([(k, v) for k, v in query if k != "token"])
        location = str(scope.get("path", "/")) + (f"?{rest}" if rest else "")
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict{secure}"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


REFUSAL = (
    "<!doctype html><meta charset=utf-8><title>logitlab Lab: access token needed</title>"
    "<h1>This Lab needs its access token</h1>"
    "<p>The Lab was started for a class: open the address that <code>logitlab serve</code> "
    "printed, the one ending in <code>?token=…</code>. Ask whoever started it for that "
    "link.</p>"
)


async def _refuse(send: Send) -> None:
    body = REFUSAL.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
