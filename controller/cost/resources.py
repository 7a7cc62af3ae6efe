"""Per terraform resource type: which values are priced and how (pure).

``price(type, values, ctx)`` returns a ``Costed`` for one state of one
resource. Types with a cost but no pricer, and prices missing from the
catalog, come back *not priced*; only types listed in ``KNOWN_FREE`` are free.
"""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Callable, Mapping
from typing import Any

from .components import (
    FREE,
    Component,
    Context,
    Costed,
    PriceRef,
    Status,
    first,
    is_map,
    hourly,
    number,
    per_gb_month,
    text,
    usage,
    verdict,
    zone_region,
)

Pricer = Callable[[Mapping[str, Any], Context], Costed]
PRICERS: dict[str, Pricer] = {}

# Resources that cost nothing by themselves (networks, IAM, glue). Anything else unknown is "not priced".
KNOWN_FREE = frozenset({
    "google_compute_network", "google_compute_subnetwork", "google_compute_firewall", "google_compute_router",
    "google_service_account", "google_project_iam_member", "google_project_iam_binding", "google_project_service",
    "google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_compute_route",
    "aws_vpc", "aws_subnet", "aws_security_group", "aws_security_group_rule", "aws_route_table",
    "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_iam_role", "aws_iam_policy",
    "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_instance_profile", "aws_iam_user",
    "aws_iam_user_policy", "aws_iam_policy_attachment", "aws_key_pair", "aws_s3_bucket_policy",
    "aws_s3_bucket_versioning", "aws_s3_bucket_acl", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_ownership_controls",
    "aws_db_subnet_group", "aws_db_parameter_group", "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule", "aws_network_acl", "aws_default_security_group",
    "azurerm_resource_group", "azurerm_virtual_network", "azurerm_subnet", "azurerm_network_security_group",
    "azurerm_network_security_rule", "azurerm_network_interface", "azurerm_role_assignment",
    "azurerm_subnet_network_security_group_association", "azurerm_network_interface_security_group_association",
    "azurerm_storage_container", "azurerm_user_assigned_identity",
    "random_id", "random_string", "random_password", "random_pet", "random_integer", "random_uuid",
    "time_sleep", "time_static", "tls_private_key", "local_file", "terraform_data",
})


def pricer(*types: str) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        for t in types:
            PRICERS[t] = fn
        return fn
    return register


def price(resource_type: str, values: Any, ctx: Context) -> Costed:
    """Price one resource state; ``values`` is terraform's before or after object."""
    fn = PRICERS.get(resource_type)
    if fn is not None and is_map(values):
        return fn(values, ctx)
    if resource_type in KNOWN_FREE:
        return FREE
    return Costed(Status.NOT_PRICED, (), f"no pricing for resource type {resource_type}")


def _book_price(ctx: Context, provider: str, section: str, name: str | None, region: str | None) -> Decimal | None:
    book = ctx.catalog.book(provider)
    if book is None or not name:
        return None
    return book.price(section, name, region)


def _missing(provider: str, what: str, name: str | None, region: str | None) -> str:
    return f"{provider} {what} {name or '?'} in {region or 'unknown region'} is not in the pricing catalog"


def _ref(provider: str, section: str, name: str | None, region: str | None, role: str) -> PriceRef | None:
    """The catalog entry behind a line; cloud names are also the resource catalog's offering names."""
    return PriceRef(provider, section, name, region, role, (provider, name)) if name else None


def _vm(provider: str, machine: str | None, region: str | None, ctx: Context, count: Decimal = Decimal(1),
        role: str = "vm") -> Component:
    label = f"Instance ({machine or 'unknown type'})" if count == 1 else f"Nodes ({count:g} × {machine})"
    return hourly(label, _book_price(ctx, provider, "machine_types", machine, region), count,
                  _missing(provider, "machine type", machine, region),
                  _ref(provider, "machine_types", machine, region, role))


def _disk(provider: str, name: str, disk_type: str | None, gb: Decimal | None, region: str | None, ctx: Context) -> Component:
    return per_gb_month(f"{name} ({disk_type}, {gb if gb is not None else '?'} GB)",
                        _book_price(ctx, provider, "disks_gb_month", disk_type, region), gb,
                        _missing(provider, "disk type", disk_type, region),
                        _ref(provider, "disks_gb_month", disk_type, region, "disk"))


def _fee(provider: str, ctx: Context, name: str = "cluster") -> Component:
    return hourly("Cluster management fee", _book_price(ctx, provider, "kubernetes_cluster_hourly", name, None),
                  missing=f"{provider} kubernetes {name} fee is not in the pricing catalog")


def _extra(provider: str, key: str, label: str, region: str | None, ctx: Context) -> Costed:
    return verdict([hourly(label, _book_price(ctx, provider, "extras_hourly", key, region),
                           missing=_missing(provider, "extra", key, region))])


# --- Google Cloud ------------------------------------------------------------------------


@pricer("google_compute_instance")
def _gce(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = zone_region(text(v, "zone")) or ctx.provider_regions.get("google")
    params = first(first(v, "boot_disk"), "initialize_params")
    parts = [_vm("gcp", text(v, "machine_type"), region, ctx),
             _disk("gcp", "Boot disk", text(params, "type", "pd-standard"), number(params, "size", Decimal(10)), region, ctx)]
    return verdict(parts)


@pricer("google_compute_disk")
def _gce_disk(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = zone_region(text(v, "zone")) or ctx.provider_regions.get("google")
    return verdict([_disk("gcp", "Disk", text(v, "type", "pd-standard"), number(v, "size"), region, ctx)])


_DB_CUSTOM = re.compile(r"^db-custom-(\d+)-(\d+)$")


def cloud_sql_tier(tier: str | None, region: str | None, ctx: Context, ha: bool = False) -> Component:
    """Shared-core tiers have an hourly price; db-custom-N-MB is vCPU-hours + GB-hours."""
    factor = Decimal(2) if ha else Decimal(1)
    label = f"SQL instance ({tier}{', regional' if ha else ''})"
    ref = _ref("gcp", "database_tiers_hourly", tier, region, "database")
    listed = _book_price(ctx, "gcp", "database_tiers_hourly", tier, region)
    if listed is not None:
        return hourly(label, listed * factor, ref=ref)
    match = _DB_CUSTOM.match(tier or "")
    vcpu_price = _book_price(ctx, "gcp", "database_unit_prices", "vcpu_hour", region)
    mem_price = _book_price(ctx, "gcp", "database_unit_prices", "memory_gb_hour", region)
    if match and vcpu_price is not None and mem_price is not None:
        per_hour = Decimal(match[1]) * vcpu_price + Decimal(match[2]) / Decimal(1024) * mem_price
        return hourly(label, per_hour * factor, ref=ref)
    return hourly(label, None, missing=_missing("gcp", "Cloud SQL tier", tier, region), ref=ref)


@pricer("google_sql_database_instance")
def _cloud_sql(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = text(v, "region") or ctx.provider_regions.get("google")
    settings = first(v, "settings")
    ha = text(settings, "availability_type") == "REGIONAL"
    disk_type = text(settings, "disk_type", "PD_SSD")
    storage_price = _book_price(ctx, "gcp", "database_storage_gb_month", disk_type, region)
    parts = [cloud_sql_tier(text(settings, "tier"), region, ctx, ha),
             per_gb_month(f"Storage ({disk_type})", storage_price * 2 if (ha and storage_price) else storage_price,
                          number(settings, "disk_size", Decimal(10)), _missing("gcp", "SQL storage", disk_type, region))]
    return verdict(parts)


def _gcs_location(location: str | None) -> str | None:
    if not location:
        return None
    return location if location.upper() in ("US", "EU", "ASIA") else location.lower()


@pricer("google_storage_bucket")
def _gcs(v: Mapping[str, Any], ctx: Context) -> Costed:
    storage_class = text(v, "storage_class", "STANDARD")
    location = _gcs_location(text(v, "location"))
    key = storage_class
    if location in ("US", "EU", "ASIA") and storage_class in ("STANDARD", "MULTI_REGIONAL"):
        key = "MULTI_REGIONAL_STANDARD"
    unit = _book_price(ctx, "gcp", "storage_classes_gb_month", key, location)
    ref = PriceRef("gcp", "storage_classes_gb_month", key, location, "storage", ("gcp", storage_class))
    return verdict([usage(f"Storage ({storage_class})", unit, "GB-month", ref)],
                   note="storage volume is usage-based")


@pricer("google_container_cluster")
def _gke(v: Mapping[str, Any], ctx: Context) -> Costed:
    parts = [_fee("gcp", ctx)]
    if not v.get("remove_default_node_pool") and not v.get("enable_autopilot"):
        count = number(v, "initial_node_count")
        machine = text(first(v, "node_config"), "machine_type", "e2-medium")
        if count:
            parts.append(_vm("gcp", machine, zone_region(text(v, "location")), ctx, count, "nodes"))
    return verdict(parts)


@pricer("google_container_node_pool")
def _gke_pool(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(v, "node_count") or number(v, "initial_node_count") or Decimal(1)
    machine = text(first(v, "node_config"), "machine_type", "e2-medium")
    return verdict([_vm("gcp", machine, zone_region(text(v, "location")), ctx, count, "nodes")])


@pricer("google_compute_router_nat")
def _cloud_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = text(v, "region") or ctx.provider_regions.get("google")
    nat = _extra("gcp", "nat_gateway", "NAT gateway", region, ctx)
    return verdict(list(nat.components) + [usage("Data processed", None, "GB")])


@pricer("google_compute_address")
def _gce_address(v: Mapping[str, Any], ctx: Context) -> Costed:
    if text(v, "address_type", "EXTERNAL") == "INTERNAL":
        return FREE
    region = text(v, "region") or ctx.provider_regions.get("google")
    return _extra("gcp", "public_ip_unused", "Static IP address (if unused)", region, ctx)


# --- AWS ---------------------------------------------------------------------------------


def _aws_region(v: Mapping[str, Any], ctx: Context) -> str | None:
    return zone_region(text(v, "availability_zone")) or ctx.provider_regions.get("aws")


@pricer("aws_instance")
def _ec2(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = _aws_region(v, ctx)
    parts = [_vm("aws", text(v, "instance_type"), region, ctx)]
    root = first(v, "root_block_device")
    if root:
        parts.append(_disk("aws", "Root volume", text(root, "volume_type", "gp2"), number(root, "volume_size"), region, ctx))
    return verdict(parts, note="" if root else "root volume size comes from the AMI: not included")


@pricer("aws_ebs_volume")
def _ebs(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = _aws_region(v, ctx)
    kind = text(v, "type", "gp2")
    parts = [_disk("aws", "Volume", kind, number(v, "size"), region, ctx)]
    if kind in ("io1", "io2") and number(v, "iops"):
        iops = number(v, "iops")
        parts.append(per_gb_month(f"Provisioned IOPS ({iops:g})", _book_price(ctx, "aws", "disk_iops_month", kind, region),
                                  iops, _missing("aws", "IOPS", kind, region)))
    return verdict(parts)


@pricer("aws_db_instance")
def _rds(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = _aws_region(v, ctx)
    klass = text(v, "instance_class")
    factor = Decimal(2) if v.get("multi_az") else Decimal(1)
    tier = _book_price(ctx, "aws", "database_tiers_hourly", klass, region)
    storage = text(v, "storage_type", "gp2")
    sprice = _book_price(ctx, "aws", "database_storage_gb_month", storage, region)
    return verdict([
        hourly(f"Database instance ({klass}{', multi-AZ' if factor == 2 else ''})", tier * factor if tier else None,
               missing=_missing("aws", "RDS class", klass, region),
               ref=_ref("aws", "database_tiers_hourly", klass, region, "database")),
        per_gb_month(f"Storage ({storage})", sprice * factor if sprice else None, number(v, "allocated_storage"),
                     _missing("aws", "RDS storage", storage, region)),
    ])


@pricer("aws_s3_bucket")
def _s3(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = ctx.provider_regions.get("aws")
    unit = _book_price(ctx, "aws", "storage_classes_gb_month", "STANDARD", region)
    ref = _ref("aws", "storage_classes_gb_month", "STANDARD", region, "storage")
    return verdict([usage("Storage (STANDARD)", unit, "GB-month", ref)], note="storage volume is usage-based")


@pricer("aws_eks_cluster")
def _eks(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_fee("aws", ctx)])


@pricer("aws_eks_node_group")
def _eks_nodes(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(first(v, "scaling_config"), "desired_size", Decimal(1)) or Decimal(1)
    types = v.get("instance_types") or ["t3.medium"]
    return verdict([_vm("aws", str(types[0]), ctx.provider_regions.get("aws"), ctx, count, "nodes")])


@pricer("aws_nat_gateway")
def _aws_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _extra("aws", "nat_gateway", "NAT gateway", ctx.provider_regions.get("aws"), ctx)


@pricer("aws_lb", "aws_alb", "aws_elb")
def _aws_lb(v: Mapping[str, Any], ctx: Context) -> Costed:
    kind = text(v, "load_balancer_type", "application") if "load_balancer_type" in v else "classic"
    return _extra("aws", f"load_balancer_{kind}", f"Load balancer ({kind})", ctx.provider_regions.get("aws"), ctx)


@pricer("aws_eip")
def _eip(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _extra("aws", "public_ip_in_use", "Elastic IP", ctx.provider_regions.get("aws"), ctx)


# --- Azure -------------------------------------------------------------------------------


def _az_region(v: Mapping[str, Any], ctx: Context) -> str | None:
    location = text(v, "location") or ctx.provider_regions.get("azurerm")
    return location.replace(" ", "").lower() if location else None


@pricer("azurerm_linux_virtual_machine")
def _az_vm(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = _az_region(v, ctx)
    disk = first(v, "os_disk")
    return verdict([_vm("azure", text(v, "size"), region, ctx),
                    _disk("azure", "OS disk", text(disk, "storage_account_type"), number(disk, "disk_size_gb"), region, ctx)])


@pricer("azurerm_managed_disk")
def _az_disk(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([_disk("azure", "Managed disk", text(v, "storage_account_type"), number(v, "disk_size_gb"),
                          _az_region(v, ctx), ctx)])


@pricer("azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server")
def _az_db(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = _az_region(v, ctx)
    sku = text(v, "sku_name")
    mb = number(v, "storage_mb")
    return verdict([
        hourly(f"Database server ({sku})", _book_price(ctx, "azure", "database_tiers_hourly", sku, region),
               missing=_missing("azure", "database SKU", sku, region),
               ref=_ref("azure", "database_tiers_hourly", sku, region, "database")),
        per_gb_month("Storage", _book_price(ctx, "azure", "database_storage_gb_month", "flexible", region),
                     mb / Decimal(1024) if mb is not None else None, _missing("azure", "database storage", "flexible", region)),
    ])


@pricer("azurerm_storage_account")
def _az_storage(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = f"{text(v, 'access_tier', 'Hot')}_{text(v, 'account_replication_type', 'LRS')}"
    region = _az_region(v, ctx)
    unit = _book_price(ctx, "azure", "storage_classes_gb_month", tier, region)
    ref = PriceRef("azure", "storage_classes_gb_month", tier, region, "storage", ("azure", text(v, "access_tier", "Hot") or "Hot"))
    return verdict([usage(f"Blob storage ({tier})", unit, "GB-month", ref)], note="storage volume is usage-based")


@pricer("azurerm_kubernetes_cluster")
def _aks(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = text(v, "sku_tier", "Free")
    fee = (Component("Cluster management (Free tier)", Decimal(0)) if tier == "Free"
           else _fee("azure", ctx, f"cluster_{tier.lower()}"))
    pool = first(v, "default_node_pool")
    count = number(pool, "node_count", Decimal(1)) or Decimal(1)
    return verdict([_vm("azure", text(pool, "vm_size"), _az_region(v, ctx), ctx, count, "nodes"), fee])


@pricer("azurerm_kubernetes_cluster_node_pool")
def _aks_pool(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(v, "node_count", Decimal(1)) or Decimal(1)
    return verdict([_vm("azure", text(v, "vm_size"), ctx.provider_regions.get("azurerm"), ctx, count, "nodes")])


@pricer("azurerm_public_ip")
def _az_ip(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _extra("azure", f"public_ip_{text(v, 'sku', 'Standard').lower()}", "Public IP", _az_region(v, ctx), ctx)


@pricer("azurerm_lb")
def _az_lb(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _extra("azure", f"load_balancer_{text(v, 'sku', 'Basic').lower()}", "Load balancer", _az_region(v, ctx), ctx)


@pricer("azurerm_nat_gateway")
def _az_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _extra("azure", "nat_gateway", "NAT gateway", _az_region(v, ctx), ctx)


from . import local  # noqa: E402  - registers null_resource (local target) on import

__all__ = ["KNOWN_FREE", "PRICERS", "price", "cloud_sql_tier", "local"]
