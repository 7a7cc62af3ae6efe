"""The facts the built-in policies read (facts.change_facts) agree with the
resource-change helpers of policies/lib/cloudops.rego on real plans."""

from __future__ import annotations

import json

import pytest

from controller.catalog.specs import Target
from controller.policy import engine, inputs, library, rego
from controller.repo_config import Enforcement, ProjectConfig
from controller.terraform.plan_parser import parse_plan

from .conftest import PLANS

PLAN_FILES = sorted((PLANS / "real").glob("*.json")) + sorted((PLANS / "null").glob("*.json"))


def _lib_interpreter():
    lib = library.builtin_library()
    return rego.interpreter(lib.helpers)


@pytest.mark.parametrize("path", PLAN_FILES, ids=[p.name for p in PLAN_FILES])
def test_facts_match_the_lib_helpers(path) -> None:
    plan = parse_plan(path.read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.AWS, region="us-east-1"))
    by_address = {a: c for c in doc["changes"] for a in c["addresses"]}
    interp = _lib_interpreter()
    for rc in doc["plan"]["resource_changes"]:
        fact = by_address[rc["address"]]
        rego.set_input(interp, {"rc": rc, "inp": {"catalog": doc["catalog"], "provider_regions": doc["provider_regions"]}})
        def one(expr: str):
            found = rego.query(interp, f"[x | x := {expr}]")
            return found[0] if found else None

        action = one("data.cloudops.lib.action(input.rc)")
        region = one("data.cloudops.lib.region_of(input.rc, input.inp)")
        kind = one("data.cloudops.lib.kind_of(input.rc, input.inp)")
        labels = one("data.cloudops.lib.labels(data.cloudops.lib.after(input.rc))")
        taggable = one("data.cloudops.lib.taggable(data.cloudops.lib.after(input.rc))") is True
        assert (fact["action"], fact["region"], fact["kind"]) == (action, region, kind), rc["address"]
        assert (fact["labels"] is not None) == taggable, rc["address"]
        if taggable:
            assert fact["labels"] == labels, rc["address"]


def test_changes_differing_only_by_address_share_one_fact() -> None:
    changes = [{"address": f"aws_instance.w{i}", "mode": "managed", "type": "aws_instance", "name": f"w{i}",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": None,
                           "after": {"ami": f"ami-{i}", "instance_type": "t3.micro", "tags": {"project": "p"}}}}
               for i in range(50)]
    lib = library.builtin_library()
    needs = engine.input_needs([engine.Selected(p, Enforcement.HARD, "s") for p in lib.policies.values()], lib)
    doc = inputs.build_input({"format_version": "1.2", "resource_changes": changes},
                             project=ProjectConfig(name="p", target=Target.AWS, region="us-east-1"), needs=needs)
    assert "plan" not in doc and len(doc["changes"]) == 1
    assert doc["changes"][0]["addresses"] == [f"aws_instance.w{i}" for i in range(50)]


def test_built_in_policies_do_not_get_the_plan_and_repo_policies_do(tmp_path) -> None:
    (tmp_path / "no-gpu.rego").write_text(
        "package team.no_gpu\nimport rego.v1\ndeny contains \"gpu\" if { some rc in input.plan.resource_changes; "
        "rc.change.after.guest_accelerator }\n")
    lib = library.load_library(tmp_path)
    chosen = [engine.Selected(lib.get("builtin/regions"), Enforcement.HARD, "s")]
    assert engine.input_needs(chosen, lib).plan is False
    chosen.append(engine.Selected(lib.get("no-gpu"), Enforcement.HARD, "s"))
    needs = engine.input_needs(chosen, lib)
    assert needs.plan and "guest_accelerator" in needs.keep
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "google_compute_instance.g", "mode": "managed", "type": "google_compute_instance", "name": "g",
         "provider_name": "registry.terraform.io/hashicorp/google",
         "change": {"actions": ["create"], "before": None,
                    "after": {"zone": "europe-west1-b", "guest_accelerator": [{"type": "nvidia-tesla-t4"}]}}}]}
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.GCP, region="us-central1"), needs=needs)
    result = engine.PolicyEngine(lib).evaluate(doc, chosen, project="p")
    assert sorted(v.policy for v in result.denies) == ["no-gpu", "regions"]
    assert json.dumps(doc)  # plain JSON values only
