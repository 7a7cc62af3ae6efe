"""Azure monitoring: Log Analytics workspaces and Application Insights (pure).

Both bill the data they take in and keep, so every line is usage-based (Infracost's usage keys); prices are
Infracost's golden figures (azure.yaml, sources: monitoring), one region each.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import Component, Context, Costed, Status, metered, number, text, usage_gap, verdict
from .pricers_azure import region_of
from .resources import book_price, pricer

_FREE_LOG_DAYS = Decimal(31)
_FREE_INSIGHTS_DAYS = Decimal(90)

# (usage key, line, price key, unit) for a PerGB2018 workspace
_LOG_LINES = (("monthly_log_data_ingestion_gb", "Log data ingestion", "log_analytics_ingestion_gb", "GB"),
              ("monthly_log_data_export_gb", "Log data export", "log_analytics_export_gb", "GB"),
              ("monthly_basic_log_data_ingestion_gb", "Basic log data ingestion", "log_analytics_basic_ingestion_gb",
               "GB"),
              ("monthly_basic_log_search_gb", "Basic log search queries", "log_analytics_basic_search_gb",
               "GB searched"),
              ("monthly_archive_data_gb", "Archive data", "log_analytics_archive_gb_month", "GB-month"),
              ("monthly_archive_data_restored_gb", "Archive data restored", "log_analytics_archive_restored_gb", "GB"),
              ("monthly_archive_data_searched_gb", "Archive data searched", "log_analytics_archive_searched_gb", "GB"))


def _line(ctx: Context, key: str, name: str, price_key: str, unit: str, region: str | None) -> Component:
    return metered(ctx, key, name, book_price(ctx, "azure", "usage_unit_prices", price_key, region), unit,
                   missing=usage_gap(name, region))


@pricer("azurerm_log_analytics_workspace")
def _log_analytics(v: Mapping[str, Any], ctx: Context) -> Costed:
    sku = text(v, "sku", "PerGB2018") or "PerGB2018"
    if sku != "PerGB2018":  # commitment tiers and the legacy per-node / standalone plans bill other ways
        return Costed(Status.NOT_PRICED, note=f"azure Log Analytics {sku} pricing is not in the pricing catalog")
    region = region_of(v, ctx)
    lines = [_line(ctx, *spec, region) for spec in _LOG_LINES]
    if (number(v, "retention_in_days") or Decimal(30)) > _FREE_LOG_DAYS:
        lines.insert(1, _line(ctx, "monthly_additional_log_data_retention_gb", "Log data retention",
                              "log_analytics_retention_gb_month", "GB-month", region))
    return verdict(lines, note="data ingested and kept is usage-based")


@pricer("azurerm_application_insights")
def _app_insights(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Ingestion by usage; data kept beyond 90 days bills a GB-month for each month past the free ones."""
    region = region_of(v, ctx)
    lines = [_line(ctx, "monthly_data_ingested_gb", "Data ingested", "app_insights_ingestion_gb", "GB", region)]
    days = number(v, "retention_in_days") or _FREE_INSIGHTS_DAYS
    if days > _FREE_INSIGHTS_DAYS:
        months = (days - _FREE_INSIGHTS_DAYS) / 30
        lines.append(metered(ctx, "monthly_data_ingested_gb", f"Data retention ({days:g} days)",
                             book_price(ctx, "azure", "usage_unit_prices", "app_insights_retention_gb_month", region),
                             "GB-month", scale=months, missing=usage_gap("Data retention", region)))
    return verdict(lines, note="data ingested is usage-based")
