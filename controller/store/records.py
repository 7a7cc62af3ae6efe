"""The runtime records the controller keeps, as plain data.

Pure: no I/O. Every backend returns these types, so callers never see a
database row, a ``sqlite3.Row`` or a driver-specific type. Timestamps are
timezone-aware UTC ``datetime`` objects; JSON columns come back as dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


def utc_now() -> datetime:
    """The default clock of the store and the bus; tests inject their own."""
    return datetime.now(UTC)


class RunKind(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY_PLAN = "destroy_plan"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # The controller stopped (crash, restart) while the run was in flight.
    INTERRUPTED = "interrupted"
    TIMED_OUT = "timed_out"


IN_FLIGHT_STATUSES: frozenset[RunStatus] = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


@dataclass(frozen=True)
class Run:
    """One plan, apply or destroy-plan of one project at one commit."""

    id: str
    repo: str
    project: str
    pr_number: int | None
    head_sha: str
    kind: RunKind
    status: RunStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # e.g. {"add": 2, "change": 0, "remove": 1}; whatever the pipeline records.
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    plan_file: str | None = None
    # What started it ("pr_opened", "comment", "button", "merge") and who.
    trigger: str = ""
    actor: str | None = None
    # Where terraform runs for this run, its process (group) id and, for an apply,
    # the plan run it consumes: recorded before terraform starts (see ``record_process``).
    pid: int | None = None
    run_dir: str | None = None
    plan_run_id: str | None = None

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT_STATUSES


@dataclass(frozen=True)
class Lock:
    """A project lock: one PR at a time may plan/apply a (repo, project)."""

    repo: str
    project: str
    pr_number: int
    user: str | None
    run_id: str | None
    acquired_at: datetime

    def age(self, now: datetime) -> timedelta:
        """How long the lock has been held, for `locks` listings and stale-lock alerts."""
        return now - self.acquired_at


@dataclass(frozen=True)
class LockAttempt:
    """The result of ``try_lock``: a lock held by another PR is an outcome, not a fault.

    ``lock`` is the lock as it now stands in the store: ours when ``acquired``,
    otherwise the other holder's (then also in ``held_by_other``).
    """

    acquired: bool
    lock: Lock
    held_by_other: Lock | None = None


@dataclass(frozen=True)
class ChatSession:
    """A multi-step chat conversation (e.g. a /cloud-deploy wizard) that expires when idle."""

    id: str
    guild_id: str
    user_id: str
    project: str | None
    state: dict[str, Any]
    idle_timeout: timedelta
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class DeliveryStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery, kept so a redelivered id is recognised and dropped."""

    id: str
    event: str
    action: str | None
    received_at: datetime
    status: DeliveryStatus


@dataclass(frozen=True)
class Push:
    """Who moved a pull request's head: plan trust follows the pushers, not the PR's author.

    ``before`` None marks an anchor: the PR opened at ``after`` by ``pusher``, or a
    member vouched for ``after`` by commenting ``cloudops plan``.
    """

    repo: str
    pr_number: int
    before: str | None
    after: str
    pusher: str
    recorded_at: datetime
