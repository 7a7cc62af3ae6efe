"""Reading `terraform show -json PLANFILE` into the plan model (`controller.terraform.plan`).

Pure: no I/O. Refuses anything that is not a plan document (a state file, a raw tfstate, a newer
major format) with a PlanDocumentError naming what it found; sizes and depths are bounded first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from controller import limits
from controller.errors import PlanDocumentError
from controller.terraform.plan import (
    ACTION_BY_LIST,
    Action,
    OutputChange,
    Plan,
    ResourceChange,
    any_sensitive,
    freeze,
)


def _fail(message: str) -> PlanDocumentError:
    return PlanDocumentError(f"reading the plan document: {message}")


def _action(actions: Any, where: str) -> tuple[tuple[str, ...], Action]:
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise _fail(f"{where}: change.actions must be a list of strings, got {actions!r}")
    key = tuple(actions)
    if key not in ACTION_BY_LIST:
        raise _fail(f"{where}: unknown action list {list(key)} (newer terraform than this controller knows?)")
    return key, ACTION_BY_LIST[key]


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
    sensitive = declared_sensitive or any_sensitive(doc.get("before_sensitive")) or any_sensitive(
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

__all__ = ["check_plan_size", "derive_address", "parse_plan"]
