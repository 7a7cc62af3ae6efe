"""Expected figures are the documented list prices × 730 hours, written out here, not read from the code."""

from __future__ import annotations

from decimal import Decimal as D


from controller.cost.components import Status
from controller.cost.estimate import estimate

from .conftest import change

H = D(730)
E2_STD_2_USC1 = D("0.06701142")  # pricing.yml compute.instance.e2-standard-2.cost.us-central1.hour
E2_STD_4_USC1 = D("0.13402284")
PD_STANDARD_USC1 = D("0.04")  # per GB-month
PD_SSD_USC1 = D("0.17")


def gce(machine: str, zone: str = "us-central1-a", disk_gb: int = 10, disk_type: str = "pd-standard") -> dict:
    return {"name": "web", "machine_type": machine, "zone": zone,
            "boot_disk": [{"initialize_params": [{"size": disk_gb, "type": disk_type}]}]}


def test_created_vm_is_priced_to_the_catalog_figure(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "create", None, gce("e2-standard-2", disk_gb=20))))
    row = est.resources[0]
    expected = E2_STD_2_USC1 * H + 20 * PD_STANDARD_USC1
    assert row.status is Status.PRICED
    assert (row.before_monthly, row.after_monthly, row.delta) == (0, expected, expected)
    assert est.delta == expected


def test_machine_type_change_is_an_increase_of_exactly_the_difference(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "update", gce("e2-standard-2"), gce("e2-standard-4"))))
    row = est.resources[0]
    assert row.delta == (E2_STD_4_USC1 - E2_STD_2_USC1) * H
    assert row.delta > 0
    assert row.percent == row.delta / (E2_STD_2_USC1 * H + 10 * PD_STANDARD_USC1) * 100


def test_downsize_is_negative(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "update", gce("e2-standard-4"), gce("e2-standard-2"))))
    assert est.delta == (E2_STD_2_USC1 - E2_STD_4_USC1) * H < 0


def test_delete_removes_the_whole_monthly_cost(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "delete", gce("e2-standard-2"), None)))
    expected = E2_STD_2_USC1 * H + 10 * PD_STANDARD_USC1
    assert (est.before, est.after, est.delta) == (expected, 0, -expected)


def test_replace_prices_both_sides(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "replace",
                                    gce("e2-standard-2"), gce("e2-standard-2", zone="europe-west3-b"))))
    assert est.delta == (D("0.08633556") - E2_STD_2_USC1) * H + 10 * (D("0.048") - PD_STANDARD_USC1)


def test_replace_without_a_prior_object_adds_the_new_one(make_plan):
    """A replace whose ``before`` is null (no object existed) costs what a create costs, not "unknown"."""
    est = estimate(make_plan(change("google_compute_instance.web", "replace", None, gce("e2-standard-2"))))
    row = est.resources[0]
    expected = E2_STD_2_USC1 * H + 10 * PD_STANDARD_USC1
    assert row.status is Status.PRICED
    assert (row.before_monthly, row.after_monthly, row.delta) == (0, expected, expected)


def test_no_op_counts_in_totals_but_not_as_a_change(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "no-op", gce("e2-standard-2"), gce("e2-standard-2"))))
    assert est.before == est.after == E2_STD_2_USC1 * H + 10 * PD_STANDARD_USC1
    assert est.delta == 0 and est.changed == ()


def test_unknown_type_is_reported_not_priced_and_kept_out_of_totals(make_plan):
    est = estimate(make_plan(
        change("google_compute_instance.web", "create", None, gce("e2-standard-2")),
        change("google_bigtable_instance.big", "create", None, {"name": "big"}),
    ))
    (missing,) = est.not_priced
    assert missing.address == "google_bigtable_instance.big" and missing.delta is None
    assert "google_bigtable_instance" in missing.reason
    assert est.after == E2_STD_2_USC1 * H + 10 * PD_STANDARD_USC1
    assert est.projects[0].not_priced == 1


def test_unknown_machine_type_or_region_is_not_priced(make_plan):
    est = estimate(make_plan(
        change("google_compute_instance.a", "create", None, gce("e2-mega-999")),
        change("google_compute_instance.b", "create", None, gce("e2-standard-2", zone="mars-north1-a")),
    ))
    assert [r.status for r in est.resources] == [Status.NOT_PRICED, Status.NOT_PRICED]
    assert "e2-mega-999" in est.resources[0].reason


def test_free_only_when_known_free(make_plan):
    est = estimate(make_plan(change("google_compute_network.vpc", "create", None, {"name": "vpc"})))
    assert est.resources[0].status is Status.FREE and est.after == 0


def test_cloud_sql_custom_tier_is_vcpu_plus_memory_and_ha_doubles(make_plan):
    settings = {"tier": "db-custom-2-7680", "disk_size": 10, "disk_type": "PD_SSD", "availability_type": "ZONAL"}
    zonal = {"region": "us-central1", "settings": [settings]}
    regional = {"region": "us-central1", "settings": [settings | {"availability_type": "REGIONAL"}]}
    est = estimate(make_plan(change("google_sql_database_instance.db", "update", zonal, regional)))
    zonal_cost = (2 * D("0.0413") + D("7.5") * D("0.007")) * H + 10 * PD_SSD_USC1
    assert est.before == zonal_cost
    assert est.after == 2 * zonal_cost


def test_bucket_is_usage_based_with_zero_fixed_cost(make_plan):
    est = estimate(make_plan(change("google_storage_bucket.b", "create", None,
                                    {"name": "b", "location": "US-CENTRAL1", "storage_class": "NEARLINE"})))
    row = est.resources[0]
    assert row.status is Status.USAGE_BASED and row.usage_based and row.after_monthly == 0
    assert "$0.01 per GB-month" in row.after.components[0].note


def test_gke_cluster_fee_and_node_pool(make_plan):
    est = estimate(make_plan(
        change("google_container_cluster.k", "create", None, {"location": "us-central1", "remove_default_node_pool": True}),
        change("google_container_node_pool.p", "create", None,
               {"location": "us-central1", "node_count": 3, "node_config": [{"machine_type": "e2-standard-4"}]}),
    ))
    assert [r.after_monthly for r in est.resources] == [D("0.10") * H, 3 * E2_STD_4_USC1 * H]


def test_aws_instance_uses_the_provider_region(make_plan):
    vm = {"instance_type": "t3.medium", "root_block_device": [{"volume_size": 8, "volume_type": "gp2"}]}
    est = estimate(make_plan(change("aws_instance.a", "create", None, vm), providers={"aws": {"region": "us-east-1"}}))
    assert est.after == D("0.0416") * H + 8 * D("0.10")


def test_aws_region_without_a_price_is_not_priced(make_plan):
    est = estimate(make_plan(change("aws_instance.a", "create", None, {"instance_type": "t3.medium"}),
                             providers={"aws": {"region": "ap-east-2"}}))
    assert est.resources[0].status is Status.NOT_PRICED


def test_local_vm_is_priced_as_its_reference_instance(make_plan):
    triggers = {"cloudops_kind": "vm", "cloudops_target": "local", "region": "local-1", "project": "shop",
                "size": "small", "disk_gb": "20", "price_profile": "gcp/e2-small"}
    est = estimate(make_plan(change("null_resource.web", "create", None, {"triggers": triggers})))
    row = est.resources[0]
    assert row.project == "shop"
    assert row.after_monthly == D("0.016752855") * H + 20 * PD_STANDARD_USC1
    assert est.projects[0].project == "shop"


def test_local_database_and_cluster_and_bucket(make_plan):
    db = {"cloudops_kind": "database", "cloudops_target": "local", "region": "local-1", "tier": "small",
          "storage_gb": "10", "price_profile": "gcp/db-g1-small"}
    k8s = {"cloudops_kind": "cluster", "cloudops_target": "local", "region": "local-1", "node_count": "2",
           "price_profile": "gcp/e2-standard-4"}
    bucket = {"cloudops_kind": "bucket", "cloudops_target": "local", "region": "local-1",
              "storage_class": "standard", "price_profile": "gcp/STANDARD"}
    est = estimate(make_plan(change("null_resource.db", "create", None, {"triggers": db}),
                             change("null_resource.k8s", "create", None, {"triggers": k8s}),
                             change("null_resource.b", "create", None, {"triggers": bucket})))
    db_row, k8s_row, bucket_row = est.resources
    assert db_row.after_monthly == D("0.035") * H + 10 * PD_SSD_USC1
    assert k8s_row.after_monthly == 2 * E2_STD_4_USC1 * H + D("0.10") * H
    assert bucket_row.status is Status.USAGE_BASED and bucket_row.after_monthly == 0


def test_plain_null_resource_is_free(make_plan):
    est = estimate(make_plan(change("null_resource.x", "create", None, {"triggers": {"a": "b"}})))
    assert est.resources[0].status is Status.FREE


def test_budget_delta_per_project(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "create", None, gce("e2-standard-4"))),
                   project="shop", budgets={"shop": D(50)})
    (shop,) = est.projects
    cost = E2_STD_4_USC1 * H + 10 * PD_STANDARD_USC1
    assert shop.budget_remaining == D(50) - cost and shop.over_budget


def test_partial_price_is_flagged(make_plan):
    # the 2024 EBS feed lists no io2 rate for eu-west-3; EC2 is priced there
    vm = {"instance_type": "t3.medium", "root_block_device": [{"volume_size": 8, "volume_type": "io2", "iops": 100}]}
    est = estimate(make_plan(change("aws_instance.a", "create", None, vm), providers={"aws": {"region": "eu-west-3"}}))
    row = est.resources[0]
    assert row.status is Status.PARTIAL and row.after_monthly == D("0.0472") * H
    assert "io2" in row.reason
