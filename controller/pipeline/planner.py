"""Plan one project of one pull request at one commit.

The steps, in order: make sure the PR head is still the commit asked for;
take the project lock (a miss is a result shown to the PR, not an error);
record a run; export the project at that exact commit into a fresh run
workspace; restore its state; init, plan, show; check policy and price it
through their interfaces; comment (one comment per project, edited in
place); set statuses; publish events. Failures and timeouts are reported
the same way. A plan that did not succeed (refused, failed, timed out, or
broken by a bug) protects nothing, so it gives the project lock back: a
refused attack PR never holds a project. The run record is written before
anything is told to the forge, and the reports (comment, statuses) are
retried with backoff while the forge is unavailable, so an outage mid-plan
ends with the real outcome on the PR once the forge is back, not a
"planning…" that never moves.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Protocol

from ..bus import EventBus
from ..errors import CloudOpsError, ForgeError, TerraformCancelled, TerraformTimeout
from ..forge.base import Forge
from ..secrets.injection import injected_credentials
from ..repo_config import ApplyOn
from ..settings import Settings
from ..store import RunKind, RunStatus, RuntimeStore
from ..terraform.plan import Plan
from ..terraform.plan_parser import parse_plan
from ..terraform.runner import TerraformRunner
from ..terraform.workspace import Workspace, create_workspace, release_run
from ..terraform import syntax
from . import plan_bundles, plan_endings
from .plan_endings import PlanOutcome, PlanRefused, PlanSyntaxError
from . import budget, comments, notices, plan_diff, plan_guard, sensitivity, status_sync, statuses
from .leaks import LeakGuard
from .repo_source import RepoSource, read_tree

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanRequest:
    repo: str
    pr_number: int
    head_sha: str
    project: str
    author: str
    trigger: str  # pr_opened | pr_synchronize | comment | ...
    actor: str
    apply_on: ApplyOn
    config_changed: bool
    all_projects: tuple[str, ...]  # every project this PR plans, for the overall status
    budget_monthly_usd: float | None = None  # from cloudops.yaml on the default branch
    budget_alerts: tuple[float, ...] = budget.THRESHOLDS  # fractions of the budget that alert, from cloudops.yaml
    head_ref: str = ""  # the PR's branch (bot branches name the member who asked in chat)
    allow_nonsensitive: bool = False  # from cloudops.yaml on the default branch


@dataclass(frozen=True)
class PolicyVerdict:
    passed: bool
    markdown: str
    summary: str = ""
    overridable: bool = False
    violations: tuple[dict, ...] = ()  # denials and warnings, for check run annotations


@dataclass(frozen=True)
class CostReport:
    markdown: str
    summary: str


class PolicyCheck(Protocol):
    async def evaluate(self, plan: Plan, request: PlanRequest, cost: CostReport | None = None) -> PolicyVerdict: ...


class CostEstimator(Protocol):
    async def estimate(self, plan: Plan, request: PlanRequest) -> CostReport: ...


class StateBackend(Protocol):
    """Where a project's terraform state lives between runs."""

    async def restore(self, repo: str, project: str, state_file: Path) -> bool:
        """Write the saved state to ``state_file``; False when there is none yet."""
        ...

    async def save(self, repo: str, project: str, state_file: Path, *, message: str) -> None: ...


@dataclass
class PlanContext:
    """The collaborators of a planner; policy, cost and state are optional layers."""

    settings: Settings
    store: RuntimeStore
    forge: Forge
    runner: TerraformRunner
    bus: EventBus
    sources: dict[str, RepoSource]
    policy: PolicyCheck | None = None
    cost: CostEstimator | None = None
    state: StateBackend | None = None
    # Sensitive values of every plan are taught to the leak guard in front of all outputs.
    leaks: LeakGuard | None = None
    # Cloud credentials of a run: (repo, project) -> vault records, injected for that run only.
    credentials: Callable[[str, str], list] | None = None
    # The default branch's rules (set by the pipeline), for the overall statuses.
    rules: Callable[[str], Awaitable[object]] | None = None
    bot_login: str = ""

    def run_credentials(self, repo: str, project: str) -> list:
        return list(self.credentials(repo, project)) if self.credentials else []

    def pid_recorder(self, run_id: str) -> Callable[[int], Awaitable[None]]:
        """``on_start`` for the runner: terraform's pid goes into the run record at once."""
        async def record(pid: int) -> None:
            await asyncio.to_thread(self.store.record_process, run_id, pid=pid)
        return record


# Seconds between attempts to report to a forge that is unavailable (5xx, unreachable): about 10 minutes.
REPORT_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 60.0, 120.0, 120.0, 180.0)


def is_transient(exc: ForgeError) -> bool:
    """A 5xx or an unreachable forge (plain ``ForgeError``); auth, 404 and 422 are answers, not outages."""
    return type(exc) is ForgeError


class Planner:
    def __init__(self, context: PlanContext, *, report_retry_delays: tuple[float, ...] = REPORT_RETRY_DELAYS) -> None:
        self.ctx = context
        self.report_retry_delays = report_retry_delays

    async def plan(self, request: PlanRequest) -> PlanOutcome:
        ctx = self.ctx
        pull = await asyncio.to_thread(ctx.forge.get_pull_request, request.repo, request.pr_number)
        if pull.head_sha != request.head_sha or pull.state != "open":
            log.info("skipping plan of %s#%s at %s: the PR moved on", request.repo, request.pr_number, request.head_sha[:12])
            return PlanOutcome.STALE

        run = await asyncio.to_thread(
            ctx.store.create_run, repo=request.repo, project=request.project, head_sha=request.head_sha,
            kind=RunKind.PLAN, pr_number=request.pr_number, trigger=request.trigger, actor=request.actor,
        )
        attempt = await asyncio.to_thread(
            ctx.store.try_lock, request.repo, request.project, pr_number=request.pr_number,
            user=request.author, run_id=run.id,
        )
        if not attempt.acquired:
            return await plan_endings.locked_out(self, request, run.id, attempt.held_by_other or attempt.lock)

        await asyncio.to_thread(ctx.store.update_run_status, run.id, RunStatus.RUNNING)
        # Telling people the plan started runs beside the plan, not before it.
        announce = asyncio.gather(
            self._status(request, "pending", "planning…"),
            self._overall(request),
            ctx.bus.publish(notices.PlanStarted(**self._ids(request, run.id))),
        )
        try:
            return await self._plan_locked(request, run.id, announce)
        except TerraformTimeout:
            await _quietly(announce)
            return await plan_endings.timed_out(self, request, run.id)
        except PlanSyntaxError as exc:
            await _quietly(announce)
            return await plan_endings.syntax_error(self, request, run.id, exc)
        except (asyncio.CancelledError, TerraformCancelled):
            await _quietly(announce)
            await plan_endings.cancelled(self, request, run.id)
            raise
        except CloudOpsError as exc:
            await _quietly(announce)
            current = await asyncio.to_thread(ctx.store.get_run, run.id)
            if current is not None and current.status is RunStatus.SUCCEEDED:
                raise  # the plan is recorded; only telling about it failed
            return await plan_endings.failed(self, request, run.id, exc)
        except Exception as exc:  # a bug or an OS error: still recorded, told and unlocked, never "planning…"
            log.exception("plan of %s/%s (run %s) broke", request.repo, request.project, run.id)
            await _quietly(announce)
            return await plan_endings.broke(self, request, run.id, exc)
        finally:
            await self._overall(request)

    async def _plan_locked(self, request: PlanRequest, run_id: str, announce: Awaitable[object]) -> PlanOutcome:
        ctx = self.ctx
        source = ctx.sources[request.repo]
        await asyncio.to_thread(source.ensure, request.head_sha)
        export_dir = ctx.settings.data_dir / "exports" / run_id
        try:
            await asyncio.to_thread(source.export_project, request.head_sha, request.project, export_dir, symlinks=True)
            files, links = await asyncio.to_thread(read_tree, export_dir)
            # A file that cannot be read is the author's mistake, told apart from the guard's refusals.
            problems = syntax.check_files(files, prefix=f"projects/{request.project}/")
            if problems:
                raise PlanSyntaxError(problems)
            findings = plan_guard.check_project(files, symlinks=links)
            if findings:
                raise PlanRefused(plan_guard.render_refusal(request.project, findings),
                                  hint="remove what the list names, or ask the controller's operators to allow it")
            unmasking = [] if request.allow_nonsensitive else sensitivity.nonsensitive_calls(files)
            if unmasking:
                raise PlanRefused(sensitivity.render_refusal(request.project, unmasking))
            workspace = await asyncio.to_thread(create_workspace, ctx.settings, run_id, export_dir)
        finally:
            await asyncio.to_thread(shutil.rmtree, export_dir, True)
        try:
            outcome = await self._plan_in(workspace, request, run_id, announce)
        except BaseException:
            await asyncio.to_thread(workspace.release, keep_plan=False)  # a failed plan leaves nothing behind
            raise
        await asyncio.to_thread(self._retire_older_plans, request, run_id)
        return outcome

    def _retire_older_plans(self, request: PlanRequest, run_id: str) -> None:
        """The newest plan of a PR's project is the only one that may be applied: the others' files go."""
        runs = self.ctx.store.list_runs(repo=request.repo, project=request.project, pr_number=request.pr_number, limit=500)
        for run in runs:
            if run.kind is not RunKind.APPLY and run.id != run_id:
                release_run(self.ctx.settings, run.id, keep_plan=False)
                if self.ctx.settings.database_url:  # its copy for other workers is as dead as the plan
                    self.ctx.store.delete_plan_bundle(run.id)

    async def _plan_in(self, workspace: Workspace, request: PlanRequest, run_id: str,
                       announce: Awaitable[object]) -> PlanOutcome:
        ctx = self.ctx
        plan = await self._terraform_plan(workspace, request, run_id)
        if ctx.leaks is not None:
            ctx.leaks.learn_plan(plan)
        await plan_bundles.share(ctx, request.repo, request.project, run_id, workspace.workdir)
        # The state copy is no longer needed (the state branch has it); the plan file is, until applied.
        await asyncio.to_thread(workspace.release, keep_plan=plan.has_changes)

        cost = await ctx.cost.estimate(plan, request) if ctx.cost else None
        figures = _cost_figures(cost, request)
        alerts: list[budget.Crossing] = []
        if figures is not None:
            already = await asyncio.to_thread(self._alerted, request)
            alerts = budget.crossings(figures["monthly_before"], figures["monthly_after"], figures["budget"], already,
                                      thresholds=request.budget_alerts)
        verdict = await ctx.policy.evaluate(plan, request, cost) if ctx.policy else None
        summary = plan.summary()
        report = comments.PlanReport(
            project=request.project,
            head_sha=request.head_sha,
            run_id=run_id,
            summary_line=summary.line() if plan.has_changes else "No changes.",
            diff_text=plan_diff.render(plan, ctx.leaks.redact) if ctx.leaks else plan_diff.render(plan),
            has_changes=plan.has_changes,
            apply_on=request.apply_on,
            policy_markdown=verdict.markdown if verdict else None,
            policy_passed=verdict.passed if verdict else True,
            cost_markdown=cost.markdown if cost else None,
            config_changed=request.config_changed,
            alerts=tuple(budget.describe(request.project, a, projected=True) for a in alerts),
        )
        await announce  # the pending status must not land after the final one
        policy_status = self._report(
            ctx.forge.set_status, request.repo, request.head_sha, "success" if verdict.passed else "failure",
            policy_status_context(request.project), verdict.summary or ("passed" if verdict.passed else "denied"),
        ) if verdict is not None else asyncio.sleep(0)
        # Recorded before anyone can see the comment: an apply asked for from it finds this plan finished.
        await asyncio.to_thread(
            ctx.store.update_run_status, run_id, RunStatus.SUCCEEDED,
            summary={"add": summary.add, "change": summary.change, "destroy": summary.remove,
                     "has_changes": plan.has_changes, "policy_passed": report.policy_passed,
                     "policy_checked": verdict is not None, "policy_overridable": bool(verdict and verdict.overridable),
                     **(figures or {}),
                     "budget_alerts": sorted({*(a.threshold for a in alerts), *(await asyncio.to_thread(self._alerted, request))})},
            plan_file=str(workspace.plan_file),
        )
        comment_ids, _ = await asyncio.gather(self._comment(request, comments.plan_comment(report)), policy_status)
        await self._status(request, "success", summary.line() if plan.has_changes else "No changes.")
        await self._publish_ready(request, run_id, plan, report, cost, verdict, tuple(comment_ids), alerts)
        return PlanOutcome.PLANNED

    async def _publish_ready(self, request: PlanRequest, run_id: str, plan: Plan, report: comments.PlanReport,
                             cost: CostReport | None, verdict: PolicyVerdict | None, comment_ids: tuple[int, ...],
                             alerts: list[budget.Crossing]) -> None:
        """The plan on the bus (chat lobby, dashboard), then the budget thresholds it crosses."""
        summary = plan.summary()
        await self.ctx.bus.publish(notices.PlanReady(
            **self._ids(request, run_id), add=summary.add, change=summary.change, destroy=summary.remove,
            has_changes=plan.has_changes, policy_passed=report.policy_passed,
            cost_summary=cost.summary if cost else None, comment_ids=comment_ids,
            summary_line=report.summary_line, diff_text=report.diff_text, apply_on=request.apply_on.value,
            policy_summary=verdict.summary if verdict else None, policy_markdown=report.policy_markdown,
            policy_overridable=bool(verdict and verdict.overridable), violations=verdict.violations if verdict else (),
        ))
        for alert in alerts:
            await self.ctx.bus.publish(notices.BudgetAlert(
                repo=request.repo, project=request.project, pr_number=request.pr_number, threshold=alert.threshold,
                monthly_cost=alert.monthly_cost, budget=alert.budget, projected=True))

    async def _terraform_plan(self, workspace: Workspace, request: PlanRequest, run_id: str) -> Plan:
        """init + plan + show in the run directory, with the guild's credentials and the saved state."""
        ctx = self.ctx
        # Before terraform starts, so a restart finds this run's directory (and, once spawned, its pid).
        await asyncio.to_thread(ctx.store.record_process, run_id, run_dir=str(workspace.workdir))
        on_start = ctx.pid_recorder(run_id)
        # init needs no state, so the state is fetched while terraform initializes.
        restore = ctx.state.restore(request.repo, request.project, workspace.state_file) if ctx.state else asyncio.sleep(0)
        creds = await asyncio.to_thread(ctx.run_credentials, request.repo, request.project)
        with injected_credentials(creds, workspace.workdir) as injected:
            await asyncio.gather(ctx.runner.init(workspace.workdir, extra_env=injected.env, on_start=on_start), restore)
            await ctx.runner.plan(workspace.workdir, workspace.plan_file, extra_env=injected.env, on_start=on_start)
        return parse_plan(await ctx.runner.show_plan(workspace.workdir, workspace.plan_file))

    def _alerted(self, request: PlanRequest) -> list[float]:
        """Thresholds already alerted for this PR and project (one alert per crossing, not per plan)."""
        runs = self.ctx.store.list_runs(repo=request.repo, project=request.project, pr_number=request.pr_number, limit=200)
        return sorted({t for r in runs if r.kind is RunKind.PLAN for t in r.summary.get("budget_alerts", [])})

    # --- reporting ---------------------------------------------------------------

    @staticmethod
    def _ids(request: PlanRequest, run_id: str) -> dict:
        return {"repo": request.repo, "project": request.project, "pr_number": request.pr_number,
                "head_sha": request.head_sha, "run_id": run_id}

    async def _release(self, request: PlanRequest) -> None:
        """A plan that did not succeed protects nothing: give the project back (if this PR holds it)."""
        await asyncio.to_thread(self.ctx.store.unlock, request.repo, request.project, request.pr_number)

    async def _report(self, call: Callable[..., object], *args: object) -> object:
        """One forge call, tried again with backoff while the forge is unavailable."""
        for delay in (*self.report_retry_delays, None):
            try:
                return await asyncio.to_thread(call, *args)
            except ForgeError as exc:
                if delay is None or not is_transient(exc):
                    raise
                log.warning("the forge is unavailable (%s); reporting again in %.0fs", exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _comment(self, request: PlanRequest, body: str) -> list[int]:
        return await self._report(  # type: ignore[return-value]
            self.ctx.forge.upsert_comment, request.repo, request.pr_number, comments.plan_key(request.project), body
        )

    async def _status(self, request: PlanRequest, state: str, description: str) -> None:
        await self._report(
            self.ctx.forge.set_status, request.repo, request.head_sha, state,
            statuses.project_context("plan", request.project), description,
        )

    async def _overall(self, request: PlanRequest) -> None:
        # Every project of the PR, every time: a partial re-plan never speaks for the others.
        await status_sync.publish(self.ctx, request.repo, request.pr_number)


async def _quietly(pending: Awaitable[object]) -> None:
    """Let the start announcement finish before a final status; its own failure is only logged."""
    try:
        await pending
    except Exception:  # noqa: BLE001 - a lost "pending" status must not hide the real outcome
        log.warning("announcing a plan start failed", exc_info=True)


def _cost_figures(cost: object, request: PlanRequest) -> dict | None:
    """Monthly before/after and budget of the project, from the cost engine's estimate."""
    estimate = getattr(cost, "estimate", None)
    if estimate is None:
        return None
    from ..policy.inputs import cost_input

    figures = cost_input(estimate, request.project, request.budget_monthly_usd)
    return {"monthly_before": figures["monthly_before"], "monthly_after": figures["monthly_after"],
            "budget": figures["budget"], "budget_thresholds": list(request.budget_alerts)}


def policy_status_context(project: str) -> str:
    return f"cloudops/policy — {project}"


__all__ = ["CostReport", "PlanContext", "PlanOutcome", "PlanRequest", "Planner", "PolicyVerdict"]
