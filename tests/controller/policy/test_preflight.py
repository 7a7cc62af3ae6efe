from __future__ import annotations

import pytest

from controller.catalog.specs import BucketSpec, ClusterSpec, Target, VmSpec
from controller.errors import ServiceError
from controller.policy import inputs
from controller.policy.preflight import preflight, synthetic_plan
from controller.terraform.plan_parser import parse_plan

from .conftest import NOW


def _vm(name: str, size: str = "e2-small", region: str = "us-central1", target: Target = Target.GCP, **kw) -> VmSpec:
    return VmSpec(name=name, project=kw.pop("project", "shop"), target=target, region=region, requested_by="bob", size=size, **kw)


def test_the_synthetic_plan_is_a_plan_document() -> None:
    plan = parse_plan(synthetic_plan([_vm("web"), BucketSpec(name="b", project="shop", target=Target.GCP, region="us-central1",
                                                            requested_by="bob", storage_class="STANDARD")]))
    assert [rc.action.value for rc in plan.resource_changes] == ["create", "create"]


def test_a_clean_request_passes(config) -> None:
    bob = inputs.actor_for(config, "shop", github="bob", now=NOW)
    assert preflight([_vm("web")], config, bob, {"vm": 0}, now=NOW).passed


def test_quota_exceeded_before_a_pr_exists(config) -> None:
    bob = inputs.actor_for(config, "shop", github="bob", now=NOW)
    result = preflight([_vm("web")], config, bob, {"vm": 2}, now=NOW)
    assert [v.policy for v in result.denies] == ["quotas"]


def test_region_not_allowed_and_size_too_big(config) -> None:
    bob = inputs.actor_for(config, "shop", github="bob", now=NOW)
    result = preflight([_vm("web", size="e2-standard-8", region="europe-west1")], config, bob, {}, now=NOW)
    assert sorted(v.policy for v in result.denies) == ["machine-sizes", "regions"]


def test_clusters_need_an_admin(config) -> None:
    spec = ClusterSpec(name="k", project="shop", target=Target.GCP, region="us-central1", requested_by="bob", node_size="e2-medium")
    bob = inputs.actor_for(config, "shop", github="bob", now=NOW)
    alice = inputs.actor_for(config, "shop", github="alice", now=NOW)
    assert [v.policy for v in preflight([spec], config, bob, {}, now=NOW).denies] == ["clusters"]
    assert preflight([spec], config, alice, {}, now=NOW).passed


@pytest.mark.parametrize("target,region,size", [(Target.AWS, "us-east-1", "t3.small"), (Target.AZURE, "eastus", "Standard_B1s"),
                                                (Target.LOCAL, "local-1", "small")])
def test_every_target_is_judged_by_region(config, target, region, size) -> None:
    from controller.repo_config import loads
    cfg = loads(f"version: 1\nprojects:\n  p:\n    target: {target.value}\n    region: {region}\n    policy_sets: [s]\n"
                "policy_sets:\n  s: {policies: [builtin/regions, builtin/required-labels, builtin/machine-sizes]}\n")
    actor = inputs.Actor(id="bob", role=inputs.Role.USER)
    assert preflight([_vm("web", size=size, region=region, target=target, project="p")], cfg, actor, {}).passed
    other = [r for r in cfg.projects["p"].target and __import__("controller.catalog.offerings", fromlist=["x"]).offerings(target).regions if r != region][0]
    bad = preflight([_vm("web", size=size, region=other, target=target, project="p")], cfg, actor, {})
    assert [v.policy for v in bad.denies] == ["regions"]


def test_specs_of_several_projects_are_refused(config) -> None:
    with pytest.raises(ServiceError):
        preflight([_vm("a"), _vm("b", project="sandbox")], config, inputs.Actor(id="x"), {})
