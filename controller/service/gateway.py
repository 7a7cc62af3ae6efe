"""The seam between the chat use cases and the apply side of the pipeline.

Why a protocol: the service layer decides *who asks for what*; the pipeline
decides *whether an apply may run* (approvals, freshness, locks, policy) and
runs it. ``cloudops.gateway`` implements ``PipelineGateway``; tests
pass a small double. Expected outcomes (a refused apply) are values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ApplyDecision:
    """Whether an apply was queued; ``refusals`` name exactly which requirement failed."""

    accepted: bool
    refusals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RollbackResult:
    """The revert pull request that was opened (it goes through the same pipeline)."""

    pr_number: int
    url: str


@dataclass(frozen=True)
class ApplyRecord:
    """One apply of a merged change: ``(run_id, status, finished_at, actor)``."""

    run_id: str
    status: str
    finished_at: datetime | None
    actor: str | None = None  # who approved it (a button, a comment or a review)


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a project, newest first in :meth:`PipelineGateway.history`."""

    pr_number: int
    title: str
    merged_by: str | None
    approvers: list[str]
    applies: list[ApplyRecord]


@runtime_checkable
class PipelineGateway(Protocol):
    async def request_apply(self, repo: str, pr_number: int, project: str, actor_github: str) -> ApplyDecision: ...

    async def cancel(self, repo: str, pr_number: int, project: str | None, actor_github: str) -> list[str]:
        """Cancel queued/running runs of the PR (one project or all); returns the projects cancelled."""
        ...

    async def close_pull_request(self, repo: str, pr_number: int, actor_github: str) -> None:
        """Close the PR and release its locks."""
        ...

    async def plan(self, repo: str, pr_number: int, project: str, actor_github: str) -> list[str]:
        """Queue a plan of ``project`` for the PR, as `cloudops plan -p <project>` commented by the actor would;
        returns the projects queued (empty when the pipeline's rules refused, the PR says why)."""
        ...

    async def merge_pull_request(self, repo: str, pr_number: int, actor_github: str, *, head_sha: str) -> str:
        """Merge the PR if its head is still ``head_sha``; returns the merge commit (apply_on: merge then applies)."""
        ...

    async def rollback(
        self, repo: str, project: str, *, to_sha: str | None, pr: int | None, actor_github: str
    ) -> RollbackResult: ...

    async def history(self, repo: str, project: str) -> list[HistoryEntry]: ...


__all__ = ["ApplyDecision", "ApplyRecord", "HistoryEntry", "PipelineGateway", "RollbackResult"]
