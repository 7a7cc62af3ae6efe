"""Changes to cloudops.yaml as text in, text out (pure), keeping the file as people wrote it.

Each edit round-trips the file with ruamel.yaml, so comments, key order, quoting, flow
mappings and blank lines survive and a one-value change is a one-line diff. The indentation
is read from the file itself (``detect_indent``) so re-emitting it moves nothing. The result
is re-read with the strict loader, so a change that would break the file is refused before it
is ever committed. Numbers are checked here too: finite and within the bounds a person would
ever mean (the same bounds Discord's options enforce), so ``nan``, ``inf`` or ``1e308``
never reach a commit.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .. import repo_config
from ..catalog.specs import Kind, Target
from ..durations import format_duration, parse_duration
from ..repo_config import Role

MAX_QUOTA = 1000
MAX_BUDGET_USD = 1_000_000.0


def detect_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel.yaml takes them, read from the file (defaults 2, 4, 2)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping = next((len(line) - len(line.lstrip()) for line in lines if line.startswith(" ") and not line.lstrip().startswith("- ")), 2)
    offset = 2
    for previous, line in zip(lines, lines[1:]):
        stripped = line.lstrip()
        if stripped.startswith("- ") and previous.rstrip().endswith(":"):
            offset = (len(line) - len(stripped)) - (len(previous) - len(previous.lstrip()))
            break
    return mapping, max(offset, 0) + 2, max(offset, 0)


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line: that would be a diff nobody asked for
    mapping, sequence, offset = detect_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _load(text: str) -> tuple[YAML, CommentedMap]:
    yaml = _yaml(text)
    try:
        doc = yaml.load(text)
    except YAMLError as exc:
        raise ValueError(f"cloudops.yaml is not valid YAML: {exc}") from None
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise ValueError("cloudops.yaml must be a mapping")
    return yaml, doc


def dump(yaml: YAML, doc: CommentedMap) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    text = out.getvalue()
    repo_config.loads(text)  # the strict loader: a change that breaks the file is refused here
    return text


def _project(doc: CommentedMap, project: str) -> CommentedMap:
    projects = doc.get("projects")
    if not isinstance(projects, dict) or not isinstance(projects.get(project), dict):
        raise ValueError(f"project {project!r} is not in cloudops.yaml")
    return projects[project]


def _append(seq: CommentedSeq, item: CommentedMap) -> None:
    """Append keeping the blank line or comment that closed the list after the new last item."""
    if seq and isinstance(seq[-1], CommentedMap) and len(seq[-1]):
        last_key = list(seq[-1].keys())[-1]
        trailing = seq[-1].ca.items.pop(last_key, None)
        if trailing is not None:
            item.ca.items[list(item.keys())[-1]] = trailing
    seq.append(item)


def check_quota(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_QUOTA:
        raise ValueError(f"`limit` = {limit!r}: must be a whole number from 0 to {MAX_QUOTA}")
    return limit


def check_budget(usd: float) -> float | int:
    """A finite amount from 0 to 1,000,000 dollars, kept as an integer when it is one, else to the cent."""
    try:
        value = float(usd)
    except (TypeError, ValueError):
        raise ValueError(f"`usd` = {usd!r}: not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_BUDGET_USD:
        raise ValueError(f"`usd` = {usd!r}: must be a finite amount from 0 to {MAX_BUDGET_USD:,.0f} dollars a month")
    cents = round(value, 2)
    return int(cents) if cents == int(cents) else cents


def create_project(text: str, name: str, target: Target, region: str, budget: float | None) -> str:
    if not repo_config.is_project_name(name):
        raise ValueError(f"`name` = {name!r}: a project name is lowercase letters, digits and -")
    yaml, doc = _load(text)
    projects = doc.setdefault("projects", CommentedMap())
    if name in projects:
        raise ValueError(f"project {name!r} already exists")
    entry = CommentedMap([("target", target.value), ("region", region)])
    if budget is not None:
        entry["budget_monthly_usd"] = check_budget(budget)
    projects[name] = entry
    return dump(yaml, doc)


def grant(text: str, member: str, project: str, role: Role, duration: dt.timedelta, reason: str) -> str:
    """A pending grant: ``duration`` counts from the merge (the controller then writes its ``expires_at``)."""
    parse_duration(format_duration(duration))  # the loader's bounds: 1 minute to 90 days
    yaml, doc = _load(text)
    grants = doc.get("grants")
    if not isinstance(grants, CommentedSeq):
        grants = CommentedSeq()
        doc["grants"] = grants
    _append(grants, CommentedMap([("member", member), ("project", project), ("role", role.value),
                                  ("duration", format_duration(duration)), ("reason", _one_line(reason))]))
    return dump(yaml, doc)


def revoke(text: str, member: str, project: str) -> tuple[str, int]:
    """Remove every grant of ``member`` on ``project``; returns the text and how many went."""
    yaml, doc = _load(text)
    grants = doc.get("grants") or CommentedSeq()
    doomed = [i for i, g in enumerate(grants) if isinstance(g, dict) and g.get("member") == member and g.get("project") == project]
    for i in reversed(doomed):
        del grants[i]
    if doomed and not grants:
        del doc["grants"]
    return dump(yaml, doc), len(doomed)


def set_quota(text: str, project: str, kind: Kind, limit: int) -> str:
    yaml, doc = _load(text)
    entry = _project(doc, project)
    quotas = entry.get("quotas")
    if not isinstance(quotas, dict):
        quotas = CommentedMap()
        entry["quotas"] = quotas
    quotas[kind.value] = check_quota(limit)
    return dump(yaml, doc)


def set_budget(text: str, project: str, usd: float) -> str:
    yaml, doc = _load(text)
    _project(doc, project)["budget_monthly_usd"] = check_budget(usd)
    return dump(yaml, doc)


def check_alerts(text: str) -> list[int]:
    """``"80, 100"`` → ``[80, 100]``: 1 to 5 whole percents of the budget, each from 1 to 1,000, none twice."""
    parts = [p.strip().removesuffix("%").strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not 1 <= len(parts) <= repo_config.MAX_ALERTS:
        raise ValueError(f"`percents` = {text!r}: give 1 to {repo_config.MAX_ALERTS} percents, like 50,80,100")
    values: list[int] = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= repo_config.MAX_ALERT_PERCENT:
            raise ValueError(f"`percents` = {text!r}: {part!r} is not a whole percent from 1 to "
                             f"{repo_config.MAX_ALERT_PERCENT:,}")
        values.append(int(part))
    if len(set(values)) != len(values):
        raise ValueError(f"`percents` = {text!r}: a percent is listed twice")
    return sorted(values)


def set_budget_alerts(text: str, project: str, percents: list[int]) -> str:
    """The project's ``budget_alerts`` as a one-line flow list, after its budget (a new key) or in place."""
    yaml, doc = _load(text)
    entry = _project(doc, project)
    seq = CommentedSeq(check_alerts(",".join(map(str, percents))))
    seq.fa.set_flow_style()
    if "budget_alerts" in entry:
        entry["budget_alerts"] = seq
    else:
        keys = list(entry.keys())
        after = keys.index("budget_monthly_usd") + 1 if "budget_monthly_usd" in keys else len(keys)
        entry.insert(after, "budget_alerts", seq)
    return dump(yaml, doc)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:200]

