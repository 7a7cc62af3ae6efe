"""Resource specs: what a person asks for, as typed values.

Pure data, no I/O. A spec says *what* (a vm of size X in region Y); the
per-target renderers say *how* (which provider resources and arguments).
Specs are validated by :mod:`controller.catalog.validation` before anything is
rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar


class Kind(StrEnum):
    VM = "vm"
    DATABASE = "database"
    NETWORK = "network"
    BUCKET = "bucket"
    CLUSTER = "cluster"


class Target(StrEnum):
    GCP = "gcp"
    AWS = "aws"
    AZURE = "azure"
    LOCAL = "local"


def resource_filename(kind: Kind, name: str) -> str:
    """``vm-api.tf``: where a resource of ``kind`` named ``name`` lives in its project dir."""
    return f"{Kind(kind).value}-{name}.tf"


@dataclass(frozen=True, kw_only=True)
class ResourceSpec:
    """Fields every kind shares. ``labels`` are extra user labels."""

    kind: ClassVar[Kind]
    name: str
    project: str
    target: Target
    region: str
    requested_by: str
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        """The file this resource lives in, relative to the project dir."""
        return resource_filename(self.kind, self.name)

    @property
    def local_name(self) -> str:
        """The terraform local name (always a valid identifier)."""
        return tf_identifier(f"{self.kind.value}_{self.name}")


@dataclass(frozen=True, kw_only=True)
class VmSpec(ResourceSpec):
    kind: ClassVar[Kind] = Kind.VM
    size: str
    zone: str | None = None
    disk_gb: int | None = None  # None: the target's default (20 GB, or its minimum if larger)
    network: str | None = None
    subnet: str | None = None


@dataclass(frozen=True, kw_only=True)
class DatabaseSpec(ResourceSpec):
    kind: ClassVar[Kind] = Kind.DATABASE
    engine: str
    version: str
    tier: str
    storage_gb: int = 20


@dataclass(frozen=True, kw_only=True)
class SubnetSpec:
    name: str
    cidr: str


@dataclass(frozen=True, kw_only=True)
class NetworkSpec(ResourceSpec):
    kind: ClassVar[Kind] = Kind.NETWORK
    cidr: str
    subnets: tuple[SubnetSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class BucketSpec(ResourceSpec):
    kind: ClassVar[Kind] = Kind.BUCKET
    storage_class: str
    versioning: bool = True


@dataclass(frozen=True, kw_only=True)
class ClusterSpec(ResourceSpec):
    kind: ClassVar[Kind] = Kind.CLUSTER
    node_size: str
    node_count: int = 3
    version: str = "1.30"
    network: str | None = None
    subnets: tuple[str, ...] = ()


SPEC_TYPES: dict[Kind, type[ResourceSpec]] = {
    Kind.VM: VmSpec,
    Kind.DATABASE: DatabaseSpec,
    Kind.NETWORK: NetworkSpec,
    Kind.BUCKET: BucketSpec,
    Kind.CLUSTER: ClusterSpec,
}


def tf_identifier(text: str) -> str:
    """A terraform identifier from a validated name: letters, digits, `_`, `-`."""
    out = "".join(c if (c.isascii() and (c.isalnum() or c in "_-")) else "_" for c in text)
    return out if out[:1].isalpha() else f"r_{out}"


def network_local_name(network: str) -> str:
    return tf_identifier(f"network_{network}")


def subnet_local_name(network: str, subnet: str) -> str:
    return tf_identifier(f"network_{network}__{subnet}")


def standard_labels(spec: ResourceSpec) -> dict[str, str]:
    """The labels/tags every rendered resource carries, user labels after."""
    labels = {"managed-by": "cloudops", "requested-by": spec.requested_by, "project": spec.project}
    for key in sorted(spec.labels):
        labels.setdefault(key, spec.labels[key])
    return labels
