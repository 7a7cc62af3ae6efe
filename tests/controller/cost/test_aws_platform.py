"""CloudTrail, Config, CloudHSM, Route 53 Resolver endpoints and Glue (controller/cost/pricers_aws_platform.py).

Each case is one of Infracost's own tests (internal/providers/terraform/aws/testdata/<type>_test @95ba4f49): the
same resource values and usage, and the figures its golden output reads, in us-east-1.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage

from .conftest import change

US_EAST_1 = {"aws": {"region": "us-east-1"}}


def _row(make_plan, address: str, values: dict, usage: str = "", region: dict | None = None):
    used = parse_usage(f"resource_usage:\n  {address}:\n" + usage) if usage else None
    return estimate(make_plan(change(address, "create", None, values), providers=region or US_EAST_1),
                    usage=used).resources[0]


def test_cloudtrail_lines_follow_the_trails_selectors_and_its_usage_matches_infracosts_golden(make_plan):
    with_usage = _row(make_plan, "aws_cloudtrail.t", {"insight_selector": [{"insight_type": "ApiCallRateInsight"}]},
                      "    monthly_additional_management_events: 100000\n    monthly_data_events: 200000\n"
                      "    monthly_insight_events: 300000\n")
    assert [c.monthly for c in with_usage.after.components] == [D("2.00"), D("0.20"), D("1.05")]
    defaults = _row(make_plan, "aws_cloudtrail.t", {})
    assert defaults.status is Status.USAGE_BASED
    assert [c.unit_price for c in defaults.after.components] == [D("2.00"), D("0.10")]
    assert "$2.00 per 100k events" in defaults.after.components[0].note
    no_management = _row(make_plan, "aws_cloudtrail.t", {"event_selector": [{"include_management_events": False}]})
    assert [c.name for c in no_management.after.components] == ["Data events"]


def test_config_rule_evaluations_are_split_across_three_tiers(make_plan):
    row = _row(make_plan, "aws_config_config_rule.r", {}, "    monthly_rule_evaluations: 1000000\n")
    assert [c.monthly for c in row.after.components] == [D("100.00"), D("320.00"), D("250.00")]
    assert _row(make_plan, "aws_config_config_rule.r", {}).after.components[0].unit_price == D("0.001")


def test_config_recorder_items_and_custom_items(make_plan):
    row = _row(make_plan, "aws_config_configuration_recorder.c", {},
               "    monthly_config_items: 1000\n    monthly_custom_config_items: 2000\n")
    assert row.status is Status.PRICED and sum(c.monthly for c in row.after.components) == D("9.00")


def test_an_hsm_bills_every_hour_unless_the_usage_file_says_fewer(make_plan):
    assert _row(make_plan, "aws_cloudhsm_v2_hsm.h", {"cluster_id": "c"}).after.monthly == D("1168.00")
    fewer = _row(make_plan, "aws_cloudhsm_v2_hsm.h", {"cluster_id": "c"}, "    monthly_hrs: 100\n")
    assert fewer.after.monthly == D("160.00") and "usage file: monthly_hrs" in fewer.after.components[0].name
    assert fewer.after.components[0].note == ""  # a priced line never says its price is missing


def test_a_resolver_endpoint_bills_each_eni_and_its_queries_in_two_tiers(make_plan):
    values = {"direction": "INBOUND", "ip_address": [{"subnet_id": "a"}, {"subnet_id": "b"}]}
    row = _row(make_plan, "aws_route53_resolver_endpoint.e", values, "    monthly_queries: 2000000000\n")
    endpoint, first, over = row.after.components
    assert (endpoint.quantity, endpoint.monthly) == (1460, D("182.50"))
    assert (first.monthly, over.monthly) == (D("400.00"), D("200.00"))


@pytest.mark.parametrize("values, dpus, monthly", [
    ({"number_of_workers": 10, "worker_type": "G.2X"}, "20 DPUs", D("528.00")),
    ({"max_capacity": 10}, "10 DPUs", D("264.00")),
    ({"number_of_workers": 10, "worker_type": "G.1X"}, "10 DPUs", D("264.00")),
])
def test_a_glue_job_bills_its_dpus_for_every_hour_it_runs(make_plan, values, dpus, monthly):
    row = _row(make_plan, "aws_glue_job.j", values, "    monthly_hours: 60\n")
    assert dpus in row.after.components[0].name and row.after.monthly == monthly


def test_a_glue_job_without_usage_shows_its_own_hourly_rate_and_flex_has_its_own(make_plan):
    shell = _row(make_plan, "aws_glue_job.j", {"max_capacity": 0.0625})
    assert shell.status is Status.USAGE_BASED and shell.after.components[0].unit_price == D("0.0275")
    flex = _row(make_plan, "aws_glue_job.j", {"max_capacity": 2, "execution_class": "FLEX"})
    assert flex.after.components[0].unit_price == 2 * D("0.29")
    odd = _row(make_plan, "aws_glue_job.j", {"number_of_workers": 2, "worker_type": "G.16X"})
    assert odd.status is Status.NOT_PRICED and "G.16X" in odd.reason


def test_glue_crawlers_and_catalogs_are_usage_based(make_plan):
    assert _row(make_plan, "aws_glue_crawler.c", {}, "    monthly_hours: 60\n").after.monthly == D("26.40")
    catalog = _row(make_plan, "aws_glue_catalog_database.d", {},
                   "    monthly_objects: 200000\n    monthly_requests: 300000000\n")
    assert catalog.after.monthly == D("302.00")


def test_a_region_without_the_price_names_it(make_plan):
    row = _row(make_plan, "aws_cloudhsm_v2_hsm.h", {}, region={"aws": {"region": "mars-east-1"}})
    assert row.status is Status.NOT_PRICED and "mars-east-1" in row.reason
