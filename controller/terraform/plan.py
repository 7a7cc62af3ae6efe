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

Accepts format_version 0.x (Terraform 0.12-0.15, 1.0) and 1.x (1.1 and later);
fields this module does not know are ignored, so newer documents still parse.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from controller import limits
from controller.errors import PlanDocumentError

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


_ACTIONS: dict[tuple[str, ...], Action] = {
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


def _any_sensitive(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, Mapping):
        return any(_any_sensitive(v) for v in mask.values())
    if isinstance(mask, (list, tuple)):
        return any(_any_sensitive(v) for v in mask)
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
        return _any_sensitive(self.before_sensitive) or _any_sensitive(self.after_sensitive)

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


def _fail(message: str) -> PlanDocumentError:
    return PlanDocumentError(f"reading the plan document: {message}")


def _action(actions: Any, where: str) -> tuple[tuple[str, ...], Action]:
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise _fail(f"{where}: change.actions must be a list of strings, got {actions!r}")
    key = tuple(actions)
    if key not in _ACTIONS:
        raise _fail(f"{where}: unknown action list {list(key)} (newer terraform than this controller knows?)")
    return key, _ACTIONS[key]


def derive_address(doc: Mapping[str, Any]) -> str | None:
    """``[module.]`` + ``[data.]type.name`` + ``[index]`` from a change's parts, as terraform writes addresses.

    Terraform 1.0.0 wrote ``resource_drift`` entries without ``address`` (fixed in 1.0.1,
    hashicorp/terraform#28975); every other part is there."""
    kind, name = doc.get("type"), doc.get("name")
    if not isinstance(kind, str) or not isinstance(name, str) or not kind or not name:
        return None
    address = f"{'data.' if doc.get('mode') == 'data' else ''}{kind}.{name}"
    index = doc.get("index")
    if isinstance(index, bool) or (index is not None and not isinstance(index, (int, str))):
        return None
    if isinstance(index, int):
        address += f"[{index}]"
    elif isinstance(index, str):
        address += f"[{json.dumps(index)}]"
    module = doc.get("module_address")
    return f"{module}.{address}" if isinstance(module, str) and module else address


def _resource_change(doc: Any, where: str) -> ResourceChange:
    if isinstance(doc, Mapping) and "address" not in doc and (derived := derive_address(doc)) is not None:
        doc = {**doc, "address": derived}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("address"), str):
        raise _fail(f"{where} is not a resource change object with an address (nor type and name to derive one)")
    change = doc.get("change")
    if not isinstance(change, Mapping):
        raise _fail(f"{where} ({doc['address']}) has no change object")
    actions, action = _action(change.get("actions"), f"{where} ({doc['address']})")
    return ResourceChange(
        address=doc["address"],
        module_address=str(doc.get("module_address") or ""),
        mode=str(doc.get("mode") or "managed"),
        type=str(doc.get("type") or ""),
        name=str(doc.get("name") or ""),
        index=freeze(doc.get("index")),
        provider_name=str(doc.get("provider_name") or ""),
        actions=actions,
        action=action,
        before=freeze(change.get("before")),
        after=freeze(change.get("after")),
        after_unknown=freeze(change.get("after_unknown") or {}),
        before_sensitive=freeze(change.get("before_sensitive") or {}),
        after_sensitive=freeze(change.get("after_sensitive") or {}),
        action_reason=str(doc.get("action_reason") or ""),
        previous_address=str(doc.get("previous_address") or ""),
        deposed=str(doc.get("deposed") or ""),
        importing=freeze(change.get("importing")),
    )


def _sensitive_outputs(doc: Mapping[str, Any]) -> set[str]:
    """Outputs declared sensitive anywhere (0.1 documents carry no per-change flag)."""
    names: set[str] = set()
    planned = (doc.get("planned_values") or {}).get("outputs") or {}
    configured = ((doc.get("configuration") or {}).get("root_module") or {}).get("outputs") or {}
    for source in (planned, configured):
        if isinstance(source, Mapping):
            names.update(n for n, o in source.items() if isinstance(o, Mapping) and o.get("sensitive"))
    return names


def _output_change(name: str, doc: Any, declared_sensitive: bool) -> OutputChange:
    if not isinstance(doc, Mapping):
        raise _fail(f"output_changes.{name} is not an object")
    actions, action = _action(doc.get("actions"), f"output_changes.{name}")
    sensitive = declared_sensitive or _any_sensitive(doc.get("before_sensitive")) or _any_sensitive(
        doc.get("after_sensitive")
    )
    return OutputChange(
        name=name,
        actions=actions,
        action=action,
        before=freeze(doc.get("before")),
        after=freeze(doc.get("after")),
        after_unknown=bool(doc.get("after_unknown")),
        sensitive=sensitive,
    )


def _decode(source: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, (bytes, bytearray, str)):
        check_plan_size(len(source))
    if isinstance(source, (bytes, bytearray)):
        source = source.decode("utf-8", "replace")
    if isinstance(source, str):
        try:
            source = json.loads(source)
        except ValueError as exc:
            raise _fail(f"not JSON ({exc})") from exc
        except RecursionError:  # the decoder recurses per level
            raise _fail(f"JSON nested deeper than {limits.MAX_PLAN_DEPTH} levels") from None
    if limits.json_depth_exceeds(source, limits.MAX_PLAN_DEPTH):  # freeze() and the policies recurse too
        raise _fail(f"JSON nested deeper than {limits.MAX_PLAN_DEPTH} levels")
    if not isinstance(source, Mapping):
        raise _fail(f"expected a JSON object, got {type(source).__name__}")
    return source


def check_plan_size(size: int) -> None:
    """Refuse a document larger than the plan limit before it is read or decoded."""
    limit = limits.max_plan_bytes()
    if size > limit:
        raise PlanDocumentError(
            f"reading a plan document: it is {limits.megabytes(size)}, more than the {limits.megabytes(limit)} limit",
            hint=f"split the project, or raise the limit with {limits.PLAN_BYTES_ENV}=<bytes>")


def _check_kind(doc: Mapping[str, Any]) -> str:
    version = doc.get("format_version")
    if not isinstance(version, str) or not version:
        if "lineage" in doc and "resources" in doc:
            raise _fail("this is a raw state file (terraform.tfstate), not `terraform show -json PLANFILE` output")
        raise _fail("no format_version: not terraform's JSON output")
    major = version.split(".", 1)[0]
    if major not in ("0", "1"):
        raise _fail(f"format_version {version} is not supported (0.x and 1.x are)")
    plan_keys = ("planned_values", "resource_changes", "output_changes", "configuration")
    if not any(k in doc for k in plan_keys):
        if "values" in doc:
            raise _fail("this is a state document (`terraform show -json` without a plan file), not a plan")
        raise _fail("no planned_values, resource_changes or configuration: not a plan")
    return version


def _entries(doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"{key} must be a list, got {type(value).__name__}")
    return value


def parse_plan(source: str | bytes | Mapping[str, Any]) -> Plan:
    """Parse ``terraform show -json PLANFILE`` output (text or decoded) into a Plan.

    Raises PlanDocumentError for anything that is not a plan document.
    """
    doc = _decode(source)
    version = _check_kind(doc)
    outputs = doc.get("output_changes") or {}
    if not isinstance(outputs, Mapping):
        raise _fail("output_changes must be an object")
    sensitive_outputs = _sensitive_outputs(doc)
    prior = doc.get("prior_state")
    return Plan(
        format_version=version,
        terraform_version=str(doc.get("terraform_version") or ""),
        resource_changes=tuple(
            _resource_change(rc, f"resource_changes[{i}]") for i, rc in enumerate(_entries(doc, "resource_changes"))
        ),
        resource_drift=tuple(
            _resource_change(rc, f"resource_drift[{i}]") for i, rc in enumerate(_entries(doc, "resource_drift"))
        ),
        output_changes=tuple(
            _output_change(name, oc, name in sensitive_outputs) for name, oc in sorted(outputs.items())
        ),
        variables=freeze(doc.get("variables") or {}),
        planned_values=freeze(doc.get("planned_values") or {}),
        prior_state=freeze(prior) if isinstance(prior, Mapping) else None,
        configuration=freeze(doc.get("configuration") or {}),
        relevant_attributes=freeze(_entries(doc, "relevant_attributes")),
        checks=freeze(_entries(doc, "checks")),
        timestamp=str(doc.get("timestamp") or ""),
        errored=bool(doc.get("errored", False)),
        applyable=doc.get("applyable") if isinstance(doc.get("applyable"), bool) else None,
        complete=doc.get("complete") if isinstance(doc.get("complete"), bool) else None,
        raw=freeze(doc),
    )


__all__ = [
    "APPLY_ACTIONS", "SENSITIVE", "UNKNOWN", "Action", "ChangeCounts", "OutputChange", "Plan",
    "ResourceChange", "Summary", "derive_address", "freeze", "mask_sensitive", "parse_plan", "thaw",
]
