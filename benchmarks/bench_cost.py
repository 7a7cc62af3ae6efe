"""Cost a synthetic 10,000-resource plan; print resources per second (target: whole plan < 1 s).

Run: .venv/bin/python benchmarks/bench_cost.py [N]
"""

from __future__ import annotations

import sys
import time
from typing import Any

from controller.cost import estimate, render
from controller.cost.catalog import default_catalog
from controller.terraform.plan_parser import parse_plan

MACHINES = ["e2-micro", "e2-small", "e2-medium", "e2-standard-2", "e2-standard-4", "n2-standard-2", "n2-standard-8"]
ZONES = ["us-central1-a", "europe-west1-b", "asia-northeast1-a", "europe-west3-c"]
ACTIONS = [["create"], ["update"], ["delete"], ["delete", "create"], ["no-op"]]


def _vm(i: int) -> dict[str, Any]:
    return {"machine_type": MACHINES[i % len(MACHINES)], "zone": ZONES[i % len(ZONES)],
            "boot_disk": [{"initialize_params": [{"size": 10 + i % 50, "type": "pd-balanced"}]}]}


def synthetic_plan(n: int) -> dict[str, Any]:
    changes = []
    for i in range(n):
        kind = i % 10
        if kind < 6:
            rtype, before, after = "google_compute_instance", _vm(i), _vm(i + 1)
        elif kind < 8:
            rtype = "null_resource"
            trig = {"cloudops_kind": "vm", "cloudops_target": "local", "region": "local-1", "project": f"p{i % 7}",
                    "disk_gb": "20", "price_profile": "gcp/e2-small"}
            before, after = {"triggers": trig}, {"triggers": trig}
        elif kind == 8:
            rtype, before, after = "google_compute_network", {"name": "n"}, {"name": "n"}
        else:
            rtype, before, after = "google_bigtable_instance", {"name": "b"}, {"name": "b"}
        actions = ACTIONS[i % len(ACTIONS)]
        changes.append({
            "address": f"{rtype}.r{i}", "mode": "managed", "type": rtype, "name": f"r{i}", "provider_name": "x",
            "change": {"actions": actions, "before": None if actions == ["create"] else before,
                       "after": None if actions == ["delete"] else after, "after_unknown": {}},
        })
    return {"format_version": "1.0", "terraform_version": "1.5.7", "planned_values": {"root_module": {}},
            "resource_changes": changes, "configuration": {}}


def main(n: int = 10_000) -> int:
    default_catalog()  # loaded once per process; not part of costing a plan
    plan = parse_plan(synthetic_plan(n))
    start = time.perf_counter()
    est = estimate.estimate(plan)
    priced = time.perf_counter()
    render.markdown(est)
    render.as_json(est)
    done = time.perf_counter()
    print(f"resources: {n}")
    print(f"estimate: {priced - start:.3f} s ({n / (priced - start):,.0f} resources/s)")
    print(f"estimate + markdown + json: {done - start:.3f} s ({n / (done - start):,.0f} resources/s)")
    costed = priced - start
    print(f"target: plan costed in < 1 s: {'met' if costed < 1 else 'MISSED'} ({costed:.3f} s); "
          f"total after {render.money(est.after)}")
    return 0 if costed < 1 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
