"""The Azure managed disk table, read from azure-pricing-radar's Retail Prices API snapshots (scripts/pricing/azure_radar.py).

The snapshots are kept whole as fixtures (tests/fixtures/pricing/SOURCES.md): the committed table must be exactly
what the importer makes of them, and a row that is not a managed disk's monthly meter must never fill a tier.
"""

from __future__ import annotations

import gzip
import json
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "pricing"
sys.path.insert(0, str(ROOT / "scripts" / "pricing"))

import azure_radar  # noqa: E402
import import_tables  # noqa: E402

SCOPES = ("belgium", "eu-west", "francecentral", "northeurope", "swedencentral")
COMMIT = "cf741f25c50759745f8eb5dcaf6c3746669c8f31"


def _snapshots(kind: str = "storage") -> list[dict]:
    return [json.loads(gzip.decompress((FIXTURES / f"radar_{kind}-{s}_cf741f25.json.gz").read_bytes()))
            for s in SCOPES]


def test_the_committed_tables_are_what_the_importer_makes_of_the_snapshots():
    files = {f"{kind}-{s}.json": snapshot for kind in ("storage", "vm") for s, snapshot in zip(SCOPES, _snapshots(kind))}
    for name, built in azure_radar.tables(files, COMMIT, "2026-08-22", import_tables._table).items():
        committed = json.loads((ROOT / "controller/cost/pricing/tables" / name).read_text())
        assert json.loads(json.dumps(built, default=lambda d: float(d))) == committed, name


def test_linux_sizes_agree_with_karpenters_table_but_where_it_holds_windows_prices():
    """karpenter's generated table (2026-06-18) gives some sizes their Windows price; the snapshot is read first."""
    linux = azure_radar.vm_rows(_snapshots("vm"), windows=False)
    windows = azure_radar.vm_rows(_snapshots("vm"), windows=True)
    karpenter = json.loads((ROOT / "controller/cost/pricing/tables/azure_vm.json").read_text())
    column = {r: i for i, r in enumerate(karpenter["regions"])}
    same = differ = windows_priced = 0
    for size, by_region in linux.items():
        for region, price in by_region.items():
            theirs = (karpenter["prices"].get(size) or [None] * len(column))[column[region]] if region in column else None
            if theirs is None:
                continue
            if D(str(theirs)) == price:
                same += 1
            else:
                differ += 1
                windows_priced += D(str(theirs)) == windows.get(size, {}).get(region)
    assert same > 5000 and differ < 0.04 * (same + differ) and windows_priced > 0.8 * differ
    assert linux["Standard_D16as_v5"]["westeurope"] == D("0.832") and windows["Standard_D16as_v5"]["westeurope"] \
        == D("1.568")
    assert azure_radar.arm_size("D64lds v5") == "Standard_D64lds_v5" and azure_radar.arm_size("Standard_B2s") == \
        "Standard_B2s"


def test_every_tier_of_the_three_products_is_read_lrs_and_zrs_apart():
    rows = azure_radar.disk_rows(_snapshots())
    assert rows["S4"]["westeurope"] == D("1.536") and rows["E4"]["westeurope"] == D("2.4")
    assert rows["E4_ZRS"]["westeurope"] == D("3.6") and rows["P10"]["westeurope"] == D("21.68")
    assert {name[0] for name in rows} == {"S", "E", "P"} and len(rows["P30"]) == 5


@pytest.mark.parametrize("row", [
    {"productName": "Premium SSD Managed Disks", "skuName": "P60 LRS", "meterName": "P60 LRS Disk Mount",
     "unitOfMeasure": "1/Month", "retailPrice": 66.43, "armRegionName": "westeurope"},
    {"productName": "Standard SSD Managed Disks", "skuName": "E50 LRS", "meterName": "E50 LRS Disk Operations",
     "unitOfMeasure": "10K", "retailPrice": 0.002, "armRegionName": "westeurope"},
    {"productName": "Standard Page Blob v2", "skuName": "Standard LRS", "meterName": "P4 LRS Disk",
     "unitOfMeasure": "1/Month", "retailPrice": 1, "armRegionName": "westeurope"},
])
def test_mounts_operations_and_other_products_are_not_disk_tiers(row):
    assert azure_radar.disk_name(row) is None


def test_two_rows_that_disagree_on_a_tier_are_refused():
    one = {"productName": "Standard HDD Managed Disks", "skuName": "S4 LRS", "meterName": "S4 LRS Disk",
           "unitOfMeasure": "1/Month", "retailPrice": 1.536, "armRegionName": "westeurope"}
    with pytest.raises(ValueError, match="S4 in westeurope"):
        azure_radar.disk_rows([{"a": one, "b": dict(one, retailPrice=1.6)}])


def test_figures_that_read_as_windows_prices_are_found_and_nothing_else():
    """Northeurope's true Linux figures with sizes swapped for their Windows price: those are found, nothing else.

    Not every swap shows (F8s_v2's, B2ms's licence is too small a share of the price to tell): a missed one keeps
    karpenter's figure, a found one is left out, and a true Linux figure is never taken for a Windows one.
    """
    linux = azure_radar.vm_rows(_snapshots("vm"), windows=False)
    windows = azure_radar.vm_rows(_snapshots("vm"), windows=True)
    table = {size: {"northeurope": by_region["northeurope"]} for size, by_region in linux.items()
             if "northeurope" in by_region}
    swapped = ("Standard_D16as_v5", "Standard_E8s_v5", "Standard_D4s_v5", "Standard_D8ds_v5")
    for size in swapped:
        table[size]["northeurope"] = windows[size]["northeurope"]
    assert azure_radar.windows_suspects(table, linux, windows) == {(size, "northeurope") for size in swapped}
    table["Standard_F8s_v2"]["northeurope"] = windows["Standard_F8s_v2"]["northeurope"]
    assert ("Standard_F8s_v2", "northeurope") not in azure_radar.windows_suspects(table, linux, windows)


def test_the_karpenter_table_leaves_its_windows_priced_figures_out():
    committed = json.loads((ROOT / "controller/cost/pricing/tables/azure_vm.json").read_text())
    column = {r: i for i, r in enumerate(committed["regions"])}
    assert len(committed["left_out"]) > 1000
    for entry in committed["left_out"]:
        size, region = entry.split("@")
        assert (committed["prices"].get(size) or [None] * len(column))[column[region]] is None, entry
    assert "Standard_D2as_v5@eastus" in committed["left_out"]  # 0.178 there, the Windows price (Linux 0.086)
