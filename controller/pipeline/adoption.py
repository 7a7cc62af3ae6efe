"""What an interrupted run did, read from its event log and its states (pure).

The recovery pass (``recovery``) does the I/O; this module decides: which
planned changes terraform completed, whether it finished, and which state
is the newer one — a state file's ``serial`` grows with every write, so of
two states of one ``lineage`` the higher serial wins; states of different
lineages are never merged silently.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..terraform import events as ev


@dataclass(frozen=True)
class ApplyLog:
    """An apply's outcome as its event log tells it."""

    planned: tuple[str, ...]  # addresses the plan changes
    applied: tuple[str, ...]  # addresses whose apply completed
    errored: tuple[str, ...]
    finished: bool  # terraform printed its final change summary
    summary: str = ""
    error_diagnostics: bool = False  # terraform reported an error not tied to one resource  # "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." or ""

    @property
    def not_applied(self) -> tuple[str, ...]:
        return tuple(a for a in self.planned if a not in self.applied and a not in self.errored)

    @property
    def succeeded(self) -> bool:
        return self.finished and not self.errored and not self.error_diagnostics and not self.not_applied


def read_apply_log(plan_events: Sequence[ev.TerraformEvent], apply_events: Sequence[ev.TerraformEvent]) -> ApplyLog:
    planned = tuple(dict.fromkeys(
        e.resource.addr for e in plan_events
        if isinstance(e, ev.PlannedChange) and e.action not in ("noop", "read") and e.resource.addr
    ))
    applied = tuple(dict.fromkeys(e.resource.addr for e in apply_events if isinstance(e, ev.ApplyComplete)))
    errored = tuple(dict.fromkeys(e.resource.addr for e in apply_events if isinstance(e, ev.ApplyErrored)))
    errors = any(isinstance(e, ev.Diagnostic) and e.severity == "error" for e in apply_events)
    summary = next((e for e in reversed(apply_events) if isinstance(e, ev.ChangeSummary)), None)
    text = ""
    if summary is not None:
        text = (f"Apply complete! Resources: {summary.add} added, {summary.change} changed, "
                f"{summary.remove} destroyed.")
    return ApplyLog(planned=planned, applied=applied, errored=errored, finished=summary is not None, summary=text,
                    error_diagnostics=errors)


@dataclass(frozen=True)
class StateInfo:
    serial: int
    lineage: str
    resources: int


def state_info(text: bytes | str | None) -> StateInfo | None:
    """Serial, lineage and resource count of a terraform state file; None if absent or unreadable."""
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("serial"), int):
        return None
    resources = sum(len(r.get("instances") or []) for r in doc.get("resources") or [] if isinstance(r, dict))
    return StateInfo(serial=doc["serial"], lineage=str(doc.get("lineage") or ""), resources=resources)


class StateChoice:
    KEEP_SAVED = "keep_saved"  # the branch already has this state (or a newer one)
    SAVE_RUN_DIR = "save_run_dir"  # the run dir holds a newer state: commit it
    CONFLICT = "conflict"  # different lineages: a person must look


def choose_state(run_dir: StateInfo | None, saved: StateInfo | None) -> str:
    if run_dir is None:
        return StateChoice.KEEP_SAVED
    if saved is None:
        return StateChoice.SAVE_RUN_DIR
    if run_dir.lineage and saved.lineage and run_dir.lineage != saved.lineage:
        return StateChoice.CONFLICT
    return StateChoice.SAVE_RUN_DIR if run_dir.serial > saved.serial else StateChoice.KEEP_SAVED


__all__ = ["ApplyLog", "StateChoice", "StateInfo", "choose_state", "read_apply_log", "state_info"]
