"""How a plan ends when it does not end planned: the outcome, the run record, the PR and the bus.

Each ending records the run, gives the project lock back when nothing was planned (a failed or
cancelled plan protects nothing), comments on the PR and sets the project's status; never a
"planning…" that does not move. ``Planner.plan`` picks the ending from what stopped the plan.
"""

from __future__ import annotations

import asyncio
import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING

from ..errors import CloudOpsError, PlanFailed
from ..store import Lock, RunStatus
from ..terraform import syntax
from . import comments, notices, statuses

if TYPE_CHECKING:
    from .planner import Planner, PlanRequest


class PlanOutcome(StrEnum):
    PLANNED = "planned"
    LOCKED = "locked"  # another PR holds the project
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    STALE = "stale"  # the PR moved on; a newer job plans the new head
    SYNTAX_ERROR = "syntax_error"  # the configuration cannot be read; terraform did not run


class PlanRefused(PlanFailed):
    """The plan guard found code the controller will not run for a pull request."""


class PlanSyntaxError(PlanFailed):
    """The project's configuration cannot be read (a syntax error); terraform was not started."""

    hint = "fix the file at the line and column shown and push again"

    def __init__(self, problems: list[syntax.SyntaxProblem]) -> None:
        super().__init__("reading the configuration: " + "; ".join(str(p) for p in problems))
        self.problems = list(problems)


async def locked_out(planner: Planner, request: PlanRequest, run_id: str, holder: Lock) -> PlanOutcome:
    ctx = planner.ctx
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.FAILED, error=f"locked by #{holder.pr_number}")
    await planner._comment(request, comments.lock_contended_comment(request.project, holder.pr_number, holder.user))
    await planner._status(request, "failure", f"locked by #{holder.pr_number}")
    await ctx.bus.publish(notices.LockContended(**planner._ids(request, run_id), holder_pr=holder.pr_number,
                                                holder_user=holder.user))
    await planner._overall(request)
    return PlanOutcome.LOCKED


async def timed_out(planner: Planner, request: PlanRequest, run_id: str) -> PlanOutcome:
    ctx = planner.ctx
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.TIMED_OUT, error="plan timed out")
    await planner._release(request)
    await planner._comment(request, comments.plan_timed_out_comment(request.project, request.head_sha, run_id,
                                                                    ctx.settings.plan_timeout))
    await planner._status(request, "failure", "plan timed out")
    await ctx.bus.publish(notices.PlanFailed(**planner._ids(request, run_id), message="plan timed out", timed_out=True))
    return PlanOutcome.TIMED_OUT


async def syntax_error(planner: Planner, request: PlanRequest, run_id: str, exc: PlanSyntaxError) -> PlanOutcome:
    ctx = planner.ctx
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.FAILED, error=str(exc))
    await planner._comment(request, comments.plan_syntax_error_comment(request.project, request.head_sha, run_id,
                                                                       exc.problems))
    await planner._status(request, "failure", f"syntax error: {exc.problems[0]}"[:statuses.DESCRIPTION_LIMIT])
    await ctx.bus.publish(notices.PlanFailed(**planner._ids(request, run_id), message=str(exc)))
    return PlanOutcome.SYNTAX_ERROR


async def cancelled(planner: Planner, request: PlanRequest, run_id: str) -> None:
    ctx = planner.ctx
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.CANCELLED, error="cancelled")
    await planner._release(request)  # nothing was planned: nothing to protect
    await planner._comment(request, comments.plan_cancelled_comment(request.project, request.head_sha, run_id))
    await planner._status(request, "error", "plan cancelled")


async def failed(planner: Planner, request: PlanRequest, run_id: str, exc: CloudOpsError) -> PlanOutcome:
    ctx = planner.ctx
    diagnostics = list(getattr(exc, "diagnostics", []) or [])
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.FAILED, error=str(exc))
    await planner._release(request)
    await ctx.bus.publish(notices.PlanFailed(**planner._ids(request, run_id), message=str(exc),
                                             diagnostics=tuple(dataclasses.asdict(d) for d in diagnostics)))
    await planner._comment(request, comments.plan_failed_comment(request.project, request.head_sha, run_id, str(exc),
                                                                 diagnostics))
    await planner._status(request, "failure", _first_line(exc))
    return PlanOutcome.FAILED


async def broke(planner: Planner, request: PlanRequest, run_id: str, exc: Exception) -> PlanOutcome:
    """A bug or an OS error: still recorded, told and unlocked."""
    ctx = planner.ctx
    message = f"the controller failed while planning ({type(exc).__name__}); see its log for run {run_id}"
    await asyncio.to_thread(ctx.store.update_run_status, run_id, RunStatus.FAILED, error=message)
    await planner._release(request)
    await ctx.bus.publish(notices.PlanFailed(**planner._ids(request, run_id), message=message))
    await planner._comment(request, comments.plan_failed_comment(request.project, request.head_sha, run_id, message, []))
    await planner._status(request, "error", "the controller failed while planning")
    return PlanOutcome.FAILED


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
