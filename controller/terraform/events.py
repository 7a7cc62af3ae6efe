"""Typed events from terraform's machine-readable UI (`-json` output).

Pure: turns one JSON line of `terraform plan -json` / `apply -json` into a
frozen dataclass. Every line becomes an event: types this module does not
know (newer terraform versions add some) become ``UnknownEvent`` with the
raw document kept, never dropped.

Reference: Terraform's "Machine-Readable UI" format, `ui` version 0.1 and
1.x (fields are the same for the types used here).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Actions a hook or planned change can carry.
CREATE, READ, UPDATE, REPLACE, DELETE, NOOP = "create", "read", "update", "replace", "delete", "noop"


@dataclass(frozen=True)
class ResourceRef:
    """The resource an event is about (`hook.resource` / `change.resource`)."""

    addr: str
    module: str = ""
    resource_type: str = ""
    resource_name: str = ""
    resource_key: Any = None
    implied_provider: str = ""

    @classmethod
    def from_json(cls, doc: dict[str, Any] | None) -> ResourceRef:
        doc = doc or {}
        return cls(
            addr=str(doc.get("addr", "")),
            module=str(doc.get("module", "") or ""),
            resource_type=str(doc.get("resource_type", "") or ""),
            resource_name=str(doc.get("resource_name", "") or ""),
            resource_key=doc.get("resource_key"),
            implied_provider=str(doc.get("implied_provider", "") or ""),
        )


@dataclass(frozen=True)
class TerraformEvent:
    """Fields every line has; ``raw`` is the whole decoded line."""

    type: str
    level: str
    message: str
    timestamp: str
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class VersionEvent(TerraformEvent):
    terraform_version: str = ""
    ui_version: str = ""


@dataclass(frozen=True)
class LogEvent(TerraformEvent):
    """A plain message (`type: log`), e.g. "Terraform 1.0.3" or a warning."""


@dataclass(frozen=True)
class PlannedChange(TerraformEvent):
    resource: ResourceRef = ResourceRef("")
    action: str = ""
    reason: str = ""
    previous_addr: str = ""


@dataclass(frozen=True)
class ResourceDrift(TerraformEvent):
    resource: ResourceRef = ResourceRef("")
    action: str = ""


@dataclass(frozen=True)
class ChangeSummary(TerraformEvent):
    add: int = 0
    change: int = 0
    remove: int = 0
    operation: str = ""  # plan | apply | destroy

    @property
    def total(self) -> int:
        return self.add + self.change + self.remove


@dataclass(frozen=True)
class HookEvent(TerraformEvent):
    """Base of every per-resource progress event (`hook` documents)."""

    resource: ResourceRef = ResourceRef("")
    action: str = ""
    elapsed_seconds: float = 0.0
    id_key: str = ""
    id_value: str = ""


@dataclass(frozen=True)
class ApplyStart(HookEvent):
    pass


@dataclass(frozen=True)
class ApplyProgress(HookEvent):
    pass


@dataclass(frozen=True)
class ApplyComplete(HookEvent):
    pass


@dataclass(frozen=True)
class ApplyErrored(HookEvent):
    pass


@dataclass(frozen=True)
class ProvisionEvent(HookEvent):
    """provision_start / provision_progress / provision_complete / provision_errored."""

    provisioner: str = ""
    output: str = ""


@dataclass(frozen=True)
class RefreshEvent(HookEvent):
    """refresh_start / refresh_complete."""


@dataclass(frozen=True)
class Diagnostic(TerraformEvent):
    severity: str = ""
    summary: str = ""
    detail: str = ""
    address: str = ""
    filename: str | None = None
    line: int | None = None
    column: int | None = None
    snippet: str = ""

    def location(self) -> str:
        if self.filename and self.line:
            return f"{self.filename}:{self.line}"
        return self.filename or ""


@dataclass(frozen=True)
class OutputValue:
    name: str
    sensitive: bool
    value: Any = None
    type: Any = None
    action: str = ""


@dataclass(frozen=True)
class OutputsEvent(TerraformEvent):
    outputs: tuple[OutputValue, ...] = ()


@dataclass(frozen=True)
class UnknownEvent(TerraformEvent):
    """A type this version of Cloud ChatOps does not know; kept whole in ``raw``."""


@dataclass(frozen=True)
class UnparsedLine(TerraformEvent):
    """A stdout line that is not JSON (terraform prints a few before -json applies)."""


def _hook(doc: dict[str, Any]) -> dict[str, Any]:
    hook = doc.get("hook") or {}
    return {
        "resource": ResourceRef.from_json(hook.get("resource")),
        "action": str(hook.get("action", "") or ""),
        "elapsed_seconds": float(hook.get("elapsed_seconds", 0) or 0),
        "id_key": str(hook.get("id_key", "") or ""),
        "id_value": str(hook.get("id_value", "") or ""),
    }


def _diagnostic(doc: dict[str, Any]) -> dict[str, Any]:
    diag = doc.get("diagnostic") or {}
    rng = diag.get("range") or {}
    start = rng.get("start") or {}
    snippet = diag.get("snippet") or {}
    return {
        "severity": str(diag.get("severity", "") or ""),
        "summary": str(diag.get("summary", "") or ""),
        "detail": str(diag.get("detail", "") or ""),
        "address": str(diag.get("address", "") or ""),
        "filename": rng.get("filename"),
        "line": start.get("line"),
        "column": start.get("column"),
        "snippet": str(snippet.get("code", "") or "") if isinstance(snippet, dict) else "",
    }


def _outputs(doc: dict[str, Any]) -> dict[str, Any]:
    outputs = doc.get("outputs") or {}
    return {
        "outputs": tuple(
            OutputValue(
                name=name,
                sensitive=bool(spec.get("sensitive", False)),
                # A sensitive value never leaves this module.
                value=None if spec.get("sensitive") else spec.get("value"),
                type=spec.get("type"),
                action=str(spec.get("action", "") or ""),
            )
            for name, spec in sorted(outputs.items())
            if isinstance(spec, dict)
        )
    }


def _change(doc: dict[str, Any]) -> dict[str, Any]:
    change = doc.get("change") or {}
    previous = change.get("previous_resource") or {}
    return {
        "resource": ResourceRef.from_json(change.get("resource")),
        "action": str(change.get("action", "") or ""),
        "reason": str(change.get("reason", "") or ""),
        "previous_addr": str(previous.get("addr", "") or ""),
    }


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    changes = doc.get("changes") or {}
    return {
        "add": int(changes.get("add", 0) or 0),
        "change": int(changes.get("change", 0) or 0),
        "remove": int(changes.get("remove", 0) or 0),
        "operation": str(changes.get("operation", "") or ""),
    }


def _version(doc: dict[str, Any]) -> dict[str, Any]:
    return {"terraform_version": str(doc.get("terraform", "")), "ui_version": str(doc.get("ui", ""))}


def _provision(doc: dict[str, Any]) -> dict[str, Any]:
    hook = doc.get("hook") or {}
    return {**_hook(doc), "provisioner": str(hook.get("provisioner", "") or ""), "output": str(hook.get("output", "") or "")}


# type -> (class, field extractor)
_PARSERS: dict[str, tuple[type[TerraformEvent], Any]] = {
    "version": (VersionEvent, _version),
    "log": (LogEvent, lambda doc: {}),
    "planned_change": (PlannedChange, _change),
    "resource_drift": (ResourceDrift, lambda doc: {k: v for k, v in _change(doc).items() if k in ("resource", "action")}),
    "change_summary": (ChangeSummary, _summary),
    "apply_start": (ApplyStart, _hook),
    "apply_progress": (ApplyProgress, _hook),
    "apply_complete": (ApplyComplete, _hook),
    "apply_errored": (ApplyErrored, _hook),
    "provision_start": (ProvisionEvent, _provision),
    "provision_progress": (ProvisionEvent, _provision),
    "provision_complete": (ProvisionEvent, _provision),
    "provision_errored": (ProvisionEvent, _provision),
    "refresh_start": (RefreshEvent, _hook),
    "refresh_complete": (RefreshEvent, _hook),
    "diagnostic": (Diagnostic, _diagnostic),
    "outputs": (OutputsEvent, _outputs),
}


def parse_event(line: str | bytes | dict[str, Any]) -> TerraformEvent:
    """One line of `-json` output → a typed event. Never raises on content."""
    if isinstance(line, dict):
        doc: Any = line
    else:
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        text = text.strip()
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            return UnparsedLine(type="unparsed", level="info", message=text, timestamp="", raw={"line": text})
    kind = str(doc.get("type", ""))
    base = {
        "type": kind,
        "level": str(doc.get("@level", "") or ""),
        "message": str(doc.get("@message", "") or ""),
        "timestamp": str(doc.get("@timestamp", "") or ""),
        "raw": doc,
    }
    cls, extract = _PARSERS.get(kind, (UnknownEvent, lambda d: {}))
    try:
        return cls(**base, **extract(doc))
    except (TypeError, ValueError, AttributeError):
        # A known type with an unexpected shape: keep it rather than fail the run.
        return UnknownEvent(**base)


_TEXT_HEADING = re.compile(r"^(?P<severity>Error|Warning): (?P<summary>.+)$")
_TEXT_LOCATION = re.compile(r"^on (?P<file>\S+) line (?P<line>\d+)")
_TEXT_SNIPPET = re.compile(r"^\d+:|^[-\u2500]+$")


def parse_text_diagnostics(text: str) -> list[Diagnostic]:
    """Diagnostics from terraform's human output (``init`` and ``show`` have no -json stream in 1.0).

    Reads "Error: <summary>" blocks with their "on <file> line <n>" location
    and detail lines, with or without the box-drawing frame of newer versions.
    Errors only when there are any, else warnings.
    """
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for raw in text.splitlines():
        line = raw.strip().strip("\u2502\u2577\u2575").strip()
        heading = _TEXT_HEADING.match(line)
        if heading:
            current = {"severity": heading["severity"].lower(), "summary": heading["summary"], "detail": []}
            found.append(current)
            continue
        if current is None or not line:
            continue
        location = _TEXT_LOCATION.match(line)
        if location and "filename" not in current:
            current["filename"], current["line"] = location["file"], int(location["line"])
        elif not _TEXT_SNIPPET.match(line) and len(current["detail"]) < 6:
            current["detail"].append(line)
    diagnostics = [
        Diagnostic(
            type="diagnostic", level=d["severity"], message=f"{d['severity'].title()}: {d['summary']}", timestamp="",
            raw={}, severity=d["severity"], summary=d["summary"], detail=" ".join(d["detail"])[:500],
            filename=d.get("filename"), line=d.get("line"),
        )
        for d in found
    ]
    return [d for d in diagnostics if d.severity == "error"] or diagnostics
