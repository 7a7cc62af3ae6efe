"""What the pages show, computed from run records: filters, phases, cost over time, policy verdicts.

Pure: functions of ``Run`` lists and plain values; the views fetch, these decide.
A figure that was never measured stays ``None`` and is shown as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..store import Run, RunKind, RunStatus

PHASES = ("queued", "running", "done")
OUTCOMES = tuple(s.value for s in RunStatus if s not in (RunStatus.QUEUED, RunStatus.RUNNING))


def phase_of(run: Run) -> str:
    if run.status is RunStatus.QUEUED:
        return "queued"
    return "running" if run.status is RunStatus.RUNNING else "done"


@dataclass(frozen=True)
class RunFilter:
    """The runs page's query: every field optional; values as typed in the form."""

    phase: str = ""
    repo: str = ""
    project: str = ""
    pr: str = ""
    user: str = ""
    outcome: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> RunFilter:
        return cls(**{name: (query.get(name) or "").strip() for name in cls.__dataclass_fields__})

    def errors(self) -> list[str]:
        """Clear words for a value that can match nothing (the page shows them and lists no runs)."""
        problems = []
        if self.phase and self.phase not in PHASES:
            problems.append(f"status {self.phase!r} is not one of {', '.join(PHASES)}")
        if self.outcome and self.outcome not in OUTCOMES:
            problems.append(f"outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        if self.kind and self.kind not in {k.value for k in RunKind}:
            problems.append(f"kind {self.kind!r} is not one of {', '.join(k.value for k in RunKind)}")
        if self.pr and not self.pr.lstrip("#").isdigit():
            problems.append(f"pull request {self.pr!r} is not a number")
        return problems

    def pr_number(self) -> int | None:
        return int(self.pr.lstrip("#")) if self.pr and self.pr.lstrip("#").isdigit() else None

    def matches(self, run: Run) -> bool:
        if self.phase and phase_of(run) != self.phase:
            return False
        if self.repo and run.repo != self.repo:
            return False
        if self.project and run.project != self.project:
            return False
        if self.pr and run.pr_number != self.pr_number():
            return False
        if self.user and (run.actor or "").lower() != self.user.lstrip("@").lower():
            return False
        if self.outcome and (run.in_flight or run.status.value != self.outcome):
            return False
        return not (self.kind and run.kind.value != self.kind)

    def apply(self, runs: Iterable[Run]) -> list[Run]:
        return [] if self.errors() else [r for r in runs if self.matches(r)]


def duration(run: Run, now: datetime) -> float | None:
    """Seconds the run took (or has taken so far); None before it started."""
    if run.started_at is None:
        return None
    return ((run.finished_at or now) - run.started_at).total_seconds()


@dataclass(frozen=True)
class CostPoint:
    at: datetime
    monthly_usd: float
    run_id: str
    pr_number: int | None


def cost_series(runs: Iterable[Run], project: str) -> list[CostPoint]:
    """The project's monthly cost after each successful priced apply, oldest first.

    Applies record ``monthly_after`` only when their plan was priced, so an
    unpriced apply adds no point (the chart shows a gap, not a zero).
    """
    points = [
        CostPoint(r.finished_at or r.created_at, float(r.summary["monthly_after"]), r.id, r.pr_number)
        for r in runs
        if r.project == project and r.kind is RunKind.APPLY and r.status is RunStatus.SUCCEEDED
        and isinstance(r.summary.get("monthly_after"), (int, float))
    ]
    return sorted(points, key=lambda p: p.at)


def current_cost(runs: Iterable[Run], project: str) -> float | None:
    series = cost_series(runs, project)
    return series[-1].monthly_usd if series else None


def latest_planned_cost(runs: Sequence[Run], project: str) -> float | None:
    """The monthly cost the newest priced plan would lead to (what is pending, not what is applied)."""
    for r in sorted(runs, key=lambda r: r.created_at, reverse=True):
        if r.project == project and r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED \
                and isinstance(r.summary.get("monthly_after"), (int, float)):
            return float(r.summary["monthly_after"])
    return None


@dataclass(frozen=True)
class Verdict:
    run: Run
    checked: bool
    passed: bool
    overridable: bool

    @property
    def word(self) -> str:
        if not self.checked:
            return "not run"
        return "passed" if self.passed else ("denied (soft: can be overridden)" if self.overridable else "denied")


def policy_verdicts(runs: Iterable[Run]) -> list[Verdict]:
    """One verdict per successful plan, newest first; plans that ran no policy say so."""
    out = []
    for r in runs:
        if r.kind is not RunKind.PLAN or r.status is not RunStatus.SUCCEEDED:
            continue
        checked = bool(r.summary.get("policy_checked", "policy_passed" in r.summary))
        out.append(Verdict(r, checked, bool(r.summary.get("policy_passed", True)), bool(r.summary.get("policy_overridable"))))
    return sorted(out, key=lambda v: v.run.created_at, reverse=True)


def projects_of(runs: Iterable[Run]) -> list[tuple[str, str]]:
    return sorted({(r.repo, r.project) for r in runs})
