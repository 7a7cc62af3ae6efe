"""The tables read from AWS's pricing-page feed: EBS, CloudWatch Logs, DynamoDB and KMS in every AWS Region.

The feed files are kept as fixtures (tests/fixtures/pricing/SOURCES.md): the committed tables must be exactly
what the importer makes of them, and every hand-checked us-east-1 figure of aws.yaml for the same product must
equal the feed's (a wrong label mapping or a copying slip would break one of these).
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from controller.cost import catalog
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "pricing"
TABLES = ROOT / "controller" / "cost" / "pricing" / "tables"
LOCATIONS = FIXTURES / "awsfeed_locations_lamngockhuong-aws-price_ce57d15e.json.gz"
FEEDS = {  # feed -> (fixture, commit of the source repository)
    "ebs": ("awsfeed_ebs_yeo-ec2.shop_576c890f.json.gz", "576c890f33ae177837e93499866aa04a0ac4fa89"),
    "cloudwatch": ("awsfeed_cloudwatch_lamngockhuong-aws-price_115fdc61.json.gz",
                   "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "dynamodb": ("awsfeed_dynamodb_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "kms": ("awsfeed_kms_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "vpc": ("awsfeed_vpc_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "natgateway": ("awsfeed_natgateway_lamngockhuong-aws-price_ce57d15e.json.gz",
                   "ce57d15e54b2958ec3deae2248d47ed931143b58"),
    "sns": ("awsfeed_sns_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "apigateway": ("awsfeed_apigateway_lamngockhuong-aws-price_6e8bf8ce.json.gz",
                   "6e8bf8cec091840a2781d036646486419c057616"),
    "kinesis": ("awsfeed_kinesis_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "msk": ("awsfeed_msk_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "redshift": ("awsfeed_redshift_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "waf": ("awsfeed_waf_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "efs": ("awsfeed_efs_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700"),
    "s3": ("awsfeed_s3_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "lambda": ("awsfeed_lambda_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "ecs": ("awsfeed_ecs_lamngockhuong-aws-price_6e8bf8ce.json.gz", "6e8bf8cec091840a2781d036646486419c057616"),
    "elb": ("awsfeed_elb_aws-price-watcher_d48e959f.json.gz", "d48e959f055bba628d8de4b99aa51e86b6365b7f"),
    "ecr": ("awsfeed_ecr_aws-price-watcher_a72b022a.json.gz", "a72b022a771073d4c8a746b8ccde9f4c28bb1502"),
    "secretsmanager": ("awsfeed_secretsmanager_aws-price-watcher_bdf667bd.json.gz",
                       "bdf667bd5d62b8ea42e1fb5602dbbcfd45bd1abe"),
    "rds-storage": ("awsfeed_rds-storage_aws-price-watcher_41e3f457.json.gz", "41e3f4575e20671b0f4fd04deddd8007a3fb187b"),
    "rds-aurora-storage": ("awsfeed_rds-aurora-storage_aws-price-watcher_41e3f457.json.gz",
                           "41e3f4575e20671b0f4fd04deddd8007a3fb187b"),
    "opensearch": ("awsfeed_opensearch_yeo-ec2.shop_dfecfb0a.json.gz", "dfecfb0aae8f25807f6c122c403abc4dd6f7a416"),
    **{name: (f"awsfeed_{name}_lamngockhuong-aws-price_115fdc61.json.gz", "115fdc61c7093bb5f36554ed99888860e14b0700")
       for name in ("cloudtrail", "config", "cloudhsm", "route53", "glue")},
}
sys.path.insert(0, str(ROOT / "scripts" / "pricing"))

import aws_pricing_feed  # noqa: E402
import aws_pricing_feed_labels  # noqa: E402
import import_tables  # noqa: E402


def load(name: str) -> dict:
    return json.loads(gzip.decompress((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_the_committed_tables_are_exactly_what_the_importer_makes_of_the_feed(feed):
    fixture, commit = FEEDS[feed]
    built = import_tables.aws_feed(feed, FIXTURES / fixture, commit, LOCATIONS)
    assert built, feed
    for name, doc in built.items():
        committed = json.loads((TABLES / name).read_text(encoding="utf-8"))
        assert _same(doc, committed), name


def _same(built: dict, committed: dict) -> bool:
    """Equal metadata, names and prices (compared as numbers: the writer keeps the source's digits)."""
    if {k: v for k, v in built.items() if k != "prices"} != {k: v for k, v in committed.items() if k != "prices"}:
        return False
    return set(built["prices"]) == set(committed["prices"]) and all([None if p is None else D(str(p)) for p in built["prices"][n]] ==
               [None if p is None else D(str(p)) for p in committed["prices"][n]] for n in committed["prices"])


# every mapped (section, name) whose us-east-1 figure aws.yaml records by hand
HAND_CHECKED = [("disks_gb_month", n) for n in ("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard")] + [
    ("disk_iops_month", "io1"), ("disk_iops_month", "io2"), ("disk_iops_month", "gp3"),
    ("disk_throughput_month", "gp3"),
    ("usage_unit_prices", "logs_ingestion_gb"), ("usage_unit_prices", "logs_storage_gb_month"),
    ("usage_unit_prices", "dynamodb_read_request_per_1m"), ("usage_unit_prices", "dynamodb_write_request_per_1m"),
    ("usage_unit_prices", "dynamodb_rcu_hour"), ("usage_unit_prices", "dynamodb_wcu_hour"),
    ("usage_unit_prices", "dynamodb_storage_gb_month"), ("monthly_fees", "kms_key"),
    ("extras_hourly", "vpn_connection"), ("extras_hourly", "transit_gateway_attachment"),
    ("extras_hourly", "public_ip_in_use"), ("extras_hourly", "public_ip_unused"), ("extras_hourly", "nat_gateway"),
    ("usage_unit_prices", "nat_data_gb"),
    ("extras_hourly", "load_balancer_application"), ("extras_hourly", "load_balancer_network"),
    ("extras_hourly", "load_balancer_classic"), ("usage_unit_prices", "alb_lcu_hour"),
    ("usage_unit_prices", "nlb_lcu_hour"), ("usage_unit_prices", "ecr_storage_gb_month"), ("monthly_fees", "secret"),
    *[("database_storage_gb_month", n) for n in ("gp2", "gp3", "io1", "standard")], ("database_iops_month", "io1")]


def feed_rows() -> dict:
    codes = aws_pricing_feed.region_codes(load(LOCATIONS.name))
    out: dict = {}
    for feed, (fixture, _) in FEEDS.items():
        for section, by_name in aws_pricing_feed.rows(load(fixture), codes, aws_pricing_feed_labels.FEEDS[feed]).items():
            out.setdefault(section, {}).update(by_name)
    return out


@pytest.mark.parametrize("section,name", HAND_CHECKED)
def test_every_hand_checked_us_east_1_figure_equals_the_feeds(section, name):
    book = catalog.load_catalog().book("aws")
    assert D(str(book.sections[section][name]["us-east-1"])) == feed_rows()[section][name]["us-east-1"]


def test_the_one_kms_figure_aws_yaml_records_for_23_regions_is_the_feeds_in_each():
    listed = catalog.load_catalog().book("aws").sections["monthly_fees"]["kms_key"]
    feed = feed_rows()["monthly_fees"]["kms_key"]
    assert len(listed) == 23 and all(feed[region] == D(str(price)) for region, price in listed.items())


# Two independent copies of AWS's prices: the pricing page's feed and the Price List bulk offer files (the
# trimmed snapshot): wherever both list a region, they must agree
PRICE_LIST_CROSS_CHECKS = [
    ("aws_pricelist_hourly.json", "extras_hourly", "nat_gateway"),
    ("aws_pricelist_hourly.json", "extras_hourly", "load_balancer_application"),
    ("aws_pricelist_hourly.json", "extras_hourly", "fargate_vcpu"),
    ("aws_pricelist_hourly.json", "extras_hourly", "fargate_gb"),
    ("aws_pricelist_s3.json", "storage_classes_gb_month", "STANDARD"),
    ("aws_pricelist_usage.json", "usage_unit_prices", "lambda_requests_per_1m"),
    ("aws_pricelist_usage.json", "usage_unit_prices", "lambda_gb_second"),
    ("aws_pricelist_rds_storage.json", "database_storage_gb_month", "gp2"),
    ("aws_pricelist_rds_storage_multi_az.json", "database_storage_multi_az_gb_month", "gp2"),
]


@pytest.mark.parametrize("table,section,name", PRICE_LIST_CROSS_CHECKS)
def test_the_feed_equals_the_price_list_snapshot_in_all_23_regions_both_list(table, section, name):
    listed = json.loads((TABLES / table).read_text(encoding="utf-8"))
    offer = {r: D(str(p)) for r, p in zip(listed["regions"], listed["prices"][name]) if p is not None}
    feed = feed_rows()[section][name]
    assert len(offer) == 23 and all(feed[region] == price for region, price in offer.items())


def test_public_ipv4_is_one_rate_in_every_region_as_aws_yaml_records():
    feed = feed_rows()["extras_hourly"]
    assert {feed["public_ip_in_use"][r] for r in feed["public_ip_in_use"]} == {D("0.005")}
    assert {feed["public_ip_unused"][r] for r in feed["public_ip_unused"]} == {D("0.005")}


def test_regions_only_and_region_codes_from_the_locations_feed():
    codes = aws_pricing_feed.region_codes(load(LOCATIONS.name))
    assert codes["EU (Ireland)"] == "eu-west-1" and codes["US East (N. Virginia)"] == "us-east-1"
    assert "US East (Verizon) - Boston" not in codes  # a Wavelength Zone
    ebs = feed_rows()["disks_gb_month"]["gp2"]
    assert ebs["us-west-1"] == D("0.12") and ebs["eu-west-1"] == D("0.11") and "us-east-1-bos-1" not in ebs
    assert feed_rows()["disk_throughput_month"]["gp3"]["us-east-1"] == D("0.04")  # 40.96 per GiBps / 1024


def test_two_labels_that_disagree_and_a_term_that_is_not_on_demand_are_refused():
    doc = load(FEEDS["ebs"][0])
    codes = aws_pricing_feed.region_codes(load(LOCATIONS.name))
    bad = copy.deepcopy(doc)
    bad["regions"]["EU (Ireland)"]["Storage General Purpose GB Mo"]["price"] = "0.1200000000"
    with pytest.raises(ValueError, match="another label"):
        aws_pricing_feed.rows(bad, codes, aws_pricing_feed_labels.EBS)
    reserved = copy.deepcopy(doc)
    row = reserved["regions"]["EU (Ireland)"]["Storage General Purpose gp3 GB Mo"]
    row["rateCode"] = row["rateCode"].replace("JRTCKXETXF", "4NA7Y494T4")
    with pytest.raises(ValueError, match="not an OnDemand rate"):
        aws_pricing_feed.rows(reserved, codes, aws_pricing_feed_labels.EBS)


def test_io2_iops_are_billed_in_tiers(make_plan):
    vol = {"type": "io2", "size": 100, "iops": 70000, "availability_zone": "eu-west-1a"}
    row = estimate(make_plan(change("aws_ebs_volume.db", "create", None, vol))).resources[0]
    iops = {c.name: (c.unit_price, c.quantity) for c in row.after.components[1:]}
    assert list(iops.values()) == [(D("0.072"), 32000), (D("0.0504"), 32000), (D("0.03528"), 6000)]
    assert row.after_monthly == D("0.138") * 100 + D("0.072") * 32000 + D("0.0504") * 32000 + D("0.03528") * 6000


def test_log_groups_and_dynamodb_tables_are_priced_in_their_own_region(make_plan):
    usage = parse_usage("resource_usage:\n  aws_cloudwatch_log_group.app:\n    monthly_data_ingested_gb: 10\n"
                        "    storage_gb: 100\n", "usage.yml")
    table = {"name": "t", "billing_mode": "PROVISIONED", "read_capacity": 10, "write_capacity": 5}
    plan = make_plan(change("aws_cloudwatch_log_group.app", "create", None, {"name": "app"}),
                     change("aws_dynamodb_table.t", "create", None, table), providers={"aws": {"region": "eu-west-1"}})
    logs, ddb = estimate(plan, usage=usage).resources
    assert logs.after_monthly == 10 * D("0.57") + 100 * D("0.03")
    assert ddb.after_monthly == (10 * D("0.000147") + 5 * D("0.000735")) * catalog.HOURS_PER_MONTH


def test_a_label_family_is_named_by_its_pattern_and_an_unrelated_label_is_skipped():
    codes = aws_pricing_feed.region_codes(load(LOCATIONS.name))
    msk = aws_pricing_feed.rows(load(FEEDS["msk"][0]), codes, aws_pricing_feed_labels.MSK)
    assert msk["msk_brokers_hourly"]["kafka.m5.large"]["us-east-1"] == D("0.21")  # "RunBroker m5.large"
    assert set(msk) == {"msk_brokers_hourly", "msk_storage_gb_month"}  # no "RunConnect", "TieredStorage"...
    redshift = aws_pricing_feed.rows(load(FEEDS["redshift"][0]), codes, aws_pricing_feed_labels.REDSHIFT)
    assert redshift["redshift_nodes_hourly"]["ra3.xlplus"]["us-east-1"] == D("1.086")


EC2_FEED = FIXTURES / "awsfeed_ec2_yeo-ec2.shop_73696e38"
EC2_COMMIT = "73696e380ae600b175f859850a726edebd1de72f"


def _prices(table: dict) -> dict[tuple[str, str], D]:
    return {(name, region): D(str(p)) for name, row in table["prices"].items()
            for region, p in zip(table["regions"], row) if p is not None}


def test_the_ec2_feed_table_is_exactly_what_the_importer_makes_of_the_per_region_files():
    built = import_tables.aws_feed_ec2(EC2_FEED, EC2_COMMIT, LOCATIONS)
    assert _same(built, json.loads((TABLES / "aws_feed_ec2.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("other,agree", [("aws_ec2_us-east-1.json", 0.97), ("aws_ec2_regions.json", 0.99)])
def test_the_ec2_feed_agrees_with_the_independent_ec2_tables(other, agree):
    # karpenter's generated prices (us-east-1) and skypilot-catalog's Price List CSV (22 regions): the feed is
    # a third copy of AWS's prices; the few that differ (c7a in eu-south-2, ~5 %) are left to the older tables,
    # which are read first
    feed = _prices(json.loads((TABLES / "aws_feed_ec2.json").read_text(encoding="utf-8")))
    theirs = _prices(json.loads((TABLES / other).read_text(encoding="utf-8")))
    common = [k for k in theirs if k in feed]
    assert len(common) > 700
    assert sum(feed[k] == theirs[k] for k in common) / len(common) >= agree


def test_ec2_in_a_region_only_the_feed_covers_is_priced_with_its_root_volume(make_plan):
    vm = {"instance_type": "m6i.large", "availability_zone": "sa-east-1a",
          "root_block_device": [{"volume_size": 20, "volume_type": "gp3"}]}
    row = estimate(make_plan(change("aws_instance.web", "create", None, vm))).resources[0]
    feed = _prices(json.loads((TABLES / "aws_feed_ec2.json").read_text(encoding="utf-8")))
    assert row.status.value == "priced"
    assert row.after.components[0].unit_price == feed[("m6i.large", "sa-east-1")] == D("0.153")
    assert row.after.components[1].unit_price == D("0.152")  # sa-east-1 gp3


def test_a_feed_row_that_is_not_plain_linux_is_refused():
    doc = json.loads(gzip.decompress((EC2_FEED / "sa-east-1-ondemand.json.gz").read_bytes()))
    row = next(iter(doc["regions"]["South America (Sao Paulo)"].values()))
    row["Operating System"] = "Windows"
    with pytest.raises(ValueError, match="not a plain Linux rate"):
        aws_pricing_feed.ec2_rows([doc], aws_pricing_feed.region_codes(load(LOCATIONS.name)))
