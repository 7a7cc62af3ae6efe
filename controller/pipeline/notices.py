"""Domain events of the pull-request pipeline, published on the bus.

Chat front ends subscribe to these; the pipeline never imports them. Each
carries what a front end needs to render it without asking back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bus import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PipelineEvent(DomainEvent):
    repo: str
    project: str
    pr_number: int | None
    head_sha: str
    run_id: str


@dataclass(frozen=True, kw_only=True)
class PlanStarted(PipelineEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class PlanReady(PipelineEvent):
    add: int
    change: int
    destroy: int
    has_changes: bool
    policy_passed: bool
    cost_summary: str | None = None
    comment_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class PlanFailed(PipelineEvent):
    message: str
    timed_out: bool = False


@dataclass(frozen=True, kw_only=True)
class LockContended(PipelineEvent):
    holder_pr: int
    holder_user: str | None
