"""The ``gcp`` target: hashicorp/google provider resources.

Labels go in ``labels`` (``user_labels`` for Cloud SQL, ``resource_labels``
for GKE); networks, which take no labels, carry them in ``description``.
"""

from __future__ import annotations

import re
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
    network_local_name,
    standard_labels,
    subnet_local_name,
)
from .base import ParseContext, RenderOptions, common_from_labels, labels_for, network_ref, ref_name

PRIMARY = {
    "google_compute_instance": Kind.VM,
    "google_sql_database_instance": Kind.DATABASE,
    "google_compute_network": Kind.NETWORK,
    "google_storage_bucket": Kind.BUCKET,
    "google_container_cluster": Kind.CLUSTER,
}
PROVIDER_VERSION = "~> 5.0"
IMAGE = "debian-cloud/debian-12"
NODE_POOL = "primary"


def render(spec: ResourceSpec, options: RenderOptions) -> hcl.Document:
    doc = hcl.Document()
    if isinstance(spec, VmSpec):
        _vm(doc, spec)
    elif isinstance(spec, DatabaseSpec):
        _database(doc, spec)
    elif isinstance(spec, NetworkSpec):
        _network(doc, spec)
    elif isinstance(spec, BucketSpec):
        _bucket(doc, spec)
    elif isinstance(spec, ClusterSpec):
        _cluster(doc, spec)
    return doc


def _zone(spec: VmSpec) -> str:
    return spec.zone or offerings(Target.GCP).zones(spec.region)[0]


def _vm(doc: hcl.Document, spec: VmSpec) -> None:
    if spec.subnet and spec.network:
        nic = {"subnetwork": hcl.expr(f"google_compute_subnetwork.{subnet_local_name(spec.network, spec.subnet)}.id")}
    elif spec.network:
        nic = {"network": hcl.expr(f"google_compute_network.{network_local_name(spec.network)}.id")}
    else:
        nic = {"network": hcl.string("default")}
    doc.resource("google_compute_instance", spec.local_name, {
        "name": hcl.string(spec.name),
        "machine_type": hcl.string(spec.size),
        "zone": hcl.string(_zone(spec)),
        "labels": labels_for(spec),
        "boot_disk": [hcl.block({"initialize_params": [hcl.block({"image": hcl.string(IMAGE), "size": spec.disk_gb})]})],
        "network_interface": [hcl.block(nic)],
        "shielded_instance_config": [hcl.block({"enable_secure_boot": True})],
        "metadata": hcl.str_map({"enable-oslogin": "TRUE"}),
    })


def _db_version(engine: str, version: str) -> str:
    return f"{engine.upper()}_{version.replace('.', '_')}"


def _database(doc: hcl.Document, spec: DatabaseSpec) -> None:
    doc.resource("google_sql_database_instance", spec.local_name, {
        "name": hcl.string(spec.name),
        "region": hcl.string(spec.region),
        "database_version": hcl.string(_db_version(spec.engine, spec.version)),
        "deletion_protection": True,
        "settings": [hcl.block({
            "tier": hcl.string(spec.tier),
            "disk_size": spec.storage_gb,
            "disk_type": hcl.string("PD_SSD"),
            "user_labels": labels_for(spec),
            "backup_configuration": [hcl.block({"enabled": True})],
        })],
    })


def _description(spec: ResourceSpec, extra: str) -> str:
    labels = " ".join(f"{k}={v}" for k, v in standard_labels(spec).items())
    return f"{extra}; {labels}"


def _network(doc: hcl.Document, spec: NetworkSpec) -> None:
    doc.resource("google_compute_network", spec.local_name, {
        "name": hcl.string(spec.name),
        "description": hcl.string(_description(spec, f"address space {spec.cidr}")),
        "auto_create_subnetworks": False,
        "routing_mode": hcl.string("REGIONAL"),
    })
    for subnet in spec.subnets:
        doc.resource("google_compute_subnetwork", subnet_local_name(spec.name, subnet.name), {
            "name": hcl.string(f"{spec.name}-{subnet.name}"),
            "description": hcl.string(_description(spec, f"subnet {subnet.name} of {spec.name}")),
            "region": hcl.string(spec.region),
            "network": hcl.expr(f"google_compute_network.{spec.local_name}.id"),
            "ip_cidr_range": hcl.string(subnet.cidr),
            "private_ip_google_access": True,
        })


def _bucket(doc: hcl.Document, spec: BucketSpec) -> None:
    doc.resource("google_storage_bucket", spec.local_name, {
        "name": hcl.string(spec.name),
        "location": hcl.string(spec.region.upper()),
        "storage_class": hcl.string(spec.storage_class),
        "uniform_bucket_level_access": True,
        "public_access_prevention": hcl.string("enforced"),
        "labels": labels_for(spec),
        "versioning": [hcl.block({"enabled": spec.versioning})],
    })


def _cluster(doc: hcl.Document, spec: ClusterSpec) -> None:
    body: dict[str, Any] = {
        "name": hcl.string(spec.name),
        "location": hcl.string(spec.region),
        "min_master_version": hcl.string(spec.version),
        "remove_default_node_pool": True,
        "initial_node_count": 1,
        "resource_labels": labels_for(spec),
    }
    if spec.network:
        body["network"] = hcl.expr(f"google_compute_network.{network_local_name(spec.network)}.id")
        body["subnetwork"] = hcl.expr(f"google_compute_subnetwork.{subnet_local_name(spec.network, spec.subnets[0])}.id")
    body["release_channel"] = [hcl.block({"channel": hcl.string("REGULAR")})]
    doc.resource("google_container_cluster", spec.local_name, body)
    doc.resource("google_container_node_pool", spec.local_name, {
        "name": hcl.string(NODE_POOL),
        "cluster": hcl.expr(f"google_container_cluster.{spec.local_name}.id"),
        "location": hcl.string(spec.region),
        "node_locations": hcl.strings([offerings(Target.GCP).zones(spec.region)[0]]),
        "node_count": spec.node_count,
        "node_config": [hcl.block({
            "machine_type": hcl.string(spec.node_size),
            "labels": labels_for(spec),
            "oauth_scopes": hcl.strings(["https://www.googleapis.com/auth/cloud-platform"]),
        })],
    })


def project_files(project: str, region: str) -> dict[str, hcl.Document]:
    doc = hcl.Document().add("terraform", [], {
        "required_version": hcl.string(">= 1.0"),
        "required_providers": [hcl.block({"google": {"source": hcl.string("hashicorp/google"), "version": hcl.string(PROVIDER_VERSION)}})],
    }).add("provider", ["google"], {"region": hcl.string(region)})
    return {"versions.tf": doc}


def _labels_from_description(text: str) -> dict[str, str]:
    return dict(re.findall(r"([a-z][a-z0-9_-]*)=([a-z0-9_-]*)", text.partition(";")[2]))


def spec_from(type_: str, local: str, body: dict[str, Any], ctx: ParseContext) -> ResourceSpec:
    g = hcl.unquote
    if type_ == "google_compute_instance":
        zone = g(body["zone"])
        nic = hcl.first_block(body, "network_interface")
        net, sub = network_ref(ref_name(nic.get("subnetwork"), "google_compute_subnetwork"))
        if net is None:
            net, _ = network_ref(ref_name(nic.get("network"), "google_compute_network"))
        return VmSpec(name=g(body["name"]), target=Target.GCP, region=zone.rsplit("-", 1)[0], size=g(body["machine_type"]),
                      zone=zone, disk_gb=int(hcl.first_block(body, "boot_disk.initialize_params")["size"]),
                      network=net, subnet=sub, **common_from_labels(hcl.literal_map(body.get("labels"))))
    if type_ == "google_sql_database_instance":
        settings = hcl.first_block(body, "settings")
        engine, _, version = g(body["database_version"]).partition("_")
        return DatabaseSpec(name=g(body["name"]), target=Target.GCP, region=g(body["region"]), engine=engine.lower(),
                            version=version.replace("_", "."), tier=g(settings["tier"]), storage_gb=int(settings["disk_size"]),
                            **common_from_labels(hcl.literal_map(settings.get("user_labels"))))
    if type_ == "google_compute_network":
        description = g(body["description"])
        subnets = []
        for (t, name), sub_body in ctx.resources.items():
            net, sub = network_ref(name)
            if t == "google_compute_subnetwork" and sub and ref_name(sub_body.get("network"), type_) == local:
                subnets.append((g(sub_body["region"]), SubnetSpec(name=sub, cidr=g(sub_body["ip_cidr_range"]))))
        region = subnets[0][0] if subnets else (ctx.region or "")
        return NetworkSpec(name=g(body["name"]), target=Target.GCP, region=region,
                           cidr=re.search(r"address space (\S+);", description).group(1),  # type: ignore[union-attr]
                           subnets=tuple(s for _, s in subnets), **common_from_labels(_labels_from_description(description)))
    if type_ == "google_storage_bucket":
        return BucketSpec(name=g(body["name"]), target=Target.GCP, region=g(body["location"]).lower(),
                          storage_class=g(body["storage_class"]), versioning=bool(hcl.first_block(body, "versioning").get("enabled")),
                          **common_from_labels(hcl.literal_map(body.get("labels"))))
    pool = ctx.companion("google_container_node_pool", local)
    node_config = hcl.first_block(pool, "node_config")
    net, _ = network_ref(ref_name(body.get("network"), "google_compute_network"))
    _, sub = network_ref(ref_name(body.get("subnetwork"), "google_compute_subnetwork"))
    return ClusterSpec(name=g(body["name"]), target=Target.GCP, region=g(body["location"]), node_size=g(node_config["machine_type"]),
                       node_count=int(pool["node_count"]), version=g(body["min_master_version"]), network=net,
                       subnets=(sub,) if sub else (), **common_from_labels(hcl.literal_map(body.get("resource_labels"))))
