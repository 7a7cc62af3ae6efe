"""Rows of the SQLite store to records and back (pure).

Timestamps are stored as fixed-width ISO-8601 UTC text, so text order is
time order and ``<``/``>`` in SQL compare times; JSON is stored as text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import StoreError
from .records import ChatSession, Delivery, DeliveryStatus, Lock, Push, Run, RunKind, RunStatus

RUN_COLUMNS = (
    "id, repo, project, pr_number, head_sha, kind, status, created_at, started_at, "
    "finished_at, summary, error, plan_file, triggered_by, actor, pid, run_dir, plan_run_id"
)
RUN_COLUMN_COUNT = len(RUN_COLUMNS.split(","))
LOCK_COLUMNS = "repo, project, pr_number, holder_user, run_id, acquired_at"
SESSION_COLUMNS = "id, guild_id, user_id, project, state, idle_seconds, created_at, updated_at, expires_at"
DELIVERY_COLUMNS = "id, event, action, received_at, status"


def ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise StoreError("storing a timestamp: naive datetimes are ambiguous; use UTC-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def ts_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else ts(moment)


def to_json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True)


def run_params(run: Run) -> tuple[Any, ...]:
    """Values in ``RUN_COLUMNS`` order."""
    return (
        run.id, run.repo, run.project, run.pr_number, run.head_sha, run.kind.value, run.status.value,
        ts(run.created_at), ts_or_none(run.started_at), ts_or_none(run.finished_at),
        to_json(run.summary), run.error, run.plan_file, run.trigger, run.actor, run.pid, run.run_dir,
        run.plan_run_id,
    )


def session_params(session: ChatSession) -> tuple[Any, ...]:
    """Values in ``SESSION_COLUMNS`` order."""
    return (
        session.id, session.guild_id, session.user_id, session.project, to_json(session.state),
        session.idle_timeout.total_seconds(), ts(session.created_at), ts(session.updated_at),
        ts(session.expires_at),
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _time_or_none(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def run(row: tuple[Any, ...]) -> Run:
    (id_, repo, project, pr, sha, kind, status, created, started, finished,
     summary, error, plan_file, trigger, actor, pid, run_dir, plan_run_id) = row
    return Run(
        id=id_, repo=repo, project=project, pr_number=pr, head_sha=sha, kind=RunKind(kind),
        status=RunStatus(status), created_at=_time(created), started_at=_time_or_none(started),
        finished_at=_time_or_none(finished), summary=json.loads(summary), error=error,
        plan_file=plan_file, trigger=trigger, actor=actor, pid=pid, run_dir=run_dir, plan_run_id=plan_run_id,
    )


def lock(row: tuple[Any, ...]) -> Lock:
    repo, project, pr, user, run_id, acquired = row
    return Lock(repo=repo, project=project, pr_number=pr, user=user, run_id=run_id, acquired_at=_time(acquired))


def session(row: tuple[Any, ...]) -> ChatSession:
    id_, guild, user, project, state, idle, created, updated, expires = row
    return ChatSession(
        id=id_, guild_id=guild, user_id=user, project=project, state=json.loads(state),
        idle_timeout=timedelta(seconds=idle), created_at=_time(created),
        updated_at=_time(updated), expires_at=_time(expires),
    )


def delivery(row: tuple[Any, ...]) -> Delivery:
    id_, event, action, received, status = row
    return Delivery(id=id_, event=event, action=action, received_at=_time(received), status=DeliveryStatus(status))


def push(row: tuple[Any, ...]) -> Push:
    return Push(repo=row[0], pr_number=row[1], before=row[2], after=row[3], pusher=row[4], recorded_at=_time(row[5]))
