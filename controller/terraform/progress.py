"""Apply progress: from the plan and terraform's `apply -json` events to a progress line.

Pure: ``ProgressTracker.feed`` only updates in-memory counters, ``snapshot``
returns a frozen ``Progress``, and the ``render*`` functions turn one into
text. Time comes in from outside (an injected clock or ``elapsed`` seconds),
so a render is a function of its inputs and golden tests are exact.

Units of work are resources, not hook events: a replace emits a delete and a
create (in either order) but is one resource, done when both phases are.
Data-source reads are not work. A resource the plan did not list (events from
another plan, a newer terraform's extra objects) is added to the total when it
shows up, so the percentage never passes 100 %.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from controller.terraform import events as ev
from controller.terraform.plan import Action, Plan

_MODULE_PREFIX = re.compile(r'^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*')
_MAX_LINE = 160  # a provisioner line in a chat message
BAR_WIDTH = 10
FULL, EMPTY = "▓", "░"

_VERBS = {"create": "Creating", "update": "Updating", "delete": "Destroying", "read": "Reading"}
_PHASES: dict[Action, frozenset[str]] = {
    Action.CREATE: frozenset({"create"}),
    Action.UPDATE: frozenset({"update"}),
    Action.DELETE: frozenset({"delete"}),
    Action.REPLACE: frozenset({"create", "delete"}),
}


class Outcome(str, Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Failure:
    """A resource terraform could not change, with terraform's reason when it gave one."""

    address: str
    action: str
    reason: str = ""


@dataclass(frozen=True)
class Progress:
    """Where an apply stands; everything a render needs except the time."""

    completed: int
    total: int
    current: str  # e.g. "Creating null_resource.web…", "" when idle
    provision_output: str  # the latest provisioner line of the current resource
    failures: tuple[Failure, ...]
    errors: tuple[str, ...]  # error diagnostics not tied to a failed resource
    unplanned: tuple[str, ...]  # addresses changed by apply that the plan did not list
    outcome: Outcome
    summary: str = ""  # terraform's closing "Apply complete! Resources: …" message

    @property
    def percent(self) -> int:
        """Whole percent done, rounded down so 100 means every resource is done."""
        if self.total == 0:
            return 100
        return min(100, self.completed * 100 // self.total)


class ProgressTracker:
    """Feeds on typed events; one tracker per apply run."""

    def __init__(self, plan: Plan, *, clock: Callable[[], float] | None = None) -> None:
        self._phases: dict[str, frozenset[str]] = {
            rc.address: _PHASES[rc.action] for rc in plan.changes() if not rc.deposed
        }
        self._planned = len(self._phases)
        self._done: dict[str, set[str]] = {}
        self._in_flight: dict[str, str] = {}  # address -> action, most recent last
        self._provision: dict[str, str] = {}
        self._failures: dict[str, Failure] = {}
        self._errors: list[str] = []
        self._unplanned: list[str] = []
        self._summary = ""
        self._finished = False
        self._clock = clock
        self._started = clock() if clock else 0.0

    def elapsed(self) -> float:
        """Seconds since the tracker was made, by the injected clock (0 without one)."""
        return self._clock() - self._started if self._clock else 0.0

    def feed(self, event: ev.TerraformEvent) -> None:
        """Take one event; unknown and irrelevant events are ignored."""
        if isinstance(event, ev.ProvisionEvent):
            if event.output.strip():
                line = f"({event.provisioner}) {event.output.strip().splitlines()[-1]}"
                self._provision[event.resource.addr] = line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"
        elif isinstance(event, (ev.ApplyStart, ev.ApplyProgress)):
            self._start(event.resource.addr, event.action)
        elif isinstance(event, ev.ApplyComplete):
            self._complete(event.resource.addr, event.action)
        elif isinstance(event, ev.ApplyErrored):
            self._fail(event.resource.addr, event.action)
        elif isinstance(event, ev.Diagnostic) and event.severity == "error":
            self._diagnostic(event)
        elif isinstance(event, ev.ChangeSummary) and event.operation in ("apply", "destroy"):
            self._summary = event.message
            self._finished = True

    def _track(self, address: str, action: str) -> bool:
        """Whether ``address`` is work; registers a resource the plan did not list."""
        if action == "read" or _MODULE_PREFIX.sub("", address).startswith("data."):
            return False
        if address not in self._phases:
            self._phases[address] = frozenset({action})
            self._unplanned.append(address)
        return True

    def _start(self, address: str, action: str) -> None:
        self._track(address, action)
        self._in_flight.pop(address, None)
        self._in_flight[address] = action

    def _complete(self, address: str, action: str) -> None:
        self._in_flight.pop(address, None)
        self._provision.pop(address, None)
        if self._track(address, action):
            self._done.setdefault(address, set()).add(action)

    def _fail(self, address: str, action: str) -> None:
        self._in_flight.pop(address, None)
        self._track(address, action)
        previous = self._failures.get(address)
        self._failures[address] = Failure(address, action, previous.reason if previous else "")

    def _diagnostic(self, event: ev.Diagnostic) -> None:
        reason = event.summary or event.message
        if event.address:
            previous = self._failures.get(event.address)
            action = previous.action if previous else ""
            self._failures[event.address] = Failure(event.address, action, reason)
        else:
            self._errors.append(reason)

    def _completed(self) -> int:
        return sum(
            1
            for address, phases in self._phases.items()
            if phases <= self._done.get(address, set()) and address not in self._failures
        )

    def _current(self) -> tuple[str, str]:
        if not self._in_flight:
            return "", ""
        address, action = next(reversed(self._in_flight.items()))
        return f"{_VERBS.get(action, action.capitalize())} {address}…", self._provision.get(address, "")

    def snapshot(self) -> Progress:
        if self._failures or self._errors:
            outcome = Outcome.FAILED
        elif self._finished:
            outcome = Outcome.SUCCEEDED
        else:
            outcome = Outcome.RUNNING
        current, output = self._current()
        return Progress(
            completed=self._completed(),
            total=len(self._phases),
            current=current,
            provision_output=output,
            failures=tuple(self._failures.values()),
            errors=tuple(self._errors),
            unplanned=tuple(self._unplanned),
            outcome=outcome,
            summary=self._summary,
        )

    def render(self) -> str:
        """The live line, timed by the injected clock."""
        return render(self.snapshot(), self.elapsed())

    def render_final(self) -> str:
        return render_final(self.snapshot(), self.elapsed())


def format_elapsed(seconds: float) -> str:
    """``5s``, ``1m05s``, ``2h03m04s``: short, fixed-width past the first unit."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def bar(percent: int, width: int = BAR_WIDTH) -> str:
    """``[▓▓▓▓▓░░░░░]``; a cell fills only when its whole share is done."""
    filled = max(0, min(width, percent * width // 100))
    return "[" + FULL * filled + EMPTY * (width - filled) + "]"


def _failure_lines(progress: Progress) -> list[str]:
    lines = [f"✗ {f.address} failed" + (f": {f.reason}" if f.reason else "") for f in progress.failures]
    return lines + [f"✗ {error}" for error in progress.errors]


def render(progress: Progress, elapsed: float) -> str:
    """The live progress text: bar, percent, current action, k/n, elapsed; then details."""
    if progress.total == 0:
        doing = "No resource changes"
    else:
        idle = "Finishing…" if progress.completed == progress.total else "Waiting…"
        doing = progress.current or ("Stopping after an error…" if progress.outcome is Outcome.FAILED else idle)
    head = (
        f"{bar(progress.percent)} {progress.percent}% {doing} "
        f"({progress.completed}/{progress.total} resources) {format_elapsed(elapsed)}"
    )
    lines = [head]
    if progress.provision_output:
        lines.append(f"  ↳ {progress.provision_output}")
    return "\n".join(lines + _failure_lines(progress))


def render_final(progress: Progress, elapsed: float) -> str:
    """The closing text once terraform has exited, for success or failure."""
    took = format_elapsed(elapsed)
    counted = f"{progress.completed}/{progress.total} resources"
    if progress.outcome is Outcome.FAILED:
        return "\n".join([f"✗ Apply failed after {took}: {counted} done"] + _failure_lines(progress))
    if progress.outcome is Outcome.SUCCEEDED or progress.completed == progress.total:
        detail = f" · {progress.summary}" if progress.summary else ""
        return f"✓ Apply complete in {took}: {counted}{detail}"
    return f"✗ Apply stopped after {took}: {counted} done"


__all__ = ["Failure", "Outcome", "Progress", "ProgressTracker", "bar", "format_elapsed", "render", "render_final"]
