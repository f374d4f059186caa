"""One WebSocket connection of the Lab: read all the time, answer in order, in bounded work.

A :class:`Channel` runs two tasks for its socket:

- the **reader** takes every message off the socket as soon as it arrives (so
  the WebSocket layer keeps reading and answering pings however much work
  waits), refuses what cannot be a command (binary, too large) and queues the
  rest, at most :attr:`~logitlab.lab.limits.Limits.queue_limit` of them; one
  more gets an error frame saying to wait for the answers. The first message
  must come within :attr:`~logitlab.lab.limits.Limits.hello_timeout`, every
  later one within :attr:`~logitlab.lab.limits.Limits.idle_timeout`.
- the **answerer** takes the queued commands one at a time and runs each in
  the server's :class:`~logitlab.lab.executor.ComputePool` (one job of this
  session in the pool at a time, so sessions share it fairly). A ``train``
  that would take longer than :attr:`~logitlab.lab.limits.Limits.slice_seconds`
  runs as several jobs of about that length (other sessions' work runs between
  them) and is answered once, by the frame after its last step, as before.

Every send goes through one lock and stops once the socket is closed, so a
reply that finishes after the client left is dropped instead of being sent
after ``websocket.close``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass

import anyio
import pydantic
from fastapi import WebSocket, WebSocketDisconnect

from logitlab.lab.executor import ComputePool
from logitlab.lab.limits import (
    FIRST_SLICE_STEPS,
    IDLE_CLOSE_CODE,
    Limits,
    SessionSlot,
    peek_command,
)
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import COMMAND_ADAPTER, ErrorFrame, Train
from logitlab.lab.repair import repair_hello
from logitlab.lab.session import FrameTiming

_log = logging.getLogger(__name__)


def error_json(message: str, seq: int = 0) -> str:
    """The JSON of an error frame."""
    return ErrorFrame(seq=seq, message=message).model_dump_json()


@dataclass
class _TrainRun:
    """A ``train`` longer than one slice: what is left of it."""

    seq: int
    remaining: int


class Channel:
    """Serve one accepted WebSocket until it closes (see the module notes).

    Parameters
    ----------
    websocket : WebSocket
        Accepted already.
    slot : SessionSlot
        The session and its rate limits.
    limits : Limits
    pool : ComputePool
    max_message_bytes : int
        Larger text messages get an error frame.
    """

    def __init__(
        self,
        websocket: WebSocket,
        slot: SessionSlot,
        limits: Limits,
        pool: ComputePool,
        max_message_bytes: int,
    ) -> None:
        self.websocket = websocket
        self.slot = slot
        self.owner = id(slot)
        """This session's key in the compute pool's accounting."""
        client = websocket.client
        self.group = client.host if client is not None else None
        """The client's address: its sessions share one turn in the pool."""
        self.limits = limits
        self.pool = pool
        self.max_message_bytes = max_message_bytes
        self.closed = False
        self._send_lock = anyio.Lock()
        self._queue_in, self._queue_out = anyio.create_memory_object_stream[str](
            max_buffer_size=limits.queue_limit
        )

    async def run(self) -> None:
        """Read and answer until the client leaves or stays silent too long."""
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._answer_all)
                try:
                    await self._read_all()
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            self.closed = True
            self._queue_in.close()
            self._queue_out.close()
            self.pool.forget(self.owner)

    # ----------------------------------------------------------- sending

    async def send(self, text: str) -> None:
        """Send ``text`` unless the socket is closed (then drop it)."""
        async with self._send_lock:
            if self.closed:
                return
            try:
                await self.websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True

    async def close(self, code: int, reason: str) -> None:
        async with self._send_lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.close(code=code, reason=reason)

    # ----------------------------------------------------------- reading

    async def _read_all(self) -> None:
        timeout, why = self.limits.hello_timeout, "no message"
        while True:
            message = None
            with anyio.move_on_after(timeout):
                message = await self.websocket.receive()
            if message is None:
                await self.close(IDLE_CLOSE_CODE, f"idle ({why}); reconnect to continue")
                return
            if message["type"] == "websocket.disconnect":
                self.closed = True
                return
            timeout, why = self.limits.idle_timeout, "no message"
            text = message.get("text")
            limit = self.max_message_bytes
            if text is None:
                await self.send(error_json("send commands as JSON text messages, not binary ones"))
            elif len(text) > limit or len(text.encode("utf-8")) > limit:
                await self.send(error_json(f"message too large: at most {limit:,} bytes allowed"))
            else:
                try:
                    self._queue_in.send_nowait(text)
                except anyio.WouldBlock:
                    _, seq, _ = peek_command(text)
                    await self.send(
                        error_json(
                            f"too many commands waiting: at most {self.limits.queue_limit} "
                            "per session; wait for the answers before sending more "
                            "(this command was not applied)",
                            seq,
                        )
                    )

    # ----------------------------------------------------------- answering

    async def _answer_all(self) -> None:
        async for text in self._queue_out:
            self.slot.busy = True
            try:
                reply = await self._answer(text)
            finally:
                self.slot.busy = False
            await self.send(reply)

    async def _answer(self, text: str) -> str:
        slot = self.slot
        budget = self.limits.slice_seconds
        kind, _, _ = peek_command(text)
        if kind == "hello":
            repaired = await self.pool.run(self.owner, lambda: repair_hello(text), self.group)
            if repaired is not None:
                text, problems = repaired
                reply = await self.pool.run(
                    self.owner, lambda: _start(slot, text, budget), self.group
                )
                if not isinstance(reply, str):  # a hello never runs in slices
                    return error_json("internal error: a hello was planned as training")
                if not reply.startswith('{"type":"frame"'):
                    return reply  # refused (e.g. rate limits) or not repairable after all
                await self.send(reply)
                # After the frame, so the page keeps the state it was given (seq 0: no
                # command of the page's answers to it).
                return error_json(
                    "This link's lab state was not valid in part; these fields were left "
                    f"out and the rest kept: {'; '.join(problems)}"
                )
        first = await self.pool.run(self.owner, lambda: _start(slot, text, budget), self.group)
        if isinstance(first, str):
            return first
        run = first
        while True:
            step = functools.partial(_train_slice, slot, run, budget)
            done = await self.pool.run(self.owner, step, self.group)
            if done is not None:
                return done


def _start(slot: SessionSlot, text: str, budget: float) -> str | _TrainRun:
    """One message's reply after the rate limits, or the plan of a long ``train``."""
    _, seq, steps = peek_command(text)
    if steps > 0:
        text, steps = slot.coalesce_auto_train(text, steps)
    refusal = slot.admit_message() or slot.admit_training(steps)
    if refusal is not None:
        return error_json(refusal, seq)
    if steps > 0 and slot.slice_steps(steps, budget) < steps:
        try:
            command = COMMAND_ADAPTER.validate_json(text, strict=True)
        except pydantic.ValidationError:
            command = None  # handle_json words the error
        if isinstance(command, Train):
            return _TrainRun(seq=command.seq, remaining=command.steps)
    reply = slot.session.handle_json(text)
    slot.observe()
    return reply


def _train_slice(slot: SessionSlot, run: _TrainRun, budget: float) -> str | None:
    """Take one slice of ``run``'s steps; the reply once it is done, else None."""
    session = slot.session
    steps = slot.slice_steps(run.remaining, budget, first=FIRST_SLICE_STEPS)
    session.timing = FrameTiming()
    try:
        session.train(steps)
    except CommandError as exc:
        return error_json(str(exc), run.seq)
    except Exception as exc:  # a bug must not end the user's session
        _log.exception("Lab training slice failed")
        return error_json(
            f"internal error while training ({type(exc).__name__}: {exc}); "
            "training stopped at the last good step",
            run.seq,
        )
    taken = session.timing.n_steps
    slot.observe()
    run.remaining -= steps
    if run.remaining <= 0 or taken < steps:  # done, or stopped at the weight limit
        return session.frame_json(run.seq)
    return None
