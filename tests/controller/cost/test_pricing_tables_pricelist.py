"""The tables read from trimmed price-list snapshots: AWS (NAT, ALB, Fargate, Lambda, SQS, S3, RDS storage; 23 regions).

The snapshot is kept as a fixture (tests/fixtures/pricing/SOURCES.md): the committed tables must be exactly
what the importer makes of it, its figures must equal every hand-checked figure of aws.yaml, and the RDS and
ElastiCache instance prices it also carries must equal the independent 2024 tables (a copying slip in the
snapshot would break one of these).
"""

from __future__ import annotations

import importlib
import json
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from controller.cost import catalog
from controller.cost.estimate import estimate

from .conftest import change

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT = ROOT / "tests" / "fixtures" / "pricing" / "togen_aws_prices_a5b2dad6.json"
TABLES = ROOT / "controller" / "cost" / "pricing" / "tables"
COMMIT = "a5b2dad6d5c9a6544e02c08ef59da0b74a930ef3"
SNAPSHOTS = {"aws": (SNAPSHOT, COMMIT),
             "azure": (SNAPSHOT.with_name("togen_azure_prices_8b82e558.json"), "8b82e5581918fe61dc77160c06334b74e396e074")}
sys.path.insert(0, str(ROOT / "scripts" / "pricing"))

import aws_pricelist  # noqa: E402
import import_tables  # noqa: E402

# (section, name) the snapshot fills, and the aws.yaml figure it must agree with in us-east-1
MAPPED = {
    ("extras_hourly", "nat_gateway"), ("extras_hourly", "load_balancer_application"),
    ("usage_unit_prices", "lambda_requests_per_1m"), ("usage_unit_prices", "lambda_gb_second"),
    ("usage_unit_prices", "sqs_standard_requests_per_1m"), ("usage_unit_prices", "sqs_fifo_requests_per_1m"),
    ("usage_unit_prices", "s3_put_per_1k"), ("usage_unit_prices", "s3_get_per_1k"),
    ("storage_classes_gb_month", "STANDARD"), ("database_storage_gb_month", "gp2"),
}


def snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"), parse_float=D)


@pytest.mark.parametrize("provider", ["aws", "azure"])
def test_the_committed_tables_are_exactly_what_the_importer_makes_of_the_snapshot(provider):
    """Both snapshots (AWS Price List, Azure Retail Prices): the tables are reproducible from the kept fixture."""
    snapshot, commit = SNAPSHOTS[provider]
    built = getattr(import_tables, f"{provider}_pricelist")(snapshot, commit)
    assert set(built) == {file for file, _ in importlib.import_module(f"{provider}_pricelist").SECTIONS.values()}
    for name, doc in built.items():
        committed = json.loads((TABLES / name).read_text(), parse_float=D)
        rebuilt = json.loads(json.dumps(doc, default=str), parse_float=D)
        assert committed["prices"] == {k: [None if p is None else D(str(p)) for p in row]
                                       for k, row in rebuilt["prices"].items()}, name
        assert committed["source"]["commit"] == commit and committed["as_of"] == "2026-09-06"


def test_every_hand_checked_us_east_1_figure_agrees_with_the_price_list():
    book = catalog.load_catalog().book("aws")
    assert book is not None
    for section, name in MAPPED:
        assert book.sections[section][name]["us-east-1"] == book.table_price(section, name, "us-east-1"), (section, name)


def test_each_price_is_known_in_at_least_twelve_regions():
    rows = aws_pricelist.rows(snapshot())
    for section, name in MAPPED:
        assert len(rows[section][name]) >= 12, (section, name)
    assert len(rows["database_storage_multi_az_gb_month"]["gp2"]) == 23


def _instance_prices() -> list[tuple[str, str, D]]:
    engines = {"MySQL": "mysql", "PostgreSQL": "postgres"}
    out = []
    for sku in snapshot()["skus"]:
        a = sku["attributes"]
        if a.get("productFamily") == "Database Instance":
            section = ("database_tiers_multi_az_hourly" if a["deploymentOption"] == "Multi-AZ"
                       else "database_tiers_hourly")
            out.append((section, f"{engines[a['databaseEngine']]}:{a['instanceType']}", a["regionCode"], sku["price"]))
        elif a.get("productFamily") == "Cache Instance":
            out.append(("cache_nodes_hourly", a["instanceType"], a["regionCode"], sku["price"]))
    return out


def test_the_snapshots_instance_prices_equal_the_independent_2024_tables():
    """330 RDS and ElastiCache prices from another source (coroot's 2024 dump): a slip in the copy would show."""
    book = catalog.load_catalog().book("aws")
    assert book is not None
    compared = [(s, n, r, p, book.table_price(s, n, r)) for s, n, r, p in _instance_prices()]
    both = [c for c in compared if c[4] is not None]
    assert len(both) >= 300
    assert [c for c in both if c[3] != c[4]] == []


def test_two_skus_that_disagree_for_one_region_are_refused():
    sku = {"sku": "A", "service": "AmazonEC2", "unit": "Hrs", "price": D("0.045"),
           "attributes": {"productFamily": "NAT Gateway", "regionCode": "us-east-1", "usagetype": "NatGateway-Hours"}}
    other = dict(sku, sku="B", price=D("0.05"))
    with pytest.raises(ValueError, match="nat_gateway.us-east-1"):
        aws_pricelist.rows({"skus": [sku, other]})
    regional = dict(sku, sku="C", attributes=dict(sku["attributes"], usagetype="RegionalNatGateway-Hours"))
    assert aws_pricelist.rows({"skus": [regional]}) == {}  # a regional NAT gateway is another product


def test_a_multi_az_database_stores_at_aws_own_multi_az_rate(make_plan):
    db = change("aws_db_instance.db", "create", None, {"engine": "postgres", "instance_class": "db.t4g.micro",
                                                        "allocated_storage": 100, "multi_az": True})
    est = estimate(make_plan(db, providers={"aws": {"region": "ap-northeast-2"}}))
    storage = next(c for c in est.resources[0].after.components if c.name.startswith("Storage"))
    assert storage.unit_price == D("0.276")  # not 2 x the Single-AZ 0.131
    assert storage.monthly == D("27.6")


def test_lambda_and_nat_outside_us_east_1_use_their_regions_figures(make_plan):
    fn = change("aws_lambda_function.f", "create", None, {"function_name": "f", "memory_size": 128})
    nat = change("aws_nat_gateway.n", "create", None, {"subnet_id": "s"})
    est = estimate(make_plan(fn, nat, providers={"aws": {"region": "eu-central-2"}}))
    by = {r.address: r.after for r in est.resources}
    assert [c.unit_price for c in by["aws_lambda_function.f"].components] == [D("0.22"), D("0.0000183334")]
    assert by["aws_nat_gateway.n"].components[0].unit_price == D("0.0572")
    assert by["aws_nat_gateway.n"].monthly == D("0.0572") * 730
