"""Managed disk tiers and VM sizes from andy-diericks/azure-pricing-radar's Azure Retail Prices snapshots (pure).

That project (MIT) fetches ``serviceName eq 'Storage' and armRegionName eq '<region>' and priceType eq
'Consumption'`` from https://prices.azure.com/api/retail/prices (USD, no currency parameter) and keeps one file a
scope, ``data/latest/storage-<scope>.json``: ``{"skuId|meterId|type|reservationTerm": {retailPrice, unitOfMeasure,
productName, skuName, meterName, armRegionName}}``. It keys rows without their tier, so a tiered meter (blob
data stored) keeps only one of its tiers and is not read here; a managed disk's monthly "Disk" meter has one
price, so it is.

VM rows (``data/latest/vm-<scope>.json``, serviceName Virtual Machines) are read from the products named
"Virtual Machines <series> Series" (Linux) and "... Series Windows" (licence included), pay-as-you-go hours only
(no Spot or Low Priority meter); their SKU name is the ARM size ("Standard_D2s_v5") or its short form ("D64lds
v5", which is "Standard_D64lds_v5"). A size a region lists at two prices (a promotion beside the list price) is
left out rather than guessed.

Each disk row is mapped by what it says it is: product "Standard HDD / Standard SSD / Premium SSD Managed Disks",
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


def arm_size(sku: str) -> str:
    """The ARM size name Terraform uses: "D64lds v5" -> "Standard_D64lds_v5"; ARM names pass unchanged."""
    return sku if sku.lower().startswith(("standard_", "basic_")) else "Standard_" + sku.replace(" ", "_")


def vm_rows(snapshots: Iterable[Mapping[str, Mapping[str, Any]]], windows: bool) -> Rows:
    found: dict[str, dict[str, set[Decimal]]] = {}
    for snapshot in snapshots:
        for key, row in snapshot.items():
            product, sku = str(row.get("productName", "")), str(row.get("skuName", ""))
            if (not key.endswith("|Consumption|") or not product.startswith("Virtual Machines ")
                    or product.endswith(" Windows") != windows or "Basic" in product
                    or row.get("unitOfMeasure") != "1 Hour" or sku.endswith((" Spot", " Low Priority"))):
                continue
            found.setdefault(arm_size(sku), {}).setdefault(str(row["armRegionName"]), set()).add(
                Decimal(str(row["retailPrice"])))
    return {name: {region: next(iter(prices)) for region, prices in by_region.items() if len(prices) == 1}
            for name, by_region in found.items()}


def vm_table(names: list[str], snapshots: list[Mapping[str, Mapping[str, Any]]], commit: str, date: str,
             writer: Callable[[dict[str, Any], str, str, Rows], dict[str, Any]], windows: bool) -> dict[str, Any]:
    meta = {"provider": "azure", "as_of": date,
            "licence": "MIT (the repository); the prices are Microsoft's (Azure Retail Prices API)",
            "source": {"repo": REPO, "path": "data/latest/" + ", ".join(names), "commit": commit,
                       "note": "Azure Retail Prices API, serviceName Virtual Machines, priceType Consumption, one "
                               "snapshot per region; " + ("Windows (licence included)" if windows else "Linux")
                               + " pay-as-you-go hours by ARM size (scripts/pricing/azure_radar.py); as_of is the "
                               "repository's data/latest/last-checked.json"}}
    rows = {name: by_region for name, by_region in vm_rows(snapshots, windows).items() if by_region}
    return writer(meta, "machine_types_windows" if windows else "machine_types", "hour", rows)


def tables(files: Mapping[str, Mapping[str, Mapping[str, Any]]], commit: str, date: str,
           writer: Callable[[dict[str, Any], str, str, Rows], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Table file -> document, from the snapshot files by name (storage-*.json, vm-*.json)."""
    storage = sorted(name for name in files if name.startswith("storage-"))
    vms = sorted(name for name in files if name.startswith("vm-"))
    return {"azure_managed_disks.json": table(storage, [files[n] for n in storage], commit, date, writer),
            "azure_radar_vm.json": vm_table(vms, [files[n] for n in vms], commit, date, writer, windows=False),
            "azure_radar_vm_windows.json": vm_table(vms, [files[n] for n in vms], commit, date, writer, windows=True)}


def windows_suspects(prices: Mapping[str, Mapping[str, Decimal]], linux: Rows, windows: Rows,
                     reference: str = "westeurope") -> set[tuple[str, str]]:
    """(size, region) of another table whose figure reads as that size's Windows price, not its Linux one.

    A region prices most sizes at one multiple of the reference region's Linux price. A figure that is 15 %
    or more off that multiple, yet within 3 % of it once the size's Windows licence (its Windows price less
    its Linux price in the reference region) is taken off, is the Windows price under the Linux name.
    Checked against the snapshot's own regions: it flags 93 of the 130 such slips there, and nothing else.
    """
    import statistics
    by_region: dict[str, dict[str, tuple[Decimal, Decimal, Decimal]]] = {}
    for size, regions in prices.items():
        base, licensed = linux.get(size, {}).get(reference), windows.get(size, {}).get(reference)
        if not base or licensed is None:
            continue
        for region, price in regions.items():
            by_region.setdefault(region, {})[size] = (price, base, licensed - base)
    suspects = set()
    for region, sizes in by_region.items():
        usual = Decimal(statistics.median(price / base for price, base, _ in sizes.values()))
        for size, (price, base, licence) in sizes.items():
            as_linux, as_windows = price / base, (price - licence) / base
            if abs(as_windows - usual) < Decimal("0.03") * usual and abs(as_linux - usual) > Decimal("0.15") * usual:
                suspects.add((size, region))
    return suspects


def drop_windows_suspects(prices: dict[str, dict[str, Decimal]], vm_snapshots: list[Mapping[str, Any]]) -> list[str]:
    """Remove the Windows-priced figures from ``prices`` (size -> region -> price); -> "size@region" of each."""
    found = windows_suspects(prices, vm_rows(vm_snapshots, False), vm_rows(vm_snapshots, True))
    for size, region in found:
        del prices[size][region]
    return sorted(f"{size}@{region}" for size, region in found)
