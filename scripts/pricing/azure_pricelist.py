"""Which Azure Retail Prices rows of a trimmed snapshot (see snapshot_tables.py) fill which catalog entries.

Mapped by product name, SKU name and meter name: Blob Hot LRS storage and operations, flexible-server
databases (Burstable B1ms, General Purpose Ddsv4 per vCore, storage), Azure Cache for Redis C0/C1/C3,
Service Bus (Basic and Standard), Functions on the consumption plan. The snapshot's units are already
normalised by its writer (per hour, per single operation, per GB-month); operations are scaled to the
catalog's per 10k and per 1M.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import snapshot_tables
from snapshot_tables import Mapper, Provider, Rows, Target

ONE, TEN_K, MILLION = Decimal(1), Decimal(10_000), Decimal(1_000_000)

SECTIONS: dict[str, tuple[str, str]] = {
    "storage_classes_gb_month": ("azure_pricelist_storage.json", "GB-month"),
    "usage_unit_prices": ("azure_pricelist_usage.json", "per the name's unit"),
    "database_tiers_hourly": ("azure_pricelist_database.json", "hour"),
    "database_vcore_hourly": ("azure_pricelist_database_vcore.json", "vCore-hour"),
    "database_storage_gb_month": ("azure_pricelist_database_storage.json", "GB-month"),
    "cache_nodes_hourly": ("azure_pricelist_redis.json", "hour"),
    "extras_hourly": ("azure_pricelist_hourly.json", "hour"),
}


def _storage(a: Mapping[str, str]) -> list[Target]:
    if a.get("productName") != "General Block Blob v2" or a.get("skuName") != "Hot LRS":
        return []
    return {"Hot LRS Data Stored": [("storage_classes_gb_month", "Hot_LRS", ONE)],
            "Hot LRS Write Operations": [("usage_unit_prices", "blob_hot_lrs_write_per_10k", TEN_K)],
            "Hot Read Operations": [("usage_unit_prices", "blob_hot_lrs_read_per_10k", TEN_K)]}.get(
        a.get("meterName", ""), [])


def _database(engine: str) -> Mapper:
    def mapper(a: Mapping[str, str]) -> list[Target]:
        product, meter = a.get("productName", ""), a.get("meterName", "")
        if product.endswith("Storage") and meter == "Storage Data Stored":
            return [("database_storage_gb_month", f"{engine}:flexible", ONE)]
        if "Burstable BS Series" in product and meter == "B1MS":
            return [("database_tiers_hourly", f"{engine}:B_Standard_B1ms", ONE)]
        general = ("General Purpose Ddsv4 Series Compute" if engine == "postgresql"
                   else "General Purpose Series Compute")
        if product.endswith(general) and meter == "vCore":
            return [("database_vcore_hourly", f"{engine}:GP_Standard_D_ds_v4", ONE)]
        return []
    return mapper


def _redis(a: Mapping[str, str]) -> list[Target]:
    tier = a.get("productName", "").removeprefix("Azure Redis Cache ")
    size = a.get("skuName", "")
    if tier in ("Basic", "Standard") and a.get("meterName", "").startswith(size + " Cache"):
        return [("cache_nodes_hourly", f"{tier}_{size}", ONE)]
    return []


def _service_bus(a: Mapping[str, str]) -> list[Target]:
    return {"Standard Base Unit": [("extras_hourly", "servicebus_standard", ONE)],
            "Standard Messaging Operations": [("usage_unit_prices", "servicebus_standard_ops_per_1m", MILLION)],
            "Basic Messaging Operations": [("usage_unit_prices", "servicebus_basic_ops_per_1m", MILLION)]}.get(
        a.get("meterName", ""), [])


def _functions(a: Mapping[str, str]) -> list[Target]:
    return {"Standard Execution Time": [("usage_unit_prices", "functions_gb_second", ONE)],
            "Standard Total Executions": [("usage_unit_prices", "functions_executions_per_1m", MILLION)]}.get(
        a.get("meterName", ""), [])


MAPPERS: dict[str, Mapper] = {
    "Storage": _storage, "Azure Database for PostgreSQL": _database("postgresql"),
    "Azure Database for MySQL": _database("mysql"), "Redis Cache": _redis, "Service Bus": _service_bus,
    "Functions": _functions,
}

PROVIDER = Provider(
    name="azure", region_key="armRegionName", mappers=MAPPERS, sections=SECTIONS,
    licence="Apache-2.0 (the repository); the prices are Microsoft's (Azure Retail Prices API)",
    note=("Azure Retail Prices API ({services}), trimmed by that project to the meters its matchers name, units "
          "normalised by it to hours and single operations; mapped here by product, SKU and meter name "
          "(scripts/pricing/azure_pricelist.py); operations scaled to per 10k (Blob) and per 1M (Service Bus, "
          "Functions)"))


def rows(doc: Mapping[str, object]) -> Rows:
    return snapshot_tables.rows(doc, PROVIDER)
