"""Managed disk tier prices from andy-diericks/azure-pricing-radar's Azure Retail Prices snapshots (pure).

That project (MIT) fetches ``serviceName eq 'Storage' and armRegionName eq '<region>' and priceType eq
'Consumption'`` from https://prices.azure.com/api/retail/prices (USD, no currency parameter) and keeps one file a
scope, ``data/latest/storage-<scope>.json``: ``{"skuId|meterId|type|reservationTerm": {retailPrice, unitOfMeasure,
productName, skuName, meterName, armRegionName}}``. It keys rows without their tier, so a tiered meter (blob
data stored) keeps only one of its tiers and is not read here; a managed disk's monthly "Disk" meter has one
price, so it is.

Each row is mapped by what it says it is: product "Standard HDD / Standard SSD / Premium SSD Managed Disks",
meter "<tier> <LRS|ZRS> Disk", unit "1/Month" -> ``managed_disks_monthly`` ``S4`` (LRS) or ``E4_ZRS``. Two rows
that give the same tier and region different prices raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

DISK_PRODUCTS = ("Standard HDD Managed Disks", "Standard SSD Managed Disks", "Premium SSD Managed Disks")
_DISK_METER = re.compile(r"^([SEP]\d+) (LRS|ZRS) Disk$")

Rows = dict[str, dict[str, Decimal]]  # name -> region -> price


def disk_name(row: Mapping[str, Any]) -> str | None:
    """The catalog's tier name for a managed disk row, or None when the row is something else."""
    if row.get("productName") not in DISK_PRODUCTS or row.get("unitOfMeasure") != "1/Month":
        return None
    found = _DISK_METER.match(str(row.get("meterName", "")))
    if not found or row.get("skuName") != f"{found[1]} {found[2]}":
        return None
    return found[1] if found[2] == "LRS" else f"{found[1]}_ZRS"


def disk_rows(snapshots: Iterable[Mapping[str, Mapping[str, Any]]]) -> Rows:
    out: Rows = {}
    for snapshot in snapshots:
        for key, row in snapshot.items():
            name = disk_name(row)
            if name is None:
                continue
            price, region = Decimal(str(row["retailPrice"])), str(row["armRegionName"])
            known = out.setdefault(name, {})
            if region in known and known[region] != price:
                raise ValueError(f"{key}: managed disk {name} in {region} is {price}, another row says {known[region]}")
            known[region] = price
    return out


REPO = "andy-diericks/azure-pricing-radar"


def table(names: list[str], snapshots: list[Mapping[str, Mapping[str, Any]]], commit: str, date: str,
          writer: Callable[[dict[str, Any], str, str, Rows], dict[str, Any]]) -> dict[str, Any]:
    """The ``managed_disks_monthly`` table document (``writer`` is import_tables' row writer)."""
    meta = {"provider": "azure", "as_of": date,
            "licence": "MIT (the repository); the prices are Microsoft's (Azure Retail Prices API)",
            "source": {"repo": REPO, "path": "data/latest/" + ", ".join(names), "commit": commit,
                       "note": "Azure Retail Prices API, serviceName Storage, priceType Consumption, one snapshot "
                               "per region (scripts/fetch_prices.py of that repository); the monthly '<tier> "
                               "<LRS|ZRS> Disk' meters of the three managed disk products (scripts/pricing/"
                               "azure_radar.py); as_of is the repository's data/latest/last-checked.json"}}
    return writer(meta, "managed_disks_monthly", "month", disk_rows(snapshots))
