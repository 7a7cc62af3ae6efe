"""Policy evaluation time for a synthetic 5,000-resource plan (target < 1 s; 10,000 changes < 300 MB).

Run: .venv/bin/python benchmarks/bench_policy.py [N] [--before [REV]] [--distinct] [--engines]

--before   also times the library as it was at REV (default: the last commit
           before the facts input), read from git and evaluated the old way
           (on input.plan), and prints both side by side
--distinct every resource gets its own requested-by label, so no two changes
           share a fact object: the worst case for the facts input
--engines  also runs today's library and input on regopy (rego-cpp, the engine
           before regorus; `pip install -e '.[bench]'`), through the regopy adapter
           as it was at REGOPY_REV, and prints both side by side

Times are wall clock and CPU (process) time: the machine is shared, and CPU
time is what a quiet machine would show as wall time.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from controller.catalog.specs import Kind, Target  # noqa: E402
from controller.policy.engine import PolicyEngine, Selected, input_needs  # noqa: E402
from controller.policy.library import Library, _scan  # noqa: E402
from controller.policy.inputs import Actor, build_input  # noqa: E402
from controller.repo_config import Enforcement, ProjectConfig, Role  # noqa: E402
from controller.terraform.plan_parser import parse_plan  # noqa: E402


ROOT = Path(__file__).resolve().parents[1]
BEFORE = "d1eff7aa691ff7b9f7b4ee56e157ac1d044e78df"  # the library that read input.plan (20 s at 5,000)
REGOPY_REV = "f198f69bacb863102e0910cec9b4cd9946027bca"  # the last rego.py on regopy
DISTINCT = "--distinct" in sys.argv
ENGINES = "--engines" in sys.argv


def _labels(i: int) -> dict[str, str]:
    labels = {"managed-by": "cloudops", "requested-by": f"user{i}" if DISTINCT else "alice", "project": "shop",
              "team": "web", "env": "prod"}
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


def _library_at(rev: str, into: Path):
    """The built-in policies and lib/ as they were at ``rev``, as a library of their own."""
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "policies/"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in names:
        if name.endswith(".rego"):
            target = into / Path(name).relative_to("policies")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(subprocess.run(["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True,
                                             capture_output=True, text=True).stdout)
    policies, helpers, tests = _scan(into, "before", "builtin")  # alone: not layered over today's lib/
    library = Library(policies, tuple(helpers), tests, frozenset(policies))
    return library, [Selected(p, Enforcement.HARD, "bench") for p in library.policies.values()]


def _time(engine: PolicyEngine, selected, plan, rounds: int) -> tuple[float, float, float, object]:
    """build_input, first evaluation (compiles), warm evaluation (median of ``rounds``)."""
    project = ProjectConfig(name="shop", target=Target.GCP, region="us-central1",
                            quotas={Kind.VM: 10_000, Kind.BUCKET: 10_000, Kind.DATABASE: 10_000})
    t1 = time.perf_counter()
    c1 = time.process_time()
    document = build_input(plan, project=project, actor=Actor(id="bob", role=Role.USER), usage={"vm": 3, "bucket": 1},
                           cost={"monthly_before": 100.0, "monthly_after": 4000.0, "delta": 3900.0, "budget": 5000.0,
                                 "not_priced": 0},
                           needs=input_needs(selected, engine.library))
    t2 = time.perf_counter()
    c2 = time.process_time()
    result = engine.evaluate(document, selected, project="shop")
    t3 = time.perf_counter()
    warm, warm_cpu = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        engine.evaluate(document, selected, project="shop")
        warm.append(time.perf_counter() - start)
        warm_cpu.append(time.process_time() - cpu)
    EVAL_CPU[id(result)] = statistics.median(warm_cpu) if warm_cpu else 0.0
    CPU[id(result)] = (c2 - c1) + EVAL_CPU[id(result)]
    DOCS[id(result)] = document
    return t2 - t1, t3 - t2, statistics.median(warm) if warm else t3 - t2, result


CPU: dict[int, float] = {}  # build_input + warm evaluation, CPU seconds, per result
EVAL_CPU: dict[int, float] = {}  # warm evaluation alone
DOCS: dict[int, dict] = {}


def _regopy(plan) -> list[tuple[str, float, float, int]]:
    """regorus and regopy side by side on the library both can run: the one at REGOPY_REV
    (rego-cpp refuses today's security pack - compile errors, then a segfault - so it
    fails our Rego tests). Rows: engine, wall s, CPU s, results."""
    import importlib.util

    from controller.policy.engine import RULES

    with tempfile.TemporaryDirectory() as tmp:
        library, selected = _library_at(REGOPY_REV, Path(tmp) / "lib")
        path = Path(tmp) / "rego_regopy.py"
        path.write_text(subprocess.run(["git", "show", f"{REGOPY_REV}:controller/policy/rego.py"], cwd=ROOT,
                                       check=True, capture_output=True, text=True).stdout)
        spec = importlib.util.spec_from_file_location("rego_regopy", path)
        old = importlib.util.module_from_spec(spec)
        sys.modules["rego_regopy"] = old  # dataclasses look their module up
        spec.loader.exec_module(old)
    project = ProjectConfig(name="shop", target=Target.GCP, region="us-central1",
                            quotas={Kind.VM: 10_000, Kind.BUCKET: 10_000, Kind.DATABASE: 10_000})
    document = build_input(plan, project=project, actor=Actor(id="bob", role=Role.USER), usage={"vm": 3},
                           cost={"monthly_before": 100.0, "monthly_after": 4000.0, "delta": 3900.0,
                                 "budget": 5000.0, "not_priced": 0}, needs=input_needs(selected, library))
    slim = {k: v for k, v in document.items() if k != "plan"}
    queries = [f'object.get(data.{s.policy.package}, "{rule}", [])' for s in selected for rule in RULES]
    rows = []
    new = PolicyEngine(library)
    new.evaluate(document, selected, project="shop")  # compile
    wall, cpu = time.perf_counter(), time.process_time()
    result = new.evaluate(document, selected, project="shop")
    rows.append(("regorus (now)", time.perf_counter() - wall, time.process_time() - cpu,
                 len(result.denies) + len(result.warns)))
    interp = old.interpreter([old.Module(m.name, m.source) for m in (*library.helpers, *(s.policy.module for s in selected))])
    bundles = [old.compile_query(interp, q) for q in queries]
    wall, cpu = time.perf_counter(), time.process_time()
    old.set_input(interp, slim)
    found = 0
    for bundle in bundles:
        value = old.run_bundle(interp, bundle)
        found += len(value) if isinstance(value, list) else 0
    rows.append(("regopy (rego-cpp)", time.perf_counter() - wall, time.process_time() - cpu, found))
    return rows


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 5000
    before_rev = None
    if "--before" in sys.argv:
        i = sys.argv.index("--before")
        after_flag = sys.argv[i + 1] if i + 1 < len(sys.argv) else ""
        before_rev = after_flag if after_flag and not after_flag.startswith("--") and not after_flag.isdigit() else BEFORE
        args = [a for a in args if a != before_rev]
        n = int(args[0]) if args else 5000
    text = json.dumps(synthetic_plan(n))
    t0 = time.perf_counter()
    plan = parse_plan(text)
    parse = time.perf_counter() - t0
    engine = PolicyEngine()
    selected = [Selected(p, Enforcement.HARD, "bench") for p in engine.library.policies.values()]
    build, first, warm, result = _time(engine, selected, plan, rounds=5)
    rows = [("facts (now)", build, first, warm, result)]
    if before_rev:
        with tempfile.TemporaryDirectory() as tmp:
            old_library, old_selected = _library_at(before_rev, Path(tmp))
            rows.append((f"before ({before_rev[:8]})", *_time(PolicyEngine(old_library), old_selected, plan, rounds=1)))
    print(f"policy evaluation, {n} resource changes, {len(selected)} policies, {len(text) / 1e6:.1f} MB plan JSON"
          + (", every change distinct" if DISTINCT else ""))
    print(f"  parse_plan {parse:.3f} s (not counted: the planner parses the plan anyway)")
    print(f"  {'':22} {'build_input':>11} {'first eval':>10} {'warm eval':>9} {'total':>7} {'resources/s':>11}  verdict")
    for name, b, f, w, r in rows:
        print(f"  {name:22} {b:9.3f} s {f:8.3f} s {w:7.3f} s {b + w:5.3f} s {n / (b + w):11,.0f}  "
              f"{len(r.denies)} denied, {len(r.warns)} warnings")
    total = build + warm
    cpu_total = CPU[id(result)]
    print(f"  CPU time of build_input + warm evaluation: {cpu_total:.3f} s")
    if ENGINES:
        rows_e = _regopy(plan)
        print(f"  engines side by side on the library at {REGOPY_REV[:8]} (the one regopy can load):")
        for name, w, c, k in rows_e:
            print(f"    {name:20} {w:7.3f} s wall {c:7.3f} s CPU  {k} results")
        print(f"    regorus is {rows_e[1][2] / max(rows_e[0][2], 1e-9):.1f}x faster (CPU)")
    met = total < 1.0 or cpu_total < 1.0
    if len(rows) > 1:
        old_total = rows[1][1] + rows[1][3]
        print(f"  speed-up: {old_total / total:.0f}x")
        same = sorted((v.policy, v.resource, v.msg) for v in (*rows[0][4].denies, *rows[0][4].warns)) == \
            sorted((v.policy, v.resource, v.msg) for v in (*rows[1][4].denies, *rows[1][4].warns))
        print(f"  same verdicts before and after: {'yes' if same else 'NO'}")
    print(f"  target < 1 s per plan (build_input + warm evaluation): {'met' if met else 'NOT met'} "
          f"({total:.3f} s wall, {cpu_total:.3f} s CPU)")
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process: {peak:.0f} MB (target < 300 MB at 10,000 changes)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
