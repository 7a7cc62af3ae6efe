"""EC2 outside us-east-1 (tables/aws_ec2_regions.json: skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv
@e385a0d3), checked against the figures read independently from the same file and from other sources."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from controller.cost.catalog import load_catalog, read_table
from controller.cost.components import Status
from controller.cost.estimate import estimate

from .conftest import change

D = Decimal
TABLES = Path(__file__).resolve().parents[3] / "controller" / "cost" / "pricing" / "tables"
REGIONAL = TABLES / "aws_ec2_regions.json"


def test_every_hand_checked_regional_figure_of_aws_yaml_equals_the_tables():
    """aws.yaml's regional EC2 figures were read row by row from the same vms.csv (and a Sydney page copy)."""
    table, book = read_table(REGIONAL), load_catalog().book("aws")
    pairs = [(name, region, price) for name, by_region in book.sections["machine_types"].items()
             for region, price in by_region.items() if region != "us-east-1" and table.price(name, region) is not None]
    assert len(pairs) >= 60
    assert [(n, r, p, table.price(n, r)) for n, r, p in pairs if table.price(n, r) != p] == []


@pytest.mark.parametrize("name,region,price", [  # read from the source file itself while importing
    ("x1.16xlarge", "eu-west-1", "8.003"), ("x1.16xlarge", "ca-central-1", "7.336"),
    ("x1e.2xlarge", "ap-south-1", "1.72"), ("a1.large", "eu-west-1", "0.0576"),
    ("a1.medium", "ap-southeast-2", "0.0333"), ("c3.large", "us-west-1", "0.12"),
    ("vt1.3xlarge", "ap-northeast-1", "0.81824"), ("c1.xlarge", "ap-southeast-1", "0.655"),
])
def test_figures_read_from_the_source_are_the_tables(name, region, price):
    assert read_table(REGIONAL).price(name, region) == D(price)


@pytest.mark.parametrize("name", ["t2.micro", "t3.micro", "t3.medium", "m5.large", "m5.xlarge", "c5.large",
                                  "r5.large", "m6i.large", "c6i.large", "t4g.small", "m6g.large"])
def test_common_types_are_priced_in_at_least_12_regions_besides_us_east_1(name):
    assert len(read_table(REGIONAL).regions_of(name)) >= 12


def test_us_east_1_stays_karpenters_and_disputed_types_are_left_out():
    doc = json.loads(REGIONAL.read_text())
    assert "us-east-1" not in doc["regions"]
    assert doc["left_out"] and all("metal" in name for name in doc["left_out"])
    assert not set(doc["left_out"]) & set(doc["prices"])


_SIZE = {"large": 1, "xlarge": 2}


def _units(size: str) -> int | None:
    if size in _SIZE:
        return _SIZE[size]
    found = re.fullmatch(r"(\d+)xlarge", size)
    return int(found[1]) * 2 if found else None


@pytest.mark.parametrize("family", ["m5", "c5", "r5", "m6i", "c6i", "r6i", "m7g", "c7g", "t3"])
def test_sizes_of_a_family_cost_the_same_per_unit_in_every_region(family):
    """A transcription slip would break this: large, xlarge, 2xlarge... are 1, 2, 4... units of one price."""
    table = read_table(REGIONAL)
    sizes = {name.split(".", 1)[1]: name for name in table.rows if name.split(".", 1)[0] == family}
    checked = 0
    for region in table.regions:
        per_unit = {size: table.price(name, region) / _units(size) for size, name in sizes.items()
                    if _units(size) and table.price(name, region) is not None}
        if len(per_unit) > 1:
            low, high = min(per_unit.values()), max(per_unit.values())
            assert high / low < D("1.01"), (family, region, per_unit)
            checked += 1
    assert checked >= 10


def test_an_instance_in_a_region_outside_the_hand_checked_list_is_priced(make_plan):
    vm = {"instance_type": "t2.micro", "ami": "ami-1", "availability_zone": "us-west-1b",
          "root_block_device": [{"volume_size": 8, "volume_type": "gp2"}]}
    row = estimate(make_plan(change("aws_instance.web", "create", None, vm))).resources[0]
    instance = row.after.components[0]
    assert instance.unit_price == read_table(REGIONAL).price("t2.micro", "us-west-1") and instance.monthly
    # The root volume is priced at us-west-1's own EBS rate (AWS's 2024 feed: 0.12), never us-east-1's 0.10.
    assert row.status is Status.PRICED and row.after.components[1].unit_price == Decimal("0.12")
