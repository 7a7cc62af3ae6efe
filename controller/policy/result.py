"""A policy verdict as a value, and its renderings (pure).

A denial is a result shown to the user, not an exception. Enforcement comes
from the policy set: advisory denials are shown as warnings, soft ones block
until an admin overrides (`cloudops approve_policies`), hard ones block.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from ..errors import NotAllowed
from ..repo_config import Enforcement

MAX_ROWS = 50
MAX_MESSAGE = 300


class Severity(StrEnum):
    DENY = "deny"
    WARN = "warn"


@dataclass(frozen=True)
class Violation:
    policy: str
    resource: str
    msg: str
    severity: Severity
    enforcement: Enforcement = Enforcement.HARD
    advisory: bool = False  # a deny shown as a warning because its set is advisory
    rule: str = ""  # the rule's id (security pack: NET-001 ...), when the policy gives one
    level: str = ""  # critical | high | medium | low | unknown, when the policy gives one
    fix: str = ""  # one line: how to make the finding go away

    @property
    def label(self) -> str:
        """``policy`` or ``policy/RULE`` for tables and lines."""
        return f"{self.policy}/{self.rule}" if self.rule else self.policy

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value, "enforcement": self.enforcement.value}


@dataclass(frozen=True)
class PolicyResult:
    """What the policies said about one plan of one project."""

    project: str
    denies: tuple[Violation, ...] = ()
    warns: tuple[Violation, ...] = ()
    evaluated: tuple[str, ...] = ()  # policy names, in order
    overridden_by: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def denied(self) -> bool:
        return bool(self.denies)

    @property
    def overridable(self) -> bool:
        """Every denial comes from a soft set: an admin may approve past them."""
        return bool(self.denies) and all(v.enforcement is Enforcement.SOFT for v in self.denies)

    @property
    def passed(self) -> bool:
        """Nothing denied, or an admin overrode soft denials."""
        return not self.denies or (self.overridden_by is not None and self.overridable)

    def override(self, admin: str) -> PolicyResult:
        """The same verdict overridden by ``admin`` (the caller checks the role and records it)."""
        if not self.denies:
            return self
        if not self.overridable:
            hard = sorted({v.policy for v in self.denies if v.enforcement is not Enforcement.SOFT})
            raise NotAllowed(f"overriding policies for {self.project}: {', '.join(hard)} are hard policies",
                             hint="fix the plan; hard policies cannot be overridden")
        return replace(self, overridden_by=admin)

    def summary(self) -> str:
        """One line (<= 140 characters) for a commit status description."""
        if self.overridden_by and self.passed and self.denies:
            text = f"{len(self.denies)} denied, overridden by {self.overridden_by}"
        elif self.denies:
            how = "an admin may override" if self.overridable else "blocks apply"
            text = f"{len(self.denies)} denied, {len(self.warns)} warnings: {how}"
        else:
            text = f"passed {len(self.evaluated)} policies" + (f", {len(self.warns)} warnings" if self.warns else "")
        return text[:140]

    def verdict(self) -> str:
        if not self.evaluated:
            return "➖ **Policies**: none configured for this project"
        if not self.denies:
            tail = f", {len(self.warns)} warning(s)" if self.warns else ""
            return f"✅ **Policies passed** ({len(self.evaluated)} evaluated{tail})"
        if self.passed:
            return f"⚠️ **Policies overridden** by @{self.overridden_by}: {len(self.denies)} denial(s) approved"
        if self.overridable:
            return (f"⛔ **Policies denied** {len(self.denies)} change(s): an admin may override with "
                    "`cloudops approve_policies`")
        return f"⛔ **Policies denied** {len(self.denies)} change(s): fix the plan to apply"

    def to_markdown(self) -> str:
        lines = [self.verdict()]
        rows = [*self.denies, *self.warns]
        if rows:
            lines += ["", "| | policy | resource | message |", "| --- | --- | --- | --- |"]
            for v in rows[:MAX_ROWS]:
                icon = "⛔" if v.severity is Severity.DENY else "⚠️"
                where = f"`{_cell(v.resource)}`" if v.resource else "(project)"
                level = f"**{v.level}**: " if v.level else ""
                fix = f" — fix: {v.fix}" if v.fix else ""
                lines.append(f"| {icon} | {_cell(v.label)} | {where} | {_cell(level + v.msg + fix)} |")
            if len(rows) > MAX_ROWS:
                lines.append(f"\n… and {len(rows) - MAX_ROWS} more (see `cloudops policy check --format json`)")
        lines += [f"\n_{note}_" for note in self.notes]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "passed": self.passed,
            "overridable": self.overridable,
            "overridden_by": self.overridden_by,
            "evaluated": list(self.evaluated),
            "denies": [v.as_dict() for v in self.denies],
            "warns": [v.as_dict() for v in self.warns],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def to_text(self) -> str:
        """Plain lines for a terminal (`cloudops policy check`)."""
        head = "PASS" if self.passed else "FAIL"
        lines = [f"{head} {self.project}: {self.summary()}"]
        for v in [*self.denies, *self.warns]:
            tag = "DENY" if v.severity is Severity.DENY else "WARN"
            level = f" ({v.level})" if v.level else ""
            lines.append(f"  {tag} [{v.label}]{level} {v.resource or '(project)'}: {v.msg}")
            if v.fix:
                lines.append(f"       fix: {v.fix}")
        return "\n".join(lines)


def _cell(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return text.replace("|", "\\|").replace("`", "'").replace("<", "&lt;")
