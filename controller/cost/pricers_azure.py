"""Azure pricers: VMs (current and legacy), managed disks by tier, databases, storage, AKS, firewall,
public IPs, app service plans, ExpressRoute (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (FREE, Component, Context, Costed, PriceRef, Status, first, hourly, metered, monthly_fee, number,
                         per_gb_month, text, usage_gap, verdict)
from .resources import book_price, extra, fee, missing, pricer, ref, vm

# Managed disks are billed per tier (the smallest tier that holds the size), not per GB.
_TIER_SIZES = (4, 32), (6, 64), (10, 128), (15, 256), (20, 512), (30, 1024), (40, 2048), (50, 4096), (60, 8192), \
    (70, 16384), (80, 32767)
_TIER_LETTER = {"Standard_LRS": "S", "StandardSSD_LRS": "E", "Premium_LRS": "P", "StandardSSD_ZRS": "E",
                "Premium_ZRS": "P"}
DEFAULT_OS_DISK_GB = Decimal(30)  # an Azure Linux image's OS disk when the plan does not say (Infracost assumes 30 too)


def region_of(v: Mapping[str, Any], ctx: Context) -> str | None:
    location = text(v, "location") or ctx.provider_regions.get("azurerm")
    return location.replace(" ", "").lower() if location else None


def disk_tier(account_type: str | None, gb: Decimal | None) -> str | None:
    """The billed tier: S10 for a 100 GB Standard_LRS disk; zone-redundant ones are their own tier (E10_ZRS)."""
    letter = _TIER_LETTER.get(account_type or "")
    if letter is None or gb is None:
        return None
    suffix = "_ZRS" if (account_type or "").endswith("_ZRS") else ""
    for number_, size in _TIER_SIZES:
        if gb <= size:
            return f"{letter}{number_}{suffix}"
    return None


def managed_disk(label: str, account_type: str | None, gb: Decimal | None, region: str | None, ctx: Context,
                 count: Decimal = Decimal(1), assumed: bool = False) -> Component:
    tier = disk_tier(account_type, gb)
    size = f"{gb:g} GB{', assumed' if assumed else ''}" if gb is not None else "size unknown"
    name = f"{label} ({account_type or '?'}, {size}{', ' + tier if tier else ''})"
    if count != 1:
        name = f"{name} × {count:g}"
    price = book_price(ctx, "azure", "managed_disks_monthly", tier, region)
    return monthly_fee(name, price, count, missing("azure", "managed disk tier", tier or account_type, region))


def _os_disk(block: Mapping[str, Any], region: str | None, ctx: Context, count: Decimal = Decimal(1),
             type_key: str = "storage_account_type", size_key: str = "disk_size_gb") -> Component:
    gb = number(block, size_key)
    return managed_disk("OS disk", text(block, type_key, "Standard_LRS"), gb or DEFAULT_OS_DISK_GB, region, ctx,
                        count, assumed=not gb)


def windows_vm(size: str | None, region: str | None, ctx: Context, count: Decimal = Decimal(1),
               spot: bool = False) -> Component:
    """A Windows VM at its licence-included price (a separate table); Spot Windows is not recorded."""
    label = (f"Instance ({size or 'unknown size'}, Windows)" if count == 1
             else f"Nodes ({count:g} × {size}, Windows)")
    if spot:
        return hourly(f"{label}, spot", None, count, missing="azure spot prices move with spare capacity and are "
                                                            "not in the pricing catalog")
    return hourly(label, book_price(ctx, "azure", "machine_types_windows", size, region), count,
                  missing=missing("azure", "Windows VM size (licence included)", size, region),
                  ref=ref("azure", "machine_types_windows", size, region, "vm" if count == 1 else "nodes"))


@pricer("azurerm_linux_virtual_machine")
def _az_vm(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    return verdict([vm("azure", text(v, "size"), region, ctx, spot=text(v, "priority") == "Spot"),
                    _os_disk(first(v, "os_disk"), region, ctx)])


@pricer("azurerm_windows_virtual_machine")
def _az_windows_vm(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    return verdict([windows_vm(text(v, "size"), region, ctx, spot=text(v, "priority") == "Spot"),
                    _os_disk(first(v, "os_disk"), region, ctx)])


@pricer("azurerm_virtual_machine")
def _az_legacy_vm(v: Mapping[str, Any], ctx: Context) -> Costed:
    """The legacy resource: vm_size, storage_os_disk; Windows when os_profile_windows_config is set."""
    region = region_of(v, ctx)
    if v.get("os_profile_windows_config"):
        main = windows_vm(text(v, "vm_size"), region, ctx)
    else:
        main = vm("azure", text(v, "vm_size"), region, ctx)
    parts = [main, _os_disk(first(v, "storage_os_disk"), region, ctx, type_key="managed_disk_type")]
    for disk in v.get("storage_data_disk") or ():
        parts.append(managed_disk("Data disk", text(disk, "managed_disk_type", "Standard_LRS"),
                                  number(disk, "disk_size_gb"), region, ctx))
    return verdict(parts)


@pricer("azurerm_managed_disk")
def _az_disk(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([managed_disk("Managed disk", text(v, "storage_account_type"), number(v, "disk_size_gb"),
                                 region_of(v, ctx), ctx)])


_GENERAL_PURPOSE_V4 = re.compile(r"^GP_Standard_D(\d+)ds_v4$")  # billed per vCore: D4ds_v4 is 4 vCores


def _db_compute(engine: str, sku: str | None, region: str | None, ctx: Context) -> Component:
    label = f"Database server ({sku})"
    sized = _GENERAL_PURPOSE_V4.match(sku or "")
    if sized:
        vcores = Decimal(sized[1])
        return hourly(f"{label}, {vcores:g} vCores", book_price(ctx, "azure", "database_vcore_hourly",
                                                                 f"{engine}:GP_Standard_D_ds_v4", region), vcores,
                      missing=missing("azure", "database vCore", f"{engine} {sku}", region))
    price = book_price(ctx, "azure", "database_tiers_hourly", f"{engine}:{sku}", region)
    if price is None:
        price = book_price(ctx, "azure", "database_tiers_hourly", sku, region)
    return hourly(label, price, missing=missing("azure", "database SKU", f"{engine} {sku}", region),
                  ref=ref("azure", "database_tiers_hourly", sku, region, "database"))


def _az_db(engine: str, v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    mb = number(v, "storage_mb")
    storage = book_price(ctx, "azure", "database_storage_gb_month", f"{engine}:flexible", region)
    return verdict([
        _db_compute(engine, text(v, "sku_name"), region, ctx),
        per_gb_month("Storage", storage if storage is not None else
                     book_price(ctx, "azure", "database_storage_gb_month", "flexible", region),
                     mb / Decimal(1024) if mb is not None else None, missing("azure", "database storage", engine, region)),
    ])


pricer("azurerm_postgresql_flexible_server")(lambda v, ctx: _az_db("postgresql", v, ctx))
pricer("azurerm_mysql_flexible_server")(lambda v, ctx: _az_db("mysql", v, ctx))


@pricer("azurerm_storage_account")
def _az_storage(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = f"{text(v, 'access_tier', 'Hot')}_{text(v, 'account_replication_type', 'LRS')}"
    region = region_of(v, ctx)
    unit = book_price(ctx, "azure", "storage_classes_gb_month", tier, region)
    price_ref = PriceRef("azure", "storage_classes_gb_month", tier, region, "storage",
                         ("azure", text(v, "access_tier", "Hot") or "Hot"))
    parts = [metered(ctx, "storage_gb", f"Blob storage ({tier})", unit, "GB-month", ref=price_ref)]
    if tier == "Hot_LRS":  # Infracost's usage keys; other tiers' operation prices are not recorded
        for key, label, price_key in (("monthly_write_operations", "Write operations", "blob_hot_lrs_write_per_10k"),
                                      ("monthly_read_operations", "Read operations", "blob_hot_lrs_read_per_10k")):
            parts.append(metered(ctx, key, label, book_price(ctx, "azure", "usage_unit_prices", price_key, region),
                                 "operations", per=Decimal(10_000),
                                 missing=usage_gap(label, region)))
    return verdict(parts)


def _pool_os_disks(pool: Mapping[str, Any], count: Decimal, region: str | None, ctx: Context) -> list[Component]:
    """AKS node OS disks: Managed ones are billed as Premium/Standard SSD disks; Ephemeral ones are free."""
    if text(pool, "os_disk_type", "Managed") == "Ephemeral":
        return []
    gb = number(pool, "os_disk_size_gb") or Decimal(128)
    return [managed_disk("Node OS disks", "Premium_LRS", gb, region, ctx, count, assumed=not number(pool, "os_disk_size_gb"))]


@pricer("azurerm_kubernetes_cluster")
def _aks(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = text(v, "sku_tier", "Free")
    region = region_of(v, ctx)
    management = (Component("Cluster management (Free tier)", Decimal(0)) if tier == "Free"
                  else fee("azure", ctx, f"cluster_{(tier or '').lower()}"))
    pool = first(v, "default_node_pool")
    count = number(pool, "node_count", Decimal(1)) or Decimal(1)
    return verdict([vm("azure", text(pool, "vm_size"), region, ctx, count, "nodes"), management,
                    *_pool_os_disks(pool, count, region, ctx)])


@pricer("azurerm_kubernetes_cluster_node_pool")
def _aks_pool(v: Mapping[str, Any], ctx: Context) -> Costed:
    count = number(v, "node_count", Decimal(1)) or Decimal(1)
    region = ctx.provider_regions.get("azurerm")
    region = region.replace(" ", "").lower() if region else None
    return verdict([vm("azure", text(v, "vm_size"), region, ctx, count, "nodes", spot=text(v, "priority") == "Spot"),
                    *_pool_os_disks(v, count, region, ctx)])


@pricer("azurerm_public_ip")
def _az_ip(v: Mapping[str, Any], ctx: Context) -> Costed:
    sku = (text(v, "sku", "Basic") or "Basic").lower()
    method = (text(v, "allocation_method", "Static") or "Static").lower()
    return extra("azure", f"public_ip_{sku}_{method}", f"Public IP ({sku}, {method})", region_of(v, ctx), ctx)


@pricer("azurerm_lb")
def _az_lb(v: Mapping[str, Any], ctx: Context) -> Costed:
    return extra("azure", f"load_balancer_{(text(v, 'sku', 'Basic') or 'Basic').lower()}", "Load balancer",
                 region_of(v, ctx), ctx)


@pricer("azurerm_nat_gateway")
def _az_nat(v: Mapping[str, Any], ctx: Context) -> Costed:
    return extra("azure", "nat_gateway", "NAT gateway", region_of(v, ctx), ctx)


@pricer("azurerm_firewall")
def _az_firewall(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = text(v, "sku_tier", "Standard") or "Standard"
    region = region_of(v, ctx)
    deployment = extra("azure", f"firewall_{tier.lower()}", f"Firewall deployment ({tier})", region, ctx)
    return verdict(list(deployment.components) + [_data_processed(ctx, f"firewall_{tier.lower()}_data_gb", region)])


def _data_processed(ctx: Context, price_key: str, region: str | None) -> Component:
    price = book_price(ctx, "azure", "usage_unit_prices", price_key, region)
    return metered(ctx, "monthly_data_processed_gb", "Data processed", price, "GB",
                   missing=usage_gap("Data processed", region))


# What only a Standard virtual hub can host (Microsoft: a Basic hub offers site-to-site VPN only)
STANDARD_HUB_ONLY = {"azurerm_express_route_gateway": "an ExpressRoute gateway", "azurerm_firewall": "an Azure Firewall",
                     "azurerm_point_to_site_vpn_gateway": "a point-to-site VPN gateway"}


@pricer("azurerm_virtual_hub")
def _az_virtual_hub(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A Basic hub is free; a Standard hub bills deployment hours and data processed.

    With ``sku`` unset the provider does not say which one Azure creates, so the hub is priced only when
    the plan puts something in it that a Basic hub cannot host; otherwise it says so rather than guess.
    """
    sku = text(v, "sku")
    if sku == "Basic":
        return FREE
    if sku and sku != "Standard":
        return Costed(Status.NOT_PRICED, (), f"virtual hub sku {sku!r}: Azure offers Basic and Standard only")
    label = "Virtual hub deployment (Standard)"
    if not sku:
        hosted = next((what for source, _ in ctx.referrers if (what := STANDARD_HUB_ONLY.get(_type_of(source)))), None)
        if hosted is None:
            return Costed(Status.NOT_PRICED, (), "virtual hub: sku is not set and nothing in the plan needs a Standard "
                                                 "hub; set sku = \"Basic\" (free) or \"Standard\"")
        label = f"Virtual hub deployment (Standard: it hosts {hosted}, which a Basic hub cannot)"
    region = region_of(v, ctx)
    deployment = extra("azure", "virtual_hub_standard", label, region, ctx)
    return verdict(list(deployment.components) + [_data_processed(ctx, "virtual_hub_data_gb", region)])


def _type_of(address: str) -> str:
    """``module.net.azurerm_firewall.hub`` -> ``azurerm_firewall``."""
    parts = address.split(".")
    return parts[-2] if len(parts) >= 2 else ""


@pricer("azurerm_service_plan", "azurerm_app_service_plan")
def _az_plan(v: Mapping[str, Any], ctx: Context) -> Costed:
    """service_plan: sku_name + os_type; app_service_plan (legacy): sku {tier, size, capacity} + kind."""
    if "sku_name" in v:
        sku, linux = text(v, "sku_name"), text(v, "os_type") == "Linux"
        count = number(v, "worker_count") or Decimal(1)
    else:
        block = first(v, "sku")
        sku, linux = text(block, "size"), (text(v, "kind") or "").lower() == "linux" or bool(v.get("reserved"))
        count = number(block, "capacity") or Decimal(1)
    region = region_of(v, ctx)
    key = f"linux_{sku}" if linux else f"windows_{sku}"
    return verdict([hourly(f"App Service plan ({'Linux' if linux else 'Windows'} {sku}, {count:g} instance(s))",
                           book_price(ctx, "azure", "app_service_hourly", key, region), count,
                           missing("azure", "App Service plan", key, region))])


@pricer("azurerm_express_route_gateway")
def _az_er_gateway(v: Mapping[str, Any], ctx: Context) -> Costed:
    units = number(v, "scale_units") or Decimal(1)
    region = region_of(v, ctx)
    return verdict([hourly(f"ExpressRoute gateway ({units:g} scale unit(s))",
                           book_price(ctx, "azure", "extras_hourly", "express_route_scale_unit", region), units,
                           missing("azure", "ExpressRoute scale unit", "hour", region))])


@pricer("azurerm_express_route_connection")
def _az_er_connection(v: Mapping[str, Any], ctx: Context) -> Costed:
    gateway = ctx.referenced("express_route_gateway_id", "azurerm_express_route_gateway") or {}
    region = text(gateway, "location") or ctx.provider_regions.get("azurerm")
    return extra("azure", "express_route_connection", "ExpressRoute connection",
                 region.replace(" ", "").lower() if region else None, ctx)
