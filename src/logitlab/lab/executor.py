"""The Lab's compute pool: a few worker threads shared fairly by every session.

Every session's numeric work (commands, training slices) runs here, never in
anyio's default thread pool, so page routes, static files and the event loop
never wait behind it. The pool is small (one thread per core, at most
:data:`MAX_THREADS`): more threads would only share the same cores.

Fairness
--------
A session has at most one job in the pool at a time (its connection hands the
next command over only when the previous one is answered). Among the jobs
waiting, a thread always takes the one whose owner has used the least compute
recently: seconds of work, halved every :attr:`ComputePool.half_life` seconds.
A user who clicks now and then is served before forty sessions that train
non-stop, and those forty share what is left in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

MAX_THREADS = 4
"""Threads a pool starts at most by default (more only share the same cores)."""

_log = logging.getLogger(__name__)


def default_threads() -> int:
    """One thread per core this process may use, at most :data:`MAX_THREADS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


@dataclass(order=True)
class _Job:
    usage: float
    order: int
    owner: Hashable = field(compare=False)
    fn: Callable[[], Any] = field(compare=False)
    loop: asyncio.AbstractEventLoop = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


@dataclass
class _Usage:
    seconds: float = 0.0
    updated: float = 0.0


class ComputePool:
    """Worker threads that run jobs by least recent use of their owner (see the module notes).

    Parameters
    ----------
    threads : int or None, default=None
        Worker threads; None = :func:`default_threads`.
    half_life : float, default=10.0
        Seconds after which an owner's counted compute has halved.
    clock : callable, default=time.monotonic
    """

    def __init__(
        self,
        threads: int | None = None,
        *,
        half_life: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        n = default_threads() if threads is None else threads
        if n < 1:
            raise ValueError(f"a compute pool needs at least 1 thread, got {n}")
        self.threads = n
        self.half_life = half_life
        self._clock = clock
        self._heap: list[_Job] = []
        self._usage: dict[Hashable, _Usage] = {}
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._workers: list[threading.Thread] = []
        self._closed = False
        self.running = 0
        """Jobs running in a thread right now."""

    # ----------------------------------------------------------- accounting

    def usage(self, owner: Hashable) -> float:
        """Seconds of compute ``owner`` used recently (decayed)."""
        with self._cond:
            return self._decayed(owner, self._clock())

    def _decayed(self, owner: Hashable, now: float) -> float:
        record = self._usage.get(owner)
        if record is None:
            return 0.0
        return record.seconds * math.exp2(-(now - record.updated) / self.half_life)

    def _charge(self, owner: Hashable, seconds: float) -> None:
        now = self._clock()
        if owner in self._usage or seconds > 0.0:
            self._usage[owner] = _Usage(self._decayed(owner, now) + seconds, now)

    def forget(self, owner: Hashable) -> None:
        """Drop ``owner``'s record (its session closed)."""
        with self._cond:
            self._usage.pop(owner, None)

    @property
    def waiting(self) -> int:
        """Jobs waiting for a thread."""
        with self._cond:
            return len(self._heap)

    # ----------------------------------------------------------- running

    async def run(self, owner: Hashable, fn: Callable[[], T]) -> T:
        """Run ``fn()`` in a worker thread when ``owner``'s turn comes; return its result.

        Cancelling the caller before the job starts removes the job; a job already
        running finishes and its result is dropped.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the compute pool is closed")
            usage = self._decayed(owner, self._clock())
            job = _Job(usage, next(self._order), owner, fn, loop, future)
            heapq.heappush(self._heap, job)
            if len(self._workers) < self.threads:
                worker = threading.Thread(
                    target=self._work, name=f"logitlab-compute-{len(self._workers)}", daemon=True
                )
                self._workers.append(worker)
                worker.start()
            self._cond.notify()
        return await future

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._heap and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = heapq.heappop(self._heap)
                if job.future.cancelled():
                    continue
                self.running += 1
            start = time.perf_counter()
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.fn()
            except BaseException as exc:  # handed to the awaiting coroutine
                error = exc
            elapsed = time.perf_counter() - start
            with self._cond:
                self.running -= 1
                self._charge(job.owner, elapsed)
            try:
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)
            except RuntimeError:  # the event loop has closed: nobody waits any more
                _log.debug("compute job finished after its event loop closed")
            # Hold nothing of the job while waiting for the next (a closed session's memory
            # must be returned).
            del job, result, error

    def close(self) -> None:
        """Stop the threads once they finish their current job; waiting jobs are dropped."""
        with self._cond:
            self._closed = True
            dropped, self._heap = self._heap, []
            self._cond.notify_all()
        for job in dropped:
            with contextlib.suppress(RuntimeError):  # its event loop has closed
                job.loop.call_soon_threadsafe(job.future.cancel)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
