"""RDS and ElastiCache in 31 regions (tables/aws_rds_2024.json, aws_rds_multi_az_2024.json,
aws_elasticache.json: coroot/cloud-pricing @af03eada, 2024-08-09), checked against the other sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from controller.cost.catalog import load_catalog, read_table
from controller.cost.components import Status
from controller.cost.estimate import estimate
from .conftest import change

D = Decimal
H = D(730)
TABLES = Path(__file__).resolve().parents[3] / "controller" / "cost" / "pricing" / "tables"


def test_the_2024_rds_table_states_the_2021_tables_price_wherever_both_list_one():
    old, new = read_table(TABLES / "aws_rds.json"), read_table(TABLES / "aws_rds_2024.json")
    both = [(name, region) for name in new.rows if name in old.rows
            for region in new.regions_of(name) if region in old.regions_of(name)]
    assert len(both) > 2000  # mysql and postgres classes of 2021 in 23 regions
    assert [(n, r) for n, r in both if old.price(n, r) != new.price(n, r)] == []


@pytest.mark.parametrize("name", ["mysql:db.t3.micro", "mysql:db.t3.small", "mysql:db.t3.large", "mysql:db.t4g.small",
                                  "mysql:db.m5.large", "postgres:db.t3.micro", "postgres:db.t3.small",
                                  "postgres:db.t3.large", "postgres:db.m5.large"])
def test_the_2024_rds_table_agrees_with_every_hand_checked_us_east_1_figure(name):
    aws = load_catalog().book("aws")
    assert read_table(TABLES / "aws_rds_2024.json").price(name, "us-east-1") == aws.sections[
        "database_tiers_hourly"][name]["us-east-1"]


@pytest.mark.parametrize("node", ["cache.m4.large", "cache.m6g.12xlarge", "cache.r5.4xlarge"])
def test_the_elasticache_table_agrees_with_infracosts_goldens(node):
    aws = load_catalog().book("aws")
    assert read_table(TABLES / "aws_elasticache.json").price(node, "us-east-1") == aws.sections[
        "cache_nodes_hourly"][node]["us-east-1"]


@pytest.mark.parametrize("section,name,region,price", [
    ("database_tiers_hourly", "mysql:db.t3.micro", "eu-west-1", "0.018"),
    ("database_tiers_hourly", "mysql:db.t4g.micro", "eu-west-1", "0.017"),  # newer than the 2021 table
    ("database_tiers_hourly", "postgres:db.m6i.large", "eu-central-1", "0.212"),
    ("database_tiers_hourly", "postgres:db.r6g.large", "ap-southeast-2", "0.27"),
    ("database_tiers_multi_az_hourly", "mysql:db.m5.24xlarge", "af-south-1", "21.591"),  # not 2 x 10.796
    ("cache_nodes_hourly", "cache.t3.micro", "eu-west-1", "0.018"),
    ("cache_nodes_hourly", "cache.r6g.large", "eu-central-1", "0.247"),
    ("cache_nodes_hourly", "cache.m5.large", "ap-northeast-1", "0.201"),
])
def test_regional_prices_are_read_from_the_tables(section, name, region, price):
    assert load_catalog().book("aws").price(section, name, region) == D(price)


def test_common_rds_and_cache_types_are_priced_in_at_least_12_regions():
    aws = load_catalog().book("aws")
    for section, name in (("database_tiers_hourly", "mysql:db.t3.micro"), ("database_tiers_hourly", "postgres:db.m5.large"),
                          ("database_tiers_hourly", "postgres:db.r6g.xlarge"), ("cache_nodes_hourly", "cache.t3.micro"),
                          ("cache_nodes_hourly", "cache.r6g.large")):
        assert len(aws.regions(section, name)) >= 12, name


def test_an_elasticache_cluster_outside_us_east_1_is_priced(make_plan):
    cache = {"node_type": "cache.t3.micro", "num_cache_nodes": 2, "availability_zone": "eu-west-1a"}
    row = estimate(make_plan(change("aws_elasticache_cluster.c", "create", None, cache))).resources[0]
    assert row.status is Status.PRICED and row.after_monthly == 2 * D("0.018") * H


def test_a_multi_az_database_uses_the_listed_multi_az_price(make_plan):
    db = {"engine": "mysql", "engine_version": "8.0.35", "instance_class": "db.m5.24xlarge", "allocated_storage": 20,
          "multi_az": True, "availability_zone": "af-south-1a"}
    row = estimate(make_plan(change("aws_db_instance.db", "create", None, db)), today=date(2026, 1, 1)).resources[0]
    instance = row.after.components[0]
    assert instance.unit_price == D("21.591") and "multi-AZ" in instance.name
