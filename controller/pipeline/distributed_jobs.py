"""The job queue on PostgreSQL, for several replicas: procrastinate.

Why procrastinate (measured in ``benchmarks/bench_queue.py``, reasons in the
README's "Running several replicas"): it keeps jobs in the PostgreSQL the
store already needs, so a team runs one backend, not two; its per-job
``lock`` is exactly our per-project lane (jobs with one lock run one at a
time, oldest first, across every worker); workers send heartbeats, so a
dead worker's jobs are found (``get_stalled_jobs``); an abort request
cancels an async job's task, which the terraform runner turns into a
graceful interrupt, as ``cloudops cancel`` needs.

``ProcrastinateJobQueue`` is a ``JobQueue``: ``cloudops serve`` submits
(``role="web"``: it never runs terraform), ``cloudops worker`` runs jobs
(``role="worker"``), and one process may do both (``role="all"``). A job is
the handler name and its JSON payload, as in the in-process queue, so the
pipeline cannot tell them apart. Timeouts, failures and cancellation are
recorded by the same ``run_handler`` as in-process.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from ..errors import StoreError
from .jobs import Handler, JobHandle, JobState, TimeoutHandler, execute

log = logging.getLogger(__name__)

QUEUE_NAME = "cloudops"
TASK_NAME = "cloudops.run_job"
Role = Literal["all", "web", "worker"]
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Called with (repo, project) for each job of a worker that stopped sending heartbeats.
StalledHandler = Callable[[dict[str, Any]], Awaitable[None]]


def _procrastinate() -> Any:
    import procrastinate  # loaded only when a database URL asks for the distributed queue

    return procrastinate


class ProcrastinateJobQueue:
    """``JobQueue`` on procrastinate; the schema lives beside the store's."""

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str,
        role: Role = "all",
        workers: int = 2,
        stalled_after: float = 30.0,
        heartbeat_interval: float = 5.0,
        name: str | None = None,
    ) -> None:
        if workers < 1:
            raise StoreError("starting the job queue: workers must be at least 1")
        if not _SCHEMA_NAME.match(schema):
            raise StoreError(f"starting the job queue: schema {schema!r} is not a plain lower-case SQL name")
        procrastinate = _procrastinate()
        self.role = role
        self.schema = schema
        self.name = name or f"cloudops-{uuid.uuid4().hex[:8]}"
        self._workers = workers
        self._stalled_after = stalled_after
        self._heartbeat = heartbeat_interval
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo, kwargs={"options": f"-c search_path={schema}"}, min_size=1, max_size=max(4, workers + 2),
        )
        self.app = procrastinate.App(connector=connector)
        self._handlers: dict[str, tuple[Handler, TimeoutHandler | None]] = {}
        self._running: dict[str, tuple[JobHandle, asyncio.Task[None]]] = {}
        self._on_stalled: StalledHandler | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._reaper_task: asyncio.Task[None] | None = None
        self._opened = False
        self._closed = False

        @self.app.task(name=TASK_NAME, queue=QUEUE_NAME, pass_context=True)
        async def run_job(context: Any, kind: str, key: str, payload: dict[str, Any], timeout: float, job_uuid: str) -> None:
            await self._execute(JobHandle(id=job_uuid, kind=kind, key=key, payload=payload, timeout=timeout))

        self._task = run_job

    # --- life cycle -------------------------------------------------------
    async def open(self) -> None:
        """Connect, create procrastinate's tables on first use, and start the worker if this process runs jobs."""
        await self.app.open_async()
        self._opened = True
        await self._ensure_schema()
        if self.role in ("all", "worker"):
            self._worker_task = asyncio.create_task(self._work(), name=f"procrastinate-worker:{self.name}")
            self._reaper_task = asyncio.create_task(self._reap_stalled_forever(), name="reap-stalled-jobs")

    async def _ensure_schema(self) -> None:
        connector = self.app.connector
        try:
            await connector.execute_query_async(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        except _procrastinate().exceptions.ConnectorException:
            pass  # another replica created it at the same moment; the check below tells
        exists = await connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
        )
        if exists["present"]:
            return
        # Two replicas starting on an empty database at once: one applies, the other waits, then sees it.
        await connector.execute_query_async("SELECT pg_advisory_lock(4242017)")
        try:
            again = await connector.execute_query_one_async(
                "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
            )
            if not again["present"]:
                await self.app.schema_manager.apply_schema_async()
        finally:
            await connector.execute_query_async("SELECT pg_advisory_unlock(4242017)")

    async def _work(self) -> None:
        try:
            await self.app.run_worker_async(
                queues=[QUEUE_NAME], concurrency=self._workers, name=self.name, install_signal_handlers=False,
                update_heartbeat_interval=self._heartbeat, stalled_worker_timeout=self._stalled_after,
                delete_jobs="successful", wait=True,
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a dead worker loop must be visible, not silent
            log.exception("the job worker %s stopped", self.name)

    # --- the JobQueue interface ------------------------------------------
    def register(self, kind: str, handler: Handler, *, on_timeout: TimeoutHandler | None = None) -> None:
        self._handlers[kind] = (handler, on_timeout)

    def on_stalled(self, handler: StalledHandler) -> None:
        """Called with a stalled job's payload after its worker stopped sending heartbeats."""
        self._on_stalled = handler

    async def submit(self, kind: str, payload: dict[str, Any], *, key: str, timeout: float) -> JobHandle:
        if self._closed or not self._opened:
            raise StoreError("submitting a job: the job queue is not open")
        if kind not in self._handlers:
            raise KeyError(f"no handler registered for job kind {kind!r}")
        job_uuid = uuid.uuid4().hex
        handle = JobHandle(id=job_uuid, kind=kind, key=key, payload=payload, timeout=timeout)
        await self._task.configure(lock=key).defer_async(
            kind=kind, key=key, payload=payload, timeout=timeout, job_uuid=job_uuid,
        )
        return handle

    async def _execute(self, handle: JobHandle) -> None:
        try:
            await execute(handle, self._handlers, self._running)
        finally:
            handle.done.set()

    async def cancel(self, key: str) -> bool:
        """Drop queued jobs of ``key`` and abort its running one, on whichever worker runs it."""
        manager = self.app.job_manager
        for job in await manager.list_jobs_async(queue=QUEUE_NAME, lock=key, status="todo"):
            await manager.cancel_job_by_id_async(job.id)
        aborted = False
        for job in await manager.list_jobs_async(queue=QUEUE_NAME, lock=key, status="doing"):
            aborted = await manager.cancel_job_by_id_async(job.id, abort=True) or aborted
        local = self._running.get(key)
        if local is not None:  # here: do not wait for the abort poll
            local[0].state = JobState.CANCELLED
            local[1].cancel()
            aborted = True
        return aborted

    def running(self, key: str) -> JobHandle | None:
        """The job of ``key`` running in this process (a cancel reaches the others through ``cancel``)."""
        entry = self._running.get(key)
        return entry[0] if entry else None

    async def jobs_of(self, key: str) -> list[JobHandle]:
        """The queued and running jobs of ``key`` on every worker, oldest first (an apply asked for while a
        re-plan waits in the queue must see it, whichever replica took the delivery)."""
        handles = []
        for status, state in (("doing", JobState.RUNNING), ("todo", JobState.QUEUED)):
            for job in await self.app.job_manager.list_jobs_async(queue=QUEUE_NAME, lock=key, status=status):
                kwargs = job.task_kwargs
                handles.append((job.id or 0, JobHandle(
                    id=str(kwargs.get("job_uuid") or job.id), kind=str(kwargs.get("kind") or ""), key=key,
                    payload=dict(kwargs.get("payload") or {}), timeout=float(kwargs.get("timeout") or 0), state=state)))
        return [handle for _, handle in sorted(handles, key=lambda pair: pair[0])]

    async def running_anywhere(self, key: str) -> dict[str, Any] | None:
        """The payload of the job of ``key`` running on any worker, or None."""
        for job in await self.app.job_manager.list_jobs_async(queue=QUEUE_NAME, lock=key, status="doing"):
            return dict(job.task_kwargs.get("payload") or {})
        return None

    async def pending(self) -> int:
        """Jobs waiting or running, on every worker."""
        row = await self.app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE queue_name = %(queue)s AND status IN ('todo', 'doing')",
            queue=QUEUE_NAME,
        )
        return int(row["n"])

    async def drain(self) -> None:
        while await self.pending():
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        self._closed = True
        for task in (self._reaper_task, self._worker_task):
            if task is not None:
                task.cancel()
        for task in (self._reaper_task, self._worker_task):
            if task is not None:
                try:
                    await task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                    pass
        if self._opened:
            await self.app.close_async()
            self._opened = False

    # --- dead workers -----------------------------------------------------
    async def _reap_stalled_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self.reap_stalled()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("looking for jobs of dead workers failed")

    async def reap_stalled(self) -> int:
        """Jobs whose worker stopped sending heartbeats: told to the pipeline, then closed as failed.

        Closing them frees their project lane for the next job; the pipeline's
        handler marks the run interrupted and tells the PR, so nothing waits
        forever on a worker that is gone. Returns how many were reaped.
        """
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(queue=QUEUE_NAME, seconds_since_heartbeat=self._stalled_after))
        reaped = 0
        procrastinate = _procrastinate()
        for job in stalled:
            try:
                await manager.finish_job_by_id_async(job.id, status=procrastinate.jobs.Status.FAILED, delete_job=False)
            except procrastinate.exceptions.ConnectorException:
                continue  # another replica reaped it first
            reaped += 1
            payload = dict(job.task_kwargs.get("payload") or {})
            log.warning("job %s (%s) lost its worker; reporting its run as interrupted", job.id, job.lock)
            if self._on_stalled is not None:
                try:
                    await self._on_stalled(payload)
                except Exception:  # noqa: BLE001 - one report must not stop the others
                    log.exception("reporting stalled job %s failed", job.id)
        return reaped
