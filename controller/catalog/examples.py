"""One example spec of every kind for every target.

Used for the bundled example project, for golden files and for showing
people what a request looks like. Every value is a real offering.
"""

from __future__ import annotations

from typing import TypedDict

from .specs import BucketSpec, ClusterSpec, DatabaseSpec, NetworkSpec, ResourceSpec, SubnetSpec, Target, VmSpec

_CHOICES: dict[Target, dict[str, str]] = {
    Target.GCP: {"region": "europe-west1", "size": "e2-medium", "tier": "db-custom-1-3840", "version": "15",
                 "class": "STANDARD", "node": "e2-standard-4", "bucket": "shop-assets-7f3a"},
    Target.AWS: {"region": "eu-west-1", "size": "t3.small", "tier": "db.t3.micro", "version": "16",
                 "class": "STANDARD_IA", "node": "t3.medium", "bucket": "shop-assets-7f3a"},
    Target.AZURE: {"region": "westeurope", "size": "Standard_B2s", "tier": "B_Standard_B1ms", "version": "16",
                   "class": "Cool", "node": "Standard_D2s_v5", "bucket": "shopassets7f3a"},
    Target.LOCAL: {"region": "local-1", "size": "small", "tier": "small", "version": "16",
                   "class": "standard", "node": "medium", "bucket": "assets"},
}


class _Common(TypedDict):
    """The fields every example spec shares."""

    project: str
    target: Target
    region: str
    requested_by: str


def example_specs(target: Target | str, project: str = "shop", requested_by: str = "alice") -> list[ResourceSpec]:
    """A network, a vm in it, a database, a bucket and a cluster."""
    target = Target(target)
    c = _CHOICES[target]
    common: _Common = {"project": project, "target": target, "region": c["region"], "requested_by": requested_by}
    return [
        NetworkSpec(name="main", cidr="10.20.0.0/16", subnets=(
            SubnetSpec(name="app", cidr="10.20.1.0/24"), SubnetSpec(name="data", cidr="10.20.2.0/24"),
        ), **common),
        VmSpec(name="web", size=c["size"], disk_gb=30, network="main", subnet="app", labels={"team": "storefront"}, **common),
        DatabaseSpec(name="orders", engine="postgres", version=c["version"], tier=c["tier"], storage_gb=32, **common),
        BucketSpec(name=c["bucket"], storage_class=c["class"], versioning=True, **common),
        ClusterSpec(name="apps", node_size=c["node"], node_count=2, version="1.30", network="main",
                    subnets=("app", "data") if target == Target.AWS else ("app",), **common),
    ]


def starter_specs(project: str = "example", requested_by: str = "cloudops") -> list[ResourceSpec]:
    """The small local project shipped in the repo template: a vm, a database, a bucket."""
    common: _Common = {"project": project, "target": Target.LOCAL, "region": "local-1", "requested_by": requested_by}
    return [
        VmSpec(name="web", size="small", disk_gb=20, **common),
        DatabaseSpec(name="main", engine="postgres", version="16", tier="small", storage_gb=20, **common),
        BucketSpec(name="assets", storage_class="standard", versioning=True, **common),
    ]
