"""Resources free in their default form and billed otherwise (Infracost @95ba4f49 gives the same NoPrice)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from controller.cost.components import Status
from controller.cost.estimate import estimate

from .conftest import change

D = Decimal


@pytest.mark.parametrize("address,values,status", [
    ("aws_ssm_parameter.p", {"name": "/app/db", "type": "String", "value": "x"}, Status.FREE),
    ("aws_ssm_parameter.p", {"name": "/app/db", "type": "String", "tier": "Standard"}, Status.FREE),
    ("aws_ssm_parameter.p", {"name": "/app/db", "type": "String", "tier": "Advanced"}, Status.NOT_PRICED),
    ("aws_acm_certificate.c", {"domain_name": "example.com", "validation_method": "DNS"}, Status.FREE),
    ("aws_acm_certificate.c", {"domain_name": "example.com",
                               "certificate_authority_arn": "arn:aws:acm-pca:us-east-1:1:certificate-authority/x"},
     Status.NOT_PRICED),
])
def test_free_only_in_the_default_form(make_plan, address, values, status):
    row = estimate(make_plan(change(address, "create", None, values))).resources[0]
    assert row.status is status
    if status is Status.NOT_PRICED:
        assert "not in the pricing catalog" in row.reason


def test_a_route53_record_bills_queries_at_the_global_price_and_an_alias_is_free(make_plan):
    record = {"name": "www", "type": "A", "records": ["192.0.2.1"], "ttl": 300}
    plain = estimate(make_plan(change("aws_route53_record.www", "create", None, record),
                               providers={"aws": {"region": "eu-west-1"}})).resources[0]
    line = plain.after.components[0]
    assert line.usage_based and line.unit_price == D("0.40") and "Standard queries" in line.name
    latency = {**record, "latency_routing_policy": [{"region": "eu-west-1"}]}
    row = estimate(make_plan(change("aws_route53_record.lat", "create", None, latency))).resources[0]
    assert row.after.components[0].unit_price == D("0.60")
    alias = {**record, "records": None, "alias": [{"name": "lb.example.com", "zone_id": "Z1"}]}
    assert estimate(make_plan(change("aws_route53_record.a", "create", None, alias))).resources[0].status is Status.FREE


def test_a_hosted_zone_is_priced_in_any_region(make_plan):
    zone = estimate(make_plan(change("aws_route53_zone.z", "create", None, {"name": "example.com"}),
                              providers={"aws": {"region": "ap-south-1"}})).resources[0]
    assert zone.status is Status.PRICED and zone.after_monthly == D("0.50")
