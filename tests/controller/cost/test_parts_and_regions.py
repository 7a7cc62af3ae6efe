"""Parts of a priced resource that used to be dropped, the root volume the plan does not know, the region
set through a variable, engines, autoscaling groups and free resources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from controller.cost import render
from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc

D = Decimal
H = D(730)
US_EAST_1 = {"aws": {"region": "us-east-1"}}


def test_ebs_block_devices_are_priced_with_their_iops(make_plan):
    vm = {"instance_type": "m5.4xlarge", "root_block_device": [{"volume_size": 50, "volume_type": "gp2"}],
          "ebs_block_device": [{"device_name": "/dev/sdh", "volume_type": "io1", "volume_size": 1000, "iops": 800}]}
    est = estimate(make_plan(change("aws_instance.web", "create", None, vm), providers=US_EAST_1))
    # the figures of Infracost's example_out.json for the same instance: 560.64 + 5.00 + 125.00 + 52.00
    assert est.resources[0].status is Status.PRICED
    assert est.after == D("0.768") * H + 50 * D("0.10") + 1000 * D("0.125") + 800 * D("0.065") == D("742.64")


def test_gp3_iops_and_throughput_above_the_included_ones_are_priced(make_plan):
    vol = {"availability_zone": "us-east-1a", "type": "gp3", "size": 40, "iops": 4000, "throughput": 250}
    est = estimate(make_plan(change("aws_ebs_volume.data", "create", None, vol)))
    names = [c.name for c in est.resources[0].after.components]
    assert any("IOPS (1000)" in n for n in names) and any("125 MB/s" in n for n in names)
    assert est.after == 40 * D("0.08") + 1000 * D("0.005") + 125 * D("0.04")


def test_gp3_within_the_included_iops_adds_nothing(make_plan):
    vol = {"availability_zone": "us-east-1a", "type": "gp3", "size": 40, "iops": 3000, "throughput": 125}
    est = estimate(make_plan(change("aws_ebs_volume.data", "create", None, vol)))
    assert est.after == 40 * D("0.08") and len(est.resources[0].after.components) == 1


def test_pd_extreme_provisioned_iops_are_priced(make_plan):
    disk = {"zone": "us-central1-a", "type": "pd-extreme", "size": 40, "provisioned_iops": 5000}
    est = estimate(make_plan(change("google_compute_disk.fast", "create", None, disk)))
    parts = est.resources[0].after.components
    assert [c.name for c in parts][1] == "Provisioned IOPS (5000)"
    assert parts[1].monthly == 5000 * D("0.065")  # infracost compute_disk_test golden: 100,000 IOPS $6,500


def test_disk_sized_by_a_public_debian_image_is_its_10_gb_and_says_so(make_plan):
    disk = {"zone": "us-central1-a", "type": "pd-ssd", "size": None,
            "image": "projects/debian-cloud/global/images/debian-8-jessie-v20170523"}
    est = estimate(make_plan(change("google_compute_disk.default", "create", None, disk)))
    line = est.resources[0].after.components[0]
    assert est.resources[0].status is Status.PRICED
    assert line.quantity == 10 and line.monthly == 10 * D("0.17")  # pd-ssd us-central1 0.17 per GB-month
    assert "assumed: size comes from the image" in render.markdown(est)


def test_disk_sized_by_an_image_of_unknown_size_is_not_priced(make_plan):
    for image in ("projects/my-project/global/images/golden-2024", "windows-cloud/windows-2022"):
        disk = {"zone": "us-central1-a", "type": "pd-ssd", "size": None, "image": image}
        est = estimate(make_plan(change("google_compute_disk.default", "create", None, disk)))
        assert est.resources[0].status is Status.NOT_PRICED, image
        assert "size not known at plan time" in est.resources[0].after.note


def test_root_volume_of_unknown_size_is_the_amis_8_gb_and_says_so(make_plan):
    plan = make_plan(change("aws_instance.web", "create", None, {"instance_type": "t3.nano"}), providers=US_EAST_1)
    est = estimate(plan)
    root = est.resources[0].after.components[1]
    assert root.quantity == 8 and root.monthly == D("0.80") and "assumed" in root.name
    assert est.after == D("0.0052") * H + D("0.80")  # Infracost: t3.nano $3.80 + root 8 GB $0.80
    assert "assumed: size comes from the AMI" in render.markdown(est)  # shown in the comment, not only in JSON
    assert "assumed: size comes from the AMI" in render.table(est)


def _with_region_variable(value: str | None, default: str | None) -> dict:
    doc = plan_doc(change("aws_instance.web", "create", None,
                          {"instance_type": "t3.medium", "root_block_device": [{"volume_size": 8}]}))
    doc["configuration"]["provider_config"] = {
        "aws": {"name": "aws", "expressions": {"region": {"references": ["var.aws_region"]}}}}
    if default is not None:
        doc["configuration"]["root_module"]["variables"] = {"aws_region": {"default": default}}
    if value is not None:
        doc["variables"] = {"aws_region": {"value": value}}
    return doc


def test_region_set_through_a_variable_is_read_from_the_plans_variables():
    est = estimate(parse_plan(_with_region_variable("eu-west-1", "us-east-1")))
    assert est.resources[0].after.components[0].unit_price == D("0.0456")  # eu-west-1, not the default


def test_region_variable_without_a_value_uses_its_default():
    est = estimate(parse_plan(_with_region_variable(None, "us-east-1")))
    assert est.resources[0].after.components[0].unit_price == D("0.0416")


def test_region_variable_with_neither_value_nor_default_is_unknown_region():
    est = estimate(parse_plan(_with_region_variable(None, None)))
    assert est.resources[0].status is Status.NOT_PRICED
    assert "unknown region" in est.resources[0].reason


def test_rds_prices_depend_on_the_engine_never_mysqls_price_for_sql_server(make_plan):
    base = {"instance_class": "db.m5.xlarge", "allocated_storage": 20, "storage_type": "gp2",
            "availability_zone": "us-east-1a"}
    est = estimate(make_plan(
        change("aws_db_instance.ee", "create", None, {**base, "engine": "sqlserver-ee"}),
        change("aws_db_instance.se", "create", None, {**base, "engine": "sqlserver-se"}),
        change("aws_db_instance.ora", "create", None, {**base, "engine": "oracle-ee"}),
    ))
    ee, se, ora = est.resources
    assert ee.after_monthly == D("2.336") * H + 20 * D("0.115")  # infracost golden: $1,705.28 + $2.30
    assert se.after_monthly == D("1.224") * H + 20 * D("0.115")
    assert ora.status is Status.NOT_PRICED and "oracle-ee:db.m5.xlarge" in ora.reason


_OLD_MYSQL = {"engine": "mysql", "engine_version": "5.7.19", "instance_class": "db.t3.micro", "allocated_storage": 5,
              "availability_zone": "us-east-1a"}


def test_rds_in_extended_support_years_1_2_is_priced_per_vcpu_hour(make_plan):
    row = estimate(make_plan(change("aws_db_instance.old", "create", None, _OLD_MYSQL)),
                   today=date(2025, 6, 1)).resources[0]
    assert row.status is Status.PRICED
    # Infracost's golden for the same database: $12.41 + $0.58 + "Extended support (year 1) 1,460 vCPU-hours $146.00"
    assert row.after_monthly == D("0.017") * H + 5 * D("0.115") + 2 * H * D("0.10") == D("158.985")


def test_rds_in_extended_support_year_3_is_priced_at_the_year_3_rate(make_plan):
    row = estimate(make_plan(change("aws_db_instance.old", "create", None, _OLD_MYSQL)),
                   today=date(2026, 12, 3)).resources[0]
    assert row.status is Status.PRICED
    support = row.after.components[-1]
    assert "year 3" in support.name and support.unit_price == D("0.20")  # MySQL 5.7: year 3 from 2026-03-01
    assert row.after_monthly == D("0.017") * H + 5 * D("0.115") + 2 * H * D("0.20")


def test_rds_year_3_outside_us_east_1_is_not_priced(make_plan):
    db = {**_OLD_MYSQL, "availability_zone": "eu-west-1a"}
    row = estimate(make_plan(change("aws_db_instance.old", "create", None, db)), today=date(2026, 12, 3)).resources[0]
    assert row.status is Status.PARTIAL and "year 3 rate in eu-west-1" in row.reason


def test_rds_extended_support_follows_each_engines_calendar(make_plan):
    db = {**_OLD_MYSQL, "engine_version": "8.0.35"}
    before = estimate(make_plan(change("aws_db_instance.db", "create", None, db)), today=date(2026, 7, 31))
    after = estimate(make_plan(change("aws_db_instance.db", "create", None, db)), today=date(2026, 8, 1))
    assert before.resources[0].after_monthly == D("0.017") * H + 5 * D("0.115")  # MySQL 8.0: standard support
    assert after.resources[0].after_monthly == before.resources[0].after_monthly + 2 * H * D("0.10")
    pg = {**_OLD_MYSQL, "engine": "postgres", "engine_version": "16.3"}
    assert estimate(make_plan(change("aws_db_instance.pg", "create", None, pg)),
                    today=date(2026, 12, 3)).resources[0].status is Status.PRICED


def test_rds_extended_support_for_a_multi_az_database_counts_the_standby(make_plan):
    db = {**_OLD_MYSQL, "multi_az": True}
    row = estimate(make_plan(change("aws_db_instance.old", "create", None, db)), today=date(2025, 6, 1)).resources[0]
    assert row.after_monthly == 2 * (D("0.017") * H + 5 * D("0.115") + 2 * H * D("0.10"))


def test_rds_extended_support_outside_the_recorded_region_is_not_priced(make_plan):
    db = {**_OLD_MYSQL, "availability_zone": "eu-west-1a"}
    row = estimate(make_plan(change("aws_db_instance.old", "create", None, db)), today=date(2025, 6, 1)).resources[0]
    assert row.status is Status.PARTIAL and "years 1-2" not in row.reason and "eu-west-1" in row.reason


def test_rds_outside_us_east_1_prices_the_instance_from_the_regional_table(make_plan):
    db = {**_OLD_MYSQL, "engine_version": "8.0.35", "availability_zone": "eu-west-1a"}
    row = estimate(make_plan(change("aws_db_instance.db", "create", None, db)), today=date(2026, 1, 1)).resources[0]
    instance = row.after.components[0]
    assert instance.unit_price == D("0.018") and instance.monthly == D("0.018") * H


def test_autoscaling_group_is_its_launch_templates_type_times_desired_capacity():
    doc = plan_doc(
        change("aws_launch_template.web", "create", None, {"instance_type": "m5.large"}),
        change("aws_autoscaling_group.web", "create", None, {"desired_capacity": 3, "min_size": 1,
                                                             "launch_template": [{"version": "$Latest"}]}),
        providers=US_EAST_1)
    doc["configuration"]["root_module"]["resources"] = [
        {"address": "aws_autoscaling_group.web", "expressions": {"launch_template": [
            {"id": {"references": ["aws_launch_template.web.id", "aws_launch_template.web"]}}]}}]
    est = estimate(parse_plan(doc))
    template, group = est.resources
    assert template.status is Status.FREE
    assert group.after_monthly == 3 * (D("0.096") * H + 8 * D("0.10"))  # each instance's root volume (AMI's 8 GB)


def test_autoscaling_group_without_its_template_in_the_plan_is_not_priced(make_plan):
    est = estimate(make_plan(change("aws_autoscaling_group.web", "create", None, {"desired_capacity": 2}),
                             providers=US_EAST_1))
    assert est.resources[0].status is Status.NOT_PRICED
    assert "launch template" in est.resources[0].reason


def test_aks_node_os_disks_are_priced_per_node(make_plan):
    pool = {"vm_size": "Standard_B2s", "node_count": 3, "os_disk_size_gb": 30}
    est = estimate(make_plan(change("azurerm_kubernetes_cluster.k", "create", None,
                                    {"location": "eastus", "default_node_pool": [pool]})))
    parts = {c.name: c for c in est.resources[0].after.components}
    disks = next(c for n, c in parts.items() if n.startswith("Node OS disks"))
    assert disks.monthly == 3 * D("5.28")  # P4 (Premium SSD, 32 GiB) per node


def test_aks_node_os_disk_of_a_tier_without_a_price_makes_the_cluster_partly_priced(make_plan):
    pool = {"vm_size": "Standard_B2s", "node_count": 2}  # default 128 GB: P10, not in the catalog
    row = estimate(make_plan(change("azurerm_kubernetes_cluster.k", "create", None,
                                    {"location": "eastus", "default_node_pool": [pool]}))).resources[0]
    assert row.status is Status.PARTIAL and "P10" in row.reason


def test_ephemeral_aks_os_disks_cost_nothing_extra(make_plan):
    pool = {"vm_size": "Standard_B2s", "node_count": 2, "os_disk_type": "Ephemeral"}
    row = estimate(make_plan(change("azurerm_kubernetes_cluster.k", "create", None,
                                    {"location": "eastus", "default_node_pool": [pool]}))).resources[0]
    assert row.status is Status.PRICED and not any("OS disk" in c.name for c in row.after.components)


def test_legacy_azure_virtual_machine_and_app_service_plan_are_priced(make_plan):
    est = estimate(make_plan(
        change("azurerm_virtual_machine.old", "create", None, {
            "location": "eastus", "vm_size": "Standard_B2s",
            "storage_os_disk": [{"managed_disk_type": "Premium_LRS", "disk_size_gb": 30}]}),
        change("azurerm_service_plan.web", "create", None, {"location": "eastus", "sku_name": "B1", "os_type": "Linux"}),
        change("azurerm_app_service_plan.old", "create", None, {"location": "eastus", "kind": "Linux",
                                                               "sku": [{"tier": "Standard", "size": "S1"}]}),
    ))
    vm, plan, old = est.resources
    assert vm.after_monthly == D("0.0416") * H + D("5.28")
    assert plan.after_monthly == D("0.017") * H and old.after_monthly == D("0.095") * H


def test_gcp_full_month_includes_the_sustained_use_discount_e2_does_not(make_plan):
    gce = lambda m: {"machine_type": m, "zone": "us-central1-a",  # noqa: E731
                     "boot_disk": [{"initialize_params": [{"size": 10, "type": "pd-standard"}]}]}
    est = estimate(make_plan(change("google_compute_instance.n1", "create", None, gce("n1-standard-1")),
                             change("google_compute_instance.e2", "create", None, gce("e2-medium"))))
    n1, e2 = (r.after.components[0] for r in est.resources)
    assert n1.monthly == D("24.27237225")  # Cyclenerd month, = 0.04749975 x 730 x 0.7
    assert n1.monthly < D("0.04749975") * H and "sustained-use" in n1.note
    assert e2.unit_price * H == e2.monthly  # E2 has no sustained-use discount


def test_free_resources_are_free_not_unpriced(make_plan):
    est = estimate(make_plan(
        change("aws_default_vpc.default", "create", None, {}),
        change("aws_db_option_group.o", "create", None, {}),
        change("aws_appautoscaling_target.t", "create", None, {}),
        change("azurerm_virtual_wan.w", "create", None, {}),
    ))
    assert [r.status for r in est.resources] == [Status.FREE] * 4
    assert est.not_priced == () and render.headline(est) == "Monthly estimate unchanged"


def test_a_bucket_whose_class_has_no_price_says_why(make_plan):
    bucket = {"location": "EU", "storage_class": "NOT-A-CLASS"}
    row = estimate(make_plan(change("google_storage_bucket.b", "create", None, bucket))).resources[0]
    assert "storage class NOT-A-CLASS in EU is not in the pricing catalog" in row.reason
