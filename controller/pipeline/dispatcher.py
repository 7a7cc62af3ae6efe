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
from ..repo_config import ApplyOn, CloseApplied
from ..webhooks import routing
from . import apply_comments, apply_gate, comment_parser, comments, notices, status_sync, statuses, trust
from .comment_parser import Verb
from .jobs import JobQueue
from ..store import Run, RunKind, RunStatus
from .applier import Applier, ApplyRequest
from .app_events import AppEvents
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
        context.rules = rules
        context.bot_login = context.bot_login or bot_login
        self.planner = Planner(context)
        self.applier = Applier(context)
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
        elif isinstance(routed, (routing.CheckRunRequested, routing.MergeGroupRequested, routing.InstallationChanged)):
            await self.app_events.handle(routed)
        elif isinstance(routed, routing.PushedToBranch) and routed.is_default_branch:
            invalidate = getattr(self.rules, "invalidate", None)
            if invalidate is not None:
                invalidate(routed.repo.full_name)
        else:
            log.debug("delivery %s: nothing to do for %s", delivery_id, type(routed).__name__)

    # --- pull requests -----------------------------------------------------------

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

    async def plan_pull_request(self, repo: str, number: int, *, trigger: str, actor: str,
                                rules: RepoRules | None = None, only: str | None = None,
                                vouched_by: str | None, reply_key: str | None = None) -> list[str]:
        """Enqueue a plan of every project the PR touches (or just ``only``); return the projects.

        A plan runs code from the PR (providers, data sources), so it runs on its own only when every
        commit since the last trusted point was pushed by the bot or by members allowed to plan the
        project (``trust.verdict``); otherwise a member vouches for it by commenting `cloudops plan`
        (``vouched_by``; ``reply_key`` answers that comment for the projects they may not plan)."""
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
        projects = await self._declared_only(repo, number, pull, projects, rules)
        if not projects:
            await asyncio.to_thread(self.ctx.forge.set_status, repo, pull.head_sha, "failure", "cloudops/plan",
                                    "changed projects are not declared in cloudops.yaml")
            return []
        pushes = await asyncio.to_thread(self.ctx.store.list_pushes, repo, number)
        if vouched_by and any(rules.may_plan(vouched_by, p) for p in projects):
            await asyncio.to_thread(self.ctx.store.record_push, repo, number, before=None, after=pull.head_sha,
                                    pusher=vouched_by)
        allowed, held, refused = [], [], []
        for project in projects:
            if vouched_by and rules.may_plan(vouched_by, project):
                allowed.append(project)
                continue
            verdict = self._trust(rules, project, pull, pushes)
            if verdict.trusted:
                allowed.append(project)
            else:
                held.append((project, verdict))
                if vouched_by:
                    refused.append(project)
        for project, verdict in held:
            await self._reply(repo, number, comments.plan_key(project),
                              comments.plan_held_comment(project, pull.author, verdict.reason()))
            await asyncio.to_thread(self.ctx.forge.set_status, repo, pull.head_sha, "pending",
                                    statuses.project_context("plan", project), "waiting for a member to comment `cloudops plan`")
        if refused and reply_key and vouched_by:
            why = "; ".join(comments.lacks_role(p, "user", _role_name(rules, vouched_by, p)) for p in refused)
            await self._reply(repo, number, reply_key, comments.command_refused_comment(vouched_by, "plan", why))
        projects = allowed
        if held:
            await status_sync.publish(self.ctx, repo, number, rules=rules)
        for project in projects:
            request = PlanRequest(
                repo=repo, pr_number=number, head_sha=pull.head_sha, project=project, author=pull.author,
                trigger=trigger, actor=actor, apply_on=rules.apply_on_for(project), config_changed=config_changed,
                all_projects=tuple(projects), budget_monthly_usd=rules.budget_for(project), head_ref=pull.head_ref,
                allow_nonsensitive=rules.allows_nonsensitive(project),
            )
            await self.queue.submit(PLAN_JOB, _to_payload(request), key=f"{repo}:{project}", timeout=self.job_timeout)
        return projects

    async def _declared_only(self, repo: str, number: int, pull, projects: list[str], rules: RepoRules) -> list[str]:
        """Projects declared in cloudops.yaml (default branch); the others are told why they are not planned.

        An undeclared ``projects/<dir>`` has no policy set, budget or roles, yet would run terraform with
        the guild's credentials: it is planned only once an admin has declared it."""
        declared = set(rules.config.projects) if rules.config else set()
        for project in (p for p in projects if p not in declared):
            log.info("%s#%s: projects/%s is not declared in cloudops.yaml; not planned", repo, number, project)
            await self._reply(repo, number, comments.plan_key(project),
                              comments.plan_undeclared_comment(project, pull.base_ref))
            await asyncio.to_thread(self.ctx.forge.set_status, repo, pull.head_sha, "failure",
                                    statuses.project_context("plan", project), "not declared in cloudops.yaml")
        return [p for p in projects if p in declared]

    def _trust(self, rules: RepoRules, project: str, pull, pushes: list) -> trust.Verdict:
        """Whether the PR's head may be planned without a vouch: its pushers, or (no records) its author."""
        def is_trusted(login: str) -> bool:
            return login.lower() == self.bot_login.lower() or rules.may_plan(login, project)

        if pushes:
            return trust.verdict(pushes, pull.head_sha, is_trusted)
        # A PR older than the push records: the author decides, as before they were kept.
        return trust.TRUSTED if is_trusted(pull.author) else trust.Verdict(False, untrusted_pusher=pull.author)

    async def _on_pull_request_closed(self, event: routing.PullRequestClosed) -> None:
        repo, number = event.repo.full_name, event.pull.number
        rules = await self.rules(repo)
        planned = await self._planned_projects(repo, number)
        apply_after_merge: list[str] = []
        if event.merged and planned:
            apply_after_merge = [p for p in planned if rules.apply_on_for(p) is ApplyOn.MERGE]
        for project in apply_after_merge:
            # The lock stays until this apply has succeeded.
            await self.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.sender, trigger="merge",
                actor_approves=False, before_merge=False, merge_sha=event.pull.merge_commit_sha,
            ))
        applied = await self._applied_before_close(repo, number)
        keep_lock = (rules.config.on_close_applied if rules.config else CloseApplied.KEEP_LOCK) is CloseApplied.KEEP_LOCK
        kept = sorted(applied) if not event.merged and keep_lock else []
        released = []
        for lock in await asyncio.to_thread(self.ctx.store.list_locks, repo=repo):
            if lock.pr_number == number and lock.project not in apply_after_merge and lock.project not in kept:
                await self.queue.cancel(f"{repo}:{lock.project}")
                if await asyncio.to_thread(self.ctx.store.unlock, repo, lock.project, number):
                    released.append(lock.project)
        for project, actions in sorted(applied.items()):
            await self._edit_apply_comment(repo, number, project, merged=event.merged,
                                           merge_sha=event.pull.merge_commit_sha, lock_kept=project in kept)
            if not event.merged:
                await self._reply(repo, number, f"closed-applied:{project}", apply_comments.closed_with_live_resources(
                    project, number, actions, lock_kept=project in kept, unknown=not actions))
                await self.ctx.bus.publish(notices.ClosedWithLiveResources(
                    repo=repo, project=project, pr_number=number, resources=tuple(sorted(actions)),
                    lock_kept=project in kept))
        log.info("%s#%s closed (merged=%s): released %s; kept %s; applying %s", repo, number, event.merged,
                 released or "no locks", kept or "none", apply_after_merge or "nothing")
        await self.ctx.bus.publish(notices.PullRequestClosed(
            repo=repo, pr_number=number, merged=event.merged, merge_sha=event.pull.merge_commit_sha,
            actor=event.sender, released=tuple(released), applying=tuple(apply_after_merge), kept=tuple(kept)))

    async def _applied_before_close(self, repo: str, number: int) -> dict[str, dict[str, str]]:
        """Projects an apply of this PR changed (address → action), from the run records."""
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
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
        own = getattr(self.ctx.forge, "own_comment", None)
        body = await asyncio.to_thread(own, repo, number, comments.apply_key(project)) if own else None
        if body is None:
            return
        from ..forge import markers

        text = body.split("\n", 1)[1] if body.startswith(markers.marker(comments.apply_key(project))) else body
        await self._reply(repo, number, comments.apply_key(project), apply_comments.after_close(
            text, project=project, merged=merged, merge_sha=merge_sha, lock_kept=lock_kept))

    async def _on_review(self, event: routing.ReviewSubmitted) -> None:
        repo, number = event.repo.full_name, event.pull.number
        rules = await self.rules(repo)
        # An approval (or its dismissal) moves merge-mode projects between "needs approval" and "applies on merge".
        await status_sync.publish(self.ctx, repo, number, rules=rules)
        if event.state != "approved":
            return
        for project in await self._planned_projects(repo, number):
            if rules.apply_on_for(project) is not ApplyOn.APPROVE:
                continue
            if event.reviewer.lower() not in rules.allowed_approvers(project):
                log.info("approval of %s#%s by %s does not count for %s", repo, number, event.reviewer, project)
                continue
            plan_id, refusal = await self.bind_plan(repo, number, project, reviewed_sha=event.commit_id)
            if refusal is not None:
                await self._reply(repo, number, f"reply:apply:{project}:review",
                                  f"@{event.reviewer}: your approval did not start an apply of `{project}`: {refusal}.")
                continue
            await self.submit_apply(ApplyRequest(
                repo=repo, pr_number=number, project=project, actor=event.reviewer, trigger="review",
                actor_approves=False, plan_run_id=plan_id,
            ))

    async def request_apply(self, repo: str, number: int, project: str | None, actor: str, *, trigger: str) -> list[str]:
        """Apply (through the gate) the approve-mode projects of a PR; used by comments and chat."""
        rules = await self.rules(repo)
        planned = await self._planned_projects(repo, number)
        projects = [project] if project else planned
        submitted = []
        for name in projects:
            if not rules.may_command(actor, Verb.APPLY, name):
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}:{actor}", comments.command_refused_comment(
                    actor, f"apply -p {name}", comments.lacks_role(name, "user", _role_name(rules, actor, name))))
                continue
            if name not in planned:
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}",
                                  f"@{actor}: `{name}` has not been planned in this pull request.")
                continue
            if rules.apply_on_for(name) is ApplyOn.MERGE:
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}",
                                  f"@{actor}: `{name}` applies when this pull request is merged (`apply_on: merge`).")
                continue
            plan_id, refusal = await self.bind_plan(repo, number, name)
            if refusal is not None:
                await self._reply(repo, number, f"reply:apply:{name}:{trigger}", f"@{actor}: `{name}`: {refusal}.")
                continue
            await self.submit_apply(ApplyRequest(repo=repo, pr_number=number, project=name, actor=actor,
                                                  trigger=trigger, actor_approves=True, plan_run_id=plan_id))
            submitted.append(name)
        return submitted

    async def bind_plan(self, repo: str, number: int, project: str, *,
                        reviewed_sha: str | None = None) -> tuple[str | None, str | None]:
        """(the plan run an apply asked for now approves, or why there is none to approve).

        The approver saw the latest successful plan; if a newer plan is queued or running (a push
        arrived), or the PR's head has no plan yet, what they saw is about to be replaced."""
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, project=project, pr_number=number, limit=200)
        plans = [r for r in runs if r.kind is RunKind.PLAN]
        if any(r.in_flight for r in plans):
            return None, apply_gate.NEW_PLAN_RUNNING
        latest = next((r for r in plans if r.status is RunStatus.SUCCEEDED), None)
        # A plan job not yet recorded as a run: queued, or running for another commit than the plan shown.
        # (One running for the shown commit whose run succeeded is only finishing its reporting; should it
        # be a fresh re-plan of that commit, the apply job still refuses once it has replaced the plan.)
        jobs_of = getattr(self.queue, "jobs_of", None)
        for job in jobs_of(f"{repo}:{project}") if jobs_of is not None else []:
            if job.kind == PLAN_JOB and job.payload.get("pr_number") == number and (
                    job.state.value == "queued" or latest is None or job.payload.get("head_sha") != latest.head_sha):
                return None, apply_gate.NEW_PLAN_RUNNING
        if latest is None:
            return None, None  # the gate says there is no plan
        # A head with no plan and nothing planning it is the gate's `plan_fresh`, told with the apply.
        if reviewed_sha and reviewed_sha != latest.head_sha:
            return None, f"the review is of `{reviewed_sha[:12]}` but the plan is of `{latest.head_sha[:12]}`; review the current plan"
        return latest.id, None

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
        await self.run_command(parsed, repo, number, event.author, key)

    async def run_command(self, parsed: comment_parser.Command, repo: str, number: int, author: str, key: str, *,
                          trigger: str = "comment") -> None:
        """One command on a PR, whether typed in a comment or pressed as a check run's button (``trigger``)."""
        if parsed.verb is Verb.HELP:
            await self._reply(repo, number, key, f"```\n{comment_parser.USAGE}\n```")
            return
        rules = await self.rules(repo)
        if not rules.is_member(author):
            # Every command but help needs a role from the default branch's cloudops.yaml, typed or pressed; say so.
            await self._reply(repo, number, key, comments.command_refused_comment(
                author, parsed.verb.value, comments.not_a_member(author)))
            return
        if parsed.verb is Verb.PLAN:
            await self.plan_pull_request(repo, number, trigger=trigger, actor=author, only=parsed.project,
                                         rules=rules, vouched_by=author, reply_key=key)
        elif parsed.verb is Verb.UNLOCK:
            await self._unlock(repo, number, author, key)
        elif parsed.verb is Verb.APPLY:
            await self.request_apply(repo, number, parsed.project, author, trigger=trigger)
        elif parsed.verb is Verb.CANCEL:
            await self._cancel(repo, number, author, parsed.project, key)
        elif parsed.verb is Verb.APPROVE_POLICIES:
            await self._approve_policies(repo, number, author, parsed.project, key)

    async def _approve_policies(self, repo: str, number: int, actor: str, project: str | None, key: str) -> None:
        """An admin accepts soft policy denials of the current plan; the bot's comment is the record."""
        rules = await self.rules(repo)
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        latest: dict[str, object] = {}
        for run in runs:  # newest first
            if run.kind is RunKind.PLAN and run.status is RunStatus.SUCCEEDED and run.project not in latest:
                latest[run.project] = run
        names = [project] if project else sorted(latest)
        pull = await asyncio.to_thread(self.ctx.forge.get_pull_request, repo, number)
        for name in names:
            run = latest.get(name)
            reply_key = f"{key}:{name}"
            if not (rules.is_admin(actor) or actor.lower() in rules.allowed_approvers(name)):
                await self._reply(repo, number, reply_key, f"@{actor}: only admins of `{name}` may override its policies.")
            elif actor.lower() == pull.author.lower() and not rules.may_override_own(name):
                await self._reply(repo, number, reply_key, f"@{actor}: you opened this pull request, so you may not "
                                  f"override the policies of `{name}` on it; another admin must "
                                  f"(or set `allow_self_policy_override: true` for `{name}` in `cloudops.yaml`).")
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
        if not rules.is_admin(actor):
            held = [lock.project for lock in await asyncio.to_thread(self.ctx.store.list_locks, repo=repo)
                    if lock.pr_number == number]
            barred = [p for p in held if not rules.may_command(actor, Verb.UNLOCK, p)]
            if barred:
                why = "; ".join(comments.lacks_role(p, "user", _role_name(rules, actor, p)) for p in barred)
                await self._reply(repo, number, key, comments.command_refused_comment(actor, "unlock", why))
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
        rules = await self.rules(repo)
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=repo, pr_number=number, limit=200)
        names = [project] if project else sorted({r.project for r in runs})
        barred = [n for n in names if not rules.may_command(actor, Verb.CANCEL, n)]
        if barred:
            why = "; ".join(comments.lacks_role(n, "user", _role_name(rules, actor, n)) for n in barred)
            await self._reply(repo, number, f"{key}:refused", comments.command_refused_comment(actor, "cancel", why))
        cancelled = [c for n in names if n not in barred for c in await self.cancel_runs(repo, number, n)]
        if barred and not cancelled:
            return
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
        elif not request.before_merge and not await self._terraform_ran(request):
            # Refused after the merge before terraform ran: nothing is half-done, and the merged code is on the
            # default branch, so the next plan of the project (from any PR) includes it. Hand the lock over.
            await asyncio.to_thread(self.ctx.store.unlock, request.repo, request.project, request.pr_number)
            await self._reply(request.repo, request.pr_number, f"merge-refused:{request.project}",
                              f"### `{request.project}` was merged but not applied\n\nThe apply after the merge was "
                              "refused (see above), so the merged changes are **not** live. The project lock is "
                              f"released: the next plan of `{request.project}` includes them; comment "
                              f"`cloudops plan -p {request.project}` on a new pull request to apply them.\n")
        project = rules.config.projects.get(request.project) if rules.config else None
        if succeeded and request.before_merge and project is not None and project.automerge:
            await self._automerge(request)

    async def _terraform_ran(self, request: ApplyRequest) -> bool:
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, project=request.project,
                                       pr_number=request.pr_number, limit=50)
        return any(r.kind is RunKind.APPLY and r.trigger == request.trigger and r.pid is not None for r in runs)

    async def _automerge(self, request: ApplyRequest) -> None:
        """Merge once every project of the PR is applied (or has nothing to apply) at its current head."""
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, pr_number=request.pr_number, limit=500)
        latest_plans: dict[str, Run] = {}
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


# A synchronize delivery without `before`: recorded so that the trust chain breaks there (fail closed).
UNKNOWN_BEFORE = "unknown"


def _role_name(rules: RepoRules, login: str, project: str) -> str | None:
    role = rules.role_on(login, project)
    return role.value if role else None


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
