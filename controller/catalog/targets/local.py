"""The ``local`` target: null_resource with the full spec in ``triggers``.

Terraform really plans and applies these through the null provider; a
local-exec ``sleep`` gives each a short provisioning time so progress shows.
Triggers are flat strings: ``cloudops_kind``, ``cloudops_target``, ``name``,
``project``, ``requested_by``, ``managed_by``, ``region``, ``price_profile``,
the kind's own fields, and user labels as ``label_<key>``.
"""

from __future__ import annotations

from typing import Any

from .. import hcl
from ..offerings import offerings
from ..specs import (
    BucketSpec,
    ClusterSpec,
    DatabaseSpec,
    Kind,
    NetworkSpec,
    ResourceSpec,
    SubnetSpec,
    Target,
    VmSpec,
)
from .base import ParseContext, RenderOptions

PRIMARY = {"null_resource": None}  # kind comes from the cloudops_kind trigger
NULL_VERSION = "2.1.2"


def triggers(spec: ResourceSpec) -> dict[str, str]:
    offer = offerings(Target.LOCAL)
    out = {
        "cloudops_kind": spec.kind.value,
        "cloudops_target": Target.LOCAL.value,
        "name": spec.name,
        "project": spec.project,
        "requested_by": spec.requested_by,
        "managed_by": "cloudops",
        "region": spec.region,
    }
    if isinstance(spec, VmSpec):
        machine = offer.machine_types[spec.size]
        out |= {"size": spec.size, "zone": spec.zone or offer.zones(spec.region)[0], "disk_gb": str(spec.disk_gb),
                "vcpu": str(machine.vcpu), "memory_gb": f"{machine.memory_gb:g}", "price_profile": machine.price_profile or ""}
        if spec.network:
            out["network"] = spec.network
        if spec.subnet:
            out["subnet"] = spec.subnet
    elif isinstance(spec, DatabaseSpec):
        out |= {"engine": spec.engine, "version": spec.version, "tier": spec.tier, "storage_gb": str(spec.storage_gb),
                "price_profile": (offer.db_price_profiles or {}).get(spec.tier, "")}
    elif isinstance(spec, NetworkSpec):
        out["cidr"] = spec.cidr
        out |= {f"subnet_{s.name}": s.cidr for s in spec.subnets}
    elif isinstance(spec, BucketSpec):
        out |= {"storage_class": spec.storage_class, "versioning": str(spec.versioning).lower(),
                "price_profile": (offer.storage_price_profiles or {}).get(spec.storage_class, "")}
    elif isinstance(spec, ClusterSpec):
        machine = offer.machine_types[spec.node_size]
        out |= {"node_size": spec.node_size, "node_count": str(spec.node_count), "version": spec.version,
                "price_profile": machine.price_profile or ""}
        if spec.network:
            out["network"] = spec.network
        if spec.subnets:
            out["subnets"] = ",".join(spec.subnets)
    out |= {f"label_{k}": spec.labels[k] for k in sorted(spec.labels)}
    return out


def render(spec: ResourceSpec, options: RenderOptions) -> hcl.Document:
    body = {
        "triggers": hcl.str_map(triggers(spec)),
        "provisioner": [hcl.labelled("local-exec", {"command": hcl.string(f"sleep {int(options.local_delay_seconds)}")})],
    }
    return hcl.Document().resource("null_resource", spec.local_name, body)


def project_files(project: str, region: str) -> dict[str, hcl.Document]:
    doc = hcl.Document().add("terraform", [], {
        "required_version": hcl.string(">= 1.0"),
        "required_providers": [hcl.block({"null": {"source": hcl.string("hashicorp/null"), "version": hcl.string(NULL_VERSION)}})],
    })
    return {"versions.tf": doc}


def spec_from(type_: str, local: str, body: dict[str, Any], ctx: ParseContext) -> ResourceSpec:
    t = hcl.literal_map(body.get("triggers"))
    common: dict[str, Any] = {
        "name": t["name"], "project": t["project"], "target": Target.LOCAL, "region": t["region"],
        "requested_by": t["requested_by"],
        "labels": {k[len("label_"):]: v for k, v in t.items() if k.startswith("label_")},
    }
    kind = Kind(t["cloudops_kind"])
    if kind is Kind.VM:
        return VmSpec(**common, size=t["size"], zone=t.get("zone"), disk_gb=int(t["disk_gb"]),
                      network=t.get("network"), subnet=t.get("subnet"))
    if kind is Kind.DATABASE:
        return DatabaseSpec(**common, engine=t["engine"], version=t["version"], tier=t["tier"], storage_gb=int(t["storage_gb"]))
    if kind is Kind.NETWORK:
        subnets = tuple(SubnetSpec(name=k[len("subnet_"):], cidr=v) for k, v in t.items() if k.startswith("subnet_"))
        return NetworkSpec(**common, cidr=t["cidr"], subnets=subnets)
    if kind is Kind.BUCKET:
        return BucketSpec(**common, storage_class=t["storage_class"], versioning=t["versioning"] == "true")
    subnets_text = t.get("subnets", "")
    return ClusterSpec(**common, node_size=t["node_size"], node_count=int(t["node_count"]), version=t["version"],
                       network=t.get("network"), subnets=tuple(s for s in subnets_text.split(",") if s))
