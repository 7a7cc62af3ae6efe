"""Governance in Git, the pure parts: grant expiry, grant start, and budget threshold crossings.

``prune_grants`` edits ``cloudops.yaml`` text in place, line by line, so
comments, key order and quoting elsewhere in the file are kept. Limits: the
``grants`` list must be block style (``- member: ...`` items); a flow-style
list (``grants: [{...}]``) is refused with a ConfigError. Comment lines inside
a pruned item's lines go with it; a comment line just above an item stays.

``activate_grants`` starts pending grants (``duration: 8h``, counted from
the merge): it replaces exactly the ``duration: 8h`` span of each with
``expires_at: <start + duration>``, in block or flow style alike, so the
commit that starts them is a one-line diff per grant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import yaml

from ..errors import ConfigError
from ..repo_config import Grant, RepoConfig, loads


def expired_grants(config: RepoConfig, now: dt.datetime) -> list[Grant]:
    """Grants whose time is up (already ignored by role_of; a job prunes them). Pending ones have not begun."""
    return [g for g in config.grants if g.expired(now)]


def grant_key(grant: Grant) -> tuple[object, ...]:
    """What identifies a pending grant across commits (it has no id): who, where, what, how long, why."""
    return (grant.member, grant.project, grant.role, grant.duration, grant.reason)


def has_pending(yaml_text: str | None, key: tuple[object, ...]) -> bool:
    """Does this version of cloudops.yaml hold the pending grant ``key``? (An unreadable version does not.)"""
    if yaml_text is None:
        return False
    try:
        config = loads(yaml_text)
    except ConfigError:
        return False
    return any(g.pending and grant_key(g) == key for g in config.grants)


def stamp(moment: dt.datetime) -> str:
    """``2030-01-31T18:00:00Z``: how the template writes times (to the second, UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def activate_grants(yaml_text: str, starts: dict[int, dt.datetime]) -> str:
    """``yaml_text`` with the pending grants at these indexes of ``grants`` started at the given times."""
    config = loads(yaml_text)
    found = _grants_node(yaml.compose(yaml_text, Loader=yaml.SafeLoader))
    if found is None or not starts:
        return yaml_text
    _, seq = found
    edits: list[tuple[int, int, str]] = []
    for index, start in starts.items():
        grant = config.grants[index]
        if not grant.pending or grant.duration is None:
            raise ConfigError(f"{config.source}: grants[{index}] is not pending; nothing to start")
        item = seq.value[index]
        for key_node, value_node in item.value:
            if key_node.value == "duration":
                edits.append((key_node.start_mark.index, value_node.end_mark.index,
                              f"expires_at: {stamp(start + grant.duration)}"))
    for begin, end, text in sorted(edits, reverse=True):  # from the end: earlier offsets stay valid
        yaml_text = yaml_text[:begin] + text + yaml_text[end:]
    loads(yaml_text)  # still a valid file
    return yaml_text


def _grants_node(root: yaml.Node) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "grants":
            return key, value
    return None


def prune_grants(yaml_text: str, now: dt.datetime) -> str:
    """``yaml_text`` without its expired grants; unchanged text when none expired."""
    config = loads(yaml_text)
    expired = [g.expired(now) for g in config.grants]
    if not any(expired):
        return yaml_text
    found = _grants_node(yaml.compose(yaml_text, Loader=yaml.SafeLoader))
    assert found is not None  # loads() saw grants
    key, seq = found
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
        raise ConfigError(f"{config.source}:{seq.start_mark.line + 1}: grants: pruning needs a block list "
                          "(`- member: ...` items)", hint="rewrite the grants list in block style")
    lines = yaml_text.splitlines(keepends=True)
    starts = [item.start_mark.line for item in seq.value]
    last = seq.value[-1].end_mark
    end_of_list = last.line + (1 if last.column > 0 else 0)
    drop: set[int] = set()
    for index, gone in enumerate(expired):
        if gone:
            stop = starts[index + 1] if index + 1 < len(starts) else end_of_list
            while stop - 1 > starts[index] and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
                stop -= 1  # blank and comment lines before what follows stay
            drop.update(range(starts[index], stop))
    if all(expired):
        key_line = key.start_mark.line
        text = lines[key_line]
        newline = "\n" if text.endswith("\n") else ""
        lines[key_line] = text[: key.end_mark.column] + ": []" + newline
    return "".join(line for number, line in enumerate(lines) if number not in drop)


def budget_crossings(previous_spend: float, new_spend: float, budget: float | None,
                     thresholds: Sequence[float] = (0.8, 1.0)) -> list[float]:
    """Thresholds (fractions of ``budget``) that spend crossed upwards, lowest first.

    One alert per crossing, not per plan: the caller keeps the spend it last
    alerted on per project and passes it as ``previous_spend``; a plan that
    stays above a threshold crosses nothing, and falling back below then
    rising again is a new crossing.
    """
    if budget is None or budget <= 0:
        return []
    return sorted(t for t in thresholds if previous_spend < t * budget <= new_spend)
