"""Price tables from a trimmed AWS Price List snapshot (one SKU per line, several services, many regions).

The snapshot format is mooncitizen/togen's ``internal/cost/prices/aws.json`` (Apache-2.0): ``{"date",
"versions": {service: {region: offer file}}, "skus": [{"sku", "service", "attributes", "unit", "price",
"upTo"?}]}``, written by that project from the AWS Price List bulk offer files (on-demand terms only).
Pure: a parsed document in, table documents out; ``import_tables.py --aws-pricelist`` writes them.

Each SKU is mapped to one (section, name) of our catalog by what the Price List says it is (product
family, usage type suffix, group, queue type), never by position; a SKU that matches nothing is skipped,
and two SKUs for the same (section, name, region) that disagree raise, so a copying slip cannot pass
silently. Per-request prices are scaled to the catalog's units (per 1M, per 1k) exactly, in Decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

MILLION, THOUSAND = Decimal(1_000_000), Decimal(1_000)

# (section, name, unit of the catalog, scale from the Price List's unit)
Target = tuple[str, str, Decimal]
Rows = dict[str, dict[str, dict[str, Decimal]]]  # section -> name -> region -> price

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


MAPPERS: dict[str, Callable[[Mapping[str, str]], list[Target]]] = {
    "AmazonEC2": _ec2, "AWSELB": _elb, "AWSLambda": _lambda, "AWSQueueService": _queue, "AmazonS3": _s3,
    "AmazonECS": _fargate, "AmazonApiGateway": _api_gateway,
    "AmazonRDS": lambda a: _rds_storage(a) if a.get("productFamily") == "Database Storage" else [],
}


def rows(doc: Mapping[str, Any]) -> Rows:
    """section -> name -> region -> price, from every SKU a mapper recognises (first price tier only)."""
    out: Rows = {}
    for sku in doc["skus"]:
        attrs = sku["attributes"]
        if attrs.get("termType", "OnDemand") != "OnDemand":
            continue
        for section, name, scale in MAPPERS.get(sku["service"], lambda a: [])(attrs):
            price = Decimal(str(sku["price"])) * scale
            region = attrs["regionCode"]
            known = out.setdefault(section, {}).setdefault(name, {})
            if region in known and known[region] != price:
                raise ValueError(f"{sku['sku']}: {section}.{name}.{region} is {price}, another SKU says "
                                 f"{known[region]}")
            known[region] = price
    return out


def tables(doc: Mapping[str, Any], repo: str, path: str, commit: str,
           table: Callable[[dict[str, Any], str, str, dict[str, dict[str, Decimal]]], dict[str, Any]]
           ) -> dict[str, dict[str, Any]]:
    """file name -> table document, one per section (``table`` is import_tables' row writer)."""
    services = ", ".join(sorted(doc.get("versions", {})))
    meta = {"provider": "aws", "as_of": str(doc["date"]),
            "licence": "Apache-2.0 (the repository); the prices are AWS's (AWS Price List)"}
    out = {}
    for section, by_name in sorted(rows(doc).items()):
        file, unit = SECTIONS[section]
        note = (f"AWS Price List bulk offer files ({services}; offer versions listed in the file), trimmed by "
                "that project to the SKUs its matchers name, on-demand terms, first price tier; mapped here by "
                "product family, usage type, group and queue type (scripts/pricing/aws_pricelist.py); "
                "per-request prices scaled to per 1M (Lambda, SQS, API Gateway) and per 1k (S3)")
        out[file] = table(dict(meta, source={"repo": repo, "path": path, "commit": commit, "note": note}),
                          section, unit, by_name)
    return out
