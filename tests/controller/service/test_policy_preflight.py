"""The lobby runs the real Rego policies on what is being asked, before a PR exists."""

from __future__ import annotations

from controller.catalog.specs import Target, VmSpec
from controller.repo_config import loads
from controller.service.policy_preflight import preflight_policy

CONFIG = loads(
    "version: 1\n"
    "projects:\n  web:\n    target: local\n    region: local-1\n    quotas: {vm: 1}\n    policy_sets: [base]\n"
    "members:\n  bob: {role: user, github: bob}\n  ann: {role: admin, github: ann}\n"
    "policy_sets:\n  base: {enforcement: hard, policies: [builtin/quotas, builtin/machine-sizes]}\n"
)


def vm(name: str, size: str) -> VmSpec:
    return VmSpec(name=name, project="web", target=Target.LOCAL, region="local-1", requested_by="bob", size=size)


def test_a_request_within_the_rules_passes() -> None:
    view = preflight_policy([vm("a", "small")], CONFIG, "bob", {})
    assert view.passed and view.lines == ("passed",)


def test_quota_counts_what_the_repo_already_holds() -> None:
    view = preflight_policy([vm("a", "small")], CONFIG, "bob", {"vm": 1})
    assert not view.passed and any("quota is 1" in line for line in view.lines)


def test_machine_sizes_follow_the_role() -> None:
    assert not preflight_policy([vm("big", "xlarge")], CONFIG, "bob", {}).passed
    assert preflight_policy([vm("big", "xlarge")], CONFIG, "ann", {}).passed


def test_a_vm_on_a_repo_network_is_not_denied_by_references_before_the_pr() -> None:
    # The synthetic plan holds only the request, not the repo's networks: the chat checks references itself,
    # and the always-on `references` policy judges the PR's real plan.
    on_repo_network = VmSpec(name="a", project="web", target=Target.LOCAL, region="local-1", requested_by="bob",
                             size="small", network="main")
    view = preflight_policy([on_repo_network], CONFIG, "bob", {})
    assert view.passed, view.lines
