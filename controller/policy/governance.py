"""Governance in Git, the pure parts: grant expiry and budget threshold crossings.

``prune_grants`` edits ``cloudops.yaml`` text in place, line by line, so
comments, key order and quoting elsewhere in the file are kept. Limits: the
``grants`` list must be block style (``- member: ...`` items); a flow-style
list (``grants: [{...}]``) is refused with a ConfigError. Comment lines inside
a pruned item's lines go with it; a comment line just above an item stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import yaml

from ..errors import ConfigError
from ..repo_config import Grant, RepoConfig, loads


def expired_grants(config: RepoConfig, now: dt.datetime) -> list[Grant]:
    """Grants whose time is up (already ignored by role_of; a job prunes them)."""
    return [g for g in config.grants if not g.active(now)]


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
    expired = [not g.active(now) for g in config.grants]
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
