"""Where a plan's resources are priced when its provider block names no region (the held-out corpus case)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from controller.cost import regions, render
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.errors import ConfigError
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc

KMS = change("aws_kms_key.k", "create", None, {"description": "k", "deletion_window_in_days": 10})
T3_MICRO_EU_WEST_1 = D("0.0114")  # skypilot-catalog v8 vms.csv, eu-west-1 (aws.yaml)


def test_without_a_region_anywhere_the_estimate_says_unknown_region_and_assumes_nothing():
    est = estimate(parse_plan(plan_doc(KMS)))
    assert est.resources[0].status is Status.NOT_PRICED
    assert "unknown region" in est.resources[0].reason
    assert est.region_notes == ()


def test_a_subnets_zone_elsewhere_in_the_plan_gives_the_region_and_the_estimate_says_so():
    subnet = change("aws_subnet.a", "create", None, {"availability_zone": "eu-west-1b", "cidr_block": "10.0.0.0/24"})
    est = estimate(parse_plan(plan_doc(subnet, change("aws_instance.web", "create", None,
                                                          {"instance_type": "t3.micro", "ami": "ami-1"}))))
    web = next(r for r in est.resources if r.address == "aws_instance.web")
    assert web.after.components[0].unit_price == T3_MICRO_EU_WEST_1
    assert est.regions["aws"] == regions.RegionChoice("eu-west-1", regions.FROM_PLAN)
    assert est.region_notes == (f"aws resources priced in eu-west-1: no region in the provider block; taken from "
                                f"{regions.FROM_PLAN}",)
    assert f"ℹ️ {est.region_notes[0]}" in render.markdown(est)
    assert f"note: {est.region_notes[0]}" in render.table(est)
    assert render.as_json(est)["regions"] == {"aws": {"region": "eu-west-1", "source": regions.FROM_PLAN}}


def test_arns_in_the_prior_state_give_the_region():
    doc = plan_doc(KMS)
    doc["prior_state"] = {"values": {"root_module": {"resources": [
        {"address": "aws_iam_role.r", "type": "aws_iam_role", "values": {"arn": "arn:aws:iam::123:role/r"}},
        {"address": "aws_sqs_queue.q", "type": "aws_sqs_queue",
         "values": {"arn": "arn:aws:sqs:us-west-2:123456789012:q"}}]}}}
    assert regions.regions_in_plan(parse_plan(doc)) == {"aws": "us-west-2"}


def test_two_regions_in_the_plan_are_not_a_region():
    a = change("aws_subnet.a", "create", None, {"availability_zone": "eu-west-1a"})
    b = change("aws_subnet.b", "create", None, {"availability_zone": "us-east-1a"})
    est = estimate(parse_plan(plan_doc(a, b, KMS)))
    assert "unknown region" in next(r for r in est.resources if r.type == "aws_kms_key").reason


def test_strings_that_only_look_like_regions_are_not_read():
    named = change("aws_s3_bucket.b", "create", None, {"bucket": "eu-west-1a", "tags": {"note": "us-east-1"}})
    assert regions.regions_in_plan(parse_plan(plan_doc(named))) == {}


def test_the_provider_block_wins_over_the_plan_and_the_environment():
    subnet = change("aws_subnet.a", "create", None, {"availability_zone": "eu-west-1b"})
    plan = parse_plan(plan_doc(subnet, KMS, providers={"aws": {"region": "us-east-1"}}))
    chosen = regions.choose(plan, regions.regions_from_env({"AWS_REGION": "ap-south-1"}))
    assert chosen["aws"] == regions.RegionChoice("us-east-1", regions.FROM_PROVIDER_BLOCK)
    assert regions.notes(chosen) == ()


def test_the_environment_terraform_reads_is_the_last_resort_and_is_named():
    est = estimate(parse_plan(plan_doc(KMS)), default_regions=regions.regions_from_env({"AWS_DEFAULT_REGION": "us-east-1"}))
    assert est.resources[0].status is Status.PRICED
    assert est.region_notes == ("aws resources priced in us-east-1: no region in the provider block; taken from "
                                "AWS_DEFAULT_REGION",)


@pytest.mark.parametrize("env, expected", [
    ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}, "eu-west-1"),  # AWS_REGION first, as the SDK
    ({"AWS_DEFAULT_REGION": "us-east-2"}, "us-east-2"),
    ({"AWS_REGION": "not a region"}, None),
    ({}, None),
])
def test_region_variables_are_read_in_the_providers_order(env, expected):
    found = regions.regions_from_env(env).get("aws")
    assert (found.region if found else None) == expected


def test_google_reads_its_own_variables():
    assert regions.regions_from_env({"GOOGLE_REGION": "europe-west1"})["google"].source == "GOOGLE_REGION"


@pytest.mark.parametrize("flag, message", [
    ("eu-west-1", "PROVIDER=REGION"),
    ("oracle=eu-west-1", "PROVIDER=REGION"),
    ("aws=Europe", "not a region name of the aws provider"),
])
def test_a_bad_region_flag_is_refused_naming_it(flag, message):
    with pytest.raises(ConfigError, match=message):
        regions.parse_region_flags([flag])


def test_the_cli_takes_region_flags_over_the_environment(tmp_path, monkeypatch, capsys):
    from cloudops.cli import main

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_doc(KMS)))
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert main(["cost", str(path), "--region", "aws=us-east-1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["regions"] == {"aws": {"region": "us-east-1", "source": "--region"}}
    assert doc["total"]["after"] == "1.00"
    assert main(["cost", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"]["aws"]["source"] == "AWS_REGION"


def test_combining_plans_keeps_every_regions_note():
    from controller.cost.estimate import combine

    a = estimate(parse_plan(plan_doc(KMS)), default_regions=regions.parse_region_flags(["aws=us-east-1"]))
    b = estimate(parse_plan(plan_doc(change("aws_subnet.a", "create", None, {"availability_zone": "eu-west-1a"}))))
    assert len(combine([a, b]).region_notes) == 2


def test_a_resources_own_region_argument_wins_over_its_providers(make_plan):
    own = change("aws_instance.web", "create", None, {"instance_type": "t3.micro", "ami": "ami-1", "region": "eu-west-1"})
    est = estimate(make_plan(own, providers={"aws": {"region": "us-east-1"}}))
    assert est.resources[0].after.components[0].unit_price == T3_MICRO_EU_WEST_1


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2", "me-central-1"])
def test_a_kms_key_costs_its_one_published_monthly_price_in_every_listed_region(region):
    est = estimate(parse_plan(plan_doc(KMS)), default_regions=regions.parse_region_flags([f"aws={region}"]))
    assert est.after == D("1.00")


def test_a_kms_key_in_a_partition_with_its_own_price_list_is_not_priced():
    est = estimate(parse_plan(plan_doc(KMS)), default_regions=regions.parse_region_flags(["aws=cn-north-1"]))
    assert est.resources[0].status is Status.NOT_PRICED and "cn-north-1" in est.resources[0].reason


def test_the_controller_prices_in_the_region_it_passes_through_to_terraform_and_only_that(monkeypatch):
    from controller.app import _terraform_regions
    from controller.settings import Settings

    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("GOOGLE_REGION", "europe-west1")
    assert _terraform_regions(Settings()) == {}  # terraform does not see the controller's own variables
    chosen = _terraform_regions(Settings(terraform_env_passthrough=("AWS_REGION",)))
    assert chosen == {"aws": regions.RegionChoice("eu-west-1", "AWS_REGION")}


def test_an_elastic_ip_costs_the_one_public_ipv4_rate_outside_us_east_1_too(make_plan):
    eip = change("aws_eip.nat", "create", None, {"domain": "vpc"})
    est = estimate(make_plan(eip, providers={"aws": {"region": "eu-west-1"}}))
    assert est.resources[0].status is Status.PRICED and est.after == D("0.005") * 730


def test_the_chat_line_says_where_an_assumed_region_came_from():
    est = estimate(parse_plan(plan_doc(KMS)), default_regions=regions.parse_region_flags(["aws=us-east-1"]))
    assert render.summary(est).endswith("aws region us-east-1 from --region")
    assert "region" not in render.summary(estimate(parse_plan(plan_doc(KMS, providers={"aws": {"region": "us-east-1"}}))))


def test_a_buckets_own_region_prices_its_storage_and_its_requests_alike(make_plan):
    bucket = change("aws_s3_bucket.b", "create", None, {"bucket": "b", "region": "sa-east-1"})
    est = estimate(make_plan(bucket, providers={"aws": {"region": "us-east-1"}}))
    lines = est.resources[0].after.components
    # Sao Paulo's own figures (AWS Price List), not the provider's us-east-1 ones (0.023, 0.005, 0.0004).
    assert [c.unit_price for c in lines] == [D("0.0405"), D("0.007"), D("0.00056")]
    # ap-east-1: storage from AWS's pricing-page feed, no request price recorded; no line borrows us-east-1's.
    hong_kong = change("aws_s3_bucket.b", "create", None, {"bucket": "b", "region": "ap-east-1"})
    lines = estimate(make_plan(hong_kong, providers={"aws": {"region": "us-east-1"}})).resources[0].after.components
    assert [c.unit_price for c in lines] == [D("0.025"), None, None]
    assert all("in ap-east-1 is not in the pricing catalog" in c.note for c in lines[1:])


def test_a_default_region_for_a_provider_the_plan_does_not_use_is_not_mentioned():
    gcp_only = change("google_compute_network.n", "create", None, {"name": "n"})
    est = estimate(parse_plan(plan_doc(gcp_only)), default_regions=regions.regions_from_env({"AWS_REGION": "eu-west-1"}))
    assert est.region_notes == () and "aws" not in est.regions


def test_azure_takes_no_region_flag_because_its_resources_name_their_location():
    with pytest.raises(ConfigError, match="one of aws, google"):
        regions.parse_region_flags(["azurerm=eastus"])


def test_a_resource_on_an_aliased_provider_is_priced_in_the_aliases_region(make_plan):
    """``provider = aws.west``: pricing it at the default block's region would be a wrong number, not a gap."""
    home = change("aws_nat_gateway.home", "create", None, {"subnet_id": "a"})
    west = change("aws_nat_gateway.west", "create", None, {"subnet_id": "b"})
    dr = dict(change("aws_nat_gateway.dr", "create", None, {"subnet_id": "c"}), address="module.dr.aws_nat_gateway.dr",
              module_address="module.dr")
    doc = plan_doc(home, west, dr, providers={"aws": {"region": "us-east-1"}})
    doc["configuration"]["provider_config"]["aws.west"] = {
        "name": "aws", "alias": "west", "expressions": {"region": {"constant_value": "eu-west-1"}}}
    doc["configuration"]["root_module"] = {
        "resources": [{"address": "aws_nat_gateway.home", "provider_config_key": "aws"},
                      {"address": "aws_nat_gateway.west", "provider_config_key": "aws.west"}],
        "module_calls": {"dr": {"module": {"resources": [{"address": "aws_nat_gateway.dr",
                                                          "provider_config_key": "aws.west"}]}}}}
    rows = {r.address: r for r in estimate(parse_plan(json.dumps(doc))).resources}
    hourly = {a: r.after.components[0].unit_price for a, r in rows.items()}
    assert hourly == {"aws_nat_gateway.home": D("0.045"), "aws_nat_gateway.west": D("0.048"),
                      "module.dr.aws_nat_gateway.dr": D("0.048")}
    est = estimate(parse_plan(json.dumps(doc)))
    assert "2 aws resources priced in eu-west-1: their provider block is an alias with its own region" in est.region_notes
    assert "priced in eu-west-1" in render.markdown(est)
