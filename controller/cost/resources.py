"""Per terraform resource type: which values are priced and how (pure).

``price(type, values, ctx)`` returns a ``Costed`` for one state of one
resource. Types with a cost but no pricer, and prices missing from the
catalog, come back *not priced*; only types listed in ``KNOWN_FREE`` are free.
"""

from __future__ import annotations


from dataclasses import replace
from decimal import Decimal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import json

from .catalog import HOURS_PER_MONTH, PRICING_DIR
from .regions import is_region
from .components import (
    monthly_rate,
    FREE,
    Component,
    Context,
    Costed,
    PriceRef,
    Status,
    is_map,
    hourly,
    metered,
    per_gb_month,
    tier_steps,
    usage_gap,
    verdict,
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
    # no charge of their own (the provider bills the resources that use them); Infracost's lists add the rest
    "aws_eip_association", "aws_s3_bucket_lifecycle_configuration", "aws_ecs_cluster", "aws_ecs_task_definition",
    "aws_ecr_lifecycle_policy",
    "aws_cloudwatch_event_target",
    "azurerm_express_route_circuit_peering", "azurerm_express_route_circuit_authorization",
    "tls_cert_request", "local_sensitive_file", "archive_file",
    "aws_appautoscaling_target",  # no charge of its own: the capacity is billed on the table or service it scales
    "aws_db_security_group", "aws_redshift_security_group",  # EC2-Classic firewall rules, no charge (like VPC SGs)
})


def _imported_free() -> frozenset[str]:
    """Infracost's lists of free resource types (pricing/free_resources.json, source and licence inside)."""
    doc = json.loads((PRICING_DIR / "free_resources.json").read_text(encoding="utf-8"))
    return frozenset(t for types in doc["types"].values() for t in types)


FREE_TYPES = KNOWN_FREE | _imported_free()


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
        own = values.get("region") if resource_type.startswith("aws_") else None
        if isinstance(own, str) and own != ctx.provider_regions.get("aws") and is_region("aws", own):
            # AWS provider 6: a resource's own ``region`` argument overrides its provider's, for every line.
            ctx = replace(ctx, provider_regions={**ctx.provider_regions, "aws": own})
        return fn(values, ctx)
    if resource_type in FREE_TYPES:
        return FREE
    return Costed(Status.NOT_PRICED, (), f"no pricing for resource type {resource_type}")


def book_price(ctx: Context, provider: str, section: str, name: str | None, region: str | None) -> Decimal | None:
    book = ctx.catalog.book(provider)
    if book is None or not name:
        return None
    return book.price(section, name, region)


def missing(provider: str, what: str, name: str | None, region: str | None) -> str:
    return f"{provider} {what} {name or '?'} in {region or 'unknown region'} is not in the pricing catalog"


def ref(provider: str, section: str, name: str | None, region: str | None, role: str) -> PriceRef | None:
    """The catalog entry behind a line; cloud names are also the resource catalog's offering names."""
    return PriceRef(provider, section, name, region, role, (provider, name)) if name else None


def sustained_month(ctx: Context, machine: str | None, region: str | None) -> Decimal | None:
    """GCP's published full-month price when the family earns a sustained-use discount, else None.

    Both figures come from the same table (Cyclenerd's pricing.yml): a month below 730 × the hourly
    price is a discounted family (N1, N2, N2D, C2, M1…); E2 and the like bill 730 × hourly.
    """
    book = ctx.catalog.book("gcp")
    if book is None or not machine:
        return None
    month = book.price("machine_types_monthly", machine, region)
    if month is None:
        return None
    hour = book.table_price("machine_types", machine, region)
    if month is None or hour is None or month >= hour * HOURS_PER_MONTH:
        return None
    return month


def vm(provider: str, machine: str | None, region: str | None, ctx: Context, count: Decimal = Decimal(1),
        role: str = "vm", spot: bool = False) -> Component:
    label = f"Instance ({machine or 'unknown type'})" if count == 1 else f"Nodes ({count:g} × {machine})"
    if spot:  # billed at the Spot price, never the on-demand one (which would overstate it)
        return spot_vm(provider, machine, region, ctx, count, label)
    if provider == "gcp":
        month = sustained_month(ctx, machine, region)
        if month is not None:
            return monthly_rate(label, month, count, ref=ref(provider, "machine_types", machine, region, role),
                                note="sustained-use discount for a full month included")
    return hourly(label, book_price(ctx, provider, "machine_types", machine, region), count,
                  missing(provider, "machine type", machine, region),
                  ref(provider, "machine_types", machine, region, role))


# Providers whose Spot prices are published per type and region and change at most monthly (Google: "up to
# once every 30 days"), so a dated list price is a fact; AWS and Azure Spot prices move with spare capacity.
DATED_SPOT_PRICES = frozenset({"gcp"})


def spot_vm(provider: str, machine: str | None, region: str | None, ctx: Context, count: Decimal,
            label: str) -> Component:
    book = ctx.catalog.book(provider)
    price = book_price(ctx, provider, "spot_hourly", machine, region) if provider in DATED_SPOT_PRICES else None
    if price is None or book is None or machine is None:
        why = (missing(provider, "spot price for", machine, region) if provider in DATED_SPOT_PRICES
               else f"{provider} spot prices move with spare capacity and are not in the pricing catalog")
        return Component(f"{label}, spot", None, "hours", None, count * HOURS_PER_MONTH, note=why)
    published = book.date_of("spot_hourly", machine, region)
    line = hourly(f"{label}, spot", price, count, ref=ref(provider, "spot_hourly", machine, region, role="vm"))
    return replace(line, note=f"Spot price published {published}; Google may change it once every 30 days")


def disk(provider: str, name: str, disk_type: str | None, gb: Decimal | None, region: str | None, ctx: Context,
         assumed: str = "") -> Component:
    """A disk billed per GB-month; ``assumed`` says where a size the plan does not give came from."""
    return per_gb_month(f"{name} ({disk_type}, {gb if gb is not None else '?'} GB{f', assumed: {assumed}' if assumed else ''})",
                        book_price(ctx, provider, "disks_gb_month", disk_type, region), gb,
                        missing(provider, "disk type", disk_type, region),
                        ref(provider, "disks_gb_month", disk_type, region, "disk"))


def fee(provider: str, ctx: Context, name: str = "cluster") -> Component:
    return hourly("Cluster management fee", book_price(ctx, provider, "kubernetes_cluster_hourly", name, None),
                  missing=f"{provider} kubernetes {name} fee is not in the pricing catalog")


def tiered(ctx: Context, used: str, name: str, unit: str, tiers: Sequence[tuple[Decimal | None, str]],
           per: Decimal, section: str = "usage_unit_prices", ref: PriceRef | None = None,
           scale: Decimal = Decimal(1), provider: str = "aws", region: str | None = None) -> list[Component]:
    """A usage line billed in monthly tiers (``tiers``: (cumulative ceiling or None, price key), in order).

    Without the usage, one "depends on usage" line at the first tier's price; with it, one line per tier used.
    ``scale`` turns the usage quantity into the tiered unit (GB-seconds from requests). The region is the
    provider's unless given.
    """
    region = region or ctx.provider_regions.get("azurerm" if provider == "azure" else provider)
    prices = [book_price(ctx, provider, section, key, region) for _, key in tiers]
    quantity = ctx.used(used)
    if quantity is None:
        return [metered(ctx, used, name, prices[0], unit, per=per, missing=usage_gap(name, region), ref=ref)]
    quantity *= scale
    lines = []
    for i, start, step in tier_steps(quantity, [ceiling for ceiling, _ in tiers]):
        label = f"{name} ({ctx.usage_origin or 'usage file'}: {used}, {start - 1:g} to {start + step - 1:g})"
        price = prices[i]
        lines.append(Component(label, None, unit, None, step, note=usage_gap(name, region), ref=ref) if price is None
                     else Component(label, price * step / per, unit, price / per, step, ref=ref))
    return lines


def extra(provider: str, key: str, label: str, region: str | None, ctx: Context) -> Costed:
    return verdict([hourly(label, book_price(ctx, provider, "extras_hourly", key, region),
                           missing=missing(provider, "extra", key, region))])


from . import (local, pricers_aws, pricers_aws_data, pricers_aws_ops, pricers_aws_usage, pricers_azure,  # noqa: E402,F401
               pricers_aws_platform, pricers_azure_monitor, pricers_azure_network, pricers_azure_paas, pricers_gcp,
               pricers_gcp_services, pricers_groups)  # each registers its pricers on import
from .pricers_gcp import cloud_sql_tier  # noqa: E402

__all__ = ["KNOWN_FREE", "PRICERS", "price", "cloud_sql_tier", "local"]
