"""The chat service's door into the pipeline (``controller.service.gateway.PipelineGateway``).

Chat asks; the pipeline decides with the same gate, jobs and history as PR
comments do, so a button can never do what a comment could not.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from controller.repo_config import ApplyOn
from controller.service.gateway import ApplyDecision, ApplyRecord, HistoryEntry, RollbackResult
from controller.pipeline import apply_gate, rollback
from controller.pipeline.applier import ApplyRequest
from controller.pipeline.dispatcher import Pipeline


class ControllerGateway:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.ctx = pipeline.ctx

    async def request_apply(self, repo: str, pr_number: int, project: str, actor_github: str,
                            plan_run_id: str | None = None) -> ApplyDecision:
        """``plan_run_id``: the plan the person was shown (a chat card names it); else the latest."""
        rules = await self.pipeline.rules(repo)
        if rules.apply_on_for(project) is ApplyOn.MERGE:
            return ApplyDecision(False, [f"{project} applies when its pull request is merged (apply_on: merge)"])
        bound, refusal = await self.pipeline.bind_plan(repo, pr_number, project)
        if refusal is not None:
            return ApplyDecision(False, [f"{apply_gate.Requirement.PLAN_REVIEWED.value}: {refusal}"])
        request = ApplyRequest(repo=repo, pr_number=pr_number, project=project, actor=actor_github,
                               trigger="button", actor_approves=True, plan_run_id=plan_run_id or bound)
        facts, _ = await self.pipeline.applier.facts(request, rules)
        refusals = apply_gate.check(facts)
        if refusals:
            return ApplyDecision(False, [str(r) for r in refusals])
        await self.pipeline.submit_apply(request)  # the job checks the gate again, just before terraform
        return ApplyDecision(True, [])

    async def cancel(self, repo: str, pr_number: int, project: str | None, actor_github: str) -> list[str]:
        return await self.pipeline.cancel_runs(repo, pr_number, project)

    async def close_pull_request(self, repo: str, pr_number: int, actor_github: str) -> None:
        # Closing fires the webhook that releases the PR's locks, as a close on GitHub would.
        await asyncio.to_thread(self.ctx.forge.close_pull_request, repo, pr_number)

    async def plan(self, repo: str, pr_number: int, project: str, actor_github: str) -> list[str]:
        # The actor vouches for the PR's code as a `cloudops plan` comment would; the trust rules still decide.
        return await self.pipeline.plan_pull_request(repo, pr_number, trigger="chat", actor=actor_github, only=project,
                                                     vouched_by=actor_github)

    async def merge_pull_request(self, repo: str, pr_number: int, actor_github: str, *, head_sha: str) -> str:
        # The merge fires the webhook that releases locks (and applies apply_on: merge projects).
        result = await asyncio.to_thread(self.ctx.forge.merge, repo, pr_number, sha=head_sha,
                                         title=f"Merge #{pr_number} (merged from chat by {actor_github})")
        return result.sha or ""

    async def rollback(self, repo: str, project: str, *, to_sha: str | None, pr: int | None,
                       actor_github: str) -> RollbackResult:
        result = await rollback.rollback(self.ctx, repo, project, actor=actor_github, to_sha=to_sha, pr=pr)
        return RollbackResult(pr_number=result.pr_number, url=result.url)

    async def history(self, repo: str, project: str) -> list[HistoryEntry]:
        entries = await rollback.history(self.ctx, repo, project)
        return [
            HistoryEntry(
                pr_number=e.pr_number or 0, title=e.title, merged_by=e.author, approvers=list(e.approvers),
                applies=[ApplyRecord(a.run_id, a.status, _when(a.finished_at), a.actor) for a in e.applies],
            )
            for e in entries
            if e.pr_number is not None
        ]


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
