"""Render a plan as the `diff` text reviewers read in the PR (pure).

Lines start with the marker GitHub's `diff` highlighting colours: `+`
create, `-` delete, `!` update (shown as `~` by terraform; `!` gets the
"changed" colour), and `-/+` / `+/-` for replacements in terraform's own
order. Values come from the plan's masked views only, so a sensitive value
can never reach a comment through here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..terraform.plan import SENSITIVE, UNKNOWN, Action, Plan, ResourceChange

_MAX_VALUE = 120  # characters of one rendered value before it is shortened


def _value(value: Any) -> str:
    if value in (UNKNOWN, SENSITIVE):
        text = str(value)
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _after(change: ResourceChange) -> dict[str, Any]:
    after = change.masked_after()  # sensitive and unknown values already replaced
    return dict(after) if isinstance(after, Mapping) else {}


def _before(change: ResourceChange) -> dict[str, Any]:
    before = change.masked_before()
    return dict(before) if isinstance(before, Mapping) else {}


def _attribute_lines(prefix: str, values: Mapping[str, Any]) -> list[str]:
    return [f"{prefix}    {key} = {_value(values[key])}" for key in sorted(values) if values[key] is not None]


def _changed_lines(change: ResourceChange) -> list[str]:
    before, after = _before(change), _after(change)
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            lines.append(f"!    {key} = {_value(old)} -> {_value(new)}")
    return lines


def _resource_lines(change: ResourceChange) -> list[str]:
    address = change.address + (f" (deposed {change.deposed})" if change.deposed else "")
    if change.action is Action.CREATE:
        return [f"+ {address} will be created", *_attribute_lines("+", _after(change))]
    if change.action is Action.DELETE:
        return [f"- {address} will be destroyed"]
    if change.action is Action.UPDATE:
        return [f"! {address} will be updated in-place", *_changed_lines(change)]
    if change.action is Action.REPLACE:
        marker = "+/-" if change.create_before_destroy else "-/+"
        reason = f" ({change.action_reason.replace('_', ' ')})" if change.action_reason else ""
        return [f"{marker} {address} must be replaced{reason}", *_changed_lines(change)]
    if change.action is Action.FORGET:
        return [f"! {address} will be removed from state (the object is kept)"]
    return []


def render(plan: Plan) -> str:
    """The whole plan as diff text, ending with terraform's summary line."""
    blocks = ["\n".join(_resource_lines(change)) for change in plan.changes()]
    outputs = [
        f"{'+' if o.action is Action.CREATE else '-' if o.action is Action.DELETE else '!'} output.{o.name} = {_value(o.masked_after())}"
        for o in plan.output_changes
        if o.action is not Action.NOOP
    ]
    if outputs:
        blocks.append("Changes to outputs:\n" + "\n".join(outputs))
    blocks.append(plan.summary().line() if plan.has_changes else "No changes. Infrastructure matches the configuration.")
    return "\n\n".join(block for block in blocks if block)
