"""Connections below the app: per-address caps and a deadline for every HTTP request.

A slow or silent client must not hold what others need (issue 12, item 4). The
ASGI app only sees a request once its headers are complete, so these guards sit
in uvicorn's HTTP protocol (:func:`guarded_protocol` makes a subclass of its h11
protocol):

- **at most** :attr:`~logitlab.lab.limits.Limits.connections_per_client`
  **connections per client address** (HTTP and WebSocket together); one more is
  closed as soon as it is accepted, so a flood from one address cannot use up the
  server's file descriptors;
- **a request must be complete within**
  :attr:`~logitlab.lab.limits.Limits.request_timeout` seconds of its first byte
  being awaited (the connection opened, or the previous response finished);
  otherwise the connection is closed (slowloris). A WebSocket is past this once
  its handshake is complete; its own deadlines are the session's (a first message
  within ``hello_timeout``, then ``idle_timeout``).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class ConnectionGuard:
    """Counts open connections per client address and refuses those over ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.refused = 0
        """Connections closed at once for being over the cap (since start)."""

    def acquire(self, address: str) -> bool:
        """Count one more connection from ``address``; False (not counted) over the cap."""
        with self._lock:
            if self._open[address] >= self.limit:
                self.refused += 1
                return False
            self._open[address] += 1
            return True

    def release(self, address: str) -> None:
        with self._lock:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]

    def open_from(self, address: str) -> int:
        """Connections from ``address`` open now."""
        with self._lock:
            return self._open[address]


def guarded_protocol(guard: ConnectionGuard, request_timeout: float) -> type[H11Protocol]:
    """A uvicorn h11 protocol class with ``guard`` and a request deadline (module notes)."""

    class GuardedH11Protocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._address = ""
            self._counted = False
            self._deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            self._counted = guard.acquire(self._address)
            if not self._counted:
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self._release()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                self._disarm()  # the request is complete (or the connection is done)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm()  # the next request on this connection gets its own deadline

        def handle_websocket_upgrade(self, event: h11.Request) -> None:
            self._disarm()
            super().handle_websocket_upgrade(event)
            if not self._counted:
                return
            # The WebSocket protocol owns the transport now: it gives the slot back.
            self._counted = False
            protocol = self.transport.get_protocol()
            lost = protocol.connection_lost
            address = self._address

            def connection_lost(exc: Exception | None) -> None:
                guard.release(address)
                lost(exc)

            protocol.connection_lost = connection_lost  # type: ignore[method-assign]

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(request_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
                self.transport.close()

        def _release(self) -> None:
            if self._counted:
                self._counted = False
                guard.release(self._address)

    return GuardedH11Protocol
