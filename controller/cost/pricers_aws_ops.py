"""AWS monitoring, private connectivity and API front doors: CloudWatch metric alarms, VPC endpoints,
SNS topics and subscriptions, API Gateway REST APIs and stages (pure).

Prices come from AWS's pricing-page feed tables (every AWS Region); requests billed in monthly tiers are
split across the tiers the page lists, and what the plan cannot tell (an anomaly-detection band's extra
metrics, how many subnets an endpoint will get) is said, never assumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (FREE, MILLION, Component, Context, Costed, Status, hourly, is_map, monthly_fee, number,
                         text, verdict)
from .pricers_aws_usage import aws_metered
from .resources import book_price, missing, pricer, tiered

HIGH_RESOLUTION_BELOW = Decimal(60)  # seconds: an alarm period of 10 or 30 s is high resolution


def _region(ctx: Context) -> str | None:
    return ctx.provider_regions.get("aws")


def _alarm_metrics(v: Mapping[str, Any]) -> tuple[int, list[Decimal]]:
    """How many metrics the alarm reads, and their periods (a math expression reads none of its own)."""
    queries = [q for q in v.get("metric_query") or () if is_map(q)]
    if not queries:
        period = number(v, "period")
        return 1, [period] if period is not None else []
    metrics = [m for q in queries for m in q.get("metric") or () if is_map(m)]
    return len(metrics), [p for m in metrics if (p := number(m, "period")) is not None]


@pricer("aws_cloudwatch_metric_alarm")
def _metric_alarm(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Billed per alarm metric-month: standard resolution, or high resolution for a period under 60 s."""
    expressions = " ".join(text(q, "expression") or "" for q in v.get("metric_query") or () if is_map(q))
    if "ANOMALY_DETECTION_BAND" in expressions.upper() or text(v, "threshold_metric_id"):
        return Costed(Status.NOT_PRICED, note="aws anomaly-detection alarm: it bills extra metrics for its band, "
                                              "whose count the pricing catalog does not record")
    count, periods = _alarm_metrics(v)
    if count == 0:  # a Metrics Insights query alarm reads its metrics through a query
        return Costed(Status.NOT_PRICED, note="aws CloudWatch alarm on a query that names no metric: its price "
                                              "is not in the pricing catalog")
    high = any(p < HIGH_RESOLUTION_BELOW for p in periods)
    key = "alarm_high_resolution" if high else "alarm_standard"
    label = f"Alarm metrics ({count}, {'high' if high else 'standard'} resolution)"
    return verdict([monthly_fee(label, book_price(ctx, "aws", "monthly_fees", key, _region(ctx)), Decimal(count),
                                missing("aws", "CloudWatch alarm", key, _region(ctx)))])


VPC_ENDPOINT_HOURS = {"Interface": "vpc_endpoint_interface",
                      "GatewayLoadBalancer": "vpc_endpoint_gateway_load_balancer"}
ENDPOINT_DATA_TIERS = ((Decimal(1_048_576), "vpc_endpoint_data_gb"), (Decimal(5_242_880), "vpc_endpoint_data_gb_tier2"),
                       (None, "vpc_endpoint_data_gb_tier3"))  # GB a month: first 1 PB, next 4 PB, above


@pricer("aws_vpc_endpoint")
def _vpc_endpoint(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Gateway endpoints (S3, DynamoDB) cost nothing; the others bill an hour per subnet (one network
    interface in each) and data processed."""
    kind = text(v, "vpc_endpoint_type") or "Gateway"
    if kind == "Gateway":
        return FREE
    key = VPC_ENDPOINT_HOURS.get(kind)
    if key is None:
        return Costed(Status.NOT_PRICED, note=f"aws VPC endpoint type {kind}: its price is not in the pricing catalog")
    region = _region(ctx)
    price = book_price(ctx, "aws", "extras_hourly", key, region)
    subnets = v.get("subnet_ids")
    if not isinstance(subnets, (list, tuple)) or not subnets:
        hours = Component(f"Endpoint hours ({kind})", None, "hours", price, None,
                          note=f"Endpoint hours ({kind}): the number of subnets is not known at plan time"
                          if price is not None else missing("aws", "extra", key, region))
    else:
        hours = hourly(f"Endpoint hours ({kind}, {len(subnets)} subnet{'s' if len(subnets) != 1 else ''})", price,
                       Decimal(len(subnets)), missing("aws", "extra", key, region))
    if kind == "GatewayLoadBalancer":
        data = [aws_metered(ctx, "monthly_data_processed_gb", "Data processed",
                            "vpc_endpoint_gateway_load_balancer_data_gb", "GB")]
    else:
        data = tiered(ctx, "monthly_data_processed_gb", "Data processed", "GB", ENDPOINT_DATA_TIERS, Decimal(1))
    return verdict([hours, *data])


@pricer("aws_sns_topic")
def _sns_topic(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Standard topics bill API requests (each 64 KB of a message counts as one); deliveries are billed on
    the subscriptions. FIFO topics bill other rates, not recorded."""
    if v.get("fifo_topic"):
        return Costed(Status.NOT_PRICED, note="aws SNS FIFO topic prices are not in the pricing catalog")
    return verdict([aws_metered(ctx, "monthly_requests", "API requests", "sns_requests_per_1m", "requests", per=MILLION)])


SNS_DELIVERY = {"http": "sns_http_notifications_per_1m", "https": "sns_http_notifications_per_1m",
                "email": "sns_email_notifications_per_1m", "email-json": "sns_email_notifications_per_1m"}


@pricer("aws_sns_topic_subscription")
def _sns_subscription(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Deliveries to SQS queues and Lambda functions are free; HTTP/S and email bill per million."""
    protocol = (text(v, "protocol") or "").lower()
    if protocol in ("sqs", "lambda"):
        return FREE
    key = SNS_DELIVERY.get(protocol)
    if key is None:
        return Costed(Status.NOT_PRICED, note=f"aws SNS {protocol or '?'} delivery prices are not in the pricing catalog")
    return verdict([aws_metered(ctx, "monthly_requests", f"Notifications ({protocol})", key, "notifications",
                                per=MILLION)])


REST_API_TIERS = ((Decimal(333_000_000), "apigw_rest_requests_per_1m"),
                  (Decimal(1_000_000_000), "apigw_rest_requests_per_1m_tier2"),
                  (Decimal(20_000_000_000), "apigw_rest_requests_per_1m_tier3"),
                  (None, "apigw_rest_requests_per_1m_tier4"))


@pricer("aws_api_gateway_rest_api")
def _rest_api(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict(tiered(ctx, "monthly_requests", "Requests", "requests", REST_API_TIERS, MILLION))


@pricer("aws_api_gateway_stage")
def _rest_stage(v: Mapping[str, Any], ctx: Context) -> Costed:
    """A stage costs nothing unless its cache is on: then an hourly rate by the cache's memory size."""
    if not v.get("cache_cluster_enabled"):
        return FREE
    given = number(v, "cache_cluster_size")
    if given is None:
        return Costed(Status.NOT_PRICED, note="aws API Gateway cache: its size (cache_cluster_size) is not in the plan")
    size = f"{given.normalize():f}"
    return verdict([hourly(f"Cache ({size} GB)", book_price(ctx, "aws", "extras_hourly", f"apigw_cache_{size}",
                                                           _region(ctx)),
                           missing=missing("aws", "API Gateway cache size", f"{size} GB", _region(ctx)))])
