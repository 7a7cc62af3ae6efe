"""A pull request closed: apply what merges apply, release or keep locks, and say what is live.

Merged: `apply_on: merge` projects are applied (the lock stays until that apply succeeds); the
others release their locks. Closed unmerged after an apply: the resources that apply created are
live but described by no branch, so by default (`on_close_applied: keep_lock`) the lock stays and
the PR and chat are told which resources are live and how to destroy or merge them. Apply comments
are edited so no stale "stays locked … until it is merged or closed" line remains.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..forge import markers
from ..repo_config import ApplyOn, CloseApplied
from ..store import RunKind, RunStatus
from ..webhooks import routing
from . import apply_comments, comments, notices
from .applier import ApplyRequest

if TYPE_CHECKING:
    from .dispatcher import Pipeline

log = logging.getLogger(__name__)


class PullRequestClosing:
    def __init__(self, pipeline: Pipeline) -> None:
        self.p = pipeline

    async def on_closed(self, event: routing.PullRequestClosed) -> None:
        ctx, repo, number = self.p.ctx, event.repo.full_name, event.pull.number
        rules = await self.p.rules(repo)
        planned = await self.p.planned_projects(repo, number)
        apply_after_merge = [p for p in planned if rules.apply_on_for(p) is ApplyOn.MERGE] if event.merged else []
        for project in apply_after_merge:
            await self.p.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.sender, trigger="merge",
                actor_approves=False, before_merge=False, merge_sha=event.pull.merge_commit_sha,
            ))
        applied = await self.applied_before_close(repo, number)
        keep_lock = (rules.config.on_close_applied if rules.config else CloseApplied.KEEP_LOCK) is CloseApplied.KEEP_LOCK
        kept = sorted(applied) if not event.merged and keep_lock else []
        released = []
        for lock in await asyncio.to_thread(ctx.store.list_locks, repo=repo):
            if lock.pr_number == number and lock.project not in apply_after_merge and lock.project not in kept:
                await self.p.queue.cancel(f"{repo}:{lock.project}")
                if await asyncio.to_thread(ctx.store.unlock, repo, lock.project, number):
                    released.append(lock.project)
        for project, actions in sorted(applied.items()):
            await self._edit_apply_comment(repo, number, project, merged=event.merged,
                                           merge_sha=event.pull.merge_commit_sha, lock_kept=project in kept)
            if not event.merged:
                await self.p.reply(repo, number, f"closed-applied:{project}", apply_comments.closed_with_live_resources(
                    project, number, actions, lock_kept=project in kept, unknown=not actions))
                await ctx.bus.publish(notices.ClosedWithLiveResources(
                    repo=repo, project=project, pr_number=number, resources=tuple(sorted(actions)),
                    lock_kept=project in kept))
        log.info("%s#%s closed (merged=%s): released %s; kept %s; applying %s", repo, number, event.merged,
                 released or "no locks", kept or "none", apply_after_merge or "nothing")
        await ctx.bus.publish(notices.PullRequestClosed(
            repo=repo, pr_number=number, merged=event.merged, merge_sha=event.pull.merge_commit_sha,
            actor=event.sender, released=tuple(released), applying=tuple(apply_after_merge), kept=tuple(kept)))

    async def applied_before_close(self, repo: str, number: int) -> dict[str, dict[str, str]]:
        """Projects an apply of this PR changed (address → action), from the run records."""
        runs = await asyncio.to_thread(self.p.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        applied: dict[str, dict[str, str]] = {}
        for run in reversed(runs):  # oldest first, so later applies' actions win
            if run.kind is not RunKind.APPLY or run.started_at is None or run.trigger == "merge":
                continue
            if run.status is RunStatus.SUCCEEDED or run.summary.get("applied"):
                actions = run.summary.get("actions") or dict.fromkeys(run.summary.get("applied", []), "")
                applied.setdefault(run.project, {}).update(actions)
        return applied

    async def _edit_apply_comment(self, repo: str, number: int, project: str, *, merged: bool, merge_sha: str | None,
                                  lock_kept: bool) -> None:
        key = comments.apply_key(project)
        body = await asyncio.to_thread(self.p.ctx.forge.own_comment, repo, number, key)
        if body is None:
            return
        text = body.split("\n", 1)[1] if body.startswith(markers.marker(key)) else body
        await self.p.reply(repo, number, key, apply_comments.after_close(
            text, project=project, merged=merged, merge_sha=merge_sha, lock_kept=lock_kept))


__all__ = ["PullRequestClosing"]
