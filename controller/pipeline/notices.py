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
    # What a check run shows beside the comment (GitHub App installs).
    summary_line: str = ""
    diff_text: str = ""
    apply_on: str = ""
    policy_summary: str | None = None  # None: no policy ran
    policy_markdown: str | None = None
    policy_overridable: bool = False
    violations: tuple[dict, ...] = ()  # {policy, resource, msg, severity, enforcement}


@dataclass(frozen=True, kw_only=True)
class PlanFailed(PipelineEvent):
    message: str
    timed_out: bool = False
    diagnostics: tuple[dict, ...] = ()  # {severity, summary, detail, filename, line} as terraform reported them


@dataclass(frozen=True, kw_only=True)
class LockContended(PipelineEvent):
    holder_pr: int
    holder_user: str | None


@dataclass(frozen=True, kw_only=True)
class ApplyStarted(PipelineEvent):
    actor: str
    total: int  # resources the apply will touch


@dataclass(frozen=True, kw_only=True)
class ApplyProgress(PipelineEvent):
    completed: int
    total: int
    percent: int
    current: str  # e.g. "Creating null_resource.web…"
    rendered: str  # the progress line as the console and comments show it
    elapsed_seconds: float


@dataclass(frozen=True, kw_only=True)
class ApplyFinished(PipelineEvent):
    succeeded: bool
    summary: str  # terraform's "Apply complete! …" or the failure line
    rendered: str  # the final progress render
    outputs: dict = field(default_factory=dict)  # non-sensitive outputs only
    failed_resources: tuple[str, ...] = ()
    cancelled: bool = False


@dataclass(frozen=True, kw_only=True)
class ClosedWithLiveResources(DomainEvent):
    """A PR was closed unmerged after an apply: these resources are live, the default branch lacks them."""

    repo: str
    project: str
    pr_number: int
    resources: tuple[str, ...]
    lock_kept: bool


@dataclass(frozen=True, kw_only=True)
class PullRequestClosed(DomainEvent):
    """A PR was merged or closed; ``released`` are the projects whose locks it let go of."""

    repo: str
    pr_number: int
    merged: bool
    merge_sha: str | None = None
    actor: str = ""
    released: tuple[str, ...] = ()
    applying: tuple[str, ...] = ()  # apply_on: merge projects now being applied
    kept: tuple[str, ...] = ()  # projects whose lock a close kept: their applied resources are live


@dataclass(frozen=True, kw_only=True)
class RollbackOpened(DomainEvent):
    repo: str
    project: str
    pr_number: int
    reverted_pr: int | None
    url: str


@dataclass(frozen=True, kw_only=True)
class BudgetAlert(DomainEvent):
    """A project's monthly cost crossed a threshold of its budget (once per crossing)."""

    repo: str
    project: str
    pr_number: int | None
    threshold: float  # fraction of the budget, e.g. 0.8 or 1.0
    monthly_cost: float
    budget: float
    projected: bool  # True: a plan would cross it; False: an apply did


@dataclass(frozen=True, kw_only=True)
class DriftFound(DomainEvent):
    """The default branch and the applied state disagree (changed by hand, or applied but never merged)."""

    repo: str
    project: str
    head_sha: str
    summary: str  # terraform's plan line, e.g. "Plan: 0 to add, 0 to change, 1 to destroy."
    resources: tuple[str, ...] = ()
