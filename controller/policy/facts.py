"""Facts: what the built-in policies judge, extracted once per resource change (pure, no I/O).

Each function mirrors the helper of ``policies/lib/cloudops.rego`` named in its docstring (tests check
they agree on real plans); policies that read ``input.plan`` keep using those helpers. Resources that
differ only by name or address share one fact object (``change_facts`` groups them), which is what
keeps a 5,000-resource plan's policy input small.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..catalog import reader, targets
from ..catalog.offerings import MachineType, offerings
from ..catalog.specs import Kind, Target
from ..cost.estimate import provider_regions
from ..terraform.plan import Plan, mask_sensitive, thaw


def size_class(machine: MachineType) -> str:
    """small <= 2 vCPU/2 GB; medium <= 2 vCPU/8 GB; large <= 4 vCPU/16 GB; else xlarge."""
    if machine.vcpu <= 2 and machine.memory_gb <= 2:
        return "small"
    if machine.vcpu <= 2 and machine.memory_gb <= 8:
        return "medium"
    if machine.vcpu <= 4 and machine.memory_gb <= 16:
        return "large"
    return "xlarge"


@cache
def catalog_facts() -> dict[str, Any]:
    kinds: dict[str, str] = {t: k.value for t, k in reader.EXTRA_KINDS.items()}
    machines: dict[str, Any] = {}
    for target in Target:
        primary = targets.module(target).PRIMARY
        kinds.update({t: k.value for t, k in primary.items() if isinstance(k, Kind)})
        for name, machine in offerings(target).machine_types.items():
            machines[name] = {"vcpu": machine.vcpu, "memory_gb": machine.memory_gb, "class": size_class(machine)}
    return {"kinds": kinds, "machine_types": machines}


def masked_values(value: Any, mask: Any, keep: Set[str] | None) -> Any:
    """Masked values; with ``keep``, only top-level attributes named in it."""
    if keep is not None and isinstance(value, Mapping):
        mask = mask if isinstance(mask, Mapping) else ({} if mask is not True else mask)
        value = {k: v for k, v in value.items() if k in keep}
    return mask_sensitive(thaw(value), mask)


# ---------------------------------------------------------------------------
# Facts: what the built-in policies judge, extracted once per resource change.
# Each function mirrors the helper of policies/lib/cloudops.rego named in its
# docstring (tests check they agree on real plans); policies that read
# input.plan keep using those helpers.

@dataclass(frozen=True)
class Needs:
    """What the selected policies read (engine.input_needs): the rest is not sent.

    ``plan``: some policy reads ``input.plan`` (then ``keep`` filters its values
    as before). ``labels``/``after``: label keys and ``after`` attributes that
    fact policies declare (``# cloudops: labels ...``, ``# cloudops: after ...``);
    None sends them all.
    """

    plan: bool = True
    keep: Set[str] | None = None
    labels: Set[str] | None = None
    after: Set[str] | None = None


ALL = Needs()

# Attributes the fact extractors read (region, labels, machine types, kind).
FACT_ATTRS = frozenset({
    "region", "location", "zone", "availability_zone", "triggers",
    "labels", "tags", "resource_labels", "settings",
    "machine_type", "instance_type", "size", "vm_size", "node_config", "default_node_pool", "instance_types",
})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LOCATION_ZONE = re.compile(r"[a-z]+-[a-z]+[0-9]+-[a-z]")
_LOCAL_LABELS = {"managed_by": "managed-by", "requested_by": "requested-by", "project": "project"}


MAPPINGS = (dict, types.MappingProxyType)  # plan values are frozen (plan.freeze): proxies and tuples
_ARRAYS = (list, tuple)


def _at(value: Any, path: Iterable[Any], default: Any = None) -> Any:
    """object.get(value, path, default): keys into objects, int indexes into arrays."""
    for key in path:
        if isinstance(value, MAPPINGS) and key in value:
            value = value[key]
        elif isinstance(value, _ARRAYS) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return default
    return value


def action_of(actions: Iterable[str]) -> str:
    """lib.action: a two-action change is a replace."""
    actions = list(actions)
    return "replace" if len(actions) == 2 else actions[0]


def provider_source(name: str) -> str:
    """lib.provider_source: 0.12 documents say only ``aws``."""
    return name if "/" in name else "registry.terraform.io/hashicorp/" + name


def zone_region(zone: str) -> str:
    """lib.zone_region: us-central1-a -> us-central1; us-east-1a -> us-east-1."""
    return zone.lower().rstrip(_LETTERS).rstrip("-")


def location_region(location: str) -> str:
    """lib.location_region: West Europe -> westeurope; europe-west1-b -> europe-west1."""
    name = location.replace(" ", "").lower()
    return zone_region(name) if _LOCATION_ZONE.fullmatch(name) else name


def _named(value: Any) -> bool:
    """A non-empty string: "" (a location left empty) names no region."""
    return isinstance(value, str) and value.strip() != ""


def region_of(values: Any, provider_name: str, provider_regions: Mapping[str, str]) -> str | None:
    """lib.region_of: region, triggers.region, location, zone, availability_zone (the first
    non-empty one), then the provider block."""
    v = values if isinstance(values, MAPPINGS) else {}
    if _named(v.get("region")):
        return v["region"].lower()
    if _named(_at(v, ["triggers", "region"])):
        return v["triggers"]["region"].lower()
    if _named(v.get("location")):
        return location_region(v["location"])
    if _named(v.get("zone")) and re.search("[a-z]", v["zone"]):
        return zone_region(v["zone"])
    if _named(v.get("availability_zone")):
        return zone_region(v["availability_zone"])
    found = provider_regions.get(provider_source(provider_name).split("/")[-1])
    return found if isinstance(found, str) else None


def labels_of(values: Any) -> dict[str, Any]:
    """lib.labels: labels, tags, resource_labels, settings[0].user_labels or the local target's triggers."""
    v = values if isinstance(values, MAPPINGS) else {}
    for key in ("labels", "tags", "resource_labels"):
        if isinstance(v.get(key), MAPPINGS):
            return dict(v[key])
    if isinstance(_at(v, ["settings", 0, "user_labels"]), MAPPINGS):
        return dict(v["settings"][0]["user_labels"])
    triggers = v.get("triggers")
    if isinstance(triggers, MAPPINGS) and isinstance(_at(triggers, ["cloudops_kind"]), str):
        out = {k[6:]: val for k, val in triggers.items() if isinstance(k, str) and k.startswith("label_")}
        out.update({label: triggers[key] for key, label in _LOCAL_LABELS.items() if key in triggers})
        return out
    return {}


def taggable(values: Any) -> bool:
    """lib.taggable: the type carries labels or tags at all (present, even null)."""
    v = values if isinstance(values, MAPPINGS) else {}
    return (any(key in v for key in ("labels", "tags", "resource_labels"))
            or isinstance(_at(v, ["settings", 0, "user_labels"]), MAPPINGS)
            or isinstance(_at(v, ["triggers", "cloudops_kind"]), str))


def kind_of(rtype: str, after: Any, before: Any, kinds: Mapping[str, str]) -> str | None:
    """lib.kind_of: the local target's triggers.cloudops_kind, else the catalog's kind of the type."""
    if rtype == "null_resource":
        kind = _at(after, ["triggers", "cloudops_kind"], _at(before, ["triggers", "cloudops_kind"]))
        if isinstance(kind, str):
            return kind
    return kinds.get(rtype)


_MACHINE_KEYS = ("machine_type", "instance_type", "size", "vm_size")
_MACHINE_PATHS = (["triggers", "size"], ["triggers", "node_size"], ["node_config", 0, "machine_type"],
                  ["default_node_pool", 0, "vm_size"])


def machine_types(values: Any) -> list[str]:
    """machine-sizes' machine types: machine_type, instance_type, size, vm_size,
    triggers.size/node_size, node_config[0].machine_type, default_node_pool[0].vm_size,
    instance_types[_], in that order."""
    if not isinstance(values, MAPPINGS):
        return []
    found = [m for m in map(values.get, _MACHINE_KEYS) if type(m) is str]
    if "triggers" in values or "node_config" in values or "default_node_pool" in values:
        found += [m for m in (_at(values, path) for path in _MACHINE_PATHS) if type(m) is str]
    listed = values.get("instance_types")
    if isinstance(listed, _ARRAYS):
        found += [m for m in listed if type(m) is str]
    return found


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """thaw() by concrete type: plan values are dicts/mappingproxies and tuples/lists, and an
    isinstance check against the Mapping ABC costs ~1 s over a 5,000-change plan."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or kind is types.MappingProxyType:
        return {k: _plain(v) for k, v in value.items()}
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):  # any other mapping: the slow, general path
        return thaw(value)
    return value


def _pick(values: Mapping[str, Any], names: Set[str] | None) -> dict[str, Any]:
    """The attributes in ``names`` (all with None), as plain JSON values."""
    return _plain(values) if names is None else {k: _plain(v) for k, v in values.items() if k in names}


def _fact_values(value: Any, mask: Any, wanted: Set[str] | None) -> Any:
    """A change's before/after for the fact extractors: as is when nothing is
    sensitive (read only), else masked (then no secret can reach a fact)."""
    if not mask:  # False, None or {}: nothing sensitive
        return value if isinstance(value, MAPPINGS) else {}
    masked = masked_values(value, mask, wanted)
    return masked if isinstance(masked, dict) else {}


def _unknown(after_unknown: Any, names: Set[str] | None) -> list[str]:
    """Top-level attributes terraform knows only after apply (``after_unknown[k] is True``)
    among ``names``: absent from ``after``, so a policy can say "unknown" instead of guessing."""
    if not isinstance(after_unknown, MAPPINGS):
        return []
    return sorted(k for k, v in after_unknown.items() if v is True and (names is None or k in names))


_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


def change_facts(plan: Plan, needs: Needs = ALL, regions: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One fact object per distinct resource change, with the ``addresses`` that share it (plan order)."""
    regions = provider_regions(plan) if regions is None else regions
    kinds = catalog_facts()["kinds"]
    wanted = FACT_ATTRS if needs.after is None else FACT_ATTRS | needs.after
    groups: dict[str, dict[str, Any]] = {}
    for rc in plan.resource_changes:
        if not rc.is_change:
            continue
        after = _fact_values(rc.after, rc.after_sensitive, None if needs.after is None else wanted)
        # A create has no before: its before-facts are empty (most changes of a big plan are creates).
        before = _fact_values(rc.before, rc.before_sensitive, None if needs.after is None else wanted) \
            if rc.before is not None else _EMPTY
        labels = labels_of(after)
        fact = {
            "type": rc.type,
            "action": action_of(rc.actions),
            "provider": rc.provider_name,
            "kind": kind_of(rc.type, after, before, kinds),
            "region": region_of(after, rc.provider_name, regions),
            "labels": _pick(labels, needs.labels) if labels or taggable(after) else None,
            "before_labels": _pick(labels_of(before), needs.labels) if before else {},
            "machine_types": machine_types(after),
            "machine_types_before": machine_types(before) if before else [],
            "after": _pick(after, needs.after),
            "unknown": _unknown(rc.after_unknown, needs.after),
        }
        key = repr(fact)  # same facts in the same order: json.dumps(sort_keys) cost 3x more
        group = groups.get(key)
        if group is None:
            group = groups[key] = {**fact, "addresses": []}
        group["addresses"].append(rc.address)
    return list(groups.values())


def _all_blocks(module: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from module.get("resources") or []
    for call in (module.get("module_calls") or {}).values():
        if isinstance(call, MAPPINGS):
            yield from _all_blocks(call.get("module") or {})


def block_facts(configuration: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Resource and data blocks of every module level: mode, type, provisioner types, addresses."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for block in _all_blocks(configuration.get("root_module") or {}):
        provisioners = [p.get("type") for p in block.get("provisioners") or [] if isinstance(p, MAPPINGS)]
        key = (block.get("mode"), block.get("type"), tuple(map(str, provisioners)))
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"mode": block.get("mode"), "type": block.get("type"),
                                   "provisioners": provisioners, "addresses": []}
        group["addresses"].append(block.get("address"))
    return list(groups.values())
