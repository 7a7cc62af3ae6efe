"""Azure prices read from a trimmed Azure Retail Prices snapshot, and the pricers they feed (25 regions).

That the committed tables are what the importer makes of the snapshot: test_pricing_tables_pricelist.py.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from controller.cost import catalog
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT = ROOT / "tests" / "fixtures" / "pricing" / "togen_azure_prices_8b82e558.json"
sys.path.insert(0, str(ROOT / "scripts" / "pricing"))

import azure_pricelist  # noqa: E402


def test_the_snapshot_agrees_with_the_hand_checked_figure_and_covers_25_regions():
    book = catalog.load_catalog().book("azure")
    assert book is not None
    assert book.sections["storage_classes_gb_month"]["Hot_LRS"]["eastus"] == \
        book.table_price("storage_classes_gb_month", "Hot_LRS", "eastus") == D("0.0208")
    rows = azure_pricelist.rows(json.loads(SNAPSHOT.read_text()))
    assert all(len(regions) == 25 for names in rows.values() for regions in names.values())


def _one(resource: dict, address: str, *others: dict, usage: str | None = None):
    est = estimate(parse_plan(plan_doc(resource, *others)), usage=parse_usage(usage) if usage else None)
    return next(r for r in est.resources if r.address == address)


def test_flexible_servers_are_priced_per_engine_and_general_purpose_per_vcore():
    pg = change("azurerm_postgresql_flexible_server.p", "create", None,
                {"location": "westeurope", "sku_name": "GP_Standard_D4ds_v4", "storage_mb": 131072})
    row = _one(pg, "azurerm_postgresql_flexible_server.p")
    compute, storage = row.after.components
    assert (compute.unit_price, compute.quantity) == (D("0.106"), 4 * 730)  # 4 vCores at PostgreSQL's rate
    assert storage.monthly == D("0.1369") * 128
    mysql = change("azurerm_mysql_flexible_server.m", "create", None,
                   {"location": "westeurope", "sku_name": "GP_Standard_D4ds_v4", "storage_mb": 20480})
    assert _one(mysql, "azurerm_mysql_flexible_server.m").after.components[0].unit_price == D("0.1015")
    burst = change("azurerm_postgresql_flexible_server.b", "create", None,
                   {"location": "uksouth", "sku_name": "B_Standard_B1ms", "storage_mb": 32768})
    assert _one(burst, "azurerm_postgresql_flexible_server.b").status is Status.PRICED
    other = change("azurerm_postgresql_flexible_server.o", "create", None,
                   {"location": "westeurope", "sku_name": "MO_Standard_E4ds_v5", "storage_mb": 32768})
    assert "MO_Standard_E4ds_v5" in _one(other, "azurerm_postgresql_flexible_server.o").reason


def test_redis_service_bus_and_blob_operations():
    redis = change("azurerm_redis_cache.r", "create", None,
                   {"location": "eastus", "sku_name": "Standard", "family": "C", "capacity": 1})
    assert _one(redis, "azurerm_redis_cache.r").after_monthly == 2 * D("0.069") * 730  # primary and replica: $100.74
    basic = change("azurerm_redis_cache.b", "create", None,
                   {"location": "eastus", "sku_name": "Basic", "family": "C", "capacity": 0})
    assert _one(basic, "azurerm_redis_cache.b").after_monthly == D("0.022") * 730  # one node: $16.06
    premium = change("azurerm_redis_cache.p", "create", None,
                     {"location": "eastus", "sku_name": "Premium", "family": "P", "capacity": 1})
    assert "Premium_P1" in _one(premium, "azurerm_redis_cache.p").reason
    bus = change("azurerm_servicebus_namespace.s", "create", None, {"location": "westeurope", "sku": "Standard"})
    row = _one(bus, "azurerm_servicebus_namespace.s", usage="resource_usage:\n  azurerm_servicebus_namespace.s:\n"
                                                             "    monthly_messaging_operations: 20000000\n")
    assert row.after_monthly == D("0.013441") * 730 + D("0.80") * 7  # the first 13M come with the base charge
    heavy = _one(bus, "azurerm_servicebus_namespace.s", usage="resource_usage:\n  azurerm_servicebus_namespace.s:\n"
                                                               "    monthly_messaging_operations: 150000000\n")
    assert heavy.status is Status.PARTIAL and "above 100M" in heavy.reason  # that tier's rate is not recorded
    assert _one(change("azurerm_servicebus_namespace.q", "create", None, {"location": "eastus", "sku": "Premium"}),
                "azurerm_servicebus_namespace.q").status is Status.NOT_PRICED
    blob = change("azurerm_storage_account.a", "create", None, {"location": "westeurope", "access_tier": "Hot",
                                                                 "account_replication_type": "LRS"})
    lines = _one(blob, "azurerm_storage_account.a").after.components
    assert [c.unit_price for c in lines] == [D("0.0196"), D("0.054"), D("0.0043")]  # per GB, per 10k, per 10k


@pytest.mark.parametrize("plan_values, status", [
    ({"sku_name": "Y1", "os_type": "Linux"}, Status.USAGE_BASED),
    ({"sku_name": "P1v3", "os_type": "Linux"}, Status.FREE),  # the plan itself is priced
])
def test_a_function_app_bills_by_execution_only_on_a_consumption_plan(plan_values, status):
    plan = change("azurerm_service_plan.p", "create", None, {"location": "eastus", **plan_values})
    app = change("azurerm_linux_function_app.f", "create", None, {"location": "eastus", "name": "f"})
    doc = plan_doc(plan, app)
    doc["configuration"]["root_module"]["resources"] = [
        {"address": "azurerm_linux_function_app.f", "mode": "managed", "type": "azurerm_linux_function_app", "name": "f",
         "expressions": {"service_plan_id": {"references": ["azurerm_service_plan.p.id", "azurerm_service_plan.p"]}}}]
    row = next(r for r in estimate(parse_plan(doc)).resources if r.address == "azurerm_linux_function_app.f")
    assert row.status is status
    if status is Status.USAGE_BASED:
        assert [c.unit_price for c in row.after.components] == [D("0.20"), D("0.000016")]
