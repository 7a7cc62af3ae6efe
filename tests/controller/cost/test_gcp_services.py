"""Cloud DNS, Secret Manager, Pub/Sub and Cloud KMS (controller/cost/pricers_gcp_services.py).

Each case is one of Infracost's own tests (internal/providers/terraform/google/testdata/<type>_test @95ba4f49):
the same values and usage, the figures its golden output reads. Google prices these alike in every region.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc, with_refs

THREE_REPLICAS = {"replication": [{"user_managed": [{"replicas": [{"location": "us-central1"}, {"location": "us-east1"},
                                                                  {"location": "us-east2"}]}]}]}


def _row(make_plan, address: str, values: dict, usage: str = "", region: str = "us-central1"):
    used = parse_usage(f"resource_usage:\n  {address}:\n" + usage) if usage else None
    plan = make_plan(change(address, "create", None, values), providers={"google": {"region": region}})
    return estimate(plan, usage=used).resources[0]


@pytest.mark.parametrize("region", ["us-central1", "asia-south1", "europe-north1"])
def test_a_managed_zone_is_twenty_cents_a_month_anywhere(make_plan, region):
    assert _row(make_plan, "google_dns_managed_zone.z", {"name": "z"}, region=region).after.monthly == D("0.20")


def test_record_queries_are_usage_based(make_plan):
    row = _row(make_plan, "google_dns_record_set.r", {"name": "www"}, "    monthly_queries: 100000\n")
    assert row.after.monthly == D("0.04")
    assert "$0.40 per 1M queries" in _row(make_plan, "google_dns_record_set.r", {}).after.components[0].note


def test_a_secret_bills_versions_in_each_replica_access_and_rotations(make_plan):
    usage = "    active_secret_versions: 1000\n    monthly_access_operations: 2000\n    monthly_rotation_notifications: 10\n"
    row = _row(make_plan, "google_secret_manager_secret.s", THREE_REPLICAS, usage)
    assert [round(c.monthly, 2) for c in row.after.components] == [D("180.00"), D("0.01"), D("0.50")]
    automatic = _row(make_plan, "google_secret_manager_secret.s", {"replication": [{"automatic": True}]},
                     "    active_secret_versions: 10000\n    monthly_access_operations: 20000\n"
                     "    monthly_rotation_notifications: 100\n")
    assert [c.monthly for c in automatic.after.components] == [D("600.00"), D("0.06"), D("5.00")]


def test_a_secret_version_is_one_version_in_each_replica_of_its_secret():
    doc = plan_doc(change("google_secret_manager_secret.s", "create", None, THREE_REPLICAS),
                   change("google_secret_manager_secret_version.v", "create", None, {"secret_data": "x"}))
    plan = parse_plan(with_refs(doc, {"google_secret_manager_secret_version.v": {
        "secret": ["google_secret_manager_secret.s.id", "google_secret_manager_secret.s"]}}))
    row = next(r for r in estimate(plan).resources if r.address.endswith("_version.v"))
    assert row.after.components[0].monthly == D("0.18") and "3 replicas" in row.after.components[0].name
    alone = estimate(parse_plan(plan_doc(change("google_secret_manager_secret_version.v", "create", None, {}))))
    assert "assumed: 1 replica" in alone.resources[0].after.components[0].name


def test_pubsub_topics_and_subscriptions_bill_data_and_storage(make_plan):
    assert _row(make_plan, "google_pubsub_topic.t", {}, "    monthly_message_data_tb: 10\n").after.monthly == D("400.00")
    sub = _row(make_plan, "google_pubsub_subscription.s", {},
               "    monthly_message_data_tb: 10\n    storage_gb: 20\n    snapshot_storage_gb: 30\n")
    assert sub.after.monthly == D("413.50")


def test_software_kms_keys_bill_versions_and_operations_and_a_rotating_key_gains_versions(make_plan):
    rotating = _row(make_plan, "google_kms_crypto_key.k", {"rotation_period": "100000s"},
                    "    monthly_key_operations: 10000\n")
    versions, operations = rotating.after.components
    assert versions.quantity == D("25.92") and round(versions.monthly, 2) == D("1.56") and versions.note == ""
    assert operations.monthly == D("0.03")
    plain = _row(make_plan, "google_kms_crypto_key.k", {})
    assert plain.status is Status.USAGE_BASED
    hsm = _row(make_plan, "google_kms_crypto_key.k", {"version_template": [{"protection_level": "HSM"}]})
    assert hsm.status is Status.NOT_PRICED and "HSM" in hsm.reason


@pytest.mark.parametrize("kind", ["google_compute_target_https_proxy", "google_compute_target_tcp_proxy",
                                  "google_compute_region_target_http_proxy"])
def test_target_proxies_bill_proxy_instance_hours_and_data_by_usage(make_plan, kind):
    row = _row(make_plan, f"{kind}.p", {"name": "p"},
               "    monthly_proxy_instances: 10.2\n    monthly_data_processed_gb: 100\n")
    hours, data = row.after.components
    assert (hours.quantity, hours.monthly, data.monthly) == (D("7446.0"), D("186.150"), D("0.800"))
    elsewhere = _row(make_plan, f"{kind}.p", {"name": "p"}, region="europe-west1")
    assert "europe-west1" in elsewhere.reason


@pytest.mark.parametrize("kind", ["google_logging_project_sink", "google_logging_organization_bucket_config"])
def test_log_sinks_and_buckets_bill_the_volume_ingested(make_plan, kind):
    assert _row(make_plan, f"{kind}.l", {"name": "l"}, "    monthly_logging_data_gb: 100\n",
                region="asia-east1").after.monthly == D("50.00")
    assert "$0.50 per GB" in _row(make_plan, f"{kind}.l", {"name": "l"}).after.components[0].note
