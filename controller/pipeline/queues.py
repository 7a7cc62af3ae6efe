"""Which job queue a controller process uses, and what a lost worker's run becomes.

The embedded default (no ``CLOUDOPS_DATABASE_URL``) keeps the in-process
asyncio queue: one process, nothing to run beside it. With a PostgreSQL URL
every process — ``cloudops serve`` replicas and ``cloudops worker``s — shares
one procrastinate queue in the same database as the store, so any worker
runs what any replica received.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeGuard

from ..settings import Settings
from ..store import RunStatus, RuntimeStore
from .distributed_jobs import ProcrastinateJobQueue, Role
from .jobs import InProcessJobQueue, JobQueue

log = logging.getLogger(__name__)

LOST_WORKER = "the worker running this job stopped (no heartbeat); nothing more of it will happen"


def make_queue(settings: Settings, *, role: Role, workers: int) -> JobQueue | ProcrastinateJobQueue:
    if not settings.database_url:
        return InProcessJobQueue(workers=workers)
    from ..store.postgres import parse_url

    target = parse_url(settings.database_url)
    return ProcrastinateJobQueue(target.conninfo, schema=target.schema, role=role, workers=workers)


def is_distributed(queue: object) -> TypeGuard[ProcrastinateJobQueue]:
    return isinstance(queue, ProcrastinateJobQueue)


async def interrupt_runs_of_lost_job(store: RuntimeStore, payload: dict[str, Any]) -> list[Any]:
    """A dead worker's job: its in-flight runs of that project become ``interrupted``.

    The job lock guarantees one job per project at a time, so the project's
    running runs are that job's. Returns the runs marked, for the PR notice.
    """
    repo, project = payload.get("repo"), payload.get("project")
    if not isinstance(repo, str) or not isinstance(project, str):
        return []
    marked = []
    for run in await asyncio.to_thread(store.list_in_flight_runs):
        if run.repo == repo and run.project == project:
            try:
                marked.append(await asyncio.to_thread(store.update_run_status, run.id, RunStatus.INTERRUPTED,
                                                      error=LOST_WORKER))
            except Exception:  # noqa: BLE001 - finished meanwhile: nothing to mark
                log.info("run %s finished before it could be marked interrupted", run.id)
    return marked
