"""The merge queue's checks: plan the merge group, so a required ``cloudops/plan`` works with the queue.

GitHub builds a merge group (the queued PR merged onto the groups ahead of it)
and sends ``merge_group`` ``checks_requested``; it merges the group once the
required checks pass on the group's head. For every project the group's own
changes touch (``base_sha..head_sha``: this PR's part of the group):

* ``apply_on: merge`` projects apply the PR's *reviewed* plan after the merge,
  and the applier refuses when the merged ``projects/<p>/`` differs from the
  planned one. The group is checked for exactly that now, so the queue never
  merges what the applier would then refuse.
* terraform plans the project at the group's head against the saved state
  (read only: no lock, no run record, nothing applied), so a combination that
  no longer plans fails the queue instead of the default branch.

Results are commit statuses (``cloudops/plan: <p>`` and ``cloudops/plan``) on
the group's head, and check runs too for a GitHub App install. The applies
themselves come from the ``pull_request`` ``closed`` (merged) events, which
GitHub sends in queue order as it merges the groups one after another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import CloudOpsError
from ..forge.base import CheckRunSpec
from ..repo_config import ApplyOn
from ..secrets.injection import injected_credentials
from ..store import RunKind, RunStatus
from ..terraform.plan_parser import parse_plan
from ..webhooks import routing
from . import checks, drift, statuses
from .repo_source import projects_touched

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupResult:
    project: str
    ok: bool
    title: str
    detail: str = ""
    diagnostics: tuple[dict, ...] = ()


async def plan_group(pipeline: Any, event: routing.MergeGroupRequested) -> list[GroupResult]:
    ctx = pipeline.ctx
    repo, sha, number = event.repo.full_name, event.head_sha, event.pr_number
    source = ctx.sources[repo]
    await asyncio.to_thread(source.refresh)
    await asyncio.to_thread(source.ensure, sha, event.base_sha)
    changed = await asyncio.to_thread(source.changed_paths, event.base_sha, sha)
    projects, _ = projects_touched(changed)
    rules = await pipeline.rules(repo)
    overall = statuses.overall_context("plan")
    if not projects:
        await asyncio.to_thread(ctx.forge.set_status, repo, sha, "success", overall, "merge group: no projects changed")
        return []
    await asyncio.to_thread(ctx.forge.set_status, repo, sha, "pending", overall,
                            f"merge group: planning {len(projects)} project(s)")
    results = []
    for project in projects:
        result = await _check_project(ctx, rules, repo, project, number, event)
        results.append(result)
        await _report(pipeline, repo, sha, number, result)
    failed = [r.project for r in results if not r.ok]
    description = f"merge group: {len(results) - len(failed)}/{len(results)} projects planned"
    await asyncio.to_thread(ctx.forge.set_status, repo, sha, "failure" if failed else "success", overall,
                            (description + (f"; failed: {', '.join(failed)}" if failed else ""))[:140])
    return results


async def _check_project(ctx: Any, rules: Any, repo: str, project: str, number: int | None,
                         event: routing.MergeGroupRequested) -> GroupResult:
    source = ctx.sources[repo]
    if rules.apply_on_for(project) is ApplyOn.MERGE:
        runs = await asyncio.to_thread(ctx.store.list_runs, repo=repo, project=project, pr_number=number, limit=200) \
            if number is not None else []
        reviewed = next((r for r in runs if r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED), None)
        if reviewed is None:
            return GroupResult(project, False, f"no reviewed plan of {project}",
                               f"`{project}` applies after the merge, but #{number} has no successful plan of it; "
                               f"comment `cloudops plan -p {project}` on the pull request.")
        planned = await asyncio.to_thread(source.project_tree, reviewed.head_sha, project)
        merged = await asyncio.to_thread(source.project_tree, event.head_sha, project)
        if planned != merged:
            return GroupResult(project, False, f"projects/{project}/ differs from the reviewed plan",
                               f"Merged with the queue, `projects/{project}/` is not what was planned at "
                               f"`{reviewed.head_sha[:12]}` (the base moved); update the pull request and plan again, "
                               "or the apply after the merge would be refused.")
    try:
        line = await plan_at(ctx, repo, project, event.head_sha)
    except CloudOpsError as exc:
        diagnostics = tuple(dataclasses.asdict(d) for d in getattr(exc, "diagnostics", []) or [])
        return GroupResult(project, False, str(exc).splitlines()[0] if str(exc) else "plan failed", str(exc),
                           diagnostics)
    return GroupResult(project, True, line, f"The merge group plans `{project}` as: **{line}**")


async def plan_at(ctx: Any, repo: str, project: str, sha: str) -> str:
    """terraform plan of ``project`` at ``sha`` against its saved state; the plan line. Nothing is recorded."""
    workspace = await drift.export_workspace(ctx, repo, project, sha, f"queue-{uuid.uuid4().hex[:12]}")
    try:
        if ctx.state is not None:
            await ctx.state.restore(repo, project, workspace.state_file)
        creds = await asyncio.to_thread(ctx.run_credentials, repo, project)
        with injected_credentials(creds, workspace.workdir) as injected:
            await ctx.runner.init(workspace.workdir, extra_env=injected.env)
            await ctx.runner.plan(workspace.workdir, workspace.plan_file, extra_env=injected.env)
        plan = parse_plan(await ctx.runner.show_plan(workspace.workdir, workspace.plan_file))
        if ctx.leaks is not None:
            ctx.leaks.learn_plan(plan)
        return plan.summary().line() if plan.has_changes else "No changes."
    finally:
        await asyncio.to_thread(workspace.cleanup)


async def _report(pipeline: Any, repo: str, sha: str, number: int | None, result: GroupResult) -> None:
    ctx = pipeline.ctx
    await asyncio.to_thread(ctx.forge.set_status, repo, sha, "success" if result.ok else "failure",
                            statuses.project_context("plan", result.project), result.title)
    if not getattr(ctx.forge, "supports_checks", False):
        return
    prefix = f"projects/{result.project}"
    spec = CheckRunSpec(
        name=checks.check_name("plan", result.project), status="completed",
        conclusion="success" if result.ok else "failure", title=result.title,
        summary=(f"Merge queue, pull request #{number}.\n\n" if number else "Merge queue.\n\n") + result.detail,
        annotations=checks.diagnostic_annotations(result.diagnostics, prefix),
        external_id=checks.external_id("plan", result.project, number))
    try:
        await pipeline.app_events.reporter.publish(repo, sha, spec)
    except CloudOpsError as exc:
        log.warning("publishing the merge group check of %s/%s: %s", repo, result.project, exc)
