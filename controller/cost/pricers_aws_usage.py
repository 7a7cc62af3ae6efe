"""AWS services billed by what they serve: Lambda, S3, DynamoDB, SQS, ECR, CloudWatch Logs, Route 53, Fargate, HTTP APIs.

Most lines here are usage-based: priced into the total when the usage file gives a quantity, otherwise shown
with their unit price in the resource's region ("depends on usage: $0.20 per 1M requests"). A region without
that price says so by name, and an unknown region says it is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (FREE, MILLION, THOUSAND, Component, Context, Costed, Status, first, hourly, is_map,
                         metered, number, text, usage, usage_gap, verdict)
from .resources import book_price, missing, pricer, ref, tiered


def aws_usage_price(ctx: Context, key: str) -> Decimal | None:
    return book_price(ctx, "aws", "usage_unit_prices", key, ctx.provider_regions.get("aws"))


def aws_metered(ctx: Context, used: str, name: str, key: str, unit: str, section: str = "usage_unit_prices",
                region: str | None = None, **kw: Any) -> Component:
    """A usage line at the region's unit price; when there is none, the reason names the region (or its absence)."""
    region = region or ctx.provider_regions.get("aws")
    return metered(ctx, used, name, book_price(ctx, "aws", section, key, region), unit,
                   missing=usage_gap(name, region), **kw)


# Duration is billed in monthly tiers of GB-seconds (AWS Compute Blog, "Introducing tiered pricing for AWS
# Lambda": x86 0-6 billion, 6-15 billion, over; arm64 0-7.5 billion, 7.5-18.75 billion, over)
LAMBDA_TIERS = {"x86_64": ((Decimal(6e9), "lambda_gb_second"), (Decimal(15e9), "lambda_gb_second_tier2"),
                           (None, "lambda_gb_second_tier3")),
                "arm64": ((Decimal("7.5e9"), "lambda_arm_gb_second"), (Decimal("18.75e9"), "lambda_arm_gb_second_tier2"),
                          (None, "lambda_arm_gb_second_tier3"))}


@pricer("aws_lambda_function")
def _lambda(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Requests and GB-seconds by architecture (x86 or Arm), duration split across its monthly tiers."""
    arch = "arm64" if "arm64" in (v.get("architectures") or ()) else "x86_64"
    requests_key = "lambda_arm_requests_per_1m" if arch == "arm64" else "lambda_requests_per_1m"
    memory_gb = (number(v, "memory_size") or Decimal(128)) / Decimal(1024)
    duration_ms = ctx.used("request_duration_ms")
    parts = [aws_metered(ctx, "monthly_requests", f"Requests ({arch})", requests_key, "requests", per=MILLION)]
    tiers = LAMBDA_TIERS[arch]
    if duration_ms is not None and ctx.used("monthly_requests") is not None:
        parts += tiered(ctx, "monthly_requests", f"Duration ({arch}, {memory_gb * 1024:g} MB × {duration_ms:g} ms)",
                        "GB-seconds", tiers, Decimal(1), scale=duration_ms / THOUSAND * memory_gb)
    else:
        parts.append(usage(f"Duration ({arch})", aws_usage_price(ctx, tiers[0][1]), "GB-second",
                           missing=usage_gap("Duration", ctx.provider_regions.get("aws"))))
    return verdict(parts)


# Storage classes by the usage file's keys (Infracost's names); Standard is billed in tiers: first 50 TB, next 450 TB
S3_STANDARD_TIERS = ((Decimal(51_200), "STANDARD"), (Decimal(512_000), "STANDARD_tier2"), (None, "STANDARD_tier3"))
S3_CLASSES = {"standard_infrequent_access": "STANDARD_IA", "one_zone_infrequent_access": "ONEZONE_IA",
              "glacier_instant_retrieval": "GLACIER_IR", "glacier_flexible_retrieval": "GLACIER"}
S3_UNPRICED = ("intelligent_tiering", "glacier_deep_archive")


@pricer("aws_s3_bucket")
def _s3(v: Mapping[str, Any], ctx: Context) -> Costed:
    region = ctx.provider_regions.get("aws")  # a bucket's own region (provider 6) bills all three lines
    parts = [*tiered(ctx, "standard.storage_gb", "Storage (STANDARD)", "GB-month", S3_STANDARD_TIERS, Decimal(1),
                     section="storage_classes_gb_month", ref=ref("aws", "storage_classes_gb_month", "STANDARD", region,
                                                                 "storage")),
             aws_metered(ctx, "standard.monthly_tier_1_requests", "PUT, COPY, POST, LIST requests", "s3_put_per_1k",
                         "requests", region=region, per=THOUSAND),
             aws_metered(ctx, "standard.monthly_tier_2_requests", "GET and other requests", "s3_get_per_1k", "requests",
                         region=region, per=THOUSAND)]
    for key, storage_class in S3_CLASSES.items():
        if ctx.used(f"{key}.storage_gb") is not None:
            parts.append(aws_metered(ctx, f"{key}.storage_gb", f"Storage ({storage_class})", storage_class, "GB-month",
                                     section="storage_classes_gb_month", region=region))
    usage_map = ctx.usage if is_map(ctx.usage) else {}
    for key in (*S3_CLASSES, *S3_UNPRICED):  # what the usage file names and the catalog cannot price: said
        given = usage_map.get(key)
        unpriced = [q for q in given if q != "storage_gb" or key in S3_UNPRICED] if is_map(given) else []
        if unpriced:
            parts.append(Component(f"{key} ({', '.join(unpriced)})", None, "GB-month", None, None,
                                   note=f"aws S3 {key} ({', '.join(unpriced)}): its price is not in the pricing catalog"))
    return verdict(parts)


@pricer("aws_dynamodb_table")
def _dynamodb(v: Mapping[str, Any], ctx: Context) -> Costed:
    storage = aws_metered(ctx, "storage_gb", "Storage", "dynamodb_storage_gb_month", "GB-month")
    if text(v, "billing_mode", "PROVISIONED") == "PAY_PER_REQUEST":
        return verdict([
            aws_metered(ctx, "monthly_write_request_units", "Write request units", "dynamodb_write_request_per_1m", "WRU", per=MILLION),
            aws_metered(ctx, "monthly_read_request_units", "Read request units", "dynamodb_read_request_per_1m", "RRU", per=MILLION),
            storage])
    wcu, wlabel = _capacity(v, ctx, "write_capacity", "WriteCapacityUnits", "WCU")
    rcu, rlabel = _capacity(v, ctx, "read_capacity", "ReadCapacityUnits", "RCU")
    return verdict([hourly(f"Write capacity ({wlabel})", aws_usage_price(ctx, "dynamodb_wcu_hour"), wcu,
                           missing("aws", "DynamoDB WCU", "hour", ctx.provider_regions.get("aws"))),
                    hourly(f"Read capacity ({rlabel})", aws_usage_price(ctx, "dynamodb_rcu_hour"), rcu,
                           missing("aws", "DynamoDB RCU", "hour", ctx.provider_regions.get("aws"))),
                    storage])


def _capacity(v: Mapping[str, Any], ctx: Context, key: str, dimension: str, unit: str) -> tuple[Decimal, str]:
    """Provisioned units, or an autoscaling target's minimum when one in the plan scales this table's dimension.

    Autoscaling moves the capacity between the target's bounds with traffic; the minimum is what an idle
    table settles at, and what Infracost prices (internal/resources/aws/dynamodb_table.go).
    """
    provisioned = number(v, key) or Decimal(0)
    for source, attribute in ctx.referrers:
        target = ctx.lookup(source) if ctx.lookup and attribute == "resource_id" else None
        if source.split(".")[-2:-1] == ["aws_appautoscaling_target"] and target and \
                target.get("scalable_dimension") == f"dynamodb:table:{dimension}":  # not an index's
            low, high = number(target, "min_capacity"), number(target, "max_capacity")
            if low is not None:
                return low, f"{low:g} {unit}: autoscaled {low:g}-{high if high is not None else '?'}, priced at the minimum"
    return provisioned, f"{provisioned:g} {unit}"


@pricer("aws_sqs_queue")
def _sqs(v: Mapping[str, Any], ctx: Context) -> Costed:
    key = "sqs_fifo_requests_per_1m" if v.get("fifo_queue") else "sqs_standard_requests_per_1m"
    return verdict([aws_metered(ctx, "monthly_requests", "Requests", key, "requests", per=MILLION)])


@pricer("aws_ecr_repository")
def _ecr(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([aws_metered(ctx, "storage_gb", "Storage", "ecr_storage_gb_month", "GB-month")])


@pricer("aws_cloudwatch_log_group")
def _logs(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([aws_metered(ctx, "monthly_data_ingested_gb", "Data ingested", "logs_ingestion_gb", "GB"),
                    aws_metered(ctx, "storage_gb", "Archival storage", "logs_storage_gb_month", "GB-month")])


# No charge of their own in their default form; Infracost's internal/resources/aws/ssm_parameter.go and
# acm_certificate.go @95ba4f49 give these cases NoPrice: a Standard-tier parameter, a public certificate.
@pricer("aws_ssm_parameter")
def _ssm_parameter(v: Mapping[str, Any], ctx: Context) -> Costed:
    tier = (text(v, "tier") or "Standard").lower()
    if tier == "standard":
        return FREE
    return Costed(Status.NOT_PRICED, note=f"aws SSM parameter tier {tier}: its price is not in the pricing catalog")


@pricer("aws_acm_certificate")
def _acm_certificate(v: Mapping[str, Any], ctx: Context) -> Costed:
    if not text(v, "certificate_authority_arn"):
        return FREE
    return Costed(Status.NOT_PRICED, note="aws private CA certificate price is not in the pricing catalog")


# (routing policy attribute, usage-file key as Infracost names it, unit price key, line)
_QUERIES = (("latency_routing_policy", "monthly_latency_based_queries", "route53_latency_queries_per_1m",
             "Latency based routing queries"),
            ("geolocation_routing_policy", "monthly_geo_queries", "route53_geo_queries_per_1m", "Geo DNS queries"))
_STANDARD_QUERIES = ("", "monthly_standard_queries", "route53_standard_queries_per_1m", "Standard queries")


@pricer("aws_route53_record")
def _route53_record(v: Mapping[str, Any], ctx: Context) -> Costed:
    """An alias record answers for free; others bill queries (Route 53 is priced globally, first 1B a month)."""
    if v.get("alias"):
        return FREE
    _, used, key, label = next((q for q in _QUERIES if v.get(q[0])), _STANDARD_QUERIES)
    return verdict([aws_metered(ctx, used, label, key, "queries", per=MILLION)])


@pricer("aws_ecs_service")
def _ecs_service(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Fargate tasks: vCPU-hours and GB-hours of the task definition, times the desired count (Linux, x86).

    An EC2 or external launch type runs on instances priced on their own. Without a launch type the service
    follows the cluster's default capacity provider strategy, which a plan does not show.
    """
    region = ctx.provider_regions.get("aws")
    strategy = [text(s, "capacity_provider") for s in v.get("capacity_provider_strategy") or () if isinstance(s, Mapping)]
    launch = text(v, "launch_type") or ("FARGATE" if strategy and set(strategy) == {"FARGATE"} else None)
    if launch in ("EC2", "EXTERNAL"):
        return Costed(Status.FREE, note="its tasks run on EC2 instances (or your own servers), priced on their own")
    if launch != "FARGATE":
        why = (f"capacity providers {', '.join(p or '?' for p in strategy)}: Fargate Spot prices are not in the "
               "pricing catalog" if strategy else "no launch type: it follows the cluster's default capacity provider "
               "strategy, which the plan does not show")
        return Costed(Status.NOT_PRICED, note=f"aws ECS service: {why}")
    task = ctx.referenced("task_definition", "aws_ecs_task_definition") or {}
    count = number(v, "desired_count", Decimal(0))  # the provider's default: no tasks until asked
    vcpu = number(task, "cpu")
    memory = number(task, "memory")
    if vcpu is None or memory is None or count is None:
        return Costed(Status.NOT_PRICED, note="aws ECS service: the task definition's cpu and memory are not in this plan")
    vcpus, gb = vcpu / 1024 * count, memory / 1024 * count
    platform = first(task, "runtime_platform")
    arch, system = text(platform, "cpu_architecture", "X86_64"), text(platform, "operating_system_family", "LINUX")
    prefix = _fargate_prefix(str(arch), str(system))
    if prefix is None:
        return Costed(Status.NOT_PRICED, note=f"aws Fargate {arch}/{system} prices are not in the pricing catalog")

    def rate(name: str, label: str, quantity: Decimal) -> Component:
        return hourly(label, book_price(ctx, "aws", "extras_hourly", name, region), quantity,
                      missing("aws", "Fargate", name, region))
    parts = [rate(f"{prefix}vcpu", f"Fargate vCPU ({count:g} tasks × {vcpu / 1024:g} vCPU, {arch}/{system})", vcpus),
             rate(f"{prefix}gb", f"Fargate memory ({count:g} tasks × {memory / 1024:g} GB)", gb)]
    if prefix == "fargate_windows_":
        parts.append(rate("fargate_windows_license_vcpu", "Windows licence (per vCPU)", vcpus))
    storage = number(first(task, "ephemeral_storage"), "size_in_gib")
    if storage is not None and storage > FARGATE_INCLUDED_STORAGE_GIB:
        parts.append(rate("fargate_storage_gb", f"Ephemeral storage ({count:g} tasks × {storage - 20:g} GiB above 20)",
                          (storage - FARGATE_INCLUDED_STORAGE_GIB) * count))
    return verdict(parts)


FARGATE_INCLUDED_STORAGE_GIB = Decimal(20)  # every Fargate task gets 20 GiB of ephemeral storage at no charge


def _fargate_prefix(arch: str, system: str) -> str | None:
    """Which Fargate rates a task pays: Linux on x86 or Arm, or Windows (x86 only, with a licence fee)."""
    if system.startswith("LINUX"):
        return {"X86_64": "fargate_", "ARM64": "fargate_arm_"}.get(arch)
    if system.startswith("WINDOWS") and arch == "X86_64":
        return "fargate_windows_"
    return None


@pricer("aws_apigatewayv2_api")
def _http_api(v: Mapping[str, Any], ctx: Context) -> Costed:
    if (text(v, "protocol_type") or "HTTP").upper() != "HTTP":
        return Costed(Status.NOT_PRICED, note="aws API Gateway WebSocket messages and connection minutes are not in "
                                              "the pricing catalog")
    return verdict([aws_metered(ctx, "monthly_requests", "Requests (HTTP API, first 300M)", "apigw_http_requests_per_1m",
                                "requests", per=MILLION)])
