"""Pre-flight in chat: per-spec prices and running totals equal the catalog arithmetic."""

from __future__ import annotations

from decimal import Decimal as D

from controller.catalog.specs import BucketSpec, ClusterSpec, DatabaseSpec, NetworkSpec, Target, VmSpec
from controller.cost import preflight
from controller.cost.components import Status

H = D(730)
COMMON = {"project": "shop", "requested_by": "alice"}
# local-1 is priced as gcp us-central1 (pricing/local.yaml)
E2_SMALL, E2_MEDIUM, E2_STD_2 = D("0.016752855"), D("0.03350571"), D("0.06701142")
PD_STANDARD, PD_SSD_SQL = D("0.04"), D("0.17")
SQL_VCPU, SQL_GB = D("0.0413"), D("0.007")


def test_running_total_adds_each_priced_spec():
    vm = VmSpec(name="web", target=Target.LOCAL, region="local-1", size="small", **COMMON)  # 20 GB default disk
    db = DatabaseSpec(name="db", target=Target.LOCAL, region="local-1", engine="postgres", version="16", tier="medium",
                      storage_gb=20, **COMMON)  # medium = gcp/db-custom-2-7680
    net = NetworkSpec(name="net", target=Target.LOCAL, region="local-1", cidr="10.0.0.0/16", **COMMON)
    pf = preflight.preflight([vm, db, net])
    vm_cost = E2_SMALL * H + 20 * PD_STANDARD
    db_cost = (2 * SQL_VCPU + D(7680) / 1024 * SQL_GB) * H + 20 * PD_SSD_SQL
    assert [line.monthly for line in pf.lines] == [vm_cost, db_cost, 0]  # a network is free, known to be
    assert [line.running_total for line in pf.lines] == [vm_cost, vm_cost + db_cost, vm_cost + db_cost]
    assert pf.lines[2].cost.status is Status.FREE
    assert preflight.line_text(pf.lines[0]).startswith("vm web: $")


def test_cloud_specs_use_the_same_pricers_as_plans():
    vm = VmSpec(name="g", target=Target.GCP, region="us-central1", size="e2-standard-2", disk_gb=30, **COMMON)
    cluster = ClusterSpec(name="k", target=Target.GCP, region="us-central1", node_size="e2-medium", node_count=2, **COMMON)
    pf = preflight.preflight([vm, cluster])
    assert pf.lines[0].monthly == E2_STD_2 * H + 30 * PD_STANDARD
    assert pf.lines[1].monthly == D("0.10") * H + 2 * E2_MEDIUM * H  # GKE fee + two nodes
    assert pf.total == pf.lines[0].monthly + pf.lines[1].monthly


def test_unpriced_spec_is_not_priced_and_not_counted_as_zero():
    priced = VmSpec(name="a", target=Target.GCP, region="us-central1", size="e2-standard-2", **COMMON)
    unpriced = DatabaseSpec(name="z", target=Target.AZURE, region="eastus", engine="postgres", version="16",
                            tier="MO_Standard_E4ds_v4", storage_gb=32, **COMMON)
    pf = preflight.preflight([priced, unpriced])
    assert pf.lines[1].cost.status is Status.NOT_PRICED and pf.lines[1].monthly is None
    assert pf.total == pf.lines[0].monthly and pf.not_priced == 1
    text = preflight.chat_text(pf)
    assert "database z: not priced" in text and "(+ 1 not priced)" in text


def test_bucket_is_usage_based_with_its_unit_price():
    bucket = BucketSpec(name="assets", target=Target.LOCAL, region="local-1", storage_class="standard", **COMMON)
    line = preflight.preflight([bucket]).lines[0]
    assert line.cost.status is Status.USAGE_BASED and line.running_total == 0
    assert "$0.02 per GB-month" in preflight.line_text(line)
