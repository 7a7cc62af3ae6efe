"""``cloudops policy check`` outputs as conftest writes them: json, tap, junit, github, sarif (pure).

Everything is first turned into conftest's CheckResult shape (one entry per
file and namespace: successes, failures, warnings); a built-in verdict maps
each policy to a namespace (``cloudops.<policy>``) and keeps its rule id,
severity, fix and resource in the metadata.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .conftest import Message, NamespaceResult
from .result import PolicyResult, Violation

FORMATS = ("json", "tap", "junit", "github", "sarif")


def _meta(v: Violation) -> dict[str, Any]:
    meta: dict[str, Any] = {"resource": v.resource} if v.resource else {}
    meta |= {k: val for k, val in (("id", v.rule), ("severity", v.level), ("fix", v.fix)) if val}
    return meta


def from_result(result: PolicyResult, filename: str) -> list[NamespaceResult]:
    """A built-in verdict as conftest results: one namespace per evaluated policy."""
    out = []
    for policy in result.evaluated:
        fails = tuple(Message(v.msg, _meta(v), v.rule or "deny") for v in result.denies if v.policy == policy)
        warns = tuple(Message(v.msg, _meta(v), v.rule or "warn") for v in result.warns if v.policy == policy)
        out.append(NamespaceResult(filename, f"cloudops.{policy}", 0 if fails else 1, fails, warns))
    return out


def _msg(m: Message) -> str:
    where = m.metadata.get("resource")
    return f"{where}: {m.msg}" if where else m.msg


def to_json(results: Sequence[NamespaceResult]) -> str:
    def one(m: Message) -> dict[str, Any]:
        return {"msg": m.msg, **({"metadata": m.metadata} if m.metadata else {})}
    return json.dumps([{"filename": r.filename, "namespace": r.namespace, "successes": r.successes,
                        "failures": [one(m) for m in r.failures], "warnings": [one(m) for m in r.warnings]}
                       for r in results], indent=2)


def to_tap(results: Sequence[NamespaceResult]) -> str:
    n = 0
    body: list[str] = []
    for r in results:
        for m in r.failures:
            n += 1
            body.append(f"not ok {n} - {r.filename} - {r.namespace} - {_msg(m)}")
        if r.warnings:
            body.append("# warnings")
        for m in r.warnings:
            n += 1
            body.append(f"not ok {n} - {r.filename} - {r.namespace} - {_msg(m)}")
        if not r.failures and not r.warnings:
            n += 1
            body.append(f"ok {n} - {r.filename} - {r.namespace}")
    return "\n".join([f"1..{n}", *body])


def to_junit(results: Sequence[NamespaceResult]) -> str:
    cases: list[str] = []
    failures = 0
    for r in results:
        for m in r.failures:
            failures += 1
            name = f"{r.filename} - {r.namespace} - {_msg(m)}"
            cases.append(f"    <testcase classname={quoteattr(r.namespace)} name={quoteattr(name)}>\n"
                         f"      <failure message={quoteattr(m.msg)}>{escape(_msg(m))}</failure>\n    </testcase>")
        for m in r.warnings:
            name = f"{r.filename} - {r.namespace} - {_msg(m)}"
            cases.append(f"    <testcase classname={quoteattr(r.namespace)} name={quoteattr(name)}>\n"
                         f"      <system-out>{escape('warning: ' + _msg(m))}</system-out>\n    </testcase>")
        if not r.failures and not r.warnings:
            cases.append(f"    <testcase classname={quoteattr(r.namespace)} name={quoteattr(r.filename + ' - ' + r.namespace)}/>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
            f"  <testsuite name=\"conftest\" tests=\"{len(cases)}\" failures=\"{failures}\" errors=\"0\">\n"
            + "\n".join(cases) + "\n  </testsuite>\n</testsuites>")


def _gh(text: str) -> str:
    """GitHub workflow-command escaping of a message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def to_github(results: Sequence[NamespaceResult]) -> str:
    lines = []
    for r in results:
        for kind, items in (("error", r.failures), ("warning", r.warnings)):
            for m in items:
                title = m.metadata.get("id") or r.namespace
                lines.append(f"::{kind} file={r.filename},title={_gh(str(title))}::{_gh(_msg(m))}")
    fails = sum(len(r.failures) for r in results)
    warns = sum(len(r.warnings) for r in results)
    lines.append(f"{fails} failure(s), {warns} warning(s), {sum(r.successes for r in results)} passed")
    return "\n".join(lines)


_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "unknown": "note"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cloud-chatops")
    except PackageNotFoundError:
        return "unknown"


def to_sarif(results: Sequence[NamespaceResult], *, version: str = "") -> str:
    rules: dict[str, dict[str, Any]] = {}
    found: list[dict[str, Any]] = []
    for r in results:
        for items, default in ((r.failures, "error"), (r.warnings, "warning")):
            for m in items:
                rule_id = str(m.metadata.get("id") or f"{r.namespace}/{m.rule or 'deny'}")
                rule = rules.setdefault(rule_id, {"id": rule_id, "shortDescription": {"text": m.msg[:200]}})
                if m.metadata.get("fix"):
                    rule["help"] = {"text": str(m.metadata["fix"])}
                level = "error" if default == "error" else _LEVEL.get(str(m.metadata.get("severity", "")), default)
                entry: dict[str, Any] = {
                    "ruleId": rule_id, "level": level, "message": {"text": _msg(m)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.filename}}}],
                }
                if m.metadata.get("resource"):
                    entry["locations"][0]["logicalLocations"] = [{"name": m.metadata["resource"],
                                                                  "kind": "resource"}]
                found.append(entry)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "cloudops", "version": version or _version(),
                                         "rules": list(rules.values())}},
                     "results": found}]}
    return json.dumps(doc, indent=2)


def render(results: Sequence[NamespaceResult], fmt: str) -> str:
    return {"json": to_json, "tap": to_tap, "junit": to_junit, "github": to_github, "sarif": to_sarif}[fmt](results)


def failed(results: Sequence[NamespaceResult]) -> bool:
    return any(r.failures for r in results)


__all__ = ["FORMATS", "failed", "from_result", "render"]
