"""Commit status contexts and the overall verdict (pure).

Per project: ``cloudops/plan: <project>``; overall: ``cloudops/plan`` with
"k/n projects planned". The overall state is computed from the latest run
of each project at the head commit: any failure fails it, anything not yet
finished keeps it pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..store import Run, RunStatus

StatusState = str  # "pending" | "success" | "failure" | "error"

_FAILED = {RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELLED, RunStatus.INTERRUPTED}


def overall_context(kind: str) -> str:
    return f"cloudops/{kind}"


def project_context(kind: str, project: str) -> str:
    return f"cloudops/{kind}: {project}"


def latest_per_project(runs: Iterable[Run]) -> dict[str, Run]:
    latest: dict[str, Run] = {}
    for run in runs:
        current = latest.get(run.project)
        if current is None or run.created_at > current.created_at:
            latest[run.project] = run
    return latest


def overall(runs: Iterable[Run], projects: Sequence[str], *, verb: str = "planned") -> tuple[StatusState, str]:
    """(state, description) for the overall status of ``projects``."""
    if not projects:
        return "success", f"no projects to be {verb}"
    latest = latest_per_project(r for r in runs if r.project in projects)
    done = sum(1 for p in projects if p in latest and latest[p].status is RunStatus.SUCCEEDED)
    failed = sorted(p for p in projects if p in latest and latest[p].status in _FAILED)
    description = f"{done}/{len(projects)} projects {verb}"
    if failed:
        return "failure", f"{description}; failed: {', '.join(failed)}"[:140]
    if done == len(projects):
        return "success", description
    return "pending", description
