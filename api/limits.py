"""Bounds on expensive work, so that tiles and downloads cannot starve the cheap routes.

Each kind of expensive request (vector tiles, download files, whole GeoJSON layers) has a fixed number of
jobs running at once and a short queue; a request that finds both full is answered 503 with
``Retry-After`` at once instead of piling up threads and memory. The jobs run in threads admitted by the
limiters here, never through the default thread pool, which the cheap sync routes (and FastAPI's sync
dependencies) keep for themselves.

All kinds together also share a small number of threads: the threads of a process share one GIL, and
every thread that wants it delays the event loop, which needs it for each step of every request —
/healthz included. More CPUs call for more worker processes, not more threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from fastapi import Request

from app.errors import Busy
from app.settings import Settings

T = TypeVar("T")

# Retry-After stays within these bounds (seconds) whatever the jobs' recent durations suggest.
MIN_RETRY_AFTER, MAX_RETRY_AFTER = 1, 60


class JobLimiter:
    """At most ``running`` jobs of one kind run at once, each in a thread; ``queued`` more may wait for a
    slot; any further request is refused with :class:`Busy`."""

    def __init__(
        self, kind: str, running: int, queued: int, threads: anyio.CapacityLimiter, *, large: bool = True
    ) -> None:
        self.kind, self.running, self.queued = kind, running, queued
        # Jobs that allocate megabytes (files, whole layers) hand their freed heap back when they end; a
        # tile allocates little, and trimming after each would only cost time on a hot path.
        self.large = large
        self.capacity = anyio.CapacityLimiter(running)
        self.threads = threads  # shared by every kind
        # Only the event loop touches these (no await between check and update), so no lock is needed.
        self.admitted = 0
        self.mean_seconds = 1.0  # a moving average of job durations, for Retry-After

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in a thread of this kind's own, once a slot is free; :class:`Busy` if the
        queue is full too."""
        if self.admitted >= self.running + self.queued:
            raise Busy(self.kind, self.retry_after())
        self.admitted += 1
        try:
            async with self.capacity:
                return await anyio.to_thread.run_sync(self._timed, function, *args, limiter=self.threads)
        finally:
            self.admitted -= 1

    def retry_after(self) -> int:
        """Seconds until the queue has likely moved on by a full round."""
        rounds = (self.running + self.queued) / self.running
        return max(MIN_RETRY_AFTER, min(MAX_RETRY_AFTER, math.ceil(self.mean_seconds * rounds)))

    def _timed(self, function: Callable[..., T], *args: object) -> T:
        started = time.monotonic()
        try:
            return function(*args)
        finally:
            # Written from worker threads; a lost update of an estimate is harmless.
            self.mean_seconds = 0.8 * self.mean_seconds + 0.2 * (time.monotonic() - started)
            if self.large:
                release_free_memory()


def _malloc_trim() -> Callable[[], object] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to release this way
        return None
    return lambda: trim(0)


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Hand the heap pages freed by a finished job back to the system. A job (a GeoPackage, a whole layer)
    allocates tens of megabytes in its thread's malloc arena; glibc keeps freed pages of every arena for
    reuse, so without this a worker's memory grows with each arena a job has touched, not with the work
    in progress."""
    if _TRIM is not None:
        _TRIM()


@dataclass(frozen=True)
class Limits:
    """The limiters of one application, on ``app.state.limits``."""

    tiles: JobLimiter
    downloads: JobLimiter
    layers: JobLimiter  # /api/map/{layer} and /ogc items: whole layers as GeoJSON
    health: anyio.CapacityLimiter  # /healthz's own thread when it has to look at the store

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limiters sized by ``settings``."""
        queue, threads = settings.job_queue, anyio.CapacityLimiter(settings.job_threads)
        return cls(
            tiles=JobLimiter("vector tiles", settings.tile_jobs, queue, threads, large=False),
            downloads=JobLimiter("downloads", settings.download_jobs, queue, threads),
            layers=JobLimiter("map layers", settings.layer_jobs, queue, threads),
            health=anyio.CapacityLimiter(1),
        )


def limits(request: Request) -> Limits:
    """The application's limiters."""
    return request.app.state.limits
