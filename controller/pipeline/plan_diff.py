"""Render a plan as the `diff` text reviewers read in the PR (pure).

Lines start with the marker GitHub's `diff` highlighting colours: `+`
create, `-` delete, `!` update (shown as `~` by terraform; `!` gets the
"changed" colour), and `-/+` / `+/-` for replacements in terraform's own
order. Values come from the plan's masked views only, so a sensitive value
can never reach a comment through here. A value that holds a known secret
(or a piece of one) even though terraform did not mark it (``upper()`` of an
injected credential, ``nonsensitive(...)``) is shown as ``(sensitive)`` too:
``redact`` is asked before a long value is shortened, never after, so a cut
never hides a secret from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ..terraform.plan import SENSITIVE, UNKNOWN, Action, Plan, ResourceChange

_MAX_VALUE = 120  # characters of one rendered value before it is shortened


Redact = Callable[[str], str]


def _unchanged(text: str) -> str:
    return text


def _value(value: Any, redact: Redact = _unchanged) -> str:
    if value in (UNKNOWN, SENSITIVE):
        return str(value)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if redact(text) != text:  # something in it derives from a secret: that part is as sensitive as the secret
        value = _mask_secrets(value, redact)
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        if redact(text) != text:  # a key, or a secret spread over several leaves
            return SENSITIVE
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _mask_secrets(value: Any, redact: Redact) -> Any:
    """``value`` with every leaf that holds (a piece of) a secret replaced by ``(sensitive)``."""
    if isinstance(value, Mapping):
        return {k: _mask_secrets(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secrets(v, redact) for v in value]
    if isinstance(value, str) and redact(value) != value:
        return SENSITIVE
    return value


def _after(change: ResourceChange) -> dict[str, Any]:
    after = change.masked_after()  # sensitive and unknown values already replaced
    return dict(after) if isinstance(after, Mapping) else {}


def _before(change: ResourceChange) -> dict[str, Any]:
    before = change.masked_before()
    return dict(before) if isinstance(before, Mapping) else {}


def _attribute_lines(prefix: str, values: Mapping[str, Any], redact: Redact) -> list[str]:
    return [f"{prefix}    {key} = {_value(values[key], redact)}" for key in sorted(values) if values[key] is not None]


def _changed_lines(change: ResourceChange, redact: Redact) -> list[str]:
    before, after = _before(change), _after(change)
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            lines.append(f"!    {key} = {_value(old, redact)} -> {_value(new, redact)}")
    return lines


def _resource_lines(change: ResourceChange, redact: Redact) -> list[str]:
    address = change.address + (f" (deposed {change.deposed})" if change.deposed else "")
    if change.action is Action.CREATE:
        return [f"+ {address} will be created", *_attribute_lines("+", _after(change), redact)]
    if change.action is Action.DELETE:
        return [f"- {address} will be destroyed"]
    if change.action is Action.UPDATE:
        return [f"! {address} will be updated in-place", *_changed_lines(change, redact)]
    if change.action is Action.REPLACE:
        marker = "+/-" if change.create_before_destroy else "-/+"
        reason = f" ({change.action_reason.replace('_', ' ')})" if change.action_reason else ""
        return [f"{marker} {address} must be replaced{reason}", *_changed_lines(change, redact)]
    if change.action is Action.FORGET:
        return [f"! {address} will be removed from state (the object is kept)"]
    return []


def render(plan: Plan, redact: Redact = _unchanged) -> str:
    """The whole plan as diff text, ending with terraform's summary line.

    ``redact`` (the leak guard's) tells which values hold a secret terraform did not mark."""
    blocks = ["\n".join(_resource_lines(change, redact)) for change in plan.changes()]
    outputs = [
        f"{'+' if o.action is Action.CREATE else '-' if o.action is Action.DELETE else '!'} output.{o.name} = {_value(o.masked_after(), redact)}"
        for o in plan.output_changes
        if o.action is not Action.NOOP
    ]
    if outputs:
        blocks.append("Changes to outputs:\n" + "\n".join(outputs))
    blocks.append(plan.summary().line() if plan.has_changes else "No changes. Infrastructure matches the configuration.")
    return "\n\n".join(block for block in blocks if block)
