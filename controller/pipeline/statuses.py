"""Commit status contexts and the overall verdicts of a pull request (pure).

Per project: ``cloudops/plan: <project>`` and ``cloudops/apply: <project>``,
set as each run moves on. Overall: ``cloudops/plan`` and ``cloudops/apply``,
*always* computed by ``compute`` from every project of the PR at its head —
never from the run that just finished — so a failed project cannot be hidden
by another one finishing last, and a partial re-plan (`cloudops plan -p beta`)
cannot claim the whole PR is planned.

``compute`` is the one place the verdict is decided; commit statuses use it
today and check runs can render the same ``Status`` values.

Plan, per project: no plan yet or one in flight → pending; the latest plan
succeeded → done; failed, timed out, cancelled or interrupted → failure.

Apply, per project (only once its latest plan succeeded): no changes → done;
``apply_on: approve`` → the apply of that plan succeeded → done, in flight or
not yet asked → pending, ended otherwise → failure; ``apply_on: merge`` →
before the merge, approved by enough allowed reviewers → done ("applies on
merge"), not approved → **failure**, so a required ``cloudops/apply`` blocks
merging code that would then be refused; after the merge, as for approve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..repo_config import ApplyOn
from ..store import Run, RunStatus

StatusState = str  # "pending" | "success" | "failure" | "error"

_FAILED = {RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELLED, RunStatus.INTERRUPTED}
DESCRIPTION_LIMIT = 140  # GitHub truncates (and may refuse) longer status descriptions


def overall_context(kind: str) -> str:
    return f"cloudops/{kind}"


def project_context(kind: str, project: str) -> str:
    return f"cloudops/{kind}: {project}"


def latest_per_project(runs: Iterable[Run]) -> dict[str, Run]:
    latest: dict[str, Run] = {}
    for run in runs:
        current = latest.get(run.project)
        if current is None or run.created_at > current.created_at:
            latest[run.project] = run
    return latest


class Standing(StrEnum):
    """Where one project of a PR stands for one overall status."""

    DONE = "done"
    PENDING = "pending"
    FAILED = "failed"
    BLOCKED = "blocked"  # needs something from a person before the merge (e.g. an approval)


@dataclass(frozen=True)
class ProjectFacts:
    """What is known about one project of a PR at its head commit."""

    project: str
    apply_on: ApplyOn = ApplyOn.APPROVE
    plan: Run | None = None  # the latest plan run at the head, whatever its status
    apply: Run | None = None  # the latest apply of that plan, if any
    approved: bool = False  # enough counted approvals (what the apply gate would count)
    held: bool = False  # its plan waits for a member to vouch (`cloudops plan`)
    merged: bool = False  # the PR is merged: merge-mode projects apply now


@dataclass(frozen=True)
class Status:
    context: str
    state: StatusState
    description: str


def plan_standing(facts: ProjectFacts) -> tuple[Standing, str]:
    plan = facts.plan
    if plan is None:
        return Standing.PENDING, "waiting for a member" if facts.held else "not planned yet"
    if plan.status is RunStatus.SUCCEEDED:
        return Standing.DONE, "planned"
    if plan.status in _FAILED:
        return Standing.FAILED, f"plan {plan.status.value.replace('_', ' ')}"
    return Standing.PENDING, "planning"


def apply_standing(facts: ProjectFacts) -> tuple[Standing, str]:
    plan, apply = facts.plan, facts.apply
    if plan is None or plan.status is not RunStatus.SUCCEEDED:
        standing, _ = plan_standing(facts)
        return (Standing.PENDING, "waiting for a plan") if standing is not Standing.FAILED else (Standing.PENDING, "waiting for a good plan")
    if not plan.summary.get("has_changes", True):
        return Standing.DONE, "no changes"
    if apply is not None:
        if apply.status is RunStatus.SUCCEEDED:
            return Standing.DONE, "applied"
        if apply.status in _FAILED:
            return Standing.FAILED, f"apply {apply.status.value.replace('_', ' ')}"
        return Standing.PENDING, "applying"
    if facts.apply_on is ApplyOn.MERGE and not facts.merged:
        return (Standing.DONE, "applies on merge") if facts.approved else (Standing.BLOCKED, "needs approval before merge")
    return Standing.PENDING, "waiting for apply"


def _verdict(kind: str, verb: str, standings: Sequence[tuple[str, Standing, str]]) -> Status:
    context = overall_context(kind)
    if not standings:
        return Status(context, "success", f"no projects to be {verb}")
    done = sum(1 for _, s, _ in standings if s is Standing.DONE)
    description = f"{done}/{len(standings)} projects {verb}"
    failed = sorted(p for p, s, _ in standings if s is Standing.FAILED)
    blocked = sorted(p for p, s, _ in standings if s is Standing.BLOCKED)
    pending = sorted(p for p, s, _ in standings if s is Standing.PENDING)
    parts = [description]
    if failed:
        parts.append(f"failed: {', '.join(failed)}")
    if blocked:
        parts.append(f"needs approval: {', '.join(blocked)}")
    if pending and (failed or blocked):
        parts.append(f"waiting: {', '.join(pending)}")
    text = "; ".join(parts)[:DESCRIPTION_LIMIT]
    if failed or blocked:
        return Status(context, "failure", text)
    if pending:
        return Status(context, "pending", text)
    return Status(context, "success", text)


def plan_status(projects: Sequence[ProjectFacts]) -> Status:
    return _verdict("plan", "planned", [(f.project, *plan_standing(f)) for f in projects])


def apply_status(projects: Sequence[ProjectFacts]) -> Status:
    return _verdict("apply", "applied", [(f.project, *apply_standing(f)) for f in projects])


def compute(projects: Sequence[ProjectFacts]) -> list[Status]:
    """The overall statuses of a PR from every one of its projects: ``cloudops/plan``, ``cloudops/apply``."""
    ordered = sorted(projects, key=lambda f: f.project)
    return [plan_status(ordered), apply_status(ordered)]
