"""Azure naming and private networking: DNS zones and records, Private DNS Resolver, private endpoints,
container registries, VPN gateways (pure).

Prices are Infracost's golden figures (azure.yaml, sources: networking), usage keys Infracost's. Azure DNS
is priced per zone of the world, and every commercial region is "Zone 1"; government, Germany and China
clouds are other zones whose prices are not recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (MILLION, Context, Costed, Status, hourly, metered, monthly_fee, quantity_line, text,
                         usage_gap, verdict)
from .pricers_azure import region_of
from .resources import book_price, missing, pricer, tiered

_OTHER_DNS_ZONES = ("usgov", "germany", "china")


def _sovereign(v: Mapping[str, Any], ctx: Context) -> Costed | None:
    """Not priced in the government, Germany and China clouds, whose DNS zones have prices of their own."""
    region = region_of(v, ctx) or ""
    if region.startswith(_OTHER_DNS_ZONES):
        return Costed(Status.NOT_PRICED, note=f"azure DNS prices for {region}'s own zone are not in the pricing catalog")
    return None


@pricer("azurerm_dns_zone", "azurerm_private_dns_zone")
def _dns_zone(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _sovereign(v, ctx) or verdict([monthly_fee(
        "Hosted zone", book_price(ctx, "azure", "monthly_fees", "dns_zone", "global"),
        missing=missing("azure", "DNS zone", "hosted zone", "global"))])


_QUERY_TIERS = ((Decimal(1000), "dns_queries_per_1m"), (None, "dns_queries_over_1b_per_1m"))  # millions a month
_RECORD_TYPES = ("a", "aaaa", "caa", "cname", "mx", "ns", "ptr", "srv", "txt")


def _dns_record(v: Mapping[str, Any], ctx: Context) -> Costed:
    return _sovereign(v, ctx) or verdict(tiered(ctx, "monthly_queries", "DNS queries", "1M queries", _QUERY_TIERS, Decimal(1),
                          scale=Decimal(1) / MILLION, provider="azure", region="global"),
                   note="queries are usage-based")


for _kind in _RECORD_TYPES:
    pricer(f"azurerm_dns_{_kind}_record")(_dns_record)
    pricer(f"azurerm_private_dns_{_kind}_record")(_dns_record)


@pricer("azurerm_private_dns_resolver_inbound_endpoint", "azurerm_private_dns_resolver_outbound_endpoint")
def _resolver_endpoint(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    return verdict([monthly_fee("Resolver endpoint", book_price(ctx, "azure", "monthly_fees",
                                                                "private_dns_resolver_endpoint", region),
                                missing=missing("azure", "Private DNS Resolver", "endpoint", region))])


@pricer("azurerm_private_dns_resolver_dns_forwarding_ruleset")
def _forwarding_ruleset(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    return verdict([monthly_fee("Forwarding ruleset", book_price(ctx, "azure", "monthly_fees",
                                                                 "private_dns_forwarding_ruleset", region),
                                missing=missing("azure", "Private DNS Resolver", "forwarding ruleset", region))])


# Data processed through a private endpoint, per month: the first 1 PB, the next 4 PB, above (in GB).
_ENDPOINT_TIERS = ((Decimal(1_000_000), "private_endpoint_data_gb"), (Decimal(5_000_000), "private_endpoint_data_gb_tier2"),
                   (None, "private_endpoint_data_gb_tier3"))


@pricer("azurerm_private_endpoint")
def _private_endpoint(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    hours = hourly("Private endpoint", book_price(ctx, "azure", "extras_hourly", "private_endpoint", region),
                   missing=missing("azure", "private endpoint", "hour", region))
    data = [line for key, label in (("monthly_inbound_data_processed_gb", "Inbound data processed"),
                                    ("monthly_outbound_data_processed_gb", "Outbound data processed"))
            for line in tiered(ctx, key, label, "GB", _ENDPOINT_TIERS, Decimal(1), provider="azure", region=region)]
    return verdict([hours, *data])


_INCLUDED_STORAGE_GB = {"Basic": Decimal(10), "Standard": Decimal(100), "Premium": Decimal(500)}


@pricer("azurerm_container_registry")
def _container_registry(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Billed per day (30 a month) by SKU; Premium geo-replicas per location; storage above what the SKU includes."""
    sku = text(v, "sku", "Basic") or "Basic"
    region = region_of(v, ctx)
    lines = [monthly_fee(f"Registry usage ({sku})", book_price(ctx, "azure", "monthly_fees",
                                                               f"container_registry_{sku.lower()}", region),
                         missing=missing("azure", "container registry SKU", sku, region))]
    replicas = Decimal(len(v.get("georeplications") or ()))
    if replicas:
        lines.append(monthly_fee(f"Geo replication ({replicas:g} location{'s' if replicas != 1 else ''})",
                                 book_price(ctx, "azure", "monthly_fees", "container_registry_geo_replication", region),
                                 replicas, missing=missing("azure", "container registry", "geo replication", region)))
    included = _INCLUDED_STORAGE_GB.get(sku, Decimal(0))
    storage_price = book_price(ctx, "azure", "usage_unit_prices", "container_registry_storage_gb_month", region)
    stored = ctx.used("storage_gb")
    label = f"Storage (over {included:g} GB)"
    if stored is None:
        lines.append(metered(ctx, "storage_gb", label, storage_price, "GB-month", missing=usage_gap(label, region)))
    else:
        over = max(stored - included, Decimal(0))
        lines.append(quantity_line(f"{label} ({ctx.usage_origin}: storage_gb {stored:g})", storage_price, over,
                                   "GB-month", usage_gap(label, region)))
    lines.append(metered(ctx, "monthly_build_vcpu_hrs", "Build vCPU",
                         book_price(ctx, "azure", "usage_unit_prices", "container_registry_build_vcpu_second", region),
                         "vCPU-seconds", scale=Decimal(3600), missing=usage_gap("Build vCPU", region)))
    return verdict(lines)


@pricer("azurerm_virtual_network_gateway")
def _vpn_gateway(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A VPN gateway bills its SKU by the hour; point-to-site tunnels above 128 and data transfer by usage."""
    if (text(v, "type", "Vpn") or "Vpn").lower() != "vpn":
        return Costed(Status.NOT_PRICED,
                      note="azure ExpressRoute virtual network gateway prices are not in the pricing catalog")
    region = region_of(v, ctx)
    sku = text(v, "sku", "Basic") or "Basic"
    gateway = hourly(f"VPN gateway ({sku})", book_price(ctx, "azure", "extras_hourly", f"vpn_gateway_{sku.lower()}",
                                                        region), missing=missing("azure", "VPN gateway SKU", sku, region))
    tunnels = ctx.used("p2s_connection")
    tunnel_price = book_price(ctx, "azure", "monthly_fees", "vpn_gateway_p2s_tunnel", region)
    if tunnels is None:
        p2s = metered(ctx, "p2s_connection", "P2S tunnels (over 128)", tunnel_price, "tunnel-months",
                      missing=usage_gap("P2S tunnels", region))
    else:
        over = max(tunnels - 128, Decimal(0))
        p2s = quantity_line(f"P2S tunnels (over 128) ({ctx.usage_origin}: p2s_connection {tunnels:g})", tunnel_price,
                            over, "tunnel-months", usage_gap("P2S tunnels", region))
    data = metered(ctx, "monthly_data_transfer_gb", "Data transfer",
                   book_price(ctx, "azure", "usage_unit_prices", "vpn_gateway_data_gb", region), "GB",
                   missing=usage_gap("Data transfer", region))
    return verdict([gateway, p2s, data])
