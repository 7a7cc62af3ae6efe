"""`automerge: true`: merge the PR once every project of it is applied at its current head.

A project whose latest plan changes nothing needs no apply. Merging is the forge's; a refusal (a
branch protection rule, a conflict) is told on the PR, which then waits for a person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..errors import CloudOpsError
from ..forge.base import Forge
from ..store import Run, RunKind, RunStatus
from . import comments

log = logging.getLogger(__name__)

Reply = Callable[[str, int, str, str], Awaitable[None]]


def waiting_projects(runs: list[Run]) -> tuple[list[str], str | None]:
    """(projects whose latest plan has changes not yet applied, the head those plans are of) — pure.

    ``runs`` newest first, as the store lists them."""
    latest_plans: dict[str, Run] = {}
    for run in runs:
        if run.kind is RunKind.PLAN and run.status is RunStatus.SUCCEEDED:
            latest_plans.setdefault(run.project, run)
    applied = {r.summary.get("plan_run_id") for r in runs if r.kind is RunKind.APPLY and r.status is RunStatus.SUCCEEDED}
    waiting = sorted(p for p, plan in latest_plans.items() if plan.summary.get("has_changes", True) and plan.id not in applied)
    head = next(iter(latest_plans.values())).head_sha if latest_plans else None
    return waiting, head


async def merge_when_applied(runs: list[Run], forge: Forge, reply: Reply, repo: str, number: int) -> None:
    waiting, head = waiting_projects(runs)
    if waiting or head is None:
        log.info("automerge of %s#%s waits for %s", repo, number, ", ".join(waiting) or "a plan")
        return
    try:
        result = await asyncio.to_thread(forge.merge, repo, number, sha=head)
    except CloudOpsError as exc:
        await reply(repo, number, "automerge", comments.automerge_failed_comment(exc.user_message()))
        return
    await reply(repo, number, "automerge", comments.automerged_comment(result.sha or ""))


__all__ = ["merge_when_applied", "waiting_projects"]
