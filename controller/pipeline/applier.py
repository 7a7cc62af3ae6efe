"""Apply the saved plan of one project of one pull request.

Facts are gathered fresh, checked by ``apply_gate`` (a refusal is a result
shown on the PR), and only then is the *saved plan file* of the latest
successful plan applied — never a re-plan. Progress streams to the bus on
every resource event and to the PR comment at most every few seconds; the
final edit is always sent. State is saved after every apply, also a failed
or cancelled one, so what did apply is never forgotten. A failed apply keeps
the project lock: someone must look before anything else runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..errors import ApplyFailed, CloudOpsError, LockLost, TerraformCancelled, TerraformTimeout
from ..repo_config import DEFAULT_APPLY_REQUIREMENTS, ApplyOn
from ..secrets.injection import injected_credentials
from ..state import state_message
from ..store import Run, RunKind, RunStatus
from ..terraform import events as ev
from ..terraform.plan_parser import parse_plan
from ..terraform.progress import ProgressTracker
from . import plan_bundles
from . import apply_comments, apply_gate, budget, notices, status_sync, statuses
from .comments import apply_key
from .planner import PlanContext
from .rules import RepoRules
from .throttle import Throttle

log = logging.getLogger(__name__)

COMMENT_EDIT_INTERVAL = 3.0  # seconds between progress edits of the PR comment


@dataclass(frozen=True)
class ApplyRequest:
    repo: str
    pr_number: int
    project: str
    actor: str
    trigger: str  # comment | review | button | merge
    actor_approves: bool  # the actor's act (comment, button) counts as their approval
    before_merge: bool = True
    merge_sha: str | None = None
    # The plan run this apply approves (bound when it was asked for); None: the latest.
    plan_run_id: str | None = None


class Applier:
    def __init__(self, context: PlanContext, *, comment_interval: float = COMMENT_EDIT_INTERVAL,
                 clock=time.monotonic) -> None:
        self.ctx = context
        self.comment_interval = comment_interval
        self.clock = clock

    # --- facts ---------------------------------------------------------------------

    async def facts(self, request: ApplyRequest, rules: RepoRules) -> tuple[apply_gate.ApplyFacts, Run | None]:
        ctx = self.ctx
        pull = await asyncio.to_thread(ctx.forge.get_pull_request, request.repo, request.pr_number, wait_for_mergeable=5.0)
        runs = await asyncio.to_thread(ctx.store.list_runs, repo=request.repo, project=request.project,
                                       pr_number=request.pr_number, limit=500)
        plan_run = next((r for r in runs if r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED), None)
        applied = plan_run is not None and (
            any(r.kind is RunKind.APPLY and (r.plan_run_id or r.summary.get("plan_run_id")) == plan_run.id for r in runs)
            or await asyncio.to_thread(ctx.store.plan_consumer, plan_run.id) is not None
        )
        replanning = any(r.kind is RunKind.PLAN and r.in_flight for r in runs)
        lock = await asyncio.to_thread(ctx.store.get_lock, request.repo, request.project)
        approvers = set(await asyncio.to_thread(ctx.forge.approvers, request.repo, request.pr_number, head_sha=pull.head_sha))
        if request.actor_approves:
            approvers.add(request.actor)
        project_config = rules.config.projects.get(request.project) if rules.config else None
        source = ctx.sources[request.repo]
        if request.before_merge:
            # Divergence is judged against the base as it is now: this replica's mirror may predate a merge.
            await asyncio.to_thread(source.refresh)
        else:
            await asyncio.to_thread(source.ensure, pull.head_sha)
        diverged = not await asyncio.to_thread(source.is_ancestor, pull.base_ref, pull.head_sha) if request.before_merge else False
        summary = plan_run.summary if plan_run else {}
        facts = apply_gate.ApplyFacts(
            project=request.project,
            pr_number=request.pr_number,
            pr_author=rules.requester(pull.author, pull.body, ctx.bot_login),
            pr_open=pull.state == "open",
            head_sha=pull.head_sha,
            planned_sha=plan_run.head_sha if plan_run else None,
            plan_has_changes=bool(summary.get("has_changes", True)),
            plan_applied=applied,
            lock_holder_pr=lock.pr_number if lock else None,
            approvers=tuple(sorted(approvers)),
            allowed_approvers=rules.allowed_approvers(request.project),
            required_approvals=project_config.required_approvals if project_config else 1,
            allow_self_approval=project_config.allow_self_approval if project_config else False,
            mergeable=pull.mergeable,
            mergeable_state=pull.mergeable_state,
            diverged=diverged,
            policy_passed=bool(summary.get("policy_passed", True)),
            policy_overridden=await self._overridden(request, plan_run),
            requirements=project_config.apply_requirements if project_config else DEFAULT_APPLY_REQUIREMENTS,
            before_merge=request.before_merge,
            plan_run_id=plan_run.id if plan_run else None,
            approved_plan_id=request.plan_run_id,
            newer_plan_pending=replanning,
        )
        return facts, plan_run

    async def _overridden(self, request: ApplyRequest, plan_run: Run | None) -> bool:
        """An admin's override is the bot's own comment for exactly this plan (others cannot forge it)."""
        if plan_run is None or plan_run.summary.get("policy_passed", True):
            return False
        own = getattr(self.ctx.forge, "own_comment", None)
        if own is None:
            return False
        key = f"policy-override:{request.project}:{plan_run.id}"
        return await asyncio.to_thread(own, request.repo, request.pr_number, key) is not None

    # --- apply -------------------------------------------------------------------

    async def apply(self, request: ApplyRequest, rules: RepoRules) -> bool:
        """Check, then apply; True when terraform applied successfully."""
        ctx = self.ctx
        facts, plan_run = await self.facts(request, rules)
        refusals = apply_gate.check(facts)
        if request.before_merge is False and plan_run is not None and request.merge_sha:
            refusals += await self._merged_tree_matches(request, plan_run)
        if refusals or plan_run is None:
            await self._comment(request, apply_gate.render_refusals(request.project, refusals))
            await self._status(request, facts.head_sha, "failure", f"refused: {refusals[0].requirement.value}")
            return False
        if not facts.plan_has_changes:
            await self._comment(request, apply_comments.nothing_to_apply(request.project, plan_run.head_sha))
            await asyncio.to_thread(ctx.store.create_run, repo=request.repo, project=request.project,
                                    head_sha=plan_run.head_sha, kind=RunKind.APPLY, pr_number=request.pr_number,
                                    trigger=request.trigger, actor=request.actor)
            return True

        run = await asyncio.to_thread(
            ctx.store.create_run, repo=request.repo, project=request.project, head_sha=plan_run.head_sha,
            kind=RunKind.APPLY, pr_number=request.pr_number, trigger=request.trigger, actor=request.actor,
        )
        # Consumed atomically: of two applies racing for one plan file, exactly one gets it.
        if not await asyncio.to_thread(ctx.store.consume_plan, plan_run.id, apply_run_id=run.id):
            refusal = apply_gate.Refusal(apply_gate.Requirement.NOT_APPLIED,
                                         "this plan was already applied; push or re-plan to apply further changes")
            await asyncio.to_thread(ctx.store.update_run_status, run.id, RunStatus.FAILED, error=str(refusal))
            await self._comment(request, apply_gate.render_refusals(request.project, [refusal]))
            return False
        await asyncio.to_thread(ctx.store.update_run_status, run.id, RunStatus.RUNNING, summary={"plan_run_id": plan_run.id})
        return await self._run_apply(request, plan_run, run.id)

    async def _run_apply(self, request: ApplyRequest, plan_run: Run, run_id: str) -> bool:
        ctx = self.ctx
        sha = plan_run.head_sha
        workspace = await plan_bundles.local_workspace(ctx, request.repo, request.project, plan_run.id)
        # Before terraform starts: where it will run and which plan it consumes (the pid follows on start).
        await asyncio.to_thread(ctx.store.record_process, run_id, run_dir=str(workspace.workdir), plan_run_id=plan_run.id)
        # The fencing token: should this worker be presumed dead (its heartbeat lease lapsed) and another run take the
        # project's lane, this run may finish, but it may not write the state over the newer run's (``_finish``).
        fence = await asyncio.to_thread(ctx.store.take_fence, request.repo, request.project, holder=run_id)
        if ctx.state is not None:
            await ctx.state.restore(request.repo, request.project, workspace.state_file)
        plan = parse_plan(await ctx.runner.show_plan(workspace.workdir, workspace.plan_file))
        if ctx.leaks is not None:
            ctx.leaks.learn_plan(plan)
        tracker = ProgressTracker(plan, clock=self.clock)
        ids = {"repo": request.repo, "project": request.project, "pr_number": request.pr_number,
               "head_sha": sha, "run_id": run_id}
        throttle = Throttle(self.comment_interval, self.clock)
        await self._status(request, sha, "pending", "applying…")
        await ctx.bus.publish(notices.ApplyStarted(**ids, actor=request.actor, total=tracker.snapshot().total))
        await self._comment(request, apply_comments.progress(request.project, run_id, request.actor, tracker.render()))

        actions = {rc.address: rc.action.value for rc in plan.changes()}
        completed: list[str] = []  # what this apply made real, kept in the run record (a close without merge tells it)
        on_event = self._progress_reporter(request, run_id, tracker, ids, throttle, completed)

        outputs: dict = {}
        failed: tuple[str, ...] = ()
        status, cancelled, error = RunStatus.SUCCEEDED, False, None
        creds = await asyncio.to_thread(ctx.run_credentials, request.repo, request.project)
        try:
            with injected_credentials(creds, workspace.workdir) as injected:
                result = await ctx.runner.apply(workspace.workdir, workspace.plan_file, on_event=on_event,
                                                extra_env=injected.env, on_start=ctx.pid_recorder(run_id))
            outputs = dict(result.outputs)
        except ApplyFailed as exc:
            status, failed = RunStatus.FAILED, tuple(exc.failed_resources)
            error = "\n\n".join([str(exc), *(f"{d.summary}: {d.detail}" for d in exc.diagnostics if d.detail)])
        except TerraformTimeout as exc:
            status, error = RunStatus.TIMED_OUT, str(exc)
        except (asyncio.CancelledError, TerraformCancelled):
            status, cancelled, error = RunStatus.CANCELLED, True, "cancelled"
            await self._finish(request, run_id, plan_run, tracker, status, outputs, failed, cancelled, error, workspace, ids,
                               {"applied": completed, "actions": {a: actions.get(a, "") for a in completed}}, fence)
            raise
        except CloudOpsError as exc:
            status, error = RunStatus.FAILED, str(exc)
        await self._finish(request, run_id, plan_run, tracker, status, outputs, failed, cancelled, error, workspace, ids,
                           {"applied": completed, "actions": {a: actions.get(a, "") for a in completed}}, fence)
        return status is RunStatus.SUCCEEDED

    def _progress_reporter(self, request: ApplyRequest, run_id: str, tracker: ProgressTracker, ids: dict,
                           throttle: Throttle, completed: list[str]) -> Callable[[ev.TerraformEvent], Awaitable[None]]:
        """What each terraform event does: the tracker, the bus (chat, dashboard) and, throttled, the PR comment."""
        async def on_event(event: ev.TerraformEvent) -> None:
            tracker.feed(event)
            if isinstance(event, ev.ApplyComplete) and event.resource.addr not in completed:
                completed.append(event.resource.addr)
            if not isinstance(event, (ev.HookEvent, ev.Diagnostic)):
                return
            snap = tracker.snapshot()
            await self.ctx.bus.publish(notices.ApplyProgress(
                **ids, completed=snap.completed, total=snap.total, percent=snap.percent,
                current=snap.current or "", rendered=tracker.render(), elapsed_seconds=tracker.elapsed(),
            ))
            if throttle.ready():
                await self._comment(request, apply_comments.progress(request.project, run_id, request.actor, tracker.render()))

        return on_event

    async def _finish(self, request, run_id, plan_run, tracker, status, outputs, failed, cancelled, error, workspace, ids,
                      done: dict, fence: int) -> None:
        ctx = self.ctx
        sha = plan_run.head_sha
        try:
            await asyncio.to_thread(ctx.store.require_fence, request.repo, request.project, fence, holder=run_id)
        except LockLost as exc:
            # Another run owns the project now; its state is newer. Ours stays in the run directory, recorded on the
            # run, for the recovery pass (newer serial wins) and for a person: never written over the other's.
            log.error("%s", exc)
            status, error = RunStatus.FAILED, "\n\n".join(filter(None, [error, exc.user_message()]))
            await asyncio.to_thread(ctx.store.update_run_status, run_id, status, error=error,
                                    summary={"plan_run_id": plan_run.id, "fence": fence, **done})
            await self._comment(request, apply_comments.finished(request.project, run_id, tracker.render_final(), outputs,
                                                                 False, cancelled, failed, error))
            await self._status(request, sha, "failure", "taken over by another run; state not saved")
            await ctx.bus.publish(notices.ApplyFinished(
                **ids, succeeded=False, summary=error, rendered=tracker.render_final(), outputs=outputs,
                failed_resources=failed, cancelled=cancelled))
            return
        if ctx.state is not None and workspace.state_file.exists():
            await ctx.state.save(
                request.repo, request.project, workspace.state_file,
                message=state_message(request.project, action="apply" if status is RunStatus.SUCCEEDED else f"{status.value} apply",
                                      pr_number=request.pr_number, head_sha=sha, run_id=run_id,
                                      actor=request.actor),
            )
        if ctx.state is not None or not workspace.state_file.exists():
            # The state branch has the state now (or there is none): the plan is consumed, its directory goes.
            await asyncio.to_thread(workspace.release, keep_plan=False)
        final = tracker.render_final()
        await asyncio.to_thread(ctx.store.update_run_status, run_id, status, error=error,
                                summary={"plan_run_id": plan_run.id, "outputs": sorted(outputs),
                                         "failed_resources": list(failed), **done,
                                         **({"monthly_after": plan_run.summary["monthly_after"]}
                                            if status is RunStatus.SUCCEEDED and "monthly_after" in plan_run.summary else {})})
        succeeded = status is RunStatus.SUCCEEDED
        await self._comment(request, apply_comments.finished(request.project, run_id, final, outputs, succeeded,
                                                             cancelled, failed, error or "",
                                                             timed_out=status is RunStatus.TIMED_OUT))
        await self._status(request, sha, "success" if succeeded else "failure",
                           "applied" if succeeded else ("cancelled" if cancelled else f"apply {status.value}"))
        if succeeded:
            await self._budget_after_apply(request, plan_run)
        await ctx.bus.publish(notices.ApplyFinished(
            **ids, succeeded=succeeded, summary=tracker.snapshot().summary or (error or ""), rendered=final,
            outputs=outputs, failed_resources=failed, cancelled=cancelled,
        ))

    async def _budget_after_apply(self, request: ApplyRequest, plan_run: Run) -> None:
        """What the apply did to the project's monthly cost, against the last applied figure."""
        figures = plan_run.summary
        if figures.get("budget") is None or "monthly_after" not in figures:
            return
        runs = await asyncio.to_thread(self.ctx.store.list_runs, repo=request.repo, project=request.project, limit=500)
        applied = [r for r in runs if r.kind is RunKind.APPLY and r.status is RunStatus.SUCCEEDED
                   and r.summary.get("plan_run_id") != plan_run.id and "monthly_after" in r.summary]
        before = applied[0].summary["monthly_after"] if applied else figures.get("monthly_before", 0.0)
        thresholds = figures.get("budget_thresholds") or budget.THRESHOLDS  # as the plan's project had them
        for crossing in budget.crossings(before, figures["monthly_after"], figures["budget"], thresholds=thresholds):
            await self.ctx.bus.publish(notices.BudgetAlert(
                repo=request.repo, project=request.project, pr_number=request.pr_number, threshold=crossing.threshold,
                monthly_cost=crossing.monthly_cost, budget=crossing.budget, projected=False))
            await asyncio.to_thread(self.ctx.forge.upsert_comment, request.repo, request.pr_number,
                                    f"budget:{request.project}:{crossing.threshold}",
                                    budget.describe(request.project, crossing, projected=False))

    async def _merged_tree_matches(self, request: ApplyRequest, plan_run: Run) -> list[apply_gate.Refusal]:
        source = self.ctx.sources[request.repo]
        await asyncio.to_thread(source.refresh)
        planned = await asyncio.to_thread(source.project_tree, plan_run.head_sha, request.project)
        merged = await asyncio.to_thread(source.project_tree, request.merge_sha, request.project)
        if planned == merged:
            return []
        return [apply_gate.Refusal(
            apply_gate.Requirement.PLAN_FRESH,
            f"the merge commit's `projects/{request.project}/` differs from the planned `{plan_run.head_sha[:12]}` "
            "(the base changed after the plan); open a new pull request to plan and apply the current state",
        )]

    # --- reporting ---------------------------------------------------------------

    async def _comment(self, request: ApplyRequest, body: str) -> None:
        await asyncio.to_thread(self.ctx.forge.upsert_comment, request.repo, request.pr_number,
                                apply_key(request.project), body)

    async def _status(self, request: ApplyRequest, sha: str, state: str, description: str) -> None:
        await asyncio.to_thread(self.ctx.forge.set_status, request.repo, sha, state,
                                statuses.project_context("apply", request.project), description)
        # The overall verdict is recomputed from every project of the PR, never "last one wins".
        await status_sync.publish(self.ctx, request.repo, request.pr_number)


__all__ = ["ApplyOn", "ApplyRequest", "Applier"]
