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
non-stop, and those forty share what is left in turn. An owner the pool has not
seen yet counts as having used :data:`NEWCOMER_SECONDS` (one slice of work), so
a burst of new sessions does not go ahead of the light users already there.

Waiting earns credit: every second a job waits cancels :data:`AGING` seconds of
its owner's counted use. Without it a session whose last job happened to be long
would wait behind every session that had used less, however long that took
(strict least-attained-service starves the unlucky among equals).

An owner may belong to a *group* (the server uses the client's address): a job
is ranked by its owner's use plus its group's, so forty sessions opened from one
address share one address's turn with a user's single session from another.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

AGING = 1.0
"""Seconds of counted use one second of waiting cancels (see the module notes)."""
MAX_RECORDS = 10_000
"""Usage records kept before the negligible ones are dropped."""
NEWCOMER_SECONDS = 0.05
"""The compute an owner's first job is ranked by (see the module notes)."""
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


@dataclass
class _Job:
    order: int
    queued: float
    owner: Hashable
    group: Hashable
    fn: Callable[[], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


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
        self._waiting: list[_Job] = []
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

    def _decayed(self, owner: Hashable, now: float, unseen: float = NEWCOMER_SECONDS) -> float:
        record = self._usage.get(owner)
        if record is None:
            return unseen
        return record.seconds * math.exp2(-(now - record.updated) / self.half_life)

    def _charge(self, owner: Hashable, seconds: float) -> None:
        now = self._clock()
        self._usage[owner] = _Usage(self._decayed(owner, now, unseen=0.0) + seconds, now)
        if len(self._usage) > MAX_RECORDS:  # forget groups whose use has decayed away
            for key in [k for k in self._usage if self._decayed(k, now) < 1e-4]:
                del self._usage[key]

    def forget(self, owner: Hashable) -> None:
        """Drop ``owner``'s record (its session closed)."""
        with self._cond:
            self._usage.pop(owner, None)

    @property
    def waiting(self) -> int:
        """Jobs waiting for a thread."""
        with self._cond:
            return len(self._waiting)

    # ----------------------------------------------------------- running

    async def run(self, owner: Hashable, fn: Callable[[], T], group: Hashable = None) -> T:
        """Run ``fn()`` in a worker thread when ``owner``'s turn comes; return its result.

        ``group``: what else ``owner``'s use is counted with (see the module notes).

        Cancelling the caller before the job starts removes the job; a job already
        running finishes and its result is dropped.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the compute pool is closed")
            job = _Job(next(self._order), self._clock(), owner, group, fn, loop, future)
            self._waiting.append(job)
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
                while not self._waiting and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._next_job()
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
                if job.group is not None:
                    self._charge(_Group(job.group), elapsed)
            try:
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)
            except RuntimeError:  # the event loop has closed: nobody waits any more
                _log.debug("compute job finished after its event loop closed")
            # Hold nothing of the job while waiting for the next (a closed session's memory
            # must be returned).
            del job, result, error

    def _rank(self, job: _Job, now: float) -> tuple[float, int]:
        usage = self._decayed(job.owner, now)
        if job.group is not None:
            usage += self._decayed(_Group(job.group), now, unseen=0.0)
        return usage - AGING * (now - job.queued), job.order

    def _next_job(self) -> _Job:
        """The waiting job whose owner (and group) used least, ranked now (lock held).

        Ranked at the moment a thread is free, not when the job arrived: forty jobs that
        arrived together are ranked by what their group has used since.
        """
        now = self._clock()
        best = min(range(len(self._waiting)), key=lambda i: self._rank(self._waiting[i], now))
        return self._waiting.pop(best)

    def close(self) -> None:
        """Stop the threads once they finish their current job; waiting jobs are dropped."""
        with self._cond:
            self._closed = True
            dropped, self._waiting = self._waiting, []
            self._cond.notify_all()
        for job in dropped:
            with contextlib.suppress(RuntimeError):  # its event loop has closed
                job.loop.call_soon_threadsafe(job.future.cancel)


@dataclass(frozen=True)
class _Group:
    """The key of a group's usage record (never equal to an owner's key)."""

    key: Hashable


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
