"""Which AWS Price List SKUs of a trimmed snapshot (see snapshot_tables.py) fill which catalog entries.

Mapped by what the Price List says a SKU is (product family, usage type suffix, group, queue type):
NAT gateway and ALB hours, Fargate vCPU- and GB-hours, Lambda, SQS, HTTP API and S3 request and storage
prices, RDS General Purpose (gp2) storage Single- and Multi-AZ.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import snapshot_tables
from snapshot_tables import Mapper, Provider, Rows, Target

MILLION, THOUSAND = Decimal(1_000_000), Decimal(1_000)

# The file each section is written to, and the unit its figures are in.
SECTIONS: dict[str, tuple[str, str]] = {
    "extras_hourly": ("aws_pricelist_hourly.json", "hour"),
    "usage_unit_prices": ("aws_pricelist_usage.json", "per the name's unit"),
    "database_storage_gb_month": ("aws_pricelist_rds_storage.json", "GB-month"),
    "database_storage_multi_az_gb_month": ("aws_pricelist_rds_storage_multi_az.json", "GB-month"),
    "storage_classes_gb_month": ("aws_pricelist_s3.json", "GB-month"),
}


def _suffix_is(attrs: Mapping[str, str], suffix: str) -> bool:
    usage = attrs.get("usagetype", "")
    return usage == suffix or usage.endswith("-" + suffix)


def _rds_storage(attrs: Mapping[str, str]) -> list[Target]:
    if attrs.get("volumeType") != "General Purpose":  # gp2; gp3 is "General Purpose-GP3"
        return []
    section = ("database_storage_multi_az_gb_month" if attrs.get("deploymentOption") == "Multi-AZ"
               else "database_storage_gb_month")
    return [(section, "gp2", Decimal(1))]


def _queue(attrs: Mapping[str, str]) -> list[Target]:
    kind = attrs.get("queueType", "")
    if kind == "Standard":
        return [("usage_unit_prices", "sqs_standard_requests_per_1m", MILLION)]
    if kind.startswith("FIFO"):
        return [("usage_unit_prices", "sqs_fifo_requests_per_1m", MILLION)]
    return []


def _lambda(attrs: Mapping[str, str]) -> list[Target]:
    group = attrs.get("group")
    if group == "AWS-Lambda-Requests":
        return [("usage_unit_prices", "lambda_requests_per_1m", MILLION)]
    if group == "AWS-Lambda-Duration":
        return [("usage_unit_prices", "lambda_gb_second", Decimal(1))]
    return []


def _s3(attrs: Mapping[str, str]) -> list[Target]:
    if attrs.get("productFamily") == "Storage" and attrs.get("volumeType") == "Standard":
        return [("storage_classes_gb_month", "STANDARD", Decimal(1))]
    group = attrs.get("group")
    if group == "S3-API-Tier1":
        return [("usage_unit_prices", "s3_put_per_1k", THOUSAND)]
    if group == "S3-API-Tier2":
        return [("usage_unit_prices", "s3_get_per_1k", THOUSAND)]
    return []


def _ec2(attrs: Mapping[str, str]) -> list[Target]:
    if attrs.get("productFamily") == "NAT Gateway" and _suffix_is(attrs, "NatGateway-Hours"):
        return [("extras_hourly", "nat_gateway", Decimal(1))]
    return []


def _elb(attrs: Mapping[str, str]) -> list[Target]:
    if attrs.get("productFamily") == "Load Balancer-Application" and _suffix_is(attrs, "LoadBalancerUsage"):
        return [("extras_hourly", "load_balancer_application", Decimal(1))]
    return []


def _fargate(attrs: Mapping[str, str]) -> list[Target]:
    """Linux on x86 (the ARM and Windows usage types name themselves: "Fargate-ARM-vCPU-Hours:perCPU")."""
    if _suffix_is(attrs, "Fargate-vCPU-Hours:perCPU"):
        return [("extras_hourly", "fargate_vcpu", Decimal(1))]
    if _suffix_is(attrs, "Fargate-GB-Hours"):
        return [("extras_hourly", "fargate_gb", Decimal(1))]
    return []


def _api_gateway(attrs: Mapping[str, str]) -> list[Target]:
    if _suffix_is(attrs, "ApiGatewayHttpRequest"):  # HTTP APIs, first 300M requests a month
        return [("usage_unit_prices", "apigw_http_requests_per_1m", MILLION)]
    return []


MAPPERS: dict[str, Mapper] = {
    "AmazonEC2": _ec2, "AWSELB": _elb, "AWSLambda": _lambda, "AWSQueueService": _queue, "AmazonS3": _s3,
    "AmazonECS": _fargate, "AmazonApiGateway": _api_gateway,
    "AmazonRDS": lambda a: _rds_storage(a) if a.get("productFamily") == "Database Storage" else [],
}


PROVIDER = Provider(
    name="aws", region_key="regionCode", mappers=MAPPERS, sections=SECTIONS,
    licence="Apache-2.0 (the repository); the prices are AWS's (AWS Price List)",
    note=("AWS Price List bulk offer files ({services}; offer versions listed in the file), trimmed by that "
          "project to the SKUs its matchers name, on-demand terms, first price tier; mapped here by product family, "
          "usage type, group and queue type (scripts/pricing/aws_pricelist.py); per-request prices scaled to per 1M "
          "(Lambda, SQS, API Gateway) and per 1k (S3)"),
    keep=lambda attrs: attrs.get("termType", "OnDemand") == "OnDemand")


def rows(doc: Mapping[str, Any]) -> Rows:
    return snapshot_tables.rows(doc, PROVIDER)
