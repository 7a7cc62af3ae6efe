"""CloudWatch alarms, VPC endpoints, SNS, API Gateway REST APIs: priced per region from AWS's pricing-page feed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.catalog import HOURS_PER_MONTH as H
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change


def _row(make_plan, address: str, values: dict, region: str = "us-east-1", usage: str | None = None):
    used = parse_usage(usage, "usage.yml") if usage else None
    plan = make_plan(change(address, "create", None, values), providers={"aws": {"region": region}})
    return estimate(plan, usage=used).resources[0]


@pytest.mark.parametrize("values,expected", [
    ({"metric_name": "CPUUtilization", "period": 300}, D("0.10")),
    ({"metric_name": "CPUUtilization", "period": 10}, D("0.30")),  # high resolution
    ({"metric_query": [{"id": "e1", "expression": "m1+m2"},
                       {"id": "m1", "metric": [{"metric_name": "A", "period": 60}]},
                       {"id": "m2", "metric": [{"metric_name": "B", "period": 60}]}]}, D("0.20")),  # 2 metrics
])
def test_an_alarm_bills_each_metric_it_reads_at_its_resolution(make_plan, values, expected):
    row = _row(make_plan, "aws_cloudwatch_metric_alarm.cpu", values)
    assert row.status is Status.PRICED and row.after_monthly == expected


def test_an_alarm_is_priced_in_its_region_and_an_anomaly_band_says_why_not(make_plan):
    row = _row(make_plan, "aws_cloudwatch_metric_alarm.cpu", {"period": 300}, region="sa-east-1")
    assert row.after_monthly == D("0.135")  # sa-east-1's own rate, not us-east-1's 0.10
    band = _row(make_plan, "aws_cloudwatch_metric_alarm.cpu", {"threshold_metric_id": "ad1", "metric_query": [
        {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}, {"id": "m1", "metric": [{"period": 300}]}]})
    assert band.status is Status.NOT_PRICED and "anomaly-detection" in band.reason
    query = _row(make_plan, "aws_cloudwatch_metric_alarm.q", {"metric_query": [
        {"id": "q1", "expression": "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\")", "period": 60}]})
    assert query.status is Status.NOT_PRICED and "names no metric" in query.reason  # never $0.00


def test_vpc_endpoints_gateway_free_interface_per_subnet_hour_and_tiered_data(make_plan):
    assert _row(make_plan, "aws_vpc_endpoint.s3", {"service_name": "com.amazonaws.us-east-1.s3"}).status is Status.FREE
    usage = "resource_usage:\n  aws_vpc_endpoint.api:\n    monthly_data_processed_gb: 2000000\n"
    row = _row(make_plan, "aws_vpc_endpoint.api", {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b", "c"]},
               usage=usage)
    assert row.status is Status.PRICED
    assert row.after_monthly == D("0.01") * 3 * H + 1_048_576 * D("0.01") + (2_000_000 - 1_048_576) * D("0.006")


def test_an_interface_endpoint_whose_subnets_are_unknown_is_partial_not_one_subnet(make_plan):
    row = _row(make_plan, "aws_vpc_endpoint.api", {"vpc_endpoint_type": "Interface"})
    assert row.status is not Status.PRICED and "number of subnets is not known" in row.reason


def test_sns_topics_bill_requests_and_subscriptions_by_protocol(make_plan):
    usage = "resource_usage:\n  aws_sns_topic.t:\n    monthly_requests: 3000000\n"
    row = _row(make_plan, "aws_sns_topic.t", {"name": "t"}, region="eu-west-1", usage=usage)
    assert row.after_monthly == 3 * D("0.50")
    assert _row(make_plan, "aws_sns_topic.t", {"name": "t.fifo", "fifo_topic": True}).status is Status.NOT_PRICED
    assert _row(make_plan, "aws_sns_topic_subscription.s", {"protocol": "sqs"}).status is Status.FREE
    https = _row(make_plan, "aws_sns_topic_subscription.s", {"protocol": "https"},
                 usage="resource_usage:\n  aws_sns_topic_subscription.s:\n    monthly_requests: 1000000\n")
    assert https.after_monthly == D("0.60")


def test_rest_api_requests_are_split_across_the_monthly_tiers(make_plan):
    usage = "resource_usage:\n  aws_api_gateway_rest_api.api:\n    monthly_requests: 400000000\n"
    row = _row(make_plan, "aws_api_gateway_rest_api.api", {"name": "api"}, usage=usage)
    assert row.after_monthly == 333 * D("3.50") + 67 * D("2.80")
    alone = _row(make_plan, "aws_api_gateway_rest_api.api", {"name": "api"})
    assert "$3.50 per 1M requests" in alone.after.components[0].note


def test_a_stage_costs_only_its_cache(make_plan):
    assert _row(make_plan, "aws_api_gateway_stage.s", {"stage_name": "prod"}).status is Status.FREE
    cached = _row(make_plan, "aws_api_gateway_stage.s", {"cache_cluster_enabled": True, "cache_cluster_size": "0.5"})
    assert cached.after_monthly == D("0.02") * H
    unsized = _row(make_plan, "aws_api_gateway_stage.s", {"cache_cluster_enabled": True})
    assert unsized.status is Status.NOT_PRICED and "cache_cluster_size" in unsized.reason


def test_tier_steps_split_a_quantity_across_cumulative_ceilings():
    from controller.cost.components import tier_steps
    assert tier_steps(D(10), [D(32), None]) == [(0, D(1), D(10))]
    assert tier_steps(D(70), [D(32), D(64), None]) == [(0, D(1), D(32)), (1, D(33), D(32)), (2, D(65), D(6))]
    assert tier_steps(D(64), [D(32), D(64), None]) == [(0, D(1), D(32)), (1, D(33), D(32))]
    assert tier_steps(D(0), [D(32), None]) == []
