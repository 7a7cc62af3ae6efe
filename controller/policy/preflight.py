"""Pre-flight: judge resources from a chat session before any PR exists (pure).

A synthetic plan document holds one ``create`` per spec with the attributes
the policies read (type, machine type, region/zone/location, labels), shaped
as each target's provider would plan it; the same engine and policies then
run on it, so chat can say "quota exceeded" or "region not allowed" first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..catalog import reader
from ..catalog.offerings import offerings
from ..catalog.specs import (BucketSpec, ClusterSpec, DatabaseSpec, NetworkSpec, ResourceSpec, Target, VmSpec,
                             standard_labels)
from ..catalog.targets import local
from ..errors import ServiceError
from ..repo_config import RepoConfig
from .engine import PolicyEngine, default_engine, input_needs, select
from .inputs import Actor, build_input
from .result import PolicyResult

_PROVIDERS = {Target.LOCAL: "null", Target.GCP: "google", Target.AWS: "aws", Target.AZURE: "azurerm"}


def _gcp(spec: ResourceSpec, labels: dict[str, str]) -> tuple[str, dict[str, Any]]:
    if isinstance(spec, VmSpec):
        zone = spec.zone or offerings(Target.GCP).zones(spec.region)[0]
        return "google_compute_instance", {"name": spec.name, "machine_type": spec.size, "zone": zone, "labels": labels}
    if isinstance(spec, DatabaseSpec):
        return "google_sql_database_instance", {"name": spec.name, "region": spec.region,
                                                "settings": [{"tier": spec.tier, "user_labels": labels}]}
    if isinstance(spec, NetworkSpec):
        return "google_compute_network", {"name": spec.name}
    if isinstance(spec, BucketSpec):
        return "google_storage_bucket", {"name": spec.name, "location": spec.region.upper(), "labels": labels,
                                         "public_access_prevention": "enforced"}
    assert isinstance(spec, ClusterSpec)
    return "google_container_cluster", {"name": spec.name, "location": spec.region, "resource_labels": labels,
                                        "node_config": [{"machine_type": spec.node_size}]}


def _aws(spec: ResourceSpec, labels: dict[str, str]) -> tuple[str, dict[str, Any]]:
    if isinstance(spec, VmSpec):
        return "aws_instance", {"instance_type": spec.size, "tags": labels}
    if isinstance(spec, DatabaseSpec):
        return "aws_db_instance", {"identifier": spec.name, "instance_class": spec.tier, "tags": labels}
    if isinstance(spec, NetworkSpec):
        return "aws_vpc", {"cidr_block": spec.cidr, "tags": labels}
    if isinstance(spec, BucketSpec):
        return "aws_s3_bucket", {"bucket": spec.name, "tags": labels}
    assert isinstance(spec, ClusterSpec)
    return "aws_eks_cluster", {"name": spec.name, "tags": labels, "instance_types": [spec.node_size]}


def _azure(spec: ResourceSpec, labels: dict[str, str]) -> tuple[str, dict[str, Any]]:
    where = {"location": spec.region, "tags": labels}
    if isinstance(spec, VmSpec):
        return "azurerm_linux_virtual_machine", {"name": spec.name, "size": spec.size, **where}
    if isinstance(spec, DatabaseSpec):
        return "azurerm_postgresql_flexible_server", {"name": spec.name, "sku_name": spec.tier, **where}
    if isinstance(spec, NetworkSpec):
        return "azurerm_virtual_network", {"name": spec.name, **where}
    if isinstance(spec, BucketSpec):
        return "azurerm_storage_account", {"name": spec.name, "allow_nested_items_to_be_public": False, **where}
    assert isinstance(spec, ClusterSpec)
    return "azurerm_kubernetes_cluster", {"name": spec.name, "default_node_pool": [{"vm_size": spec.node_size}], **where}


def _resource(spec: ResourceSpec) -> tuple[str, dict[str, Any]]:
    if spec.target is Target.LOCAL:
        return "null_resource", {"triggers": local.triggers(spec)}
    labels = standard_labels(spec)
    return {Target.GCP: _gcp, Target.AWS: _aws, Target.AZURE: _azure}[spec.target](spec, labels)


def synthetic_plan(specs: Sequence[ResourceSpec]) -> dict[str, Any]:
    """A ``show -json``-shaped document creating ``specs`` (format 1.2)."""
    changes, blocks, providers = [], [], {}
    for spec in specs:
        rtype, after = _resource(spec)
        provider = _PROVIDERS[spec.target]
        address = f"{rtype}.{spec.local_name}"
        changes.append({"address": address, "mode": "managed", "type": rtype, "name": spec.local_name,
                        "provider_name": f"registry.terraform.io/hashicorp/{provider}",
                        "change": {"actions": ["create"], "before": None, "after": after}})
        blocks.append({"address": address, "mode": "managed", "type": rtype, "name": spec.local_name,
                       "provider_config_key": provider})
        block: dict[str, Any] = {"name": provider, "full_name": f"registry.terraform.io/hashicorp/{provider}"}
        if spec.target is Target.AWS:
            block["expressions"] = {"region": {"constant_value": spec.region}}
        providers.setdefault(provider, block)
    return {"format_version": "1.2", "terraform_version": "1.0.3", "resource_changes": changes,
            "configuration": {"provider_config": providers, "root_module": {"resources": blocks}}}


def preflight(specs: Sequence[ResourceSpec], config: RepoConfig, actor: Actor,
              usage: Mapping[str, reader.KindCount | int] | None = None, *, cost: Mapping[str, Any] | None = None,
              engine: PolicyEngine | None = None, now: dt.datetime | None = None) -> PolicyResult:
    """Judge the resources a chat session is about to request (all of one project)."""
    if not specs:
        raise ServiceError("running pre-flight policies: no resources to check")
    projects = {s.project for s in specs}
    if len(projects) != 1:
        raise ServiceError(f"running pre-flight policies: resources of several projects ({', '.join(sorted(projects))})")
    project = projects.pop()
    engine = engine or default_engine()
    selected = select(config, project, engine.library)
    # The synthetic plan holds only the session's resources, not the repo's networks: references are the
    # chat's own check (against the repo and the session); the PR's real plan is judged by `references`.
    document = build_input(synthetic_plan(specs), project=config.projects[project], actor=actor, usage=usage,
                           cost=cost, now=now, needs=input_needs(selected, engine.library), whole_project=False)
    return engine.evaluate(document, selected, project=project)
