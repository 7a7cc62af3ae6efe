"""Set the overall ``cloudops/plan`` and ``cloudops/apply`` statuses of a PR from the store.

Gathers, for every project the PR touches (and every project planned for it
at its head), the latest plan and apply runs, the apply trigger from the
default branch's rules and, for ``apply_on: merge`` projects, whether the
apply gate would count enough approvals; ``statuses.compute`` decides. Called
after every plan, every apply, every review and by the recovery pass, so the
verdict never depends on which run finished last.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..errors import CloudOpsError
from ..repo_config import DEFAULT_APPLY_REQUIREMENTS, ApplyOn, ApplyRequirement
from ..store import Run, RunKind
from . import apply_gate, statuses
from .repo_source import projects_touched
from .rules import RepoRules

log = logging.getLogger(__name__)

RulesProvider = Callable[[str], Awaitable[RepoRules]]


async def gather(ctx, repo: str, number: int, rules: RepoRules | None) -> tuple[str, list[statuses.ProjectFacts]]:
    """(head sha, facts of every project of the PR)."""
    pull = await asyncio.to_thread(ctx.forge.get_pull_request, repo, number)
    head = pull.head_sha
    runs: list[Run] = await asyncio.to_thread(ctx.store.list_runs, repo=repo, pr_number=number, limit=1000)
    source = ctx.sources.get(repo)
    touched: list[str] = []
    if source is not None:
        try:
            await asyncio.to_thread(source.ensure, head)
            touched, _ = projects_touched(await asyncio.to_thread(source.changed_paths, pull.base_ref, head))
        except CloudOpsError as exc:  # the verdict still covers every project planned for this PR
            log.warning("reading the projects of %s#%s: %s", repo, number, exc)
    plans = statuses.latest_per_project(r for r in runs if r.kind is RunKind.PLAN and r.head_sha == head)
    projects = sorted({*touched, *plans})
    approvers: list[str] | None = None
    facts = []
    for project in projects:
        plan = plans.get(project)
        apply = _latest_apply(runs, plan)
        apply_on = rules.apply_on_for(project) if rules is not None else ApplyOn.APPROVE
        approved = False
        if apply_on is ApplyOn.MERGE and plan is not None and not pull.merged:
            if approvers is None:
                approvers = await asyncio.to_thread(ctx.forge.approvers, repo, number, head_sha=head)
            approved = _approved(rules, project, pull.author, approvers)
        facts.append(statuses.ProjectFacts(
            project=project, apply_on=apply_on, plan=plan, apply=apply, approved=approved,
            held=plan is None and project in touched, merged=pull.merged,
        ))
    return head, facts


def _latest_apply(runs: list[Run], plan: Run | None) -> Run | None:
    if plan is None:
        return None
    applies = [r for r in runs if r.kind is RunKind.APPLY
               and (r.plan_run_id or r.summary.get("plan_run_id")) == plan.id]
    return max(applies, key=lambda r: r.created_at, default=None)


def _approved(rules: RepoRules | None, project: str, author: str, approvers: list[str]) -> bool:
    """What the apply gate would count for this project (its approval requirement switched off: True)."""
    config = rules.config.projects.get(project) if rules is not None and rules.config else None
    requirements = config.apply_requirements if config else DEFAULT_APPLY_REQUIREMENTS
    if ApplyRequirement.APPROVED not in requirements:
        return True
    counted = apply_gate.count_approvals(
        approvers, allowed=rules.allowed_approvers(project) if rules else frozenset(), author=author,
        allow_self_approval=config.allow_self_approval if config else False,
    )
    return len(counted) >= (config.required_approvals if config else 1)


async def publish(ctx, repo: str, number: int, *, rules: RepoRules | None = None) -> list[statuses.Status]:
    """Compute and set both overall statuses of PR ``number``; failures to set them are logged, not raised."""
    if rules is None and getattr(ctx, "rules", None) is not None:
        try:
            rules = await ctx.rules(repo)
        except CloudOpsError as exc:
            log.warning("reading the rules of %s for its statuses: %s", repo, exc)
    try:
        head, facts = await gather(ctx, repo, number, rules)
        computed = statuses.compute(facts)
        for status in computed:
            await asyncio.to_thread(ctx.forge.set_status, repo, head, status.state, status.context, status.description)
    except CloudOpsError as exc:
        log.warning("setting the overall statuses of %s#%s: %s", repo, number, exc)
        return []
    return computed


__all__ = ["gather", "publish"]
