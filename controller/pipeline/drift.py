"""Drift: plan the default branch against the saved state, and say when they disagree.

Something applied but never merged, or changed outside terraform, shows up
as a plan with changes on the default branch's own code. The check plans
only (never applies), skips projects a pull request holds (their lock means
someone is at work there) and projects with no state yet.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from dataclasses import dataclass

from ..terraform.plan_parser import parse_plan
from ..terraform.workspace import Workspace, create_workspace
from . import notices
from .planner import PlanContext

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 6 * 3600.0


@dataclass(frozen=True)
class DriftReport:
    project: str
    head_sha: str
    summary: str
    resources: tuple[str, ...]


async def export_workspace(ctx: PlanContext, repo: str, project: str, sha: str, run_id: str) -> Workspace:
    """A fresh run workspace holding ``projects/<project>/`` at ``sha`` (the export itself is removed)."""
    export = ctx.settings.data_dir / "exports" / run_id
    try:
        await asyncio.to_thread(ctx.sources[repo].export_project, sha, project, export)
        return await asyncio.to_thread(create_workspace, ctx.settings, run_id, export)
    finally:
        await asyncio.to_thread(shutil.rmtree, export, True)


async def check_project(ctx: PlanContext, repo: str, project: str, default_branch: str) -> DriftReport | None:
    """Plan ``project`` at the default branch's tip against its state; a report when they differ."""
    if ctx.state is None or await asyncio.to_thread(ctx.store.get_lock, repo, project) is not None:
        return None
    source = ctx.sources[repo]
    await asyncio.to_thread(source.refresh)
    sha = await asyncio.to_thread(source.resolve, default_branch)
    workspace = await export_workspace(ctx, repo, project, sha, f"drift-{uuid.uuid4().hex[:12]}")
    try:
        if not await ctx.state.restore(repo, project, workspace.state_file):
            return None  # never applied: nothing can have drifted
        await ctx.runner.init(workspace.workdir)
        result = await ctx.runner.plan(workspace.workdir, workspace.plan_file)
        if not result.has_changes:
            return None
        plan = parse_plan(await ctx.runner.show_plan(workspace.workdir, workspace.plan_file))
        if ctx.leaks is not None:
            ctx.leaks.learn_plan(plan)
        resources = tuple(rc.address for rc in plan.changes()) + tuple(rc.address for rc in plan.resource_drift)
        report = DriftReport(project, sha, plan.summary().line(), tuple(dict.fromkeys(resources)))
    finally:
        await asyncio.to_thread(workspace.cleanup)
    await ctx.bus.publish(notices.DriftFound(repo=repo, project=project, head_sha=sha, summary=report.summary,
                                             resources=report.resources))
    return report


async def check_repo(ctx: PlanContext, repo: str) -> list[DriftReport]:
    info = await asyncio.to_thread(ctx.forge.get_repo, repo)
    source = ctx.sources[repo]
    await asyncio.to_thread(source.refresh)
    projects = await asyncio.to_thread(source.list_projects, info.default_branch)
    reports = []
    for project in projects:
        report = await check_project(ctx, repo, project, info.default_branch)
        if report is not None:
            reports.append(report)
    return reports


async def drift_forever(ctx: PlanContext, repos: list[str], interval: float = DEFAULT_INTERVAL) -> None:
    """The periodic job; waits one interval first (a restart is not the moment to plan everything)."""
    while True:
        await asyncio.sleep(interval)
        for repo in repos:
            try:
                for report in await check_repo(ctx, repo):
                    log.warning("drift in %s/%s: %s", repo, report.project, report.summary)
            except Exception:  # noqa: BLE001 - one repo's trouble must not stop the job
                log.exception("checking drift in %s failed", repo)
