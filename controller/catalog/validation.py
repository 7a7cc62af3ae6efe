"""Validate resource specs before anything is rendered.

Pure. :func:`violations` lists every broken rule as ``(field, value, rule)``;
:func:`validate` raises :class:`~controller.errors.SpecValidationError` with all
of them. Nothing is written by the renderer unless this passes.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from ..errors import SpecValidationError
from . import names
from .offerings import Offerings, offerings
from .specs import (
    BucketSpec,
    ClusterSpec,
    DatabaseSpec,
    Kind,
    NetworkSpec,
    ResourceSpec,
    Target,
    VmSpec,
)

Violation = tuple[str, object, str]
RESERVED_LABELS = ("managed-by", "requested-by", "project")
MAX_SUBNETS = 16


def validate(spec: ResourceSpec, *, networks: Mapping[str, NetworkSpec] | None = None) -> ResourceSpec:
    """Return ``spec`` if it is valid, else raise SpecValidationError.

    ``networks`` (name -> spec, same project) lets references from a vm or a
    cluster to a network and its subnets be checked too.
    """
    found = violations(spec, networks=networks)
    if found:
        raise SpecValidationError(found, hint="fix the values named above and ask again")
    return spec


def validate_all(specs: Iterable[ResourceSpec]) -> list[ResourceSpec]:
    """Validate a project's specs together: each alone, then unique names and references."""
    specs = list(specs)
    found: list[Violation] = []
    nets = {s.name: s for s in specs if isinstance(s, NetworkSpec)}
    seen: set[tuple[Kind, str]] = set()
    for spec in specs:
        found.extend(violations(spec, networks=nets))
        key = (spec.kind, spec.name)
        if key in seen:
            found.append(("name", spec.name, f"another {spec.kind.value} in the project already has this name"))
        seen.add(key)
    if found:
        raise SpecValidationError(found, hint="fix the values named above and ask again")
    return specs


def violations(spec: ResourceSpec, *, networks: Mapping[str, NetworkSpec] | None = None) -> list[Violation]:
    out: list[Violation] = []
    try:
        target = Target(spec.target)
    except ValueError:
        return [("target", spec.target, f"must be one of {', '.join(t.value for t in Target)}")]
    _common(spec, target, out)
    offer = offerings(target)
    region_ok = spec.region in offer.regions
    if not region_ok:
        out.append(("region", spec.region, f"must be one of the {target.value} regions: {', '.join(offer.regions)}"))
    if isinstance(spec, VmSpec):
        _vm(spec, offer, region_ok, out)
        _refs(spec.network, (spec.subnet,) if spec.subnet else (), target, networks, out)
    elif isinstance(spec, DatabaseSpec):
        _database(spec, offer, out)
    elif isinstance(spec, NetworkSpec):
        _network(spec, target, out)
    elif isinstance(spec, BucketSpec):
        _bucket(spec, offer, out)
    elif isinstance(spec, ClusterSpec):
        _cluster(spec, offer, out)
        _refs(spec.network, spec.subnets, target, networks, out)
    return out


def _common(spec: ResourceSpec, target: Target, out: list[Violation]) -> None:
    for field, rule, value in (
        ("name", names.NAME_RULES[(target, spec.kind)], spec.name),
        ("project", names.PROJECT_RULE, spec.project),
        ("requested_by", names.REQUESTER_RULE, spec.requested_by),
    ):
        problem = names.check(rule, value)
        if problem:
            out.append((field, value, problem))
    if not isinstance(spec.labels, Mapping):
        out.append(("labels", spec.labels, "must be a mapping of label keys to values"))
        return
    for key, value in sorted(spec.labels.items(), key=lambda kv: str(kv[0])):
        problem = names.check(names.LABEL_KEY_RULE, key)
        if problem:
            out.append((f"labels.{key}", key, problem))
        elif key in RESERVED_LABELS:
            out.append((f"labels.{key}", value, "is set by cloudops and cannot be given"))
        problem = names.hostile(value) if value != "" else None
        problem = problem or names.LABEL_VALUE_RULE.check(value) if isinstance(value, str) else "must be a string"
        if problem:
            out.append((f"labels.{key}", value, problem))


def _member(field: str, value: object, allowed: Iterable[str], what: str, out: list[Violation]) -> bool:
    allowed = list(allowed)
    if value in allowed:
        return True
    problem = names.hostile(value)
    out.append((field, value, problem or f"must be one of the {what}: {', '.join(allowed)}"))
    return False


def _int_between(field: str, value: object, low: int, high: int, unit: str, out: list[Violation]) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        out.append((field, value, "must be a whole number"))
        return False
    if not low <= value <= high:
        out.append((field, value, f"must be between {low} and {high} {unit}"))
        return False
    return True


def _vm(spec: VmSpec, offer: Offerings, region_ok: bool, out: list[Violation]) -> None:
    _member("size", spec.size, offer.machine_types, f"{offer.target.value} machine types", out)
    if spec.zone is not None and region_ok:
        _member("zone", spec.zone, offer.zones(spec.region), f"zones of {spec.region}", out)
    low, high = offer.vm_disk_gb
    if spec.disk_gb is not None:
        _int_between("disk_gb", spec.disk_gb, low, high, "GB", out)
    if spec.target == Target.AWS and spec.zone is not None and spec.subnet is not None:
        out.append(("zone", spec.zone, "on aws the subnet decides the zone: give a zone or a subnet, not both"))


def _database(spec: DatabaseSpec, offer: Offerings, out: list[Violation]) -> None:
    if _member("engine", spec.engine, offer.db_engines, f"{offer.target.value} database engines", out):
        _member("version", spec.version, offer.db_engines[spec.engine], f"{spec.engine} versions on {offer.target.value}", out)
    _member("tier", spec.tier, offer.db_tiers, f"{offer.target.value} database tiers", out)
    low, high = offer.db_storage_gb
    if _int_between("storage_gb", spec.storage_gb, low, high, "GB", out):
        steps = offer.db_storage_steps_gb
        if spec.engine == "postgres" and steps and spec.storage_gb not in steps:
            out.append(("storage_gb", spec.storage_gb, f"must be one of the sizes the provider offers: {', '.join(map(str, steps))} GB"))


def _bucket(spec: BucketSpec, offer: Offerings, out: list[Violation]) -> None:
    _member("storage_class", spec.storage_class, offer.storage_classes, f"{offer.target.value} storage classes", out)
    if not isinstance(spec.versioning, bool):
        out.append(("versioning", spec.versioning, "must be true or false"))


def _cluster(spec: ClusterSpec, offer: Offerings, out: list[Violation]) -> None:
    _member("node_size", spec.node_size, offer.machine_types, f"{offer.target.value} machine types", out)
    low, high = offer.cluster_nodes
    _int_between("node_count", spec.node_count, low, high, "nodes", out)
    _member("version", spec.version, offer.kubernetes_versions, f"{offer.target.value} Kubernetes versions", out)
    if spec.target == Target.AWS and (spec.network is None or len(spec.subnets) < 2):
        out.append(("subnets", list(spec.subnets), "EKS needs a network and at least two of its subnets (in different zones)"))
    if spec.target in (Target.GCP, Target.AZURE) and spec.network is not None and len(spec.subnets) != 1:
        out.append(("subnets", list(spec.subnets), "give exactly one subnet of the network for the cluster's nodes"))


def _network(spec: NetworkSpec, target: Target, out: list[Violation]) -> None:
    min_prefix = 16 if target == Target.AWS else 8
    net = _cidr("cidr", spec.cidr, min_prefix, 28, out)
    if not spec.subnets:
        out.append(("subnets", [], "a network needs at least one subnet"))
    if len(spec.subnets) > MAX_SUBNETS:
        out.append(("subnets", len(spec.subnets), f"at most {MAX_SUBNETS} subnets"))
    rule = names.NAME_RULES[(target, Kind.NETWORK)]
    placed: list[tuple[str, ipaddress.IPv4Network]] = []
    seen: set[str] = set()
    for i, subnet in enumerate(spec.subnets):
        field = f"subnets[{i}]"
        problem = names.check(rule, subnet.name)
        if problem:
            out.append((f"{field}.name", subnet.name, problem))
        elif target == Target.GCP and len(f"{spec.name}-{subnet.name}") > 63:
            out.append((f"{field}.name", subnet.name, "on gcp the subnetwork is named '<network>-<subnet>', which must fit in 63 characters"))
        elif subnet.name in seen:
            out.append((f"{field}.name", subnet.name, "subnet names must be unique in the network"))
        seen.add(subnet.name)
        sub = _cidr(f"{field}.cidr", subnet.cidr, 8, 29, out)
        if sub is None:
            continue
        if net is not None and not sub.subnet_of(net):
            out.append((f"{field}.cidr", subnet.cidr, f"must lie inside the network {net}"))
        for other_name, other in placed:
            if sub.overlaps(other):
                out.append((f"{field}.cidr", subnet.cidr, f"overlaps subnet {other_name!r} ({other})"))
        placed.append((subnet.name, sub))


def _cidr(field: str, value: object, min_prefix: int, max_prefix: int, out: list[Violation]) -> ipaddress.IPv4Network | None:
    if not isinstance(value, str):
        out.append((field, value, "must be a string like 10.0.0.0/16"))
        return None
    problem = names.hostile(value.replace("/", "", 1))
    if problem:
        out.append((field, value, problem))
        return None
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        out.append((field, value, f"is not a valid IPv4 network in CIDR form ({exc})"))
        return None
    if "/" not in str(value):
        out.append((field, value, "give a prefix length, e.g. 10.0.0.0/16"))
        return None
    if not net.is_private:
        out.append((field, value, "must be a private range (RFC 1918, e.g. 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"))
    if not min_prefix <= net.prefixlen <= max_prefix:
        out.append((field, value, f"prefix length must be between /{min_prefix} and /{max_prefix}"))
    return net


def _refs(
    network: str | None,
    subnets: Iterable[str],
    target: Target,
    networks: Mapping[str, NetworkSpec] | None,
    out: list[Violation],
) -> None:
    subnets = list(subnets)
    rule = names.NAME_RULES[(target, Kind.NETWORK)]
    if network is None:
        if subnets:
            out.append(("network", None, "subnets are given, so name the network they belong to"))
        return
    problem = names.check(rule, network)
    if problem:
        out.append(("network", network, problem))
        return
    for sub in subnets:
        problem = names.check(rule, sub)
        if problem:
            out.append(("subnet", sub, problem))
    if networks is None:
        return
    net = networks.get(network)
    if net is None:
        out.append(("network", network, "no network of this name in the project"))
        return
    known = {s.name for s in net.subnets}
    for sub in subnets:
        if sub not in known:
            out.append(("subnet", sub, f"network {network!r} has no such subnet (it has: {', '.join(sorted(known))})"))
