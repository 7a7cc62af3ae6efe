"""Price tables from AWS's pricing-page feed: the JSON behind aws.amazon.com/<service>/pricing and calculator.aws.

AWS publishes it at ``b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>/USD/current/<source>.json``:
``{"manifest": {"hawkFilePublicationDate", ...}, "regions": {location name: {label: {"rateCode", "price"}}}}``.
A ``rateCode`` is ``SKU.OfferTermCode.RateCode`` of the AWS Price List (``JRTCKXETXF`` is the OnDemand term),
and a location name is the Price List's ("US East (N. Virginia)", "EU (Ireland)"); AWS's locations feed
(``b0.p.awsstatic.com/locations/1.0/aws/current/locations.json``) maps it to a region code and says whether it
is a Region, a Local Zone or a Wavelength Zone. Regions only are kept: a zone is priced on its own.

Each row is mapped by its label, the exact words the pricing page shows, never by position; a label no
mapping names is skipped, a row whose term is not OnDemand is refused, and two labels that map to the same
(section, name, region) must agree (the feed repeats gp2 under an older label: a slip would show). Pure: parsed
documents in, table documents out; ``import_tables.py --aws-feed`` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from snapshot_tables import Rows, TableWriter

ON_DEMAND_TERM = "JRTCKXETXF"
MILLION, GIB = Decimal(1_000_000), Decimal(1024)


@dataclass(frozen=True)
class Feed:
    """One feed file: where it was copied from, and which labels fill which catalog entries."""

    repo: str
    path: str
    labels: Mapping[str, tuple[str, str, Decimal]]  # label -> (section, name, scale to the catalog's unit)
    sections: Mapping[str, tuple[str, str]]          # section -> (table file, unit)
    note: str
    licence: str = field(default="MIT (the repository's code); the prices are AWS's, published on aws.amazon.com")


ONE = Decimal(1)
EBS = Feed(
    repo="yeo/ec2.shop", path="data/ebs/ebs.json",
    labels={
        "Storage General Purpose gp2 GB Mo": ("disks_gb_month", "gp2", ONE),
        "Storage General Purpose GB Mo": ("disks_gb_month", "gp2", ONE),  # the same SKU under its older label
        "Storage General Purpose gp3 GB Mo": ("disks_gb_month", "gp3", ONE),
        "Storage Provisioned IOPS io1 GB Mo": ("disks_gb_month", "io1", ONE),
        "Storage Provisioned IOPS GB Mo": ("disks_gb_month", "io1", ONE),
        "Storage Provisioned IOPS io2 GB month": ("disks_gb_month", "io2", ONE),
        "Storage Throughput Optimized HDD st1 GB Mo": ("disks_gb_month", "st1", ONE),
        "Storage Cold HDD sc1 GB Mo": ("disks_gb_month", "sc1", ONE),
        "Storage Magnetic standard GB Mo": ("disks_gb_month", "standard", ONE),
        "Provisioned EBS IOPS io1 Volumes per IOPS Mo": ("disk_iops_month", "io1", ONE),
        "Provisioned EBS IOPS io2 Volumes per IOPS Mo": ("disk_iops_month", "io2", ONE),
        "Provisioned EBS IOPS Tier 2 io2 Volumes per IOPS Mo": ("disk_iops_month", "io2_tier2", ONE),
        "Provisioned EBS IOPS Tier 3 io2 Volumes per IOPS Mo": ("disk_iops_month", "io2_tier3", ONE),
        "Provisioned EBS IOPS gp3 Volumes per IOPS Mo": ("disk_iops_month", "gp3", ONE),
        # per GiB/s-month in the feed; Terraform's ``throughput`` is in MiB/s
        "Provisioned Throughput gp3 per GiBps mo": ("disk_throughput_month", "gp3", ONE / GIB),
    },
    sections={"disks_gb_month": ("aws_feed_ebs.json", "GB-month"),
              "disk_iops_month": ("aws_feed_ebs_iops.json", "IOPS-month"),
              "disk_throughput_month": ("aws_feed_ebs_throughput.json", "MiBps-month")},
    note="AWS pricing-page feed meteredUnitMaps/ec2/USD/current/ebs.json, copied by that repository's "
         "data/download_storage.rb; OnDemand rate codes, Regions only (Local and Wavelength Zones left out); "
         "mapped by label (scripts/pricing/aws_pricing_feed.py); gp3 throughput scaled from per GiBps to per MiBps")

CLOUDWATCH = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/cloudwatch.json",
    labels={"Logs Collected Data Ingestion": ("usage_unit_prices", "logs_ingestion_gb", ONE),
            "Stored Data": ("usage_unit_prices", "logs_storage_gb_month", ONE),
            "Alarm Standard": ("monthly_fees", "alarm_standard", ONE),
            "Alarm High Resolution": ("monthly_fees", "alarm_high_resolution", ONE)},
    sections={"usage_unit_prices": ("aws_feed_logs.json", "per the name's unit"),
              "monthly_fees": ("aws_feed_alarms.json", "alarm metric-month")},
    note="AWS pricing-page feed meteredUnitMaps/cloudwatch (CloudWatch Logs standard-class ingestion per GB and "
         "archived storage per GB-month; metric alarms per alarm metric-month, standard and high resolution); "
         "OnDemand rate codes, Regions only; mapped by label")

DYNAMODB = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/dynamodb.json",
    labels={"PayPerRequest Read Request Units": ("usage_unit_prices", "dynamodb_read_request_per_1m", MILLION),
            "PayPerRequest Write Request Units": ("usage_unit_prices", "dynamodb_write_request_per_1m", MILLION),
            "Provisioned Read Units": ("usage_unit_prices", "dynamodb_rcu_hour", ONE),
            "Provisioned Write Units": ("usage_unit_prices", "dynamodb_wcu_hour", ONE),
            "Data Storage Indexed GB-Mo": ("usage_unit_prices", "dynamodb_storage_gb_month", ONE)},
    sections={"usage_unit_prices": ("aws_feed_dynamodb.json", "per the name's unit")},
    note="AWS pricing-page feed meteredUnitMaps/dynamodb (Standard table class: on-demand request units scaled "
         "to per 1M, provisioned capacity per unit-hour, storage per GB-month); OnDemand rate codes, Regions "
         "only; mapped by label")

KMS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/kms.json",
    labels={"Encryption Key": ("monthly_fees", "kms_key", ONE)},
    sections={"monthly_fees": ("aws_feed_kms.json", "month")},
    note="AWS pricing-page feed meteredUnitMaps/kms (a KMS key per month); OnDemand rate codes, Regions only; "
         "mapped by label")

VPC = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/vpc.json",
    labels={"CreateVpnConnection per Hrs": ("extras_hourly", "vpn_connection", ONE),
            "CreateVpnConnection per hours": ("extras_hourly", "vpn_connection", ONE),
            "Hourly charge for Transit Gateway VPC Attachments per hour":
                ("extras_hourly", "transit_gateway_attachment", ONE),
            "Hourly charge for In use Public IPv4 Addresses per Hrs": ("extras_hourly", "public_ip_in_use", ONE),
            "Hourly charge for Idle Public IPv4 Addresses per Hrs": ("extras_hourly", "public_ip_unused", ONE),
            "Hourly charge for VPC Endpoints per Hrs": ("extras_hourly", "vpc_endpoint_interface", ONE),
            "Hourly charge for AWS Gateway Load Balancer VPC Endpoint per Hrs":
                ("extras_hourly", "vpc_endpoint_gateway_load_balancer", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576":
                ("usage_unit_prices", "vpc_endpoint_data_gb", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 1048576 to 5242880":
                ("usage_unit_prices", "vpc_endpoint_data_gb_tier2", ONE),
            "Charge for per GB data processed by VPC Endpoints per GB from 5242880 to Inf":
                ("usage_unit_prices", "vpc_endpoint_data_gb_tier3", ONE),
            "Charge for per GB data processed by AWS Gateway Load Balancer VPC Endpoint per GB":
                ("usage_unit_prices", "vpc_endpoint_gateway_load_balancer_data_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_vpc.json", "hour"),
              "usage_unit_prices": ("aws_feed_vpc_data.json", "GB")},
    note="AWS pricing-page feed meteredUnitMaps/vpc (site-to-site VPN connection, Transit Gateway VPC attachment, "
         "public IPv4 address and VPC endpoint hours; endpoint data processed per GB in its three tiers: first "
         "1 PB, next 4 PB, above 5 PB); OnDemand rate codes, Regions only; mapped by label")

SNS = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/sns.json",
    labels={"Amazon SNS API Requests": ("usage_unit_prices", "sns_requests_per_1m", MILLION),
            "HTTP Notifications": ("usage_unit_prices", "sns_http_notifications_per_1m", MILLION),
            "SNS Email and Email JSON Notifications": ("usage_unit_prices", "sns_email_notifications_per_1m",
                                                       MILLION)},
    sections={"usage_unit_prices": ("aws_feed_sns.json", "per 1M")},
    note="AWS pricing-page feed meteredUnitMaps/sns (Standard topics: API requests and HTTP/S and email "
         "deliveries, scaled to per 1M; the page's free first 1M requests and 100k HTTP deliveries are not "
         "deducted); OnDemand rate codes, Regions only; mapped by label")

API_GATEWAY = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/apigateway.json",
    labels={"API Calls Number of up to 333 million": ("usage_unit_prices", "apigw_rest_requests_per_1m", MILLION),
            "API Calls Number of Request Next 667 million":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier2", MILLION),
            "API Calls Number of Request Next 19 billion":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier3", MILLION),
            "API Calls Number of Request Over 20 billion":
                ("usage_unit_prices", "apigw_rest_requests_per_1m_tier4", MILLION),
            # a stage's cache, by the cache_cluster_size Terraform takes (GB)
            **{f"Caching Memory Size {label}": ("extras_hourly", f"apigw_cache_{size}", ONE) for label, size in (
                ("0 5", "0.5"), ("1 6", "1.6"), ("6 1", "6.1"), ("13 5", "13.5"), ("28 4", "28.4"), ("58 2", "58.2"),
                ("118", "118"), ("237", "237"))}},
    sections={"usage_unit_prices": ("aws_feed_apigateway.json", "per 1M"),
              "extras_hourly": ("aws_feed_apigateway_cache.json", "hour")},
    note="AWS pricing-page feed meteredUnitMaps/apigateway (REST API calls in their four monthly tiers: first "
         "333M, next 667M, next 19B, over 20B, scaled to per 1M; stage cache hours by memory size); OnDemand rate "
         "codes, Regions only; mapped by label")

NAT_GATEWAY = Feed(
    repo="lamngockhuong/aws-price", path="lib/data/pricing/natgateway.json",
    labels={"Hourly charge for NAT Gateways": ("extras_hourly", "nat_gateway", ONE),
            "Charge for per GB data processed by NatGateways": ("usage_unit_prices", "nat_data_gb", ONE)},
    sections={"extras_hourly": ("aws_feed_nat_hourly.json", "hour"),
              "usage_unit_prices": ("aws_feed_nat_data.json", "GB")},
    note="AWS pricing-page feed meteredUnitMaps/natgateway (NAT gateway hours and data processed per GB); "
         "OnDemand rate codes, Regions only; mapped by label")

FEEDS: dict[str, Feed] = {"ebs": EBS, "cloudwatch": CLOUDWATCH, "dynamodb": DYNAMODB, "kms": KMS, "vpc": VPC,
                          "natgateway": NAT_GATEWAY, "sns": SNS, "apigateway": API_GATEWAY}


def region_codes(locations: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Location name -> region code, for AWS Regions only (AWS's locations feed)."""
    return {name: loc["code"] for name, loc in locations.items() if loc.get("type") == "AWS Region"}


def rows(doc: Mapping[str, Any], codes: Mapping[str, str], feed: Feed) -> Rows:
    """section -> name -> region -> price, from every row whose label the feed's mapping names."""
    out: Rows = {}
    for location, by_label in doc["regions"].items():
        region = codes.get(location)
        if region is None:
            continue
        for label, row in by_label.items():
            if label not in feed.labels:
                continue
            if row["rateCode"].split(".")[1] != ON_DEMAND_TERM:
                raise ValueError(f"{location}: {label!r} is not an OnDemand rate ({row['rateCode']})")
            section, name, scale = feed.labels[label]
            price = Decimal(str(row["price"])) * scale
            known = out.setdefault(section, {}).setdefault(name, {})
            if region in known and known[region] != price:
                raise ValueError(f"{location}: {label!r} gives {section}.{name} {price}, another label {known[region]}")
            known[region] = price
    return out


def as_of(doc: Mapping[str, Any]) -> str:
    """The feed's publication date (YYYY-MM-DD)."""
    return str(doc["manifest"]["hawkFilePublicationDate"])[:10]


def tables(doc: Mapping[str, Any], locations: Mapping[str, Mapping[str, str]], feed: Feed, commit: str,
           table: TableWriter) -> dict[str, dict[str, Any]]:
    """file name -> table document, one per section (``table`` is import_tables' row writer)."""
    meta = {"provider": "aws", "as_of": as_of(doc), "licence": feed.licence}
    source = {"repo": feed.repo, "path": feed.path, "commit": commit, "note": feed.note}
    out = {}
    for section, by_name in sorted(rows(doc, region_codes(locations), feed).items()):
        file, unit = feed.sections[section]
        out[file] = table(dict(meta, source=source), section, unit, by_name)
    return out
