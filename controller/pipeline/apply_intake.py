"""Asking for an apply (a comment, a chat button, a review): bind it to the plan that was shown.

An apply approves one plan run: the latest successful plan of the project on this PR. If a newer
plan is queued or running (a push arrived), what the approver saw is about to be replaced, and the
request is refused with "a new plan is running; review it, then apply". A review approves only the
plan of the commit it reviewed. The gate (``apply_gate``) checks the rest when the job runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..repo_config import ApplyOn
from ..store import RunKind, RunStatus
from ..webhooks import routing
from . import apply_gate, comments, status_sync
from .applier import ApplyRequest
from .comment_parser import Verb
from .plan_intake import PLAN_JOB

if TYPE_CHECKING:
    from .dispatcher import Pipeline

log = logging.getLogger(__name__)


class ApplyIntake:
    def __init__(self, pipeline: Pipeline) -> None:
        self.p = pipeline

    async def request(self, repo: str, number: int, project: str | None, actor: str, *, trigger: str) -> list[str]:
        """Apply (through the gate) the approve-mode projects of a PR; used by comments and chat."""
        rules = await self.p.rules(repo)
        planned = await self.p.planned_projects(repo, number)
        submitted = []
        for name in [project] if project else planned:
            key = f"reply:apply:{name}:{trigger}"
            if not rules.may_command(actor, Verb.APPLY, name):
                await self.p.reply(repo, number, f"{key}:{actor}", comments.command_refused_comment(
                    actor, f"apply -p {name}", comments.lacks_role(name, "user", rules.role_name(actor, name))))
                continue
            if name not in planned:
                await self.p.reply(repo, number, key, comments.apply_not_planned_comment(actor, name))
                continue
            if rules.apply_on_for(name) is ApplyOn.MERGE:
                await self.p.reply(repo, number, key, comments.applies_on_merge_comment(actor, name))
                continue
            plan_id, refusal = await self.bind_plan(repo, number, name)
            if refusal is not None:
                await self.p.reply(repo, number, key, comments.apply_refused_comment(actor, name, refusal))
                continue
            await self.p.submit_apply(ApplyRequest(repo=repo, pr_number=number, project=name, actor=actor,
                                                   trigger=trigger, actor_approves=True, plan_run_id=plan_id))
            submitted.append(name)
        return submitted

    async def on_review(self, event: routing.ReviewSubmitted) -> None:
        repo, number = event.repo.full_name, event.pull.number
        rules = await self.p.rules(repo)
        # An approval (or its dismissal) moves merge-mode projects between "needs approval" and "applies on merge".
        await status_sync.publish(self.p.ctx, repo, number, rules=rules)
        if event.state != "approved":
            return
        for project in await self.p.planned_projects(repo, number):
            if rules.apply_on_for(project) is not ApplyOn.APPROVE:
                continue
            if event.reviewer.lower() not in rules.allowed_approvers(project):
                log.info("approval of %s#%s by %s does not count for %s", repo, number, event.reviewer, project)
                continue
            plan_id, refusal = await self.bind_plan(repo, number, project, reviewed_sha=event.commit_id)
            if refusal is not None:
                await self.p.reply(repo, number, f"reply:apply:{project}:review",
                                   comments.approval_not_applied_comment(event.reviewer, project, refusal))
                continue
            await self.p.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.reviewer, trigger="review",
                actor_approves=False, plan_run_id=plan_id,
            ))

    async def bind_plan(self, repo: str, number: int, project: str, *,
                        reviewed_sha: str | None = None) -> tuple[str | None, str | None]:
        """(the plan run an apply asked for now approves, or why there is none to approve)."""
        runs = await asyncio.to_thread(self.p.ctx.store.list_runs, repo=repo, project=project, pr_number=number,
                                       limit=200)
        plans = [r for r in runs if r.kind is RunKind.PLAN]
        if any(r.in_flight for r in plans):
            return None, apply_gate.NEW_PLAN_RUNNING
        latest = next((r for r in plans if r.status is RunStatus.SUCCEEDED), None)
        # A plan job not yet recorded as a run: queued, or running for another commit than the plan shown.
        # (One running for the shown commit whose run succeeded is only finishing its reporting; should it
        # be a fresh re-plan of that commit, the apply job still refuses once it has replaced the plan.)
        for job in await self.p.queue.jobs_of(f"{repo}:{project}"):
            if job.kind == PLAN_JOB and job.payload.get("pr_number") == number and (
                    job.state.value == "queued" or latest is None or job.payload.get("head_sha") != latest.head_sha):
                return None, apply_gate.NEW_PLAN_RUNNING
        if latest is None:
            return None, None  # the gate says there is no plan
        # A head with no plan and nothing planning it is the gate's `plan_fresh`, told with the apply.
        if reviewed_sha and reviewed_sha != latest.head_sha:
            return None, (f"the review is of `{reviewed_sha[:12]}` but the plan is of `{latest.head_sha[:12]}`; "
                          "review the current plan")
        return latest.id, None


__all__ = ["ApplyIntake"]
