"""Policy evaluation time for a synthetic 5,000-resource plan (target < 1 s).

Run: .venv/bin/python benchmarks/bench_policy.py [N]

The plan mixes what the local target renders (null_resource with the spec in
triggers) and cloud resources with realistic attribute counts: 5,000 creates
of which a few break policies, so each violation path is exercised. Timed
separately: parsing the document, building the input, the first evaluation
(compiles the policies into a bundle) and warm evaluations (what a controller
that keeps its engine pays per plan).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from controller.catalog.specs import Kind, Target  # noqa: E402
from controller.policy.engine import PolicyEngine, Selected, attribute_names  # noqa: E402
from controller.policy.inputs import Actor, build_input  # noqa: E402
from controller.repo_config import Enforcement, ProjectConfig, Role  # noqa: E402
from controller.terraform.plan import parse_plan  # noqa: E402


def _labels(i: int) -> dict[str, str]:
    labels = {"managed-by": "cloudops", "requested-by": "alice", "project": "shop", "team": "web", "env": "prod"}
    if i % 997 == 0:
        labels.pop("requested-by")  # a few resources break required-labels
    return labels


def _resource(i: int) -> dict:
    kind = i % 4
    if kind == 0:
        rtype, provider = "google_sql_database_instance", "registry.terraform.io/hashicorp/google"
        after = {"name": f"db-{i}", "region": "us-central1", "database_version": "POSTGRES_16", "deletion_protection": True,
                 "settings": [{"tier": "db-f1-micro", "user_labels": _labels(i), "disk_size": 20, "disk_type": "PD_SSD",
                               "availability_type": "ZONAL", "backup_configuration": [{"enabled": True}]}]}
    elif kind == 1:
        rtype, provider = "google_compute_instance", "registry.terraform.io/hashicorp/google"
        after = {"name": f"vm-{i}", "machine_type": "e2-medium" if i % 1001 else "n2-standard-8", "zone": "us-central1-a",
                 "labels": _labels(i), "can_ip_forward": False, "deletion_protection": False, "description": None,
                 "boot_disk": [{"auto_delete": True, "initialize_params": [{"image": "debian-cloud/debian-12", "size": 20}]}],
                 "network_interface": [{"network": "default", "access_config": []}], "metadata": None,
                 "scheduling": [{"automatic_restart": True, "on_host_maintenance": "MIGRATE", "preemptible": False}],
                 "service_account": [], "tags": None, "allow_stopping_for_update": None}
    elif kind == 2:
        rtype, provider = "google_storage_bucket", "registry.terraform.io/hashicorp/google"
        after = {"name": f"bucket-{i}", "location": "US-CENTRAL1", "storage_class": "STANDARD", "labels": _labels(i),
                 "force_destroy": False, "uniform_bucket_level_access": True, "public_access_prevention": "enforced",
                 "versioning": [{"enabled": True}], "lifecycle_rule": [], "cors": [], "logging": [], "retention_policy": []}
    else:
        rtype, provider = "google_compute_disk", "registry.terraform.io/hashicorp/google"
        after = {"name": f"disk-{i}", "zone": "us-central1-b", "size": 50, "type": "pd-balanced", "labels": _labels(i),
                 "image": None, "snapshot": None, "physical_block_size_bytes": None}
    return {"address": f"{rtype}.r{i}", "mode": "managed", "type": rtype, "name": f"r{i}", "provider_name": provider,
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {"id": True},
                       "before_sensitive": False, "after_sensitive": {}}}


def synthetic_plan(n: int) -> dict:
    changes = [_resource(i) for i in range(n)]
    config = [{"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
               "provider_config_key": c["type"].split("_")[0], "expressions": {"name": {"constant_value": c["name"]}},
               "schema_version": 0} for c in changes]
    return {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes,
            "configuration": {"provider_config": {"google": {"name": "google", "full_name": "registry.terraform.io/hashicorp/google"}},
                              "root_module": {"resources": config}}}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    text = json.dumps(synthetic_plan(n))
    t0 = time.perf_counter()
    plan = parse_plan(text)
    t1 = time.perf_counter()
    engine = PolicyEngine()
    selected = [Selected(p, Enforcement.HARD, "bench") for p in engine.library.policies.values()]
    project = ProjectConfig(name="shop", target=Target.GCP, region="us-central1", quotas={Kind.VM: 10_000, Kind.BUCKET: 10_000, Kind.DATABASE: 10_000})
    document = build_input(plan, project=project, actor=Actor(id="bob", role=Role.USER),
                           usage={"vm": 3, "bucket": 1},
                           cost={"monthly_before": 100.0, "monthly_after": 4000.0, "delta": 3900.0, "budget": 5000.0, "not_priced": 0},
                           keep=attribute_names(selected, engine.library))
    t2 = time.perf_counter()
    result = engine.evaluate(document, selected, project="shop")
    t3 = time.perf_counter()
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        engine.evaluate(document, selected, project="shop")
        warm.append(time.perf_counter() - start)
    print(f"policy evaluation, {n} resource changes, {len(selected)} policies, {len(text) / 1e6:.1f} MB plan JSON")
    print(f"  parse_plan            {t1 - t0:7.3f} s")
    print(f"  build_input           {t2 - t1:7.3f} s")
    print(f"  evaluate (first, compiles)  {t3 - t2:7.3f} s")
    print(f"  evaluate (warm, median of 3) {statistics.median(warm):7.3f} s")
    print(f"  total per plan, warm engine  {t2 - t1 + statistics.median(warm):7.3f} s  (target < 1 s)")
    print(f"  verdict: {len(result.denies)} denied, {len(result.warns)} warnings")


if __name__ == "__main__":
    main()
