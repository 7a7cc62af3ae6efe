"""At start-up, adopt every run a crash left in flight — before any webhook is taken.

For each queued or running run in the store:

1. Its terraform, if still alive (found by run directory, see
   ``terraform.orphans``): an apply is given ``wait`` seconds to finish on its
   own, then stopped gracefully (SIGINT, SIGTERM, SIGKILL); a plan is stopped
   at once (it changes nothing and is planned again).
2. An apply's event log (``.cloudops-log/apply.out``) says which planned
   changes completed; the run directory's state is compared with the one on
   the state branch and committed when newer (higher serial, same lineage),
   with a message naming the interrupted run.
3. The run is recorded as it ended (succeeded if terraform finished
   everything, otherwise interrupted, with what applied and what did not),
   the per-project status is set, the PR comment says exactly what is live,
   and chat hears it on the bus.
4. Every PR touched gets both overall statuses recomputed; an interrupted
   plan is planned again.

The lock of an interrupted apply is kept: someone must look at what is live.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CloudOpsError
from ..secrets.injection import remove_credentials
from ..state import state_message
from ..store import Run, RunKind, RunStatus
from ..terraform import orphans
from ..terraform.output_log import read_event_log
from . import adoption, apply_comments, notices, status_sync, statuses
from .comments import apply_key, plan_key

log = logging.getLogger(__name__)

REASON = "the controller stopped while this run was in flight"
Replan = Callable[[Run], Awaitable[None]]


@dataclass(frozen=True)
class Recovered:
    run: Run  # as recorded after recovery
    survivor: str  # what happened to a terraform that outlived the controller
    applied: tuple[str, ...] = ()
    not_applied: tuple[str, ...] = ()
    state: str = ""  # what was done with the run directory's state
    notes: list[str] = field(default_factory=list)


async def recover(ctx, *, wait: float, grace: float, replan: Replan | None = None) -> list[Recovered]:
    runs: list[Run] = await asyncio.to_thread(ctx.store.list_in_flight_runs)
    done: list[Recovered] = []
    for run in runs:
        try:
            done.append(await _adopt(ctx, run, wait=wait, grace=grace))
        except Exception:  # noqa: BLE001 - one run's trouble must not stop the others or the start-up
            log.exception("recovering run %s (%s of %s)", run.id, run.kind.value, run.project)
            current = await asyncio.to_thread(ctx.store.get_run, run.id)
            if current is not None and current.in_flight:
                await asyncio.to_thread(ctx.store.update_run_status, run.id, RunStatus.INTERRUPTED, error=REASON)
    for pr in sorted({(r.run.repo, r.run.pr_number) for r in done if r.run.pr_number is not None}):
        await status_sync.publish(ctx, pr[0], pr[1])
    if replan is not None:
        for item in done:
            if item.run.kind is RunKind.PLAN and item.run.pr_number is not None:
                try:
                    await replan(item.run)
                except CloudOpsError as exc:
                    log.warning("planning %s#%s %s again after the restart: %s",
                                item.run.repo, item.run.pr_number, item.run.project, exc)
    return done


async def _adopt(ctx, run: Run, *, wait: float, grace: float) -> Recovered:
    run_dir = _run_dir(ctx, run)
    survivors = orphans.processes_in(run_dir) if run_dir is not None and run_dir.is_dir() else []
    if not survivors:
        started = run.pid is not None or (run_dir is not None and any((run_dir / ".cloudops-log").glob(f"{run.kind.value}.out")))
        survivor = "terraform had stopped with the controller" if started else "terraform had not started"
    elif run.kind is RunKind.APPLY:
        log.warning("run %s: terraform (pids %s) outlived the controller; waiting up to %gs", run.id, survivors, wait)
        if await orphans.wait_gone(survivors, wait):
            survivor = "terraform was still running after the restart and finished on its own"
        else:
            sent = await orphans.stop(survivors, grace)
            survivor = (f"terraform was still running {wait:g}s after the restart and was stopped "
                        f"({', '.join(sent)})")
    else:
        sent = await orphans.stop(survivors, grace)
        survivor = f"its terraform was stopped ({', '.join(sent)})"
    if run_dir is not None and run_dir.is_dir():
        remove_credentials(run_dir)  # kept at start-up only while its terraform might still run
    if run.kind is RunKind.APPLY:
        return await _adopt_apply(ctx, run, run_dir, survivor)
    return await _adopt_plan(ctx, run, survivor)


def _run_dir(ctx, run: Run) -> Path | None:
    if run.run_dir:
        return Path(run.run_dir)
    if run.kind is not RunKind.APPLY:
        candidate = ctx.settings.runs_dir / run.id
        return candidate if candidate.is_dir() else None
    return None


async def _adopt_plan(ctx, run: Run, survivor: str) -> Recovered:
    recorded = await asyncio.to_thread(ctx.store.update_run_status, run.id, RunStatus.INTERRUPTED,
                                       error=f"{REASON}; {survivor}")
    if run.pr_number is not None:
        await _quietly(ctx.forge.set_status, run.repo, run.head_sha, "error",
                       statuses.project_context("plan", run.project), "interrupted by a restart; planning again")
        await _quietly(ctx.forge.upsert_comment, run.repo, run.pr_number, plan_key(run.project),
                       apply_comments.replanning_after_restart(run.project, run.id))
    return Recovered(run=recorded, survivor=survivor)


async def _adopt_apply(ctx, run: Run, run_dir: Path | None, survivor: str) -> Recovered:
    plan_events = read_event_log(run_dir, "plan") if run_dir else []
    apply_events = read_event_log(run_dir, "apply") if run_dir else []
    outcome = adoption.read_apply_log(plan_events, apply_events)
    # Take the project's lane over: should the presumed-dead worker still be running, its save is now refused.
    await asyncio.to_thread(ctx.store.take_fence, run.repo, run.project, holder=f"recovery:{run.id}")
    state = await _save_state(ctx, run, run_dir) if run_dir else "No state was written: terraform had not started."
    succeeded = outcome.succeeded and run.status is RunStatus.RUNNING
    summary = {**run.summary, "plan_run_id": run.plan_run_id or run.summary.get("plan_run_id"), "recovered": True,
               "applied": list(outcome.applied), "not_applied": list(outcome.not_applied),
               "failed_resources": list(outcome.errored)}
    recorded = await asyncio.to_thread(
        ctx.store.update_run_status, run.id, RunStatus.SUCCEEDED if succeeded else RunStatus.INTERRUPTED,
        summary=summary, error=None if succeeded else f"{REASON}; {survivor}",
    )
    total = len(outcome.applied) + len(outcome.not_applied) + len(outcome.errored)
    if run.pr_number is not None:
        description = ("applied (finished during a restart)" if succeeded
                       else f"interrupted by a restart: {len(outcome.applied)}/{total} applied")
        await _quietly(ctx.forge.set_status, run.repo, run.head_sha, "success" if succeeded else "failure",
                       statuses.project_context("apply", run.project), description)
        await _quietly(ctx.forge.upsert_comment, run.repo, run.pr_number, apply_key(run.project),
                       apply_comments.recovered_apply(run.project, run.id, applied=outcome.applied,
                                                      not_applied=outcome.not_applied, errored=outcome.errored,
                                                      finished=succeeded, survivor=survivor, state=state))
        if succeeded and run.trigger == "merge":
            await asyncio.to_thread(ctx.store.unlock, run.repo, run.project, run.pr_number)
        await ctx.bus.publish(notices.ApplyFinished(
            repo=run.repo, project=run.project, pr_number=run.pr_number, head_sha=run.head_sha, run_id=run.id,
            succeeded=succeeded, summary=outcome.summary or f"interrupted by a restart: {len(outcome.applied)}/{total} applied",
            rendered="", failed_resources=outcome.errored + outcome.not_applied,
        ))
    return Recovered(run=recorded, survivor=survivor, applied=outcome.applied, not_applied=outcome.not_applied,
                     state=state)


async def _save_state(ctx, run: Run, run_dir: Path) -> str:
    """Commit the run directory's state if it is newer than the saved one; say what was done."""
    state_file = run_dir / "terraform.tfstate"
    local = adoption.state_info(state_file.read_bytes() if state_file.is_file() else None)
    if ctx.state is None:
        return "No state backend is configured; the state stays in the run directory."
    scratch = Path(tempfile.mkdtemp(prefix="cloudops-recovery-", dir=ctx.settings.data_dir))
    try:
        saved_file = scratch / "saved.tfstate"
        had = await ctx.state.restore(run.repo, run.project, saved_file)
        saved = adoption.state_info(saved_file.read_bytes()) if had else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    choice = adoption.choose_state(local, saved)
    if choice == adoption.StateChoice.SAVE_RUN_DIR and local is not None:  # SAVE_RUN_DIR implies a local state
        await ctx.state.save(run.repo, run.project, state_file, message=state_message(
            run.project, action="recovery of interrupted apply", pr_number=run.pr_number, head_sha=run.head_sha,
            run_id=run.id, actor=run.actor))
        return (f"The state terraform wrote ({local.resources} resource instance(s), serial {local.serial}) is saved "
                f"on the state branch; its commit names run `{run.id}`.")
    if choice == adoption.StateChoice.CONFLICT:
        return ("The run directory's state belongs to another lineage than the saved one; neither was changed. "
                "An operator must compare them before anything else is applied.")
    if local is None:
        return "Terraform wrote no state, so nothing changed on the state branch."
    return "The state branch already holds this state."


async def _quietly(call, *args) -> None:
    try:
        await asyncio.to_thread(call, *args)
    except CloudOpsError as exc:
        log.warning("telling the forge about a recovered run: %s", exc)


__all__ = ["Recovered", "recover"]
