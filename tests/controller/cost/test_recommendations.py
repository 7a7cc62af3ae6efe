"""Savings are catalog arithmetic, written out here from the documented prices (pricing/gcp.yaml, aws.yaml)."""

from __future__ import annotations

from decimal import Decimal as D

from controller.cost import recommendations as recs
from controller.cost.estimate import estimate
from controller.cost.recommendations import Kind

from .conftest import change

H = D(730)
E2_STD_4, E2_STD_2, E2_MEDIUM = D("0.13402284"), D("0.06701142"), D("0.03350571")  # us-central1, per hour
E2_STD_2_SPOT = D("0.040212")  # pricing.yml @fd66b26 (2026-07-30) hour_spot, us-central1
E2_STD_2_1Y, E2_STD_2_3Y = D("30.81854578"), D("22.01324782")  # month_1y / month_3y, us-central1
E2_STD_4_3Y = D("44.02649564")


def gce(machine: str, zone: str = "us-central1-a") -> dict:
    return {"machine_type": machine, "zone": zone, "boot_disk": [{"initialize_params": [{"size": 10}]}]}


def local(kind: str, **triggers: str) -> dict:
    return {"triggers": {"cloudops_kind": kind, "cloudops_target": "local", "region": "local-1", **triggers}}


def kinds(found, kind):
    return [r for r in found if r.kind is kind]


def test_right_size_saves_the_price_difference_of_the_next_smaller_type(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "create", None, gce("e2-standard-4"))))
    (rec,) = kinds(recs.recommend(est), Kind.RIGHT_SIZE)
    assert rec.title == "Right-size e2-standard-4 → e2-standard-2"
    assert rec.monthly_saving == (E2_STD_4 - E2_STD_2) * H


def test_local_size_is_right_sized_within_the_local_sizes(make_plan):
    est = estimate(make_plan(change("null_resource.vm_web", "create", None,
                                    local("vm", size="large", price_profile="gcp/e2-standard-4", disk_gb="20"))))
    (rec,) = kinds(recs.recommend(est), Kind.RIGHT_SIZE)
    assert rec.title == "Right-size large → medium"  # local medium = gcp/e2-medium, the next smaller local size
    assert rec.monthly_saving == (E2_STD_4 - E2_MEDIUM) * H


def test_node_pools_are_right_sized_per_node(make_plan):
    pool = {"location": "us-central1-a", "node_count": 3, "node_config": [{"machine_type": "e2-standard-4"}]}
    est = estimate(make_plan(change("google_container_node_pool.p", "create", None, pool)))
    (rec,) = kinds(recs.recommend(est), Kind.RIGHT_SIZE)
    assert rec.monthly_saving == 3 * (E2_STD_4 - E2_STD_2) * H
    assert kinds(recs.recommend(est), Kind.SPOT) == []  # node pools are not single stateless VMs


def test_no_right_size_below_the_smallest_of_a_family_or_without_both_prices(make_plan):
    est = estimate(make_plan(
        change("google_compute_instance.a", "create", None, gce("e2-micro")),
        change("google_compute_instance.b", "create", None, gce("n2-standard-4", zone="moon-base1-a")),  # a region no price list has
        change("aws_instance.c", "create", None, {"instance_type": "t3.medium", "availability_zone": "ap-east-2a"}),
    ))
    assert kinds(recs.recommend(est), Kind.RIGHT_SIZE) == []  # no ap-east-2 prices in the catalog


def test_aws_right_size_uses_the_region_prices(make_plan):
    est = estimate(make_plan(change("aws_instance.c", "create", None, {"instance_type": "t3.large"}),
                             providers={"aws": {"region": "ap-southeast-2"}}))
    (rec,) = kinds(recs.recommend(est), Kind.RIGHT_SIZE)
    assert rec.monthly_saving == (D("0.1056") - D("0.0528")) * H


def test_commitments_and_spot_use_the_published_prices(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "create", None, gce("e2-standard-2"))))
    found = recs.recommend(est)
    one, three = sorted(kinds(found, Kind.COMMIT), key=lambda r: r.title)
    assert one.monthly_saving == E2_STD_2 * H - E2_STD_2_1Y
    assert three.monthly_saving == E2_STD_2 * H - E2_STD_2_3Y
    (spot,) = kinds(found, Kind.SPOT)
    assert spot.monthly_saving == (E2_STD_2 - E2_STD_2_SPOT) * H
    assert found[0] is three and three.monthly_saving > spot.monthly_saving  # biggest saving first


def test_no_spot_for_a_vm_in_a_project_with_a_database(make_plan):
    est = estimate(make_plan(
        change("google_compute_instance.web", "create", None, gce("e2-standard-2")),
        change("google_sql_database_instance.db", "create", None, {"region": "us-central1", "settings": [{"tier": "db-g1-small"}]}),
    ))
    assert kinds(recs.recommend(est), Kind.SPOT) == []
    assert kinds(recs.recommend(est), Kind.COMMIT)


def test_no_spot_or_commitment_where_no_price_is_recorded(make_plan):
    est = estimate(make_plan(change("aws_instance.c", "create", None, {"instance_type": "t3.large"}),
                             providers={"aws": {"region": "ap-southeast-2"}}))
    found = recs.recommend(est)
    assert kinds(found, Kind.SPOT) == [] and kinds(found, Kind.COMMIT) == []


def test_colder_storage_class_saves_per_gb_month(make_plan):
    est = estimate(make_plan(
        change("google_storage_bucket.b", "create", None, {"location": "us-central1", "storage_class": "STANDARD"}),
        change("null_resource.bucket_x", "create", None, local("bucket", storage_class="standard", price_profile="gcp/STANDARD")),
    ))
    found = kinds(recs.recommend(est), Kind.STORAGE_CLASS)
    assert {r.title for r in found} == {"Storage class STANDARD → NEARLINE", "Storage class standard → infrequent"}
    assert all(r.saving_per_unit == D("0.02") - D("0.01") and r.monthly_saving is None for r in found)


def test_deleted_resources_get_no_recommendation(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "delete", gce("e2-standard-4"), None)))
    assert recs.recommend(est) == []


def test_potential_saving_counts_one_option_per_resource(make_plan):
    est = estimate(make_plan(change("google_compute_instance.web", "create", None, gce("e2-standard-2")),
                             change("google_compute_instance.api", "create", None, gce("e2-standard-4"))))
    found = recs.recommend(est)
    best = {r.address: r.monthly_saving for r in recs.best_per_resource(found)}
    # the 3-year commitment beats spot for both (e2-standard-4 spot: 0.080424/h, saving $39.13 < $53.81)
    assert best == {"google_compute_instance.web": E2_STD_2 * H - E2_STD_2_3Y,
                    "google_compute_instance.api": E2_STD_4 * H - E2_STD_4_3Y}
    assert recs.potential_saving(found) == sum(best.values())


def test_families():
    assert recs.family("gcp", "e2-standard-4") == "e2-standard"
    assert recs.family("gcp", "e2-small") == recs.family("gcp", "e2-micro") != recs.family("gcp", "e2-standard-2")
    assert recs.family("aws", "t3.large") == "t3" != recs.family("aws", "t3a.large")
    assert recs.family("azure", "Standard_D4s_v5") == recs.family("azure", "Standard_D2s_v5") != recs.family("azure", "Standard_E2s_v5")
    assert recs.next_smaller("azure", "Standard_B2ms").name == "Standard_B1ms"
    assert recs.next_smaller("aws", "m5.xlarge").name == "m5.large"
    assert recs.next_smaller("gcp", "e2-micro") is None
