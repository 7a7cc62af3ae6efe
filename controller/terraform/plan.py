"""The plan document model: `terraform show -json PLANFILE` as typed, read-only values.

Pure: no I/O. Policy, cost, narrative and progress all read a plan through
this module, so they agree on what a change *is* and on how many there are.

Counting follows terraform: a replace is one resource change, but its own
summary line ("Plan: 3 to add, 0 to change, 4 to destroy.") counts it as one
add plus one destroy; data sources (mode ``data``) are never changes.

Sensitive values: documents carry them in clear text (a sensitive output's
``after``, a resource attribute built from a sensitive variable) next to a
mask. ``masked_before()`` / ``masked_after()`` are the only views meant for
anything a person sees.

`controller.terraform.plan_parser` reads documents into it. Accepts format_version 0.x (Terraform 0.12-0.15, 1.0) and 1.x (1.1 and later);
fields this module does not know are ignored, so newer documents still parse.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"


class Action(str, Enum):
    """What terraform will do to one object; a replace is one action."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    READ = "read"
    NOOP = "no-op"
    FORGET = "forget"  # Terraform >= 1.7: drop from state, keep the object


ACTION_BY_LIST: dict[tuple[str, ...], Action] = {
    ("create",): Action.CREATE,
    ("update",): Action.UPDATE,
    ("delete",): Action.DELETE,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
    ("read",): Action.READ,
    ("no-op",): Action.NOOP,
    ("forget",): Action.FORGET,
}

# What `apply` performs, i.e. what a progress bar has to wait for.
APPLY_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE, Action.REPLACE})


def freeze(value: Any) -> Any:
    """Deep read-only copy of decoded JSON: dicts become mappingproxies, lists tuples."""
    if isinstance(value, Mapping):
        return types.MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON-compatible copy of a frozen value (for json.dumps, Rego input)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def mask_sensitive(value: Any, mask: Any, *, unknown: Any = None) -> Any:
    """``value`` with every path that ``mask`` marks true replaced by ``(sensitive)``.

    ``unknown`` (an ``after_unknown`` tree) marks values terraform learns only
    during apply; they are shown as ``(known after apply)``. The result is a
    plain JSON-compatible structure that holds no sensitive value.
    """
    if mask is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(value, Mapping):
        m = mask if isinstance(mask, Mapping) else {}
        u = unknown if isinstance(unknown, Mapping) else {}
        out = {k: mask_sensitive(v, m.get(k), unknown=u.get(k)) for k, v in value.items()}
        for k, flag in u.items():  # attributes that exist only once applied
            if k not in out and flag is True:
                out[k] = SENSITIVE if m.get(k) is True else UNKNOWN
        return out
    if isinstance(value, (list, tuple)):
        m = mask if isinstance(mask, (list, tuple)) else ()
        u = unknown if isinstance(unknown, (list, tuple)) else ()
        return [
            mask_sensitive(v, m[i] if i < len(m) else None, unknown=u[i] if i < len(u) else None)
            for i, v in enumerate(value)
        ]
    return value


def any_sensitive(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, Mapping):
        return any(any_sensitive(v) for v in mask.values())
    if isinstance(mask, (list, tuple)):
        return any(any_sensitive(v) for v in mask)
    return False


@dataclass(frozen=True)
class ChangeCounts:
    """How many resource objects get each action (data sources only in ``read``)."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    read: int = 0
    no_op: int = 0
    forget: int = 0

    @property
    def total(self) -> int:
        """Managed resources that apply changes (a replace counts once)."""
        return self.add + self.change + self.destroy + self.replace


@dataclass(frozen=True)
class Summary:
    """Terraform's own numbers: a replace is one add and one remove."""

    add: int
    change: int
    remove: int
    forget: int = 0

    def line(self) -> str:
        """The text of terraform's ``change_summary`` message for a plan."""
        text = f"Plan: {self.add} to add, {self.change} to change, {self.remove} to destroy"
        return text + (f", {self.forget} to forget." if self.forget else ".")


@dataclass(frozen=True)
class ResourceChange:
    """One entry of ``resource_changes`` (or ``resource_drift``)."""

    address: str
    module_address: str
    mode: str  # managed | data
    type: str
    name: str
    index: Any
    provider_name: str
    actions: tuple[str, ...]  # as terraform wrote them; the order tells create_before_destroy
    action: Action
    before: Any
    after: Any
    after_unknown: Any
    before_sensitive: Any
    after_sensitive: Any
    action_reason: str = ""
    previous_address: str = ""
    deposed: str = ""
    importing: Any = None

    @property
    def is_data(self) -> bool:
        return self.mode == "data"

    @property
    def is_change(self) -> bool:
        """Whether apply changes this object (never for a data source)."""
        return not self.is_data and self.action in APPLY_ACTIONS

    @property
    def create_before_destroy(self) -> bool:
        return self.action is Action.REPLACE and self.actions[0] == "create"

    @property
    def has_sensitive(self) -> bool:
        return any_sensitive(self.before_sensitive) or any_sensitive(self.after_sensitive)

    def masked_before(self) -> Any:
        return mask_sensitive(thaw(self.before), self.before_sensitive)

    def masked_after(self) -> Any:
        return mask_sensitive(thaw(self.after), self.after_sensitive, unknown=self.after_unknown)


@dataclass(frozen=True)
class OutputChange:
    """One entry of ``output_changes``; a sensitive output is masked as a whole."""

    name: str
    actions: tuple[str, ...]
    action: Action
    before: Any
    after: Any
    after_unknown: bool
    sensitive: bool

    def masked_before(self) -> Any:
        return SENSITIVE if self.sensitive and self.before is not None else thaw(self.before)

    def masked_after(self) -> Any:
        if self.after_unknown:
            return SENSITIVE if self.sensitive else UNKNOWN
        return SENSITIVE if self.sensitive and self.after is not None else thaw(self.after)


@dataclass(frozen=True)
class Plan:
    """A parsed plan document. Build it with ``parse_plan``."""

    format_version: str
    terraform_version: str
    resource_changes: tuple[ResourceChange, ...]
    resource_drift: tuple[ResourceChange, ...]
    output_changes: tuple[OutputChange, ...]
    variables: Mapping[str, Any]
    planned_values: Mapping[str, Any]
    prior_state: Mapping[str, Any] | None
    configuration: Mapping[str, Any]
    relevant_attributes: tuple[Any, ...] = ()
    checks: tuple[Any, ...] = ()
    timestamp: str = ""
    errored: bool = False
    applyable: bool | None = None
    complete: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: types.MappingProxyType({}), repr=False, compare=False)

    def changes(self) -> tuple[ResourceChange, ...]:
        """Resource changes that apply will perform, in document order."""
        return tuple(rc for rc in self.resource_changes if rc.is_change)

    def resource(self, address: str) -> ResourceChange | None:
        return next((rc for rc in self.resource_changes if rc.address == address and not rc.deposed), None)

    def counts(self) -> ChangeCounts:
        tally = dict.fromkeys(Action, 0)
        for rc in self.resource_changes:
            if rc.is_data:
                if rc.action is Action.READ:
                    tally[Action.READ] += 1
                continue
            tally[rc.action] += 1
        return ChangeCounts(
            add=tally[Action.CREATE],
            change=tally[Action.UPDATE],
            destroy=tally[Action.DELETE],
            replace=tally[Action.REPLACE],
            read=tally[Action.READ],
            no_op=tally[Action.NOOP],
            forget=tally[Action.FORGET],
        )

    def summary(self) -> Summary:
        """The numbers terraform prints in its ``change_summary``."""
        c = self.counts()
        return Summary(add=c.add + c.replace, change=c.change, remove=c.destroy + c.replace, forget=c.forget)

    @property
    def has_changes(self) -> bool:
        return self.counts().total > 0 or any(o.action is not Action.NOOP for o in self.output_changes)

    def document(self) -> dict[str, Any]:
        """A fresh JSON-compatible copy of the whole document, unknown fields included.

        It holds sensitive values in clear text: for policy input, never for display.
        """
        return thaw(self.raw)

    def masked_variables(self) -> dict[str, Any]:
        """Input variable values, those declared sensitive masked."""
        declared = (self.configuration.get("root_module") or {}).get("variables") or {}
        return {
            name: SENSITIVE if (declared.get(name) or {}).get("sensitive") else thaw((spec or {}).get("value"))
            for name, spec in self.variables.items()
        }


__all__ = [
    "ACTION_BY_LIST", "APPLY_ACTIONS", "SENSITIVE", "UNKNOWN", "Action", "ChangeCounts", "OutputChange", "Plan",
    "ResourceChange", "Summary", "any_sensitive", "freeze", "mask_sensitive", "thaw",
]
