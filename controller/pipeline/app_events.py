"""Webhooks a GitHub App receives beyond a repository hook's: a pressed check run
button, the merge queue asking for checks, and installation changes.

* ``check_run`` ``requested_action`` ("Apply", "Re-plan") and ``rerequested``
  become the very command a comment would be (``Pipeline.run_command``), so
  the apply gate, who may plan, and every reply are the same; a press on a
  check run of an older commit is refused rather than applying a newer plan
  the person did not see.
* ``merge_group`` ``checks_requested``: ``merge_groups.plan_group``.
* ``installation`` / ``installation_repositories``: the token cache learns
  which installation serves which repository, and the controller starts (or
  stops) serving a repository the app was given (or lost), within the
  operator's allowlist of repositories when one is configured.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..webhooks import routing
from . import checks, comment_parser, merge_groups
from .check_reporter import CheckRunReporter
from .comment_parser import Verb
from .repo_source import RepoSource

log = logging.getLogger(__name__)


class AppEvents:
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.allowed: frozenset[str] | None = None  # repositories the operator allows; None: any installed one
        self.reporter = CheckRunReporter(pipeline.ctx.forge, pipeline.ctx.sources)

    async def handle(self, routed: routing.Routed) -> None:
        if isinstance(routed, routing.CheckRunRequested):
            await self.on_check_run(routed)
        elif isinstance(routed, routing.MergeGroupRequested):
            await merge_groups.plan_group(self.pipeline, routed)
        elif isinstance(routed, routing.InstallationChanged):
            await self.on_installation(routed)

    # -- buttons ------------------------------------------------------------------------

    async def on_check_run(self, event: routing.CheckRunRequested) -> None:
        ctx = self.pipeline.ctx
        app = getattr(ctx.forge, "app", None)
        if app is not None and event.app_id is not None and event.app_id != app.credentials.app_id:
            log.info("check run %s belongs to app %s, not us; ignored", event.check_run_id, event.app_id)
            return
        ref = checks.parse_external_id(event.external_id)
        if ref is None or ref.kind != "plan":
            log.info("check run %s (%s) is not one of our plan checks; ignored", event.check_run_id, event.name)
            return
        number = ref.pr_number if ref.pr_number is not None else (event.pr_numbers[0] if event.pr_numbers else None)
        if number is None:
            log.info("check run %s names no pull request; ignored", event.check_run_id)
            return
        identifier = event.identifier if event.action == "requested_action" else checks.REPLAN.identifier
        verb = checks.ACTION_VERBS.get(identifier or "")
        repo = event.repo.full_name
        key = f"reply:check-run:{event.check_run_id}:{identifier}"
        if verb is None:
            await self.pipeline.reply(repo, number, key, f"@{event.sender}: this check run has no action `{identifier}`.")
            return
        pull = await asyncio.to_thread(ctx.forge.get_pull_request, repo, number)
        if verb == "apply" and pull.head_sha != event.head_sha:
            await self.pipeline.reply(
                repo, number, key,
                f"@{event.sender}: that **Apply** button is on the check run of `{event.head_sha[:12]}`, but the "
                f"pull request's head is `{pull.head_sha[:12]}`; press it on the latest `{event.name}` check.")
            return
        command = comment_parser.Command(Verb.APPLY if verb == "apply" else Verb.PLAN, ref.project)
        await self.pipeline.run_command(command, repo, number, event.sender, key, trigger="button")

    # -- installations ------------------------------------------------------------------

    async def on_installation(self, event: routing.InstallationChanged) -> None:
        ctx = self.pipeline.ctx
        app = getattr(ctx.forge, "app", None)
        if app is not None:
            app.installation_changed(event.installation_id, added=list(event.added), removed=list(event.removed),
                                     deleted=event.deleted)
        for repo in event.removed:
            if ctx.sources.pop(repo, None) is not None:
                log.warning("the app lost %s (installation %s): no longer serving it", repo, event.installation_id)
        for repo in event.added:
            await self.serve(repo)

    async def serve(self, repo: str) -> bool:
        """Start serving ``repo`` (an installation gave it to the app); False when not allowed."""
        ctx = self.pipeline.ctx
        if repo in ctx.sources:
            return True
        if self.allowed is not None and repo not in self.allowed:
            log.info("the app was given %s, which is not in the configured repositories; not serving it", repo)
            return False
        info = await asyncio.to_thread(ctx.forge.get_repo, repo)
        for owner in (self.pipeline.rules, getattr(ctx, "policy", None)):
            branches = getattr(owner, "default_branches", None)
            if isinstance(branches, dict):
                branches[repo] = info.default_branch
        ctx.sources[repo] = RepoSource(ctx.forge, repo, ctx.settings.data_dir / "repos")
        log.info("now serving %s (given to the app)", repo)
        return True
