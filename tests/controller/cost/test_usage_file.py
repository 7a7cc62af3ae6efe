"""The usage file: quantities priced into the totals and labelled; bad files refused with the key named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from controller.cost import render
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import UsageFileError, parse_usage

from .conftest import change

D = Decimal
US_EAST_1 = {"aws": {"region": "us-east-1"}}
USAGE = """
version: 0.1
resource_type_default_usage:
  aws_sqs_queue:
    monthly_requests: 2000000
resource_usage:
  aws_lambda_function.hello_world:
    monthly_requests: 100000000
    request_duration_ms: 250
  aws_s3_bucket.assets[*]:
    standard:
      storage_gb: 1000
"""


def test_without_a_usage_file_usage_based_resources_list_unit_prices_and_stay_out_of_totals(make_plan):
    est = estimate(make_plan(change("aws_lambda_function.hello_world", "create", None, {"memory_size": 1024}),
                             providers=US_EAST_1))
    row = est.resources[0]
    assert row.status is Status.USAGE_BASED and est.after == 0
    assert "depends on usage" in render.markdown(est)


def test_usage_file_quantities_are_priced_and_say_where_they_came_from(make_plan):
    plan = make_plan(change("aws_lambda_function.hello_world", "create", None, {"memory_size": 1024}),
                     change("aws_sqs_queue.jobs", "create", None, {}),
                     change("aws_s3_bucket.assets[0]", "create", None, {}),
                     providers=US_EAST_1)
    est = estimate(plan, usage=parse_usage(USAGE))
    fn, queue, bucket = est.resources
    # Infracost's example: 100M requests $20.00, 100M x 0.25 s x 1 GB = 25,000,000 GB-s $416.67
    assert fn.after_monthly.quantize(D("0.01")) == D("436.67")
    assert queue.after_monthly == 2 * D("0.40") and "type default" in queue.after.components[0].name
    assert bucket.after_monthly == 1000 * D("0.023") and "usage file" in bucket.after.components[0].name
    assert est.after.quantize(D("0.01")) == D("460.47")


@pytest.mark.parametrize("text,message", [
    ("resource_usage: [1, 2]", "resource_usage must map"),
    ("resource_usage:\n  aws_sqs_queue.q:\n    monthly_requests: lots", "aws_sqs_queue.q.monthly_requests"),
    ("resource_usage:\n  aws_sqs_queue.q:\n    monthly_requests: -5", ">= 0"),
    ("surprise: 1", "unknown key"),
    ("resource_usage: {a: [", "reading"),
])
def test_a_bad_usage_file_is_refused_naming_the_key(text, message):
    with pytest.raises(UsageFileError, match=message):
        parse_usage(text, "usage.yml")


def test_the_comment_footer_says_when_usage_from_the_file_is_included(make_plan):
    plan = make_plan(change("aws_sqs_queue.jobs", "create", None, {}), providers=US_EAST_1)
    assert "Usage-based costs are not included." in render.markdown(estimate(plan))
    with_usage = render.markdown(estimate(plan, usage=parse_usage(USAGE)))
    assert "Usage from the usage file is included; other usage-based costs are not." in with_usage
