"""Turn routed webhooks into jobs: the event router, and the job handlers.

The receiver hands every accepted delivery to ``Pipeline.dispatch``, which
decides quickly and enqueues; the work runs in job handlers. Rules (apply
trigger, draft handling, who may unlock) come from the repository's
``cloudops.yaml`` on the default branch through ``RulesProvider``, never
from the pull request being planned. Each kind of event has its own module,
as Atlantis splits its command runners:

    plan_intake   a PR (opened, pushed, `cloudops plan`) → plan jobs
    apply_intake  an apply asked for (comment, chat button, review) → an apply job bound to a plan
    pr_commands   one handler per comment command
    pr_closing    merged or closed: merge applies, locks, live resources
    automerge     merge once everything is applied
    app_events    check run buttons, the merge queue, app installations
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from ..errors import CloudOpsError
from ..store import RunKind
from ..webhooks import routing
from . import comment_parser, comments
from .app_events import AppEvents
from .applier import Applier, ApplyRequest
from .apply_intake import ApplyIntake
from .automerge import merge_when_applied
from .jobs import JobQueue
from .plan_intake import PLAN_JOB, UNKNOWN_BEFORE, PlanIntake, from_payload
from .planner import PlanContext, Planner
from .pr_closing import PullRequestClosing
from .pr_commands import CommentCommands
from .rules import RepoRules

log = logging.getLogger(__name__)

APPLY_JOB = "apply"

RulesProvider = Callable[[str], Awaitable[RepoRules]]


class Pipeline:
    def __init__(self, context: PlanContext, queue: JobQueue, rules: RulesProvider, *, bot_login: str,
                 plan_timeout: float | None = None) -> None:
        self.ctx = context
        self.queue = queue
        self.rules = rules
        self.bot_login = bot_login
        context.rules = rules
        context.bot_login = context.bot_login or bot_login
        self.planner = Planner(context)
        self.applier = Applier(context)
        self.plans = PlanIntake(self)
        self.applies = ApplyIntake(self)
        self.commands = CommentCommands(self)
        self.closing = PullRequestClosing(self)
        self.app_events = AppEvents(self)  # check run buttons, the merge queue, app installations
        # The queue's own limit backs up the runner's: init + plan + show, with slack for reporting.
        self.job_timeout = (plan_timeout or context.settings.plan_timeout) * 3 + 60
        self.apply_timeout = context.settings.apply_timeout * 2 + 120
        queue.register(PLAN_JOB, self._plan_job)
        queue.register(APPLY_JOB, self._apply_job)

    # --- entry point from the webhook receiver -----------------------------------

    async def dispatch(self, routed: routing.Routed, delivery_id: str) -> None:
        repo = getattr(routed, "repo", None)
        if repo is not None and repo.full_name not in self.ctx.sources:
            log.info("delivery %s for unconfigured repository %s ignored", delivery_id, repo.full_name)
            return
        try:
            await self._route(routed, delivery_id)
        except CloudOpsError as exc:
            # A broken cloudops.yaml or an unreachable forge: tell the PR, never fail the delivery.
            log.warning("delivery %s: %s", delivery_id, exc)
            number = _pr_number_of(routed)
            if repo is not None and number is not None:
                await self.reply(repo.full_name, number, "error:pipeline", comments.pipeline_error_comment(exc.user_message()))

    async def _route(self, routed: routing.Routed, delivery_id: str) -> None:
        if isinstance(routed, routing.PullRequestChanged):
            await self._on_pull_request_changed(routed)
        elif isinstance(routed, routing.PullRequestClosed):
            await self.closing.on_closed(routed)
        elif isinstance(routed, routing.CommentCreated):
            await self._on_comment(routed)
        elif isinstance(routed, routing.ReviewSubmitted):
            await self.applies.on_review(routed)
        elif isinstance(routed, (routing.CheckRunRequested, routing.MergeGroupRequested, routing.InstallationChanged)):
            await self.app_events.handle(routed)
        elif isinstance(routed, routing.PushedToBranch) and routed.is_default_branch:
            invalidate = getattr(self.rules, "invalidate", None)  # a RulesLoader caches per default-branch commit
            if invalidate is not None:
                invalidate(routed.repo.full_name)
        else:
            log.debug("delivery %s: nothing to do for %s", delivery_id, type(routed).__name__)

    async def _on_pull_request_changed(self, event: routing.PullRequestChanged) -> None:
        if event.moved_head:
            # Who moved the head decides whether it may be planned unvouched (trust.py); "opened" anchors.
            before = None if event.action == "opened" else (event.before or UNKNOWN_BEFORE)
            await asyncio.to_thread(self.ctx.store.record_push, event.repo.full_name, event.pull.number,
                                    before=before, after=event.pull.head_sha, pusher=event.sender)
        rules = await self.rules(event.repo.full_name)
        if event.pull.draft and not rules.plan_drafts:
            log.info("%s#%s is a draft; not planned", event.repo.full_name, event.pull.number)
            return
        await self.plan_pull_request(event.repo.full_name, event.pull.number, trigger=f"pr_{event.action}",
                                     actor=event.sender, rules=rules, vouched_by=None)

    async def _on_comment(self, event: routing.CommentCreated) -> None:
        if not event.is_pull_request:
            return
        parsed = comment_parser.parse_comment(event.body, author=event.author, bot_login=self.bot_login)
        repo, number = event.repo.full_name, event.number
        key = f"reply:{event.comment_id}"
        if isinstance(parsed, comment_parser.Ignore):
            return
        if isinstance(parsed, comment_parser.Reply):
            await self.reply(repo, number, key, parsed.render())
            return
        await self.run_command(parsed, repo, number, event.author, key)

    # --- what the front ends, app events and commands ask of the pipeline ---------

    async def plan_pull_request(self, repo: str, number: int, *, trigger: str, actor: str,
                                rules: RepoRules | None = None, only: str | None = None,
                                vouched_by: str | None, reply_key: str | None = None) -> list[str]:
        """Enqueue the plans of a PR (``plan_intake``); return the projects."""
        return await self.plans.plan(repo, number, trigger=trigger, actor=actor, rules=rules, only=only,
                                     vouched_by=vouched_by, reply_key=reply_key)

    async def request_apply(self, repo: str, number: int, project: str | None, actor: str, *, trigger: str) -> list[str]:
        """Apply (through the gate) the approve-mode projects of a PR (``apply_intake``); used by comments and chat."""
        return await self.applies.request(repo, number, project, actor, trigger=trigger)

    async def bind_plan(self, repo: str, number: int, project: str, *,
                        reviewed_sha: str | None = None) -> tuple[str | None, str | None]:
        return await self.applies.bind_plan(repo, number, project, reviewed_sha=reviewed_sha)

    async def run_command(self, parsed: comment_parser.Command, repo: str, number: int, author: str, key: str, *,
                          trigger: str = "comment") -> None:
        """One command on a PR, whether typed in a comment or pressed as a check run's button (``trigger``)."""
        await self.commands.run(parsed, repo, number, author, key, trigger=trigger)

    async def planned_projects(self, repo: str, number: int) -> list[str]:
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        return sorted({r.project for r in runs if r.kind is RunKind.PLAN})

    async def submit_apply(self, request: ApplyRequest) -> None:
        await self.queue.submit(APPLY_JOB, dataclasses.asdict(request), key=f"{request.repo}:{request.project}",
                                timeout=self.apply_timeout)

    async def cancel_runs(self, repo: str, number: int, project: str | None) -> list[str]:
        """Cancel the running or queued plans and applies of a PR; return the projects cancelled."""
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=200)
        cancelled = []
        for name in sorted({r.project for r in runs if project is None or r.project == project}):
            running = self.queue.running(f"{repo}:{name}")
            # Only this PR's own job: another PR's apply on the same project is not ours to stop.
            if running is not None and running.payload.get("pr_number") == number and await self.queue.cancel(f"{repo}:{name}"):
                cancelled.append(name)
        return cancelled

    async def reply(self, repo: str, number: int, key: str, body: str) -> None:
        await asyncio.to_thread(self.ctx.forge.upsert_comment, repo, number, key, body)

    # --- job handlers ------------------------------------------------------------

    async def _plan_job(self, payload: dict) -> None:
        await self.planner.plan(from_payload(payload))

    async def _apply_job(self, payload: dict) -> None:
        request = ApplyRequest(**payload)
        try:
            rules = await self.rules(request.repo)
            succeeded = await self.applier.apply(request, rules)
        except CloudOpsError as exc:
            # Whatever stopped the apply before terraform ran is told where it was asked for.
            await self.reply(request.repo, request.pr_number, comments.apply_key(request.project),
                             comments.apply_not_started_comment(request.project, exc.user_message()))
            raise
        if succeeded and not request.before_merge:
            # Applied after the merge: the PR is done with this project.
            await asyncio.to_thread(self.ctx.store.unlock, request.repo, request.project, request.pr_number)
        elif not request.before_merge and not await self._terraform_ran(request):
            # Refused after the merge before terraform ran: nothing is half-done, and the merged code is on the
            # default branch, so the next plan of the project (from any PR) includes it. Hand the lock over.
            await asyncio.to_thread(self.ctx.store.unlock, request.repo, request.project, request.pr_number)
            await self.reply(request.repo, request.pr_number, f"merge-refused:{request.project}",
                             comments.merged_not_applied_comment(request.project))
        project = rules.config.projects.get(request.project) if rules.config else None
        if succeeded and request.before_merge and project is not None and project.automerge:
            runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, pr_number=request.pr_number,
                                           limit=500)
            await merge_when_applied(runs, self.ctx.forge, self.reply, request.repo, request.pr_number)

    async def _terraform_ran(self, request: ApplyRequest) -> bool:
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, project=request.project,
                                       pr_number=request.pr_number, limit=50)
        return any(r.kind is RunKind.APPLY and r.trigger == request.trigger and r.pid is not None for r in runs)


def _pr_number_of(routed: routing.Routed) -> int | None:
    pull = getattr(routed, "pull", None)
    if pull is not None:
        return pull.number
    if isinstance(routed, routing.CommentCreated) and routed.is_pull_request:
        return routed.number
    return None


__all__ = ["APPLY_JOB", "PLAN_JOB", "Pipeline", "RepoRules", "RulesProvider"]
