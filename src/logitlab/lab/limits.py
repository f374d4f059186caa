"""How much one Lab server does for whom: session cap, idle time-out and rate limits.

The server keeps one :class:`SessionSlot` per open WebSocket in a
:class:`SessionRegistry`. The registry refuses new sessions over
:attr:`Limits.max_sessions`; each slot owns its :class:`~logitlab.lab.session.LabSession`
and two token buckets:

- **messages**: every incoming message costs one token
  (:attr:`Limits.messages_per_second`, bursts of :attr:`Limits.message_burst`);
- **training steps**: a ``train`` command costs one token per optimizer step
  (:attr:`Limits.train_steps_per_second`, bursts of :attr:`Limits.train_step_burst`).

Decisions the issue left open, recorded here:

- **Excess is refused, not coalesced.** A command over a limit gets an error
  frame that says to slow down and how long to wait; the session is unchanged
  and the connection stays open. The page never gets there by itself: it keeps
  one ``train`` command in flight, and the defaults allow twice the fastest
  Auto-train speed (2,000 steps per second) and bursts of two maximal commands.
- **Auto-train is coalesced to a time budget.** An Auto-train tick
  (``train`` with ``auto: true``) runs at most as many steps as fit in
  :attr:`Limits.auto_frame_seconds` of this session's measured step time; the
  frame reports the steps actually taken. An overloaded server thus answers every
  tick promptly with fewer steps, instead of the page asking for ever larger
  batches that take ever longer (and hold up its slider drags and probes behind
  them). "Train 1 step" / "Train 100 steps" (``auto: false``) run exactly.
- **Idle** means no message for :attr:`Limits.idle_timeout` seconds; the server
  then closes the socket with :data:`IDLE_CLOSE_CODE` and drops the session, so
  its memory is returned. The page reconnects when it is used again and rebuilds
  the session from its own state.
- **Over the cap** the server accepts the socket only to send one error frame
  saying it is full, then closes it with code 1013 (try again later).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from logitlab.lab.protocol import MAX_STEPS_PER_COMMAND
from logitlab.lab.session import LabSession

IDLE_CLOSE_CODE = 4000
"""WebSocket close code for a session closed after :attr:`Limits.idle_timeout` without use."""
FULL_CLOSE_CODE = 1013
"""WebSocket close code (RFC 6455 "try again later") when the session cap is reached."""


@dataclass(frozen=True)
class Limits:
    """Per-server and per-session limits.

    Parameters
    ----------
    max_sessions : int, default=100
        Open WebSocket sessions at most; one more is refused with a clear message.
    idle_timeout : float, default=1800.0
        Seconds without a message after which a session is closed and dropped.
    messages_per_second, message_burst : float, int, default=1000.0, 2000
        Token bucket over every incoming message of one session.
    train_steps_per_second, train_step_burst : float, int, default=4000.0, 20000
        Token bucket over the optimizer steps ``train`` commands ask for.
    auto_frame_seconds : float, default=0.05
        Work one Auto-train tick may take (see the module notes).
    slice_seconds : float, default=0.05
        Work one job of a longer ``train`` may take: a "Train 100 steps" at many
        points runs as several such slices, other sessions' work between them.
    hello_timeout : float, default=10.0
        Seconds a new WebSocket may stay silent before its first message; then it
        is closed (code 4000) and its session slot freed.
    queue_limit : int, default=64
        Commands of one session waiting for their turn at most; one more is
        answered with an error frame (the connection stays open).
    request_timeout : float, default=10.0
        Seconds an HTTP request may take to arrive in full (headers and body);
        then its connection is closed (:mod:`logitlab.lab.connections`).
    connections_per_client : int, default=64
        Open connections (HTTP and WebSocket) from one client address at most.
    """

    max_sessions: int = 100
    idle_timeout: float = 1800.0
    messages_per_second: float = 1000.0
    message_burst: int = 2000
    train_steps_per_second: float = 4000.0
    train_step_burst: int = 2 * MAX_STEPS_PER_COMMAND
    auto_frame_seconds: float = 0.05
    slice_seconds: float = 0.05
    hello_timeout: float = 10.0
    queue_limit: int = 64
    request_timeout: float = 10.0
    connections_per_client: int = 64

    def __post_init__(self) -> None:
        checks = {
            "max_sessions": self.max_sessions >= 1,
            "idle_timeout": self.idle_timeout > 0.0,
            "messages_per_second": self.messages_per_second > 0.0,
            "message_burst": self.message_burst >= 1,
            "train_steps_per_second": self.train_steps_per_second > 0.0,
            "train_step_burst": self.train_step_burst >= MAX_STEPS_PER_COMMAND,
            "auto_frame_seconds": self.auto_frame_seconds > 0.0,
            "slice_seconds": self.slice_seconds > 0.0,
            "hello_timeout": self.hello_timeout > 0.0,
            "queue_limit": self.queue_limit >= 1,
            "request_timeout": self.request_timeout > 0.0,
            "connections_per_client": self.connections_per_client >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                allowed = (
                    f"at least {MAX_STEPS_PER_COMMAND} (one maximal train command)"
                    if name == "train_step_burst"
                    else "a positive number"
                    if isinstance(getattr(self, name), float)
                    else "a positive integer"
                )
                raise ValueError(f"Limits.{name} must be {allowed}, got {getattr(self, name)!r}")


class TokenBucket:
    """A token bucket: ``rate`` tokens per second accumulate up to ``burst``.

    Parameters
    ----------
    rate : float
        Tokens added per second.
    burst : float
        Most tokens held (the bucket starts full).
    clock : callable, default=time.monotonic
        Seconds, for tests.
    """

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock()

    def take(self, cost: float = 1.0) -> float:
        """Take ``cost`` tokens if there are enough; return 0.0, else the seconds to wait."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        cost = min(cost, self.burst)
        if self._tokens >= cost:
            self._tokens -= cost
            return 0.0
        return (cost - self._tokens) / self.rate


def peek_command(text: str | bytes) -> tuple[str | None, int, int]:
    """``(type, seq, steps)`` of a message, as far as it can be read without validating it.

    ``steps`` is the number of optimizer steps a ``train`` command asks for (0 otherwise);
    ``type`` is None and ``seq`` 0 when the message is not a JSON object.
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None, 0, 0
    if not isinstance(data, dict):
        return None, 0, 0
    kind = data.get("type")
    kind = kind if isinstance(kind, str) else None
    seq = data.get("seq")
    seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq <= 2**53 else 0
    steps = data.get("steps")
    if kind != "train" or not isinstance(steps, int) or isinstance(steps, bool) or steps <= 0:
        return kind, seq, 0
    return kind, seq, min(steps, MAX_STEPS_PER_COMMAND)


FIRST_AUTO_STEPS = 100
"""Steps an Auto-train tick may take before the session's step time has been measured."""
FIRST_SLICE_STEPS = 10
"""Steps the first slice of a long ``train`` takes, to measure the step time."""


@dataclass
class SessionSlot:
    """One open WebSocket's session and its rate limits."""

    session: LabSession
    messages: TokenBucket
    steps: TokenBucket
    auto_frame_seconds: float = 0.05
    busy: bool = False
    """True while the session's work runs in a worker thread."""
    step_seconds: float | None = None
    """Moving average of the time one optimizer step takes in this session."""

    def auto_steps(self, steps: int) -> int:
        """How many of the ``steps`` an Auto-train tick asks for fit its time budget."""
        return self.slice_steps(steps, self.auto_frame_seconds)

    def slice_steps(self, steps: int, budget: float, first: int = FIRST_AUTO_STEPS) -> int:
        """How many of ``steps`` fit one slice of ``budget`` seconds (at least 1).

        ``first``: the steps taken while the step time is not measured yet.
        """
        if self.step_seconds is None:
            return min(steps, first)
        return max(1, min(steps, int(budget / self.step_seconds)))

    def coalesce_auto_train(self, text: str, steps: int) -> tuple[str, int]:
        """An Auto-train tick asking for ``steps`` (as peeked) cut to :meth:`auto_steps`.

        Returns the message to handle and the steps it asks for; anything but a
        well-formed Auto-train tick is returned as it is (validation judges it).
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("auto") is not True or data["steps"] != steps:
            return text, steps
        allowed = self.auto_steps(steps)
        if allowed >= steps:
            return text, steps
        return json.dumps({**data, "steps": allowed}), allowed

    def observe(self) -> None:
        """Update :attr:`step_seconds` from the session's last command."""
        timing = self.session.timing
        if timing.n_steps <= 0:
            return
        cost = timing.steps / timing.n_steps
        old = self.step_seconds
        self.step_seconds = cost if old is None else 0.7 * old + 0.3 * cost

    def admit_message(self) -> str | None:
        """None if one more message may be handled now, else why not (for an error frame)."""
        wait = self.messages.take(1.0)
        if wait == 0.0:
            return None
        return (
            f"too many messages: at most {self.messages.rate:,.0f} per second per session; "
            f"slow down (retry in {_seconds(wait)})"
        )

    def admit_training(self, steps: int) -> str | None:
        """None if ``steps`` more optimizer steps may run now, else why not."""
        if steps <= 0:
            return None
        wait = self.steps.take(float(steps))
        if wait == 0.0:
            return None
        return (
            f"too many training steps: at most {self.steps.rate:,.0f} steps per second "
            f"per session (bursts up to {self.steps.burst:,.0f}); slow down "
            f"(retry in {_seconds(wait)})"
        )


def _seconds(wait: float) -> str:
    return f"{math.ceil(wait * 10) / 10:.1f} s"


class SessionRegistry:
    """The open sessions of one server, at most :attr:`Limits.max_sessions` of them.

    Thread-safe; the server opens and closes slots from its event loop.
    """

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._live: dict[int, SessionSlot] = {}
        self._lock = threading.Lock()

    def open(self) -> SessionSlot | None:
        """A new slot with a fresh default session, or None when the cap is reached."""
        with self._lock:
            if len(self._live) >= self.limits.max_sessions:
                return None
            lim = self.limits
            slot = SessionSlot(
                session=LabSession(),
                messages=TokenBucket(lim.messages_per_second, lim.message_burst, self._clock),
                steps=TokenBucket(lim.train_steps_per_second, lim.train_step_burst, self._clock),
                auto_frame_seconds=lim.auto_frame_seconds,
            )
            self._live[id(slot)] = slot
            return slot

    def close(self, slot: SessionSlot) -> None:
        """Forget ``slot`` (its session is freed once nothing else refers to it)."""
        with self._lock:
            self._live.pop(id(slot), None)

    def full_message(self) -> str:
        return (
            f"the Lab server is full: it serves at most {self.limits.max_sessions:,} sessions "
            "at once (see `logitlab serve --max-sessions`); close another Lab tab or try "
            "again in a minute"
        )

    def slots(self) -> list[SessionSlot]:
        """The open slots now (a snapshot)."""
        with self._lock:
            return list(self._live.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)

    @property
    def busy(self) -> int:
        """Sessions whose work is running in a worker thread right now."""
        with self._lock:
            return sum(slot.busy for slot in self._live.values())
