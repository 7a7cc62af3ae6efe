"""Turn routed webhooks into jobs: which projects to plan, what a comment asks.

The receiver hands every accepted delivery to ``Pipeline.dispatch``, which
decides quickly and enqueues; the work runs in job handlers. Rules (apply
trigger, draft handling, who may unlock) come from the repository's
``cloudops.yaml`` on the default branch through ``RulesProvider``, never
from the pull request being planned.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from ..errors import CloudOpsError
from ..repo_config import ApplyOn
from ..webhooks import routing
from . import comment_parser, comments, notices, statuses
from .comment_parser import Verb
from .jobs import JobQueue
from ..store import RunKind, RunStatus
from .applier import Applier, ApplyRequest, allowed_approvers
from . import policy_check
from .planner import PlanContext, Planner, PlanRequest, policy_status_context
from .rules import RepoRules
from .repo_source import projects_touched

log = logging.getLogger(__name__)

PLAN_JOB = "plan"
APPLY_JOB = "apply"


RulesProvider = Callable[[str], Awaitable[RepoRules]]


class Pipeline:
    def __init__(self, context: PlanContext, queue: JobQueue, rules: RulesProvider, *, bot_login: str,
                 plan_timeout: float | None = None) -> None:
        self.ctx = context
        self.queue = queue
        self.rules = rules
        self.bot_login = bot_login
        self.planner = Planner(context)
        self.applier = Applier(context)
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
                await self._reply(repo.full_name, number, "error:pipeline",
                                  f"### cloudops could not act on this pull request\n\n{exc.user_message()}\n")

    async def _route(self, routed: routing.Routed, delivery_id: str) -> None:
        if isinstance(routed, routing.PullRequestChanged):
            await self._on_pull_request_changed(routed)
        elif isinstance(routed, routing.PullRequestClosed):
            await self._on_pull_request_closed(routed)
        elif isinstance(routed, routing.CommentCreated):
            await self._on_comment(routed)
        elif isinstance(routed, routing.ReviewSubmitted):
            await self._on_review(routed)
        elif isinstance(routed, routing.PushedToBranch) and routed.is_default_branch:
            invalidate = getattr(self.rules, "invalidate", None)
            if invalidate is not None:
                invalidate(routed.repo.full_name)
        else:
            log.debug("delivery %s: nothing to do for %s", delivery_id, type(routed).__name__)

    # --- pull requests -----------------------------------------------------------

    async def _on_pull_request_changed(self, event: routing.PullRequestChanged) -> None:
        rules = await self.rules(event.repo.full_name)
        if event.pull.draft and not rules.plan_drafts:
            log.info("%s#%s is a draft; not planned", event.repo.full_name, event.pull.number)
            return
        await self.plan_pull_request(event.repo.full_name, event.pull.number, trigger=f"pr_{event.action}",
                                     actor=event.sender, rules=rules, vouched_by=None)

    async def plan_pull_request(self, repo: str, number: int, *, trigger: str, actor: str,
                                rules: RepoRules | None = None, only: str | None = None,
                                vouched_by: str | None) -> list[str]:
        """Enqueue a plan of every project the PR touches (or just ``only``); return the projects.

        A plan runs code from the PR (providers, data sources), so it runs on its own only for PRs by
        the bot or by members allowed to plan the project; otherwise a member vouches for it by
        commenting `cloudops plan` (``vouched_by``)."""
        rules = rules or await self.rules(repo)
        pull = await asyncio.to_thread(self.ctx.forge.get_pull_request, repo, number)
        source = self.ctx.sources[repo]
        # The rules loader has just fetched the base; fetch again only for a head we lack.
        await asyncio.to_thread(source.ensure, pull.head_sha)
        changed = await asyncio.to_thread(source.changed_paths, pull.base_ref, pull.head_sha)
        projects, config_changed = projects_touched(changed)
        if only is not None:
            if only not in projects and only not in await asyncio.to_thread(source.list_projects, pull.head_sha):
                await self._reply(repo, number, f"reply:{trigger}:{pull.head_sha[:12]}",
                                  f"There is no project `{only}` in this pull request's head (`projects/{only}/`).")
                return []
            projects = [only]
        if not projects:
            await asyncio.to_thread(self.ctx.forge.set_status, repo, pull.head_sha, "success", "cloudops/plan",
                                    "no projects changed")
            return []
        trusted = pull.author.lower() == self.bot_login.lower()
        allowed, held = [], []
        for project in projects:
            if trusted or rules.may_plan(pull.author, project) or (vouched_by and rules.may_plan(vouched_by, project)):
                allowed.append(project)
            else:
                held.append(project)
        for project in held:
            await self._reply(repo, number, comments.plan_key(project), comments.plan_held_comment(project, pull.author))
            await asyncio.to_thread(self.ctx.forge.set_status, repo, pull.head_sha, "pending",
                                    statuses.project_context("plan", project), "waiting for a member to comment `cloudops plan`")
        projects = allowed
        for project in projects:
            request = PlanRequest(
                repo=repo, pr_number=number, head_sha=pull.head_sha, project=project, author=pull.author,
                trigger=trigger, actor=actor, apply_on=rules.apply_on_for(project), config_changed=config_changed,
                all_projects=tuple(projects), budget_monthly_usd=rules.budget_for(project), head_ref=pull.head_ref,
            )
            await self.queue.submit(PLAN_JOB, _to_payload(request), key=f"{repo}:{project}", timeout=self.job_timeout)
        return projects

    async def _on_pull_request_closed(self, event: routing.PullRequestClosed) -> None:
        repo, number = event.repo.full_name, event.pull.number
        planned = await self._planned_projects(repo, number)
        apply_after_merge: list[str] = []
        if event.merged and planned:
            rules = await self.rules(repo)
            apply_after_merge = [p for p in planned if rules.apply_on_for(p) is ApplyOn.MERGE]
        for project in apply_after_merge:
            # The lock stays until this apply has succeeded.
            await self.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.sender, trigger="merge",
                actor_approves=False, before_merge=False, merge_sha=event.pull.merge_commit_sha,
            ))
        released = []
        for lock in await asyncio.to_thread(self.ctx.store.list_locks, repo=repo):
            if lock.pr_number == number and lock.project not in apply_after_merge:
                await self.queue.cancel(f"{repo}:{lock.project}")
                if await asyncio.to_thread(self.ctx.store.unlock, repo, lock.project, number):
                    released.append(lock.project)
        log.info("%s#%s closed (merged=%s): released %s; applying %s", repo, number, event.merged,
                 released or "no locks", apply_after_merge or "nothing")
        await self.ctx.bus.publish(notices.PullRequestClosed(
            repo=repo, pr_number=number, merged=event.merged, merge_sha=event.pull.merge_commit_sha,
            actor=event.sender, released=tuple(released), applying=tuple(apply_after_merge)))

    async def _on_review(self, event: routing.ReviewSubmitted) -> None:
        if event.state != "approved":
            return
        repo, number = event.repo.full_name, event.pull.number
        rules = await self.rules(repo)
        for project in await self._planned_projects(repo, number):
            if rules.apply_on_for(project) is not ApplyOn.APPROVE:
                continue
            if event.reviewer.lower() not in allowed_approvers(rules, project):
                log.info("approval of %s#%s by %s does not count for %s", repo, number, event.reviewer, project)
                continue
            await self.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.reviewer, trigger="review",
                actor_approves=False,
            ))

    async def request_apply(self, repo: str, number: int, project: str | None, actor: str, *, trigger: str) -> list[str]:
        """Apply (through the gate) the approve-mode projects of a PR; used by comments and chat."""
        rules = await self.rules(repo)
        planned = await self._planned_projects(repo, number)
        projects = [project] if project else planned
        submitted = []
        for name in projects:
            if name not in planned:
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}",
                                  f"@{actor}: `{name}` has not been planned in this pull request.")
                continue
            if rules.apply_on_for(name) is ApplyOn.MERGE:
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}",
                                  f"@{actor}: `{name}` applies when this pull request is merged (`apply_on: merge`).")
                continue
            await self.submit_apply(ApplyRequest(repo=repo, pr_number=number, project=name, actor=actor,
                                                  trigger=trigger, actor_approves=True))
            submitted.append(name)
        return submitted

    async def _planned_projects(self, repo: str, number: int) -> list[str]:
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        return sorted({r.project for r in runs if r.kind is RunKind.PLAN})

    async def submit_apply(self, request: ApplyRequest) -> None:
        await self.queue.submit(APPLY_JOB, dataclasses.asdict(request), key=f"{request.repo}:{request.project}",
                                timeout=self.apply_timeout)

    # --- comment commands --------------------------------------------------------

    async def _on_comment(self, event: routing.CommentCreated) -> None:
        if not event.is_pull_request:
            return
        parsed = comment_parser.parse_comment(event.body, author=event.author, bot_login=self.bot_login)
        repo, number = event.repo.full_name, event.number
        key = f"reply:{event.comment_id}"
        if isinstance(parsed, comment_parser.Ignore):
            return
        if isinstance(parsed, comment_parser.Reply):
            await self._reply(repo, number, key, parsed.render())
            return
        if parsed.verb is Verb.HELP:
            await self._reply(repo, number, key, f"```\n{comment_parser.USAGE}\n```")
        elif parsed.verb is Verb.PLAN:
            rules = await self.rules(repo)
            vouched = event.author if any(rules.may_plan(event.author, p) for p in (rules.config.projects if rules.config else {})) else None
            await self.plan_pull_request(repo, number, trigger="comment", actor=event.author, only=parsed.project,
                                         rules=rules, vouched_by=vouched)
        elif parsed.verb is Verb.UNLOCK:
            await self._unlock(repo, number, event.author, key)
        elif parsed.verb is Verb.APPLY:
            await self.request_apply(repo, number, parsed.project, event.author, trigger="comment")
        elif parsed.verb is Verb.CANCEL:
            await self._cancel(repo, number, event.author, parsed.project, key)
        elif parsed.verb is Verb.APPROVE_POLICIES:
            await self._approve_policies(repo, number, event.author, parsed.project, key)

    async def _approve_policies(self, repo: str, number: int, actor: str, project: str | None, key: str) -> None:
        """An admin accepts soft policy denials of the current plan; the bot's comment is the record."""
        rules = await self.rules(repo)
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        latest: dict[str, object] = {}
        for run in runs:  # newest first
            if run.kind is RunKind.PLAN and run.status is RunStatus.SUCCEEDED and run.project not in latest:
                latest[run.project] = run
        names = [project] if project else sorted(latest)
        for name in names:
            run = latest.get(name)
            reply_key = f"{key}:{name}"
            if not (rules.is_admin(actor) or actor.lower() in allowed_approvers(rules, name)):
                await self._reply(repo, number, reply_key, f"@{actor}: only admins of `{name}` may override its policies.")
            elif run is None:
                await self._reply(repo, number, reply_key, f"@{actor}: `{name}` has no successful plan to override.")
            elif run.summary.get("policy_passed", True):
                await self._reply(repo, number, reply_key, f"@{actor}: the policies of `{name}` passed; nothing to override.")
            elif not run.summary.get("policy_overridable"):
                await self._reply(repo, number, reply_key, f"@{actor}: `{name}` is denied by hard policies, which no one can "
                                  "override; change the pull request so they pass.")
            else:
                await self._reply(repo, number, policy_check.override_key(name, run.id),
                                  policy_check.override_comment(name, run.id, actor, "Overridden soft denials apply to this plan only."))
                await asyncio.to_thread(self.ctx.forge.set_status, repo, run.head_sha, "success",
                                        policy_status_context(name), f"overridden by @{actor}")

    async def _unlock(self, repo: str, number: int, actor: str, key: str) -> None:
        pull = await asyncio.to_thread(self.ctx.forge.get_pull_request, repo, number)
        rules = await self.rules(repo)
        if actor != pull.author and not rules.is_admin(actor):
            await self._reply(repo, number, key, f"@{actor}: only the author of this pull request (@{pull.author}) "
                              "or an admin listed in `cloudops.yaml` may unlock it.")
            return
        released = await asyncio.to_thread(self.ctx.store.unlock_all_for_pr, repo, number)
        await self._reply(repo, number, key, comments.unlocked_comment(sorted(lock.project for lock in released), actor))

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

    async def _cancel(self, repo: str, number: int, actor: str, project: str | None, key: str) -> None:
        cancelled = await self.cancel_runs(repo, number, project)
        if not cancelled:
            await self._reply(repo, number, key, f"@{actor}: nothing is running for this pull request.")
            return
        for name in cancelled:
            await self._reply(repo, number, f"{key}:{name}", comments.cancelled_comment(name, "run", actor))

    async def _reply(self, repo: str, number: int, key: str, body: str) -> None:
        await asyncio.to_thread(self.ctx.forge.upsert_comment, repo, number, key, body)

    # --- job handlers ------------------------------------------------------------

    async def _plan_job(self, payload: dict) -> None:
        await self.planner.plan(_from_payload(payload))

    async def _apply_job(self, payload: dict) -> None:
        request = ApplyRequest(**payload)
        try:
            rules = await self.rules(request.repo)
            succeeded = await self.applier.apply(request, rules)
        except CloudOpsError as exc:
            # Whatever stopped the apply before terraform ran is told where it was asked for.
            await self._reply(request.repo, request.pr_number, comments.apply_key(request.project),
                              f"### Apply of project `{request.project}` could not start\n\n{exc.user_message()}\n")
            raise
        if succeeded and not request.before_merge:
            # Applied after the merge: the PR is done with this project.
            await asyncio.to_thread(self.ctx.store.unlock, request.repo, request.project, request.pr_number)
        project = rules.config.projects.get(request.project) if rules.config else None
        if succeeded and request.before_merge and project is not None and project.automerge:
            await self._automerge(request)

    async def _automerge(self, request: ApplyRequest) -> None:
        """Merge once every project of the PR is applied (or has nothing to apply) at its current head."""
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, pr_number=request.pr_number, limit=500)
        latest_plans: dict[str, object] = {}
        for run in runs:  # newest first
            if run.kind is RunKind.PLAN and run.status is RunStatus.SUCCEEDED:
                latest_plans.setdefault(run.project, run)
        applied = {r.summary.get("plan_run_id") for r in runs if r.kind is RunKind.APPLY and r.status is RunStatus.SUCCEEDED}
        waiting = sorted(p for p, plan in latest_plans.items()
                         if plan.summary.get("has_changes", True) and plan.id not in applied)
        if waiting:
            log.info("automerge of %s#%s waits for %s", request.repo, request.pr_number, ", ".join(waiting))
            return
        head = next(iter(latest_plans.values())).head_sha
        try:
            result = await asyncio.to_thread(self.ctx.forge.merge, request.repo, request.pr_number, sha=head)
        except CloudOpsError as exc:
            await self._reply(request.repo, request.pr_number, "automerge",
                              f"Everything is applied, but merging failed: {exc.user_message()}\nMerge it by hand.")
            return
        await self._reply(request.repo, request.pr_number, "automerge",
                          f"Applied everything; merged automatically (`automerge: true`) as `{(result.sha or '')[:12]}`.")


def _pr_number_of(routed: routing.Routed) -> int | None:
    pull = getattr(routed, "pull", None)
    if pull is not None:
        return pull.number
    if isinstance(routed, routing.CommentCreated) and routed.is_pull_request:
        return routed.number
    return None


def _to_payload(request: PlanRequest) -> dict:
    data = dataclasses.asdict(request)
    data["apply_on"] = request.apply_on.value
    data["all_projects"] = list(request.all_projects)
    return data


def _from_payload(payload: dict) -> PlanRequest:
    data = dict(payload)
    data["apply_on"] = ApplyOn(data["apply_on"])
    data["all_projects"] = tuple(data["all_projects"])
    return PlanRequest(**data)


__all__ = ["APPLY_JOB", "PLAN_JOB", "Pipeline", "RepoRules", "RulesProvider"]
