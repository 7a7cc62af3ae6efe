"""Log Analytics workspaces and Application Insights (controller/cost/pricers_azure_monitor.py).

Infracost's log_analytics_workspace_test (westeurope) and application_insights_test (eastus) @95ba4f49: the
same values and usage, the figures their golden outputs read.
"""

from __future__ import annotations

from decimal import Decimal as D

from controller.cost import coverage
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change


def _row(make_plan, address: str, values: dict, usage: str = ""):
    used = parse_usage(f"resource_usage:\n  {address}:\n" + usage) if usage else None
    return estimate(make_plan(change(address, "create", None, values)), usage=used).resources[0]


def _lines(row) -> dict:
    return {c.name.split(" (")[0]: c for c in row.after.components}


def test_a_per_gb_workspace_bills_ingestion_export_basic_logs_and_archive_by_usage(make_plan):
    base = {"location": "West Europe", "sku": "PerGB2018"}
    row = _row(make_plan, "azurerm_log_analytics_workspace.w", base, "    monthly_log_data_ingestion_gb: 20\n")
    assert _lines(row)["Log data ingestion"].monthly == D("59.80") and "Log data retention" not in _lines(row)
    archive = _row(make_plan, "azurerm_log_analytics_workspace.w", base,
                   "    monthly_archive_data_gb: 70\n    monthly_archive_data_restored_gb: 80\n"
                   "    monthly_archive_data_searched_gb: 90\n")
    assert [_lines(archive)[n].monthly for n in ("Archive data", "Archive data restored", "Archive data searched")] \
        == [D("1.82"), D("10.40"), D("0.585")]  # Infracost shows $1.82, $10.40, $0.59
    plain = _row(make_plan, "azurerm_log_analytics_workspace.w", base)
    assert plain.status is Status.USAGE_BASED and "$2.99 per GB" in _lines(plain)["Log data ingestion"].note


def test_retention_past_the_free_31_days_is_billed_and_other_skus_are_not_guessed(make_plan):
    kept = _row(make_plan, "azurerm_log_analytics_workspace.w",
                {"location": "westeurope", "sku": "PerGB2018", "retention_in_days": 33},
                "    monthly_additional_log_data_retention_gb: 30\n")
    assert _lines(kept)["Log data retention"].monthly == D("3.90")
    reserved = _row(make_plan, "azurerm_log_analytics_workspace.w", {"location": "westeurope",
                                                                     "sku": "CapacityReservation"})
    assert reserved.status is Status.NOT_PRICED and "CapacityReservation" in reserved.reason


def test_application_insights_bills_ingestion_and_retention_beyond_ninety_days(make_plan):
    row = _row(make_plan, "azurerm_application_insights.a", {"location": "eastus", "retention_in_days": 120},
               "    monthly_data_ingested_gb: 1000\n")
    assert [c.monthly for c in row.after.components] == [D("2300.00"), D("100.00")]
    short = _row(make_plan, "azurerm_application_insights.a", {"location": "eastus"}, "    monthly_data_ingested_gb: 1000\n")
    assert [c.monthly for c in short.after.components] == [D("2300.00")]
    elsewhere = _row(make_plan, "azurerm_application_insights.a", {"location": "japaneast"})
    assert coverage.classify(elsewhere) == "not priced" and "japaneast" in elsewhere.reason
