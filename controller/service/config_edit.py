"""Changes to cloudops.yaml as text in, text out (pure).

Each edit loads the YAML, changes one thing, dumps it and re-reads the
result with the strict loader, so a change that would break the file is
refused before it is ever committed. PyYAML drops comments; the PR diff
shows that, and the header comment is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from .. import repo_config
from ..catalog.specs import Kind, Target
from ..repo_config import Role

HEADER = "# cloudops.yaml: what the Cloud ChatOps controller may do in this repository.\n"


def _load(text: str) -> dict[str, Any]:
    doc = yaml.safe_load(text) or {}
    if not isinstance(doc, dict):
        raise ValueError("cloudops.yaml must be a mapping")
    return doc


def _leading_comments(original: str) -> str:
    out = []
    for line in original.splitlines():
        if not line.startswith("#"):
            break
        out.append(line + "\n")
    return "".join(out) or HEADER


def dump(doc: dict[str, Any], original: str) -> str:
    text = _leading_comments(original) + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)
    repo_config.loads(text)
    return text


def create_project(text: str, name: str, target: Target, region: str, budget: float | None) -> str:
    doc = _load(text)
    projects = doc.setdefault("projects", {})
    if name in projects:
        raise ValueError(f"project {name!r} already exists")
    entry: dict[str, Any] = {"target": target.value, "region": region}
    if budget is not None:
        entry["budget_monthly_usd"] = budget
    projects[name] = entry
    return dump(doc, text)


def grant(text: str, member: str, project: str, role: Role, expires_at: dt.datetime, reason: str) -> str:
    doc = _load(text)
    grants = doc.setdefault("grants", []) or []
    doc["grants"] = grants
    grants.append({"member": member, "project": project, "role": role.value,
                   "expires_at": expires_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "reason": reason})
    return dump(doc, text)


def revoke(text: str, member: str, project: str) -> tuple[str, int]:
    """Remove every grant of ``member`` on ``project``; returns the text and how many went."""
    doc = _load(text)
    grants = doc.get("grants") or []
    kept = [g for g in grants if not (g.get("member") == member and g.get("project") == project)]
    removed = len(grants) - len(kept)
    if kept:
        doc["grants"] = kept
    else:
        doc.pop("grants", None)
    return dump(doc, text), removed


def set_quota(text: str, project: str, kind: Kind, limit: int) -> str:
    doc = _load(text)
    entry = doc["projects"][project]
    quotas = entry.get("quotas") or {}
    quotas[kind.value] = limit
    entry["quotas"] = quotas
    return dump(doc, text)


def set_budget(text: str, project: str, usd: float) -> str:
    doc = _load(text)
    doc["projects"][project]["budget_monthly_usd"] = usd
    return dump(doc, text)


def parse_duration(text: str) -> dt.timedelta:
    """``90m``, ``8h``, ``3d``, ``2w`` (at most 90 days: grants are for incidents and on-call, not forever)."""
    text = text.strip().lower()
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"{text!r} is not a duration like 90m, 8h, 3d or 2w")
    delta = dt.timedelta(**{units[text[-1]]: int(text[:-1])})
    if delta <= dt.timedelta(0) or delta > dt.timedelta(days=90):
        raise ValueError(f"{text!r}: a grant lasts between 1 minute and 90 days")
    return delta
