"""Azure platform services: Azure Cache for Redis, Service Bus namespaces, Function apps (pure).

Prices come from the Azure Retail Prices snapshot tables (25 regions); a size or tier they do not list
says so by name, never borrows a neighbour's figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (MILLION, Component, Context, Costed, Status, first, hourly, metered, number, text, usage_gap,
                         verdict)
from .pricers_azure import region_of
from .resources import book_price, missing, pricer


def _azure_metered(ctx: Context, key: str, label: str, price_key: str, unit: str, region: str | None,
                   per: Decimal = MILLION) -> Any:
    return metered(ctx, key, label, book_price(ctx, "azure", "usage_unit_prices", price_key, region), unit, per=per,
                   missing=usage_gap(label, region))


@pricer("azurerm_redis_cache")
def _redis(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Billed per node-hour by tier and size: Basic is one node, Standard a primary and a replica (two nodes).

    Standard C1 in eastus: 2 x $0.069 = $0.138 an hour, $100.74 a month (Infracost shows "2 nodes" too).
    Premium adds shards and replicas; its node prices are not recorded.
    """
    region = region_of(v, ctx)
    tier = text(v, "sku_name", "?") or "?"
    size = f"{tier}_{text(v, 'family', 'C')}{number(v, 'capacity', Decimal(0)):g}"
    nodes = Decimal(2) if tier == "Standard" else Decimal(1)
    return verdict([hourly(f"Cache ({size.replace('_', ' ')}, {nodes:g} node{'s' if nodes != 1 else ''})",
                           book_price(ctx, "azure", "cache_nodes_hourly", size, region), nodes,
                           missing("azure", "Redis cache size", size, region))])


@pricer("azurerm_servicebus_namespace")
def _service_bus(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = region_of(v, ctx)
    tier = (text(v, "sku", "Standard") or "Standard").lower()
    if tier == "premium":
        return Costed(Status.NOT_PRICED, note="azure Service Bus Premium messaging units are not in the pricing catalog")
    if tier == "basic":
        return verdict([_azure_metered(ctx, "monthly_messaging_operations", "Messaging operations",
                                       "servicebus_basic_ops_per_1m", "operations", region)])
    base = hourly("Base charge (Standard)", book_price(ctx, "azure", "extras_hourly", "servicebus_standard", region),
                  missing=missing("azure", "Service Bus", "Standard base unit", region))
    return verdict([base, *_standard_operations(ctx, region)])


INCLUDED_OPS, TIER_END_OPS = Decimal(13_000_000), Decimal(100_000_000)


def _standard_operations(ctx: Context, region: str | None) -> list[Component]:
    """Standard: the first 13M operations a month come with the base charge; 13M-100M at the recorded rate.

    The rates above 100M a month (lower) are not recorded, so operations beyond it are "not priced".
    """
    price = book_price(ctx, "azure", "usage_unit_prices", "servicebus_standard_ops_per_1m", region)
    label = "Messaging operations (13M-100M a month; the first 13M are included)"
    ops = ctx.used("monthly_messaging_operations")
    if ops is None:
        return [_azure_metered(ctx, "monthly_messaging_operations", label, "servicebus_standard_ops_per_1m",
                               "operations", region)]
    billable = min(max(ops - INCLUDED_OPS, Decimal(0)), TIER_END_OPS - INCLUDED_OPS)
    parts = [Component(f"{label} ({ctx.usage_origin or 'usage file'}: monthly_messaging_operations)",
                       price * billable / MILLION if price is not None else None, "operations",
                       price / MILLION if price is not None else None, billable,
                       note="" if price is not None else f"azure Service Bus operations in {region} are not in the "
                                                         "pricing catalog")]
    if ops > TIER_END_OPS:
        parts.append(Component("Messaging operations above 100M a month", None, "operations", None,
                               ops - TIER_END_OPS, note="azure Service Bus operations above 100M a month: that tier's "
                                                        "price is not in the pricing catalog"))
    return parts


def _plan_of(ctx: Context) -> Mapping[str, Any] | None:
    for attr, kind in (("service_plan_id", "azurerm_service_plan"), ("app_service_plan_id", "azurerm_app_service_plan")):
        found = ctx.referenced(attr, kind)
        if found is not None:
            return found
    return None


def _consumption(plan: Mapping[str, Any]) -> bool:
    legacy = first(plan, "sku")  # azurerm_app_service_plan: sku { tier = "Dynamic", size = "Y1" }
    return (text(plan, "sku_name") or text(legacy, "size")) == "Y1" or text(legacy, "tier") == "Dynamic"


@pricer("azurerm_linux_function_app", "azurerm_windows_function_app", "azurerm_function_app")
def _function_app(v: Mapping[str, Any], ctx: Context) -> Costed:
    """On a consumption plan, executions and GB-seconds; on any other plan the plan is what is billed."""
    plan = _plan_of(ctx)
    if plan is None:
        return Costed(Status.NOT_PRICED, note="azure function app: its service plan is not in this plan, so whether it "
                                              "bills by execution is unknown")
    if not _consumption(plan):
        return Costed(Status.FREE, note="runs on its App Service plan, which is priced on its own")
    region = region_of(v, ctx)
    return verdict([
        _azure_metered(ctx, "monthly_executions", "Executions", "functions_executions_per_1m", "executions", region),
        _azure_metered(ctx, "execution_duration_gb_seconds", "Execution time", "functions_gb_second", "GB-seconds",
                       region, per=Decimal(1)),
    ], note="the account-wide free grant (1M executions, 400,000 GB-s a month) is not deducted")
