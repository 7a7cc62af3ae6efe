"""Which run status may follow which: the run life cycle as data.

Pure: no I/O. Backends call ``check_transition`` inside the transaction that
changes the status, so a run never finishes twice or restarts after it ended.

    queued ──► running ──► succeeded | failed | cancelled | interrupted | timed_out
      └──► cancelled | interrupted | failed   (never started)
"""

from __future__ import annotations

from ..errors import StoreError
from .records import RunStatus

ALLOWED: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset(
        {RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.INTERRUPTED, RunStatus.FAILED}
    ),
    RunStatus.RUNNING: frozenset(
        {
            RunStatus.SUCCEEDED,
            RunStatus.FAILED,
            RunStatus.CANCELLED,
            RunStatus.INTERRUPTED,
            RunStatus.TIMED_OUT,
        }
    ),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
    RunStatus.INTERRUPTED: frozenset(),
    RunStatus.TIMED_OUT: frozenset(),
}


def is_terminal(status: RunStatus) -> bool:
    """A finished run: nothing may follow."""
    return not ALLOWED[status]


def can_transition(current: RunStatus, new: RunStatus) -> bool:
    return new in ALLOWED[current]


def check_transition(current: RunStatus, new: RunStatus, *, run_id: str = "") -> None:
    """Raise ``StoreError`` naming both statuses when ``new`` may not follow ``current``."""
    if can_transition(current, new):
        return
    subject = f"run {run_id}" if run_id else "run"
    if is_terminal(current):
        detail = f"{current.value} is final"
    else:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current]))
        detail = f"from {current.value} only {allowed} may follow"
    raise StoreError(
        f"updating {subject}: status {current.value} -> {new.value} is not allowed ({detail})",
        hint="start a new run instead of reusing a finished one",
    )
