"""Blast radius: what this change can break, read from the plan (pure).

Only the masked views of the plan are read (``masked_after()`` /
``masked_before()``), and only addresses and actions come out: no attribute
value, sensitive or not, reaches the narrative. "Public" means the planned
values say so explicitly (an access config, a public IP, an ingress rule open
to 0.0.0.0/0); a default the provider fills in at apply time is not guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..terraform.plan import Action, Plan, ResourceChange

OPEN = frozenset({"0.0.0.0/0", "::/0", "*", "Internet", "any"})
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
DATABASE_TYPES = frozenset({
    "google_sql_database_instance", "google_spanner_instance", "google_redis_instance", "google_bigtable_instance",
    "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_dynamodb_table", "aws_elasticache_cluster",
    "aws_docdb_cluster", "azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server", "azurerm_mssql_server",
    "azurerm_mssql_database", "azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_cosmosdb_account",
    "azurerm_redis_cache",
})


@dataclass(frozen=True)
class BlastRadius:
    public: tuple[str, ...]  # reachable from the internet after the change
    databases: tuple[tuple[str, Action], ...]  # every database the plan touches, and how
    deletions: tuple[str, ...]
    replacements: tuple[str, ...]

    @property
    def databases_at_risk(self) -> tuple[str, ...]:
        """Databases deleted or replaced: their data goes unless restored from a backup."""
        return tuple(a for a, action in self.databases if action in (Action.DELETE, Action.REPLACE))

    @property
    def calm(self) -> bool:
        return not (self.public or self.databases or self.deletions or self.replacements)


def _blocks(value: Any, key: str) -> list[Mapping[str, Any]]:
    block = value.get(key) if isinstance(value, Mapping) else None
    if isinstance(block, Mapping):
        return [block]
    if isinstance(block, list):
        return [b for b in block if isinstance(b, Mapping)]
    return []


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _open(values: Mapping[str, Any], *keys: str) -> bool:
    return any(_strings(values.get(k)) & OPEN for k in keys)


def _gce(v: Mapping[str, Any]) -> bool:
    return any(_blocks(nic, "access_config") for nic in _blocks(v, "network_interface"))


def _gcp_firewall(v: Mapping[str, Any]) -> bool:
    return v.get("direction", "INGRESS") == "INGRESS" and _open(v, "source_ranges") and bool(_blocks(v, "allow"))


def _cloud_sql(v: Mapping[str, Any]) -> bool:
    for ip in (b for s in _blocks(v, "settings") for b in _blocks(s, "ip_configuration")):
        if ip.get("ipv4_enabled") is True and any(_open(n, "value") for n in _blocks(ip, "authorized_networks")):
            return True
    return False


def _aws_sg(v: Mapping[str, Any]) -> bool:
    return any(_open(rule, "cidr_blocks", "ipv6_cidr_blocks") for rule in _blocks(v, "ingress"))


def _aws_sg_rule(v: Mapping[str, Any]) -> bool:
    return v.get("type") == "ingress" and _open(v, "cidr_blocks", "ipv6_cidr_blocks")


def _azure_rule(v: Mapping[str, Any]) -> bool:
    return (v.get("direction") == "Inbound" and v.get("access") == "Allow"
            and _open(v, "source_address_prefix", "source_address_prefixes"))


PUBLIC: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "google_compute_instance": _gce,
    "google_compute_address": lambda v: v.get("address_type", "EXTERNAL") == "EXTERNAL",
    "google_compute_global_address": lambda v: v.get("address_type", "EXTERNAL") == "EXTERNAL",
    "google_compute_global_forwarding_rule": lambda v: str(v.get("load_balancing_scheme", "EXTERNAL")).startswith("EXTERNAL"),
    "google_compute_forwarding_rule": lambda v: str(v.get("load_balancing_scheme", "EXTERNAL")).startswith("EXTERNAL"),
    "google_compute_firewall": _gcp_firewall,
    "google_sql_database_instance": _cloud_sql,
    "google_storage_bucket_iam_member": lambda v: v.get("member") in PUBLIC_MEMBERS,
    "google_storage_bucket_iam_binding": lambda v: bool(_strings(v.get("members")) & PUBLIC_MEMBERS),
    "google_cloud_run_service_iam_member": lambda v: v.get("member") in PUBLIC_MEMBERS,
    "aws_instance": lambda v: v.get("associate_public_ip_address") is True,
    "aws_eip": lambda v: True,
    "aws_lb": lambda v: v.get("internal") is False,
    "aws_alb": lambda v: v.get("internal") is False,
    "aws_elb": lambda v: v.get("internal") is False,
    "aws_db_instance": lambda v: v.get("publicly_accessible") is True,
    "aws_security_group": _aws_sg,
    "aws_security_group_rule": _aws_sg_rule,
    "aws_vpc_security_group_ingress_rule": lambda v: _open(v, "cidr_ipv4", "cidr_ipv6"),
    "aws_s3_bucket_acl": lambda v: str(v.get("acl", "")).startswith("public-"),
    "azurerm_public_ip": lambda v: True,
    "azurerm_network_security_rule": _azure_rule,
    "azurerm_storage_account": lambda v: v.get("allow_nested_items_to_be_public") is True,
    "azurerm_postgresql_flexible_server": lambda v: v.get("public_network_access_enabled") is True,
    "azurerm_mysql_flexible_server": lambda v: v.get("public_network_access_enabled") is True,
}


def is_database(change: ResourceChange) -> bool:
    if change.type in DATABASE_TYPES:
        return True
    if change.type == "null_resource":
        for side in (change.masked_after(), change.masked_before()):
            triggers = side.get("triggers") if isinstance(side, Mapping) else None
            if isinstance(triggers, Mapping) and triggers.get("cloudops_kind") == "database":
                return True
    return False


def is_public(change: ResourceChange) -> bool:
    """Whether the resource faces the internet after the change (a deleted one no longer does)."""
    check = PUBLIC.get(change.type)
    after = change.masked_after() if change.action is not Action.DELETE else None
    return bool(check and isinstance(after, Mapping) and check(after))


def blast_radius(plan: Plan) -> BlastRadius:
    managed = [c for c in plan.resource_changes if c.mode == "managed" and not c.deposed]
    return BlastRadius(
        public=tuple(c.address for c in managed if c.action is not Action.FORGET and is_public(c)),
        databases=tuple((c.address, c.action) for c in managed if c.action is not Action.READ and is_database(c)),
        deletions=tuple(c.address for c in managed if c.action is Action.DELETE),
        replacements=tuple(c.address for c in managed if c.action is Action.REPLACE),
    )
