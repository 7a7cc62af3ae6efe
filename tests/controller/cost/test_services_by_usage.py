"""Services billed by what they serve or by task size: Fargate, HTTP APIs, Cloud Run, autoscaled DynamoDB."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from controller.cost import render
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import UsageFileError, parse_usage
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc, with_refs

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


def _fargate(service: dict, task: dict | None = None, region: str = "eu-west-1"):
    task = task if task is not None else {"family": "web", "cpu": "512", "memory": "1024"}
    doc = plan_doc(change("aws_ecs_task_definition.web", "create", None, task),
                   change("aws_ecs_service.web", "create", None, {"name": "web", **service}),
                   providers={"aws": {"region": region}})
    doc = with_refs(doc, {"aws_ecs_service.web": {"task_definition": ["aws_ecs_task_definition.web.arn",
                                                                       "aws_ecs_task_definition.web"]}})
    return next(r for r in estimate(parse_plan(doc)).resources if r.address == "aws_ecs_service.web")


def test_a_fargate_service_bills_its_tasks_vcpu_and_memory_hours():
    row = _fargate({"launch_type": "FARGATE", "desired_count": 3})
    vcpu, memory = row.after.components
    assert (vcpu.unit_price, vcpu.quantity) == (D("0.04048"), D("1.5") * 730)  # eu-west-1, AWS Price List
    assert (memory.unit_price, memory.quantity) == (D("0.004445"), D(3) * 730)
    assert row.after_monthly == D("0.04048") * D("1.5") * 730 + D("0.004445") * 3 * 730


def test_fargate_through_a_capacity_provider_strategy_and_the_other_launch_types():
    assert _fargate({"capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}]}).status \
        is Status.PRICED
    spot = _fargate({"capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]})
    assert spot.status is Status.NOT_PRICED and "Fargate Spot" in spot.reason
    assert _fargate({"launch_type": "EC2"}).status is Status.FREE  # its instances are priced on their own
    assert "default capacity provider strategy" in _fargate({}).reason
    assert "task definition" in _fargate({"launch_type": "FARGATE"}, {"family": "x"}).reason


def test_fargate_on_arm_and_windows_bills_their_own_rates_and_storage_above_20_gib():
    # eu-west-1 (AWS's pricing-page feed): x86 0.04048/vCPU-h; Arm 0.03238 and 0.00356; Windows vCPU, GB, licence
    arm = _fargate({"launch_type": "FARGATE", "desired_count": 2},
                   {"cpu": "1024", "memory": "2048", "runtime_platform": [{"cpu_architecture": "ARM64"}]})
    assert arm.status is Status.PRICED and [c.unit_price for c in arm.after.components] == [D("0.03238"), D("0.00356")]
    windows = _fargate({"launch_type": "FARGATE", "desired_count": 1},
                       {"cpu": "1024", "memory": "2048",
                        "runtime_platform": [{"operating_system_family": "WINDOWS_SERVER_2022_CORE"}]})
    assert windows.status is Status.PRICED and len(windows.after.components) == 3  # vCPU, memory, licence
    big = _fargate({"launch_type": "FARGATE", "desired_count": 1},
                   {"cpu": "256", "memory": "512", "ephemeral_storage": [{"size_in_gib": 50}]})
    assert big.after.components[-1].quantity == 30 * 730  # 30 GiB above the included 20, every hour
    odd = _fargate({"launch_type": "FARGATE"}, {"cpu": "256", "memory": "512", "runtime_platform": [
        {"cpu_architecture": "ARM64", "operating_system_family": "WINDOWS_SERVER_2022_CORE"}]})
    assert odd.status is Status.NOT_PRICED and "ARM64" in odd.reason


def test_an_http_api_bills_requests_and_a_websocket_api_says_what_is_missing(make_plan):
    http = change("aws_apigatewayv2_api.h", "create", None, {"name": "h", "protocol_type": "HTTP"})
    ws = change("aws_apigatewayv2_api.w", "create", None, {"name": "w", "protocol_type": "WEBSOCKET"})
    rows = {r.address: r for r in estimate(make_plan(http, ws, providers={"aws": {"region": "eu-west-2"}})).resources}
    assert rows["aws_apigatewayv2_api.h"].status is Status.USAGE_BASED
    assert rows["aws_apigatewayv2_api.h"].after.components[0].unit_price == D("1.16")  # per 1M in London
    assert rows["aws_apigatewayv2_api.w"].status is Status.NOT_PRICED


def test_an_autoscaled_dynamodb_table_is_priced_at_its_targets_minimum_as_infracost_does():
    plan = parse_plan((PLANS / "corpus" / "infracost_policy_data_upload_plan.json").read_text())
    table = next(r for r in estimate(plan).resources if r.type == "aws_dynamodb_table")
    write, read = table.after.components[:2]
    assert write.name == "Write capacity (6 WCU: autoscaled 6-99, priced at the minimum)" and write.quantity == 6 * 730
    # The read target names the table by a literal that is not this table: its provisioned 30 RCU stand.
    assert read.name == "Read capacity (30 RCU)"
    assert table.after_monthly.quantize(D("0.01")) == D("5.69")  # Infracost's example_out: 5.694


def test_a_cloud_run_service_is_priced_from_the_usage_file_at_its_regions_rates(make_plan):
    svc = change("google_cloud_run_service.s", "create", None, {
        "name": "s", "location": "europe-west2",
        "template": [{"spec": [{"container_concurrency": 10,
                                "containers": [{"resources": [{"limits": {"cpu": "2000m", "memory": "1Gi"}}]}]}]}]})
    usage = parse_usage("resource_usage:\n  google_cloud_run_service.s:\n    monthly_requests: 1000000\n"
                        "    average_request_duration_ms: 500\n")
    row = estimate(make_plan(svc), usage=usage).resources[0]
    requests, cpu, memory = row.after.components
    assert cpu.quantity == 1_000_000 * D("0.5") / 10 * 2 and cpu.unit_price == D("0.0000336")  # Tier 2 region
    assert memory.quantity == 1_000_000 * D("0.5") / 10 * 1 and memory.unit_price == D("0.0000035")
    assert requests.monthly == D("0.40")
    always_on = change("google_cloud_run_service.a", "create", None, {"location": "us-central1", "template": [
        {"metadata": [{"annotations": {"run.googleapis.com/cpu-throttling": "false"}}], "spec": [{}]}]})
    assert estimate(make_plan(always_on)).resources[0].status is Status.NOT_PRICED
    elsewhere = change("google_cloud_run_service.e", "create", None, {"location": "me-west1", "template": []})
    assert "in me-west1 is not in the pricing catalog" in estimate(make_plan(elsewhere)).resources[0].reason


def test_infracosts_word_valued_usage_keys_are_accepted_and_an_all_upfront_reservation_has_no_hourly_charge(
        make_plan):
    usage = parse_usage((PLANS / "corpus" / "infracost" / "infracost_example_plan.usage.yml").read_text())
    vm = change("aws_instance.zero_cost_instance", "create", None, {"instance_type": "m5.4xlarge"})
    row = estimate(make_plan(vm, providers={"aws": {"region": "us-east-1"}}), usage=usage).resources[0]
    hours, root = row.after.components
    # Infracost's own output for this instance: "Instance usage (Linux/UNIX, reserved, m5.4xlarge)" $0.00
    assert row.status is Status.PRICED and hours.monthly == 0 and hours.quantity == 730
    assert "the one-off upfront payment is not in the pricing catalog" in hours.note
    assert "all upfront" in render.markdown(estimate(make_plan(vm, providers={"aws": {"region": "us-east-1"}}),
                                                     usage=usage))
    assert root.monthly == D("0.80")  # the AMI's 8 GB gp2 root volume is billed as usual


@pytest.mark.parametrize("option", ["no_upfront", "partial_upfront"])
def test_a_reservation_with_an_hourly_charge_is_not_given_on_demand_prices(make_plan, option):
    usage = parse_usage("resource_usage:\n  aws_instance.r:\n    reserved_instance_type: standard\n"
                        f"    reserved_instance_term: 1_year\n    reserved_instance_payment_option: {option}\n")
    vm = change("aws_instance.r", "create", None, {"instance_type": "m5.4xlarge"})
    row = estimate(make_plan(vm, providers={"aws": {"region": "us-east-1"}}), usage=usage).resources[0]
    assert row.status is Status.NOT_PRICED and row.after.components[0].monthly is None
    assert f"prices for reserved: standard, 1_year, {option} are not in the pricing catalog" in row.reason
    with pytest.raises(UsageFileError, match="monthly_requests: a quantity must be a number"):
        parse_usage("resource_usage:\n  aws_lambda_function.f:\n    monthly_requests: lots\n")


def test_an_index_autoscaling_target_does_not_set_the_tables_own_capacity():
    table = change("aws_dynamodb_table.t", "create", None, {"name": "t", "billing_mode": "PROVISIONED",
                                                           "write_capacity": 20, "read_capacity": 10})
    target = change("aws_appautoscaling_target.i", "create", None, {
        "resource_id": "table/t/index/by_user", "scalable_dimension": "dynamodb:index:WriteCapacityUnits",
        "min_capacity": 2, "max_capacity": 50, "service_namespace": "dynamodb"})
    doc = with_refs(plan_doc(table, target, providers={"aws": {"region": "us-east-1"}}),
                     {"aws_appautoscaling_target.i": {"resource_id": ["aws_dynamodb_table.t.name", "aws_dynamodb_table.t"]}})
    row = next(r for r in estimate(parse_plan(doc)).resources if r.type == "aws_dynamodb_table")
    assert row.after.components[0].name == "Write capacity (20 WCU)"


@pytest.mark.parametrize("values, usage, said", [
    ({"instance_type": "m5.large", "tenancy": "dedicated"}, None, "dedicated tenancy"),
    ({"instance_type": "m5.large"}, "operating_system: windows", "windows"),
])
def test_an_instance_that_is_not_linux_on_shared_hardware_is_not_given_the_linux_price(make_plan, values, usage, said):
    vm = change("aws_instance.v", "create", None, values)
    used = parse_usage(f"resource_usage:\n  aws_instance.v:\n    {usage}\n") if usage else None
    row = estimate(make_plan(vm, providers={"aws": {"region": "us-east-1"}}), usage=used).resources[0]
    assert row.status is Status.NOT_PRICED and f"prices for {said} are not in the pricing catalog" in row.reason


def test_a_premium_gce_image_leaves_its_licence_unpriced_rather_than_under_priced(make_plan):
    def gce(image: str):
        return change("google_compute_instance.w", "create", None, {
            "machine_type": "e2-standard-2", "zone": "us-central1-a",
            "boot_disk": [{"initialize_params": [{"image": image, "size": 50}]}]})
    windows = estimate(make_plan(gce("projects/windows-cloud/global/images/family/windows-2022"))).resources[0]
    assert windows.status is Status.PARTIAL and "licence fees (windows-cloud)" in windows.reason
    debian = estimate(make_plan(gce("debian-cloud/debian-12"))).resources[0]
    assert debian.status is Status.PRICED


def test_an_arm_lambda_is_given_the_arm_price_not_the_x86_one(make_plan):
    arm = change("aws_lambda_function.a", "create", None, {"function_name": "a", "architectures": ["arm64"],
                                                           "memory_size": 1024})
    usage = "resource_usage:\n  aws_lambda_function.a:\n    monthly_requests: 10000000\n    request_duration_ms: 500\n"
    row = estimate(make_plan(arm, providers={"aws": {"region": "us-east-1"}}),
                   usage=parse_usage(usage, "usage.yml")).resources[0]
    # 10M requests x 0.5 s x 1 GB = 5M GB-seconds, all in the first Arm tier ($0.0000133334; x86: $0.0000166667)
    assert row.status is Status.PRICED and row.after_monthly == 10 * D("0.20") + 5_000_000 * D("0.0000133334")


def test_lambda_duration_is_split_across_its_monthly_tiers(make_plan):
    fn = change("aws_lambda_function.f", "create", None, {"function_name": "f", "memory_size": 10240})
    # 1e9 requests x 1 s x 10 GB = 10 billion GB-seconds: 6 billion at tier 1, 4 billion at tier 2
    usage = "resource_usage:\n  aws_lambda_function.f:\n    monthly_requests: 1000000000\n    request_duration_ms: 1000\n"
    row = estimate(make_plan(fn, providers={"aws": {"region": "us-east-1"}}),
                   usage=parse_usage(usage, "usage.yml")).resources[0]
    assert row.after_monthly == 1000 * D("0.20") + 6_000_000_000 * D("0.0000166667") + 4_000_000_000 * D("0.000015")


@pytest.mark.parametrize("resource, values", [
    ("aws_instance.s", {"instance_type": "m5.large", "instance_market_options": [{"market_type": "spot"}]}),
    ("aws_eks_node_group.s", {"instance_types": ["m5.large"], "capacity_type": "SPOT",
                              "scaling_config": [{"desired_size": 2}]}),
    ("azurerm_linux_virtual_machine.s", {"location": "eastus", "size": "Standard_D2s_v3", "priority": "Spot",
                                         "os_disk": [{"storage_account_type": "Standard_LRS"}]}),
])
def test_aws_and_azure_spot_machines_are_not_given_on_demand_prices(make_plan, resource, values):
    row = estimate(make_plan(change(resource, "create", None, values),
                             providers={"aws": {"region": "us-east-1"}})).resources[0]
    assert row.after.components[0].monthly is None and row.after.components[0].name.endswith(", spot")
    assert "spot prices move with spare capacity and are not in the pricing catalog" in row.reason


# pricing.yml @fd66b26 (2026-07-30) compute.instance.<type>.cost.us-central1.hour_spot
@pytest.mark.parametrize("resource, values, expected", [
    ("google_compute_instance.s", {"machine_type": "e2-standard-2", "zone": "us-central1-a",
                                   "scheduling": [{"provisioning_model": "SPOT"}]}, D("0.040212") * 730),
    ("google_compute_instance.p", {"machine_type": "n1-standard-1", "zone": "us-central1-a",
                                   "scheduling": [{"preemptible": True}]}, D("0.0167525") * 730),
    ("google_container_node_pool.s", {"location": "us-central1", "node_count": 3,
                                      "node_config": [{"machine_type": "e2-standard-4", "preemptible": True}]},
     3 * D("0.080424") * 730),
])
def test_gcp_spot_and_preemptible_machines_get_the_dated_spot_price(make_plan, resource, values, expected):
    """Google publishes Spot prices per type and region and changes them at most monthly: a dated fact."""
    line = estimate(make_plan(change(resource, "create", None, values))).resources[0].after.components[0]
    assert line.name.endswith(", spot") and line.monthly == expected
    assert line.note == "Spot price published 2026-07-30; Google may change it once every 30 days"


def test_gcp_spot_machine_without_a_spot_price_is_not_priced(make_plan):
    values = {"machine_type": "e2-mega-999", "zone": "us-central1-a", "scheduling": [{"provisioning_model": "SPOT"}]}
    row = estimate(make_plan(change("google_compute_instance.s", "create", None, values))).resources[0]
    assert row.after_monthly is None
    assert "gcp spot price for e2-mega-999 in us-central1 is not in the pricing catalog" in row.reason


@pytest.mark.parametrize("value", ["5", "''", "[linux]"])
def test_a_word_valued_usage_key_with_no_word_is_refused_naming_the_key(value):
    with pytest.raises(UsageFileError, match="operating_system: expected a word"):
        parse_usage(f"resource_usage:\n  aws_instance.v:\n    operating_system: {value}\n")


def test_s3_standard_storage_is_split_across_its_tiers_and_other_classes_are_priced_by_their_keys(make_plan):
    usage = ("resource_usage:\n  aws_s3_bucket.b:\n    standard:\n      storage_gb: 60000\n"
             "    standard_infrequent_access:\n      storage_gb: 1000\n")
    plan = make_plan(change("aws_s3_bucket.b", "create", None, {"bucket": "b"}), providers={"aws": {"region": "us-east-1"}})
    row = estimate(plan, usage=parse_usage(usage, "usage.yml")).resources[0]
    assert row.after_monthly == 51_200 * D("0.023") + 8_800 * D("0.022") + 1000 * D("0.0125")


def test_s3_usage_the_catalog_cannot_price_is_named_not_dropped(make_plan):
    usage = ("resource_usage:\n  aws_s3_bucket.b:\n    glacier_deep_archive:\n      storage_gb: 5000\n"
             "    standard_infrequent_access:\n      monthly_tier_1_requests: 100000\n")
    plan = make_plan(change("aws_s3_bucket.b", "create", None, {"bucket": "b"}), providers={"aws": {"region": "us-east-1"}})
    row = estimate(plan, usage=parse_usage(usage, "usage.yml")).resources[0]
    assert "glacier_deep_archive (storage_gb)" in row.reason and "standard_infrequent_access" in row.reason


# Infracost's route53_health_check_test: the same resources and its golden figures (AWS endpoint by default).
HEALTH_CHECKS = {
    "simple": ({"type": "HTTP", "request_interval": 30}, D("0.50")),
    "https": ({"type": "HTTPS", "request_interval": 30}, D("1.50")),
    "ssl_string_match": ({"type": "HTTPS_STR_MATCH", "request_interval": 30}, D("2.50")),
    "ssl_latency_string_match": ({"type": "HTTPS_STR_MATCH", "request_interval": 30, "measure_latency": True},
                                 D("3.50")),
    "ssl_latency_interval_string_match": ({"type": "HTTPS_STR_MATCH", "request_interval": 10,
                                           "measure_latency": True}, D("4.50")),
}


@pytest.mark.parametrize("name", sorted(HEALTH_CHECKS))
def test_route53_health_checks_match_infracosts_golden_figures(make_plan, name):
    values, total = HEALTH_CHECKS[name]
    est = estimate(make_plan(change(f"aws_route53_health_check.{name}", "create", None, values)))
    row = est.resources[0]
    assert row.status is Status.PRICED and est.after == total
    assert "assumed an AWS endpoint" in row.after.components[0].name


def test_a_non_aws_endpoint_health_check_costs_more_and_a_bad_endpoint_type_is_refused(make_plan):
    usage = parse_usage("resource_usage:\n  aws_route53_health_check.x:\n    endpoint_type: non_aws\n")
    vm = change("aws_route53_health_check.x", "create", None,
                {"type": "HTTPS_STR_MATCH", "request_interval": 10, "measure_latency": True})
    est = estimate(make_plan(vm), usage=usage)
    assert est.after == D("0.75") + 4 * D("2.00")  # Infracost golden: $0.75 + $8.00
    assert "assumed" not in est.resources[0].after.components[0].name
    with pytest.raises(UsageFileError, match="endpoint_type: expected one of aws, non_aws"):
        parse_usage("resource_usage:\n  aws_route53_health_check.x:\n    endpoint_type: azure\n")


def test_ec2_classic_database_and_redshift_security_groups_are_free(make_plan):
    for kind in ("aws_db_security_group", "aws_redshift_security_group"):
        est = estimate(make_plan(change(f"{kind}.g", "create", None, {"name": "g"})))
        assert est.resources[0].status is Status.FREE, kind


def test_private_services_traffic_is_usage_based_by_destination_and_matches_infracosts_golden(make_plan):
    connection = change("google_service_networking_connection.c", "create", None,
                        {"service": "servicenetworking.googleapis.com", "reserved_peering_ranges": ["r"]})
    row = estimate(make_plan(connection)).resources[0]
    assert row.status is Status.USAGE_BASED and len(row.after.components) == 7
    assert [c.unit_price for c in row.after.components] == [D(x) for x in
                                                            ("0.02", "0.02", "0.02", "0.08", "0.14", "0.10", "0.08")]
    # Infracost's service_networking_connection_test usage file and its golden total, $47.40.
    usage = parse_usage("resource_usage:\n  google_service_networking_connection.c:\n"
                        "    monthly_egress_data_transfer_gb:\n      same_region: 250\n      us_or_canada: 100\n"
                        "      europe: 70\n      asia: 50\n      south_america: 100\n      oceania: 50\n"
                        "      worldwide: 200\n")
    est = estimate(make_plan(connection), usage=usage)
    assert est.resources[0].status is Status.PRICED and est.after == D("47.40")


@pytest.mark.parametrize("kind", ["google_compute_vpn_gateway", "google_compute_ha_vpn_gateway"])
def test_vpn_gateway_ipsec_traffic_matches_infracosts_golden(make_plan, kind):
    gateway = change(f"{kind}.g", "create", None, {"name": "g", "region": "us-central1"})
    usage = parse_usage(f"resource_usage:\n  {kind}.g:\n    monthly_egress_data_transfer_gb:\n      same_region: 250\n"
                        "      us_or_canada: 100\n      europe: 70\n      asia: 50\n      south_america: 100\n"
                        "      oceania: 50\n      worldwide: 200\n")
    est = estimate(make_plan(gateway), usage=usage)
    assert est.after == D("47.40") and est.resources[0].after.components[0].name.startswith("IPSec traffic")
