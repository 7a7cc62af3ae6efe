"""Job queue: named handlers, serializable payloads, per-key ordering.

A job is a handler *name* and a JSON-able payload, never a closure, so the
in-process asyncio queue here and a distributed one (Celery, arq) are
drop-in alternatives behind ``JobQueue``. Jobs with the same ``key`` (a repo
+ project) run one after another in submission order; different keys run in
parallel up to ``workers``. Every job has a timeout: when it fires the
handler is cancelled (the terraform runner turns that into a graceful
interrupt) and the job ends as ``timed_out``, so a hung terraform never holds
a project forever.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
# Called when a job ends in a timeout, with its payload: the place to tell the PR.
TimeoutHandler = Callable[[dict[str, Any]], Awaitable[None]]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


@dataclass
class JobHandle:
    id: str
    kind: str
    key: str
    payload: dict[str, Any]
    timeout: float
    state: JobState = JobState.QUEUED
    error: str = ""
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    async def wait(self) -> JobState:
        await self.done.wait()
        return self.state


class JobQueue(Protocol):
    def register(self, kind: str, handler: Handler, *, on_timeout: TimeoutHandler | None = None) -> None: ...

    async def submit(self, kind: str, payload: dict[str, Any], *, key: str, timeout: float) -> JobHandle: ...

    async def cancel(self, key: str) -> bool:
        """Cancel the running job of ``key`` (and drop queued ones); True if one was running."""
        ...

    def running(self, key: str) -> JobHandle | None: ...

    async def jobs_of(self, key: str) -> list[JobHandle]:
        """The queued and running jobs of ``key``, in submission order (on every worker)."""
        ...

    async def drain(self) -> None:
        """Wait until every submitted job has ended (tests, shutdown)."""
        ...

    async def close(self) -> None: ...


class InProcessJobQueue:
    """asyncio tasks, a bounded pool, one lane per key."""

    def __init__(self, *, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._pool = asyncio.Semaphore(workers)
        self._handlers: dict[str, tuple[Handler, TimeoutHandler | None]] = {}
        self._lanes: dict[str, asyncio.Lock] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._handles: dict[str, JobHandle] = {}
        self._running: dict[str, tuple[JobHandle, asyncio.Task[None]]] = {}
        self._closed = False

    def register(self, kind: str, handler: Handler, *, on_timeout: TimeoutHandler | None = None) -> None:
        self._handlers[kind] = (handler, on_timeout)

    async def submit(self, kind: str, payload: dict[str, Any], *, key: str, timeout: float) -> JobHandle:
        if self._closed:
            raise RuntimeError("the job queue is closed")
        if kind not in self._handlers:
            raise KeyError(f"no handler registered for job kind {kind!r}")
        # Round-trip through JSON: what works here must work on a distributed queue.
        payload = json.loads(json.dumps(payload))
        handle = JobHandle(id=uuid.uuid4().hex, kind=kind, key=key, payload=payload, timeout=timeout)
        task = asyncio.create_task(self._run(handle), name=f"job:{kind}:{key}")
        self._tasks[handle.id] = task
        self._handles[handle.id] = handle
        task.add_done_callback(lambda _t, job_id=handle.id: self._forget(job_id))
        return handle

    def _forget(self, job_id: str) -> None:
        self._tasks.pop(job_id, None)
        self._handles.pop(job_id, None)

    async def _run(self, handle: JobHandle) -> None:
        lane = self._lanes.setdefault(handle.key, asyncio.Lock())
        try:
            async with lane, self._pool:
                if handle.state is JobState.CANCELLED:
                    return
                await self._execute(handle)
        except asyncio.CancelledError:
            handle.state = JobState.CANCELLED
        finally:
            handle.done.set()

    async def _execute(self, handle: JobHandle) -> None:
        await execute(handle, self._handlers, self._running)

    async def cancel(self, key: str) -> bool:
        for job_id, task in list(self._tasks.items()):
            handle = self._handles.get(job_id)
            if handle is not None and handle.key == key and handle.state is JobState.QUEUED:
                handle.state = JobState.CANCELLED
                task.cancel()
        entry = self._running.get(key)
        if entry is None:
            return False
        handle, inner = entry
        handle.state = JobState.CANCELLED
        await _cancel_and_wait(inner)
        return True

    def pending(self) -> int:
        """Jobs submitted and not yet started (waiting for their lane or a worker): the queue depth."""
        return len(self._tasks) - len(self._running)

    def running(self, key: str) -> JobHandle | None:
        entry = self._running.get(key)
        return entry[0] if entry else None

    async def jobs_of(self, key: str) -> list[JobHandle]:
        return [h for h in self._handles.values()
                if h.key == key and h.state in (JobState.QUEUED, JobState.RUNNING)]

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)


async def execute(handle: JobHandle, handlers: dict[str, tuple[Handler, TimeoutHandler | None]],
                  running: dict[str, tuple[JobHandle, asyncio.Task[None]]]) -> None:
    """Start the handler of ``handle`` as a task, listed in ``running`` under its key while it runs."""
    handler, on_timeout = handlers[handle.kind]
    inner = asyncio.create_task(handler(handle.payload), name=f"handler:{handle.kind}:{handle.key}")
    running[handle.key] = (handle, inner)
    try:
        await run_handler(handle, inner, on_timeout)
    finally:
        running.pop(handle.key, None)


async def run_handler(handle: JobHandle, inner: asyncio.Task[None], on_timeout: TimeoutHandler | None) -> None:
    """Run a job's handler task under its timeout and record how it ended on ``handle``.

    Shared by every queue backend, so a job times out, fails and is cancelled
    the same way wherever it runs. Cancellation of the caller cancels the
    handler (the terraform runner turns that into a graceful interrupt) and
    propagates; a handler's own exception is recorded, not raised.
    """
    handle.state = JobState.RUNNING
    try:
        await asyncio.wait_for(asyncio.shield(inner), timeout=handle.timeout)
        handle.state = JobState.SUCCEEDED
    except TimeoutError:
        handle.state = JobState.TIMED_OUT
        handle.error = f"timed out after {handle.timeout:g}s"
        await _cancel_and_wait(inner)
        log.warning("job %s %s for %s timed out after %ss", handle.id, handle.kind, handle.key, handle.timeout)
        if on_timeout is not None:
            try:
                await on_timeout(handle.payload)
            except Exception:  # noqa: BLE001 - reporting must not hide the timeout
                log.exception("timeout handler of job %s failed", handle.id)
    except asyncio.CancelledError:
        handle.state = JobState.CANCELLED
        await _cancel_and_wait(inner)
        raise
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, not propagated
        handle.state = JobState.FAILED
        handle.error = str(exc)
        log.exception("job %s %s for %s failed", handle.id, handle.kind, handle.key)


async def _cancel_and_wait(task: asyncio.Task[Any]) -> None:
    if task.done():
        return
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):  # noqa: BLE001 - the handler's own error is not ours
        pass
