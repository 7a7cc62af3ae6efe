"""The ``aws`` target: hashicorp/aws provider (v5) resources.

The region is the provider's (``versions.tf``); buckets use the v4+ split
(versioning, encryption, public-access-block and lifecycle as their own
resources); EKS gets its IAM roles and a managed node group.
"""

from __future__ import annotations

from typing import Any

from .. import hcl
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
    standard_labels,
    subnet_local_name,
)
from ..offerings import offerings
from .base import ParseContext, RenderOptions, common_from_labels, network_ref, ref_name

PRIMARY = {
    "aws_instance": Kind.VM,
    "aws_db_instance": Kind.DATABASE,
    "aws_vpc": Kind.NETWORK,
    "aws_s3_bucket": Kind.BUCKET,
    "aws_eks_cluster": Kind.CLUSTER,
}
PROVIDER_VERSION = "~> 5.0"
UBUNTU_OWNER = "099720109477"  # Canonical
UBUNTU_IMAGE = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")  # S3 allows these transitions after 30 days at the earliest
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")


def tags(spec: ResourceSpec, name: str | None = None) -> dict[str, str]:
    return hcl.str_map({"Name": name or spec.name, **standard_labels(spec)})


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


def _vm(doc: hcl.Document, spec: VmSpec) -> None:
    n = spec.local_name
    doc.data("aws_ami", n, {
        "most_recent": True,
        "owners": hcl.strings([UBUNTU_OWNER]),
        "filter": [hcl.block({"name": hcl.string("name"), "values": hcl.strings([UBUNTU_IMAGE])})],
    })
    body: dict[str, Any] = {"ami": hcl.expr(f"data.aws_ami.{n}.id"), "instance_type": hcl.string(spec.size)}
    if spec.network and spec.subnet:
        body["subnet_id"] = hcl.expr(f"aws_subnet.{subnet_local_name(spec.network, spec.subnet)}.id")
    else:
        body["availability_zone"] = hcl.string(spec.zone or offerings(Target.AWS).zones(spec.region)[0])
    body |= {
        "root_block_device": [hcl.block({"volume_size": spec.disk_gb, "volume_type": hcl.string("gp3"), "encrypted": True})],
        "metadata_options": [hcl.block({"http_tokens": hcl.string("required")})],
        "tags": tags(spec),
    }
    doc.resource("aws_instance", n, body)


def _database(doc: hcl.Document, spec: DatabaseSpec) -> None:
    doc.resource("aws_db_instance", spec.local_name, {
        "identifier": hcl.string(spec.name),
        "engine": hcl.string(spec.engine),
        "engine_version": hcl.string(spec.version),
        "instance_class": hcl.string(spec.tier),
        "allocated_storage": spec.storage_gb,
        "storage_type": hcl.string("gp3"),
        "storage_encrypted": True,
        "username": hcl.string("cloudops"),
        "manage_master_user_password": True,
        "backup_retention_period": 7,
        "skip_final_snapshot": False,
        "final_snapshot_identifier": hcl.string(f"{spec.name}-final"),
        "tags": tags(spec),
    })


def _network(doc: hcl.Document, spec: NetworkSpec) -> None:
    doc.resource("aws_vpc", spec.local_name, {
        "cidr_block": hcl.string(spec.cidr),
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "tags": tags(spec),
    })
    zones = offerings(Target.AWS).zones(spec.region)
    for i, subnet in enumerate(spec.subnets):
        doc.resource("aws_subnet", subnet_local_name(spec.name, subnet.name), {
            "vpc_id": hcl.expr(f"aws_vpc.{spec.local_name}.id"),
            "cidr_block": hcl.string(subnet.cidr),
            "availability_zone": hcl.string(zones[i % len(zones)]),
            "tags": tags(spec, f"{spec.name}-{subnet.name}"),
        })


def _bucket(doc: hcl.Document, spec: BucketSpec) -> None:
    n = spec.local_name
    bucket_ref = hcl.expr(f"aws_s3_bucket.{n}.id")
    doc.resource("aws_s3_bucket", n, {"bucket": hcl.string(spec.name), "tags": tags(spec)})
    doc.resource("aws_s3_bucket_versioning", n, {
        "bucket": bucket_ref,
        "versioning_configuration": [hcl.block({"status": hcl.string("Enabled" if spec.versioning else "Disabled")})],
    })
    doc.resource("aws_s3_bucket_server_side_encryption_configuration", n, {
        "bucket": bucket_ref,
        "rule": [hcl.block({"apply_server_side_encryption_by_default": [hcl.block({"sse_algorithm": hcl.string("AES256")})]})],
    })
    doc.resource("aws_s3_bucket_public_access_block", n, {
        "bucket": bucket_ref,
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    })
    if spec.storage_class != "STANDARD":
        doc.resource("aws_s3_bucket_lifecycle_configuration", n, {
            "bucket": bucket_ref,
            "rule": [hcl.block({
                "id": hcl.string("storage-class"),
                "status": hcl.string("Enabled"),
                "filter": [hcl.block({"prefix": hcl.string("")})],
                "transition": [hcl.block({
                    "days": 30 if spec.storage_class in IA_CLASSES else 0,
                    "storage_class": hcl.string(spec.storage_class),
                })],
            })],
        })


def _assume_policy(doc: hcl.Document, name: str, service: str) -> str:
    doc.data("aws_iam_policy_document", name, {
        "statement": [hcl.block({
            "actions": hcl.strings(["sts:AssumeRole"]),
            "principals": [hcl.block({"type": hcl.string("Service"), "identifiers": hcl.strings([service])})],
        })],
    })
    return hcl.expr(f"data.aws_iam_policy_document.{name}.json")


def _cluster(doc: hcl.Document, spec: ClusterSpec) -> None:
    n = spec.local_name
    nodes = f"{n}_nodes"
    assert spec.network is not None
    subnet_ids = [hcl.expr(f"aws_subnet.{subnet_local_name(spec.network, s)}.id") for s in spec.subnets]
    doc.resource("aws_iam_role", n, {
        "name": hcl.string(f"{spec.name}-eks-cluster"),
        "assume_role_policy": _assume_policy(doc, f"{n}_assume", "eks.amazonaws.com"),
        "tags": tags(spec),
    })
    doc.resource("aws_iam_role_policy_attachment", n, {
        "role": hcl.expr(f"aws_iam_role.{n}.name"),
        "policy_arn": hcl.string("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"),
    })
    doc.resource("aws_eks_cluster", n, {
        "name": hcl.string(spec.name),
        "role_arn": hcl.expr(f"aws_iam_role.{n}.arn"),
        "version": hcl.string(spec.version),
        "vpc_config": [hcl.block({"subnet_ids": subnet_ids})],
        "tags": tags(spec),
        "depends_on": [hcl.expr(f"aws_iam_role_policy_attachment.{n}")],
    })
    doc.resource("aws_iam_role", nodes, {
        "name": hcl.string(f"{spec.name}-eks-nodes"),
        "assume_role_policy": _assume_policy(doc, f"{nodes}_assume", "ec2.amazonaws.com"),
        "tags": tags(spec),
    })
    for policy in NODE_POLICIES:
        doc.resource("aws_iam_role_policy_attachment", f"{nodes}_{policy}", {
            "role": hcl.expr(f"aws_iam_role.{nodes}.name"),
            "policy_arn": hcl.string(f"arn:aws:iam::aws:policy/{policy}"),
        })
    doc.resource("aws_eks_node_group", n, {
        "cluster_name": hcl.expr(f"aws_eks_cluster.{n}.name"),
        "node_group_name": hcl.string("primary"),
        "node_role_arn": hcl.expr(f"aws_iam_role.{nodes}.arn"),
        "subnet_ids": subnet_ids,
        "instance_types": hcl.strings([spec.node_size]),
        "scaling_config": [hcl.block({"desired_size": spec.node_count, "min_size": spec.node_count, "max_size": spec.node_count})],
        "tags": tags(spec),
        "depends_on": [hcl.expr(f"aws_iam_role_policy_attachment.{nodes}_{p}") for p in NODE_POLICIES],
    })


def project_files(project: str, region: str) -> dict[str, hcl.Document]:
    doc = hcl.Document().add("terraform", [], {
        "required_version": hcl.string(">= 1.0"),
        "required_providers": [hcl.block({"aws": {"source": hcl.string("hashicorp/aws"), "version": hcl.string(PROVIDER_VERSION)}})],
    }).add("provider", ["aws"], {"region": hcl.string(region)})
    return {"versions.tf": doc}


def spec_from(type_: str, local: str, body: dict[str, Any], ctx: ParseContext) -> ResourceSpec:
    g = hcl.unquote
    t = hcl.literal_map(body.get("tags"))
    common = {"target": Target.AWS, "region": ctx.region or "", **common_from_labels(t)}
    if type_ == "aws_instance":
        net, sub = network_ref(ref_name(body.get("subnet_id"), "aws_subnet"))
        zone = g(body["availability_zone"]) if "availability_zone" in body else None
        return VmSpec(name=t["Name"], size=g(body["instance_type"]), zone=zone,
                      disk_gb=int(hcl.first_block(body, "root_block_device")["volume_size"]), network=net, subnet=sub, **common)
    if type_ == "aws_db_instance":
        return DatabaseSpec(name=g(body["identifier"]), engine=g(body["engine"]), version=g(body["engine_version"]),
                            tier=g(body["instance_class"]), storage_gb=int(body["allocated_storage"]), **common)
    if type_ == "aws_vpc":
        subnets = []
        for (rtype, name), sub_body in ctx.resources.items():
            net, sub = network_ref(name)
            if rtype == "aws_subnet" and sub and ref_name(sub_body.get("vpc_id"), "aws_vpc") == local:
                subnets.append(SubnetSpec(name=sub, cidr=g(sub_body["cidr_block"])))
        return NetworkSpec(name=t["Name"], cidr=g(body["cidr_block"]), subnets=tuple(subnets), **common)
    if type_ == "aws_s3_bucket":
        versioning = hcl.first_block(ctx.companion("aws_s3_bucket_versioning", local), "versioning_configuration")
        transition = hcl.first_block(ctx.companion("aws_s3_bucket_lifecycle_configuration", local), "rule.transition")
        return BucketSpec(name=g(body["bucket"]), storage_class=g(transition.get("storage_class", '"STANDARD"')),
                          versioning=g(versioning.get("status")) == "Enabled", **common)
    group = ctx.companion("aws_eks_node_group", local)
    subnet_refs = [network_ref(ref_name(s, "aws_subnet")) for s in hcl.first_block(body, "vpc_config").get("subnet_ids", [])]
    return ClusterSpec(name=g(body["name"]), node_size=g(group["instance_types"][0]),
                       node_count=int(hcl.first_block(group, "scaling_config")["desired_size"]), version=g(body["version"]),
                       network=subnet_refs[0][0] if subnet_refs else None,
                       subnets=tuple(s for _, s in subnet_refs if s), **common)
