"""AWS account-wide services: CloudTrail, Config, CloudHSM, Route 53 Resolver endpoints, Glue (pure).

Prices are the pricing-page feed's (``aws_feed_cloudtrail/config/cloudhsm/route53_resolver*/glue``); usage keys
are Infracost's. Lines that depend on usage show their unit price until the usage file gives a quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .components import (MILLION, Component, Context, Costed, hourly, metered, number, quantity_line, text, usage_gap,
                         verdict)
from .pricers_aws_usage import aws_metered
from .resources import book_price, missing, pricer, tiered

HUNDRED_K = Decimal(100_000)


@pricer("aws_cloudtrail")
def _cloudtrail(v: Mapping[str, Any], ctx: Context) -> Costed:
    """The first copy of management events is free; additional copies, data and Insights events are billed."""
    lines = []
    selectors = [s for s in v.get("event_selector") or () if isinstance(s, Mapping)]
    if not selectors or any(s.get("include_management_events", True) is not False for s in selectors):
        lines.append(aws_metered(ctx, "monthly_additional_management_events", "Management events (additional copies)",
                                 "cloudtrail_management_events_per_100k", "events", per=HUNDRED_K))
    lines.append(aws_metered(ctx, "monthly_data_events", "Data events", "cloudtrail_data_events_per_100k", "events",
                             per=HUNDRED_K))
    if v.get("insight_selector"):
        lines.append(aws_metered(ctx, "monthly_insight_events", "Insight events", "cloudtrail_insight_events_per_100k",
                                 "events", per=HUNDRED_K))
    return verdict(lines, note="events are usage-based")


_RULE_TIERS = ((Decimal(100_000), "config_rule_evaluations_tier1"), (Decimal(500_000), "config_rule_evaluations_tier2"),
               (None, "config_rule_evaluations_tier3"))


@pricer("aws_config_config_rule", "aws_config_organization_custom_rule", "aws_config_organization_managed_rule")
def _config_rule(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict(tiered(ctx, "monthly_rule_evaluations", "Rule evaluations", "evaluations", _RULE_TIERS, Decimal(1)),
                   note="rule evaluations are usage-based")


@pricer("aws_config_configuration_recorder")
def _config_recorder(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([aws_metered(ctx, "monthly_config_items", "Config items", "config_items", "records"),
                    aws_metered(ctx, "monthly_custom_config_items", "Custom config items", "config_custom_items",
                                "records")], note="configuration items are usage-based")


@pricer("aws_cloudhsm_v2_hsm")
def _cloudhsm(v: Mapping[str, Any], ctx: Context) -> Costed:
    """An HSM bills every hour it exists; ``monthly_hrs`` in the usage file says fewer."""
    region = ctx.provider_regions.get("aws")
    price = book_price(ctx, "aws", "extras_hourly", "cloudhsm_hsm", region)
    hours = ctx.used("monthly_hrs")
    if hours is None:
        return verdict([hourly("HSM usage", price, missing=missing("aws", "CloudHSM", "hsm", region))])
    label = f"HSM usage ({ctx.usage_origin}: monthly_hrs)"
    return verdict([quantity_line(label, price, hours, "hours", missing("aws", "CloudHSM", "hsm", region))])


_RESOLVER_TIERS = ((Decimal(1000), "route53_resolver_queries_per_1m_tier1"),
                   (None, "route53_resolver_queries_per_1m_tier2"))  # in millions: the first billion a month


@pricer("aws_route53_resolver_endpoint")
def _resolver_endpoint(v: Mapping[str, Any], ctx: Context) -> Costed:
    """Each IP address of the endpoint is an elastic network interface billed by the hour; queries by usage."""
    region = ctx.provider_regions.get("aws")
    enis = Decimal(len(v.get("ip_address") or ())) or Decimal(1)
    endpoint = hourly(f"Resolver endpoints ({enis:g} ENIs)", book_price(ctx, "aws", "extras_hourly",
                                                                       "route53_resolver_eni", region), enis,
                      missing=missing("aws", "Route 53 Resolver ENI", "hour", region))
    queries = tiered(ctx, "monthly_queries", "DNS queries", "1M queries", _RESOLVER_TIERS, Decimal(1),
                     scale=Decimal(1) / MILLION)
    return verdict([endpoint, *queries])


# DPUs per worker (AWS Glue developer guide, "Defining job properties": G.1X 1 DPU, G.2X 2, G.4X 4, G.8X 8,
# G.025X 0.25; the Standard worker type is 1 DPU; Ray's Z.2X 2).
_WORKER_DPUS = {"standard": Decimal(1), "g.1x": Decimal(1), "g.2x": Decimal(2), "g.4x": Decimal(4),
                "g.8x": Decimal(8), "g.025x": Decimal("0.25"), "z.2x": Decimal(2)}


def _job_dpus(v: Mapping[str, Any]) -> Decimal | None:
    workers = number(v, "number_of_workers")
    if workers:
        per = _WORKER_DPUS.get((text(v, "worker_type") or "standard").lower())
        return workers * per if per is not None else None
    return number(v, "max_capacity", Decimal(1))


@pricer("aws_glue_job")
def _glue_job(v: Mapping[str, Any], ctx: Context) -> Costed:
    dpus = _job_dpus(v)
    flex = (text(v, "execution_class") or "").upper() == "FLEX"
    key = "glue_job_flex_dpu_hour" if flex else "glue_job_dpu_hour"
    if dpus is None:
        return verdict([Component("Duration", None, "hours",
                                  note=f"aws Glue worker type {text(v, 'worker_type')}: its DPUs are not known")])
    region = ctx.provider_regions.get("aws")
    per_dpu = book_price(ctx, "aws", "usage_unit_prices", key, region)
    label = f"Duration ({dpus:g} DPU{'s' if dpus != 1 else ''}{', Flex' if flex else ''})"
    # one job-hour costs every DPU's hour, so the unit shown is the job's, not a DPU's
    return verdict([metered(ctx, "monthly_hours", label, None if per_dpu is None else per_dpu * dpus, "job-hours",
                            missing=usage_gap(label, region))], note="job hours are usage-based")


@pricer("aws_glue_crawler")
def _glue_crawler(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([aws_metered(ctx, "monthly_hours", "Duration", "glue_crawler_dpu_hour", "DPU-hours")],
                   note="crawler hours are usage-based")


@pricer("aws_glue_catalog_database")
def _glue_catalog(v: Mapping[str, Any], ctx: Context) -> Costed:
    return verdict([aws_metered(ctx, "monthly_objects", "Storage", "glue_catalog_objects_per_100k", "objects",
                                per=HUNDRED_K),
                    aws_metered(ctx, "monthly_requests", "Requests", "glue_catalog_requests_per_1m", "requests",
                                per=MILLION)],
                   note="catalog objects and requests are usage-based; the monthly free tier is not deducted")
