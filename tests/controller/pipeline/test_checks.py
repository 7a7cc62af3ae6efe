"""Check run contents: where a denial points in the .tf files, which buttons a plan offers,
and how a pressed button finds its project and pull request again."""

from __future__ import annotations

import pytest

from controller.pipeline import checks

FILES = {
    "main.tf": 'terraform {}\n\nresource "null_resource" "web" {\n  triggers = { a = 1 }\n}\n',
    "vm-big.tf": '# VM big\nresource "google_compute_instance" "big" {\n  machine_type = "n2-standard-64"\n}\n'
                 'data "google_compute_image" "debian" {\n  family = "debian-12"\n}\n',
    "net.tf": 'module "net" {\n  source = "./modules/net"\n}\n',
    "README.md": 'resource "null_resource" "web" {}\n',
}


@pytest.mark.parametrize(("address", "where"), [
    ("null_resource.web", ("main.tf", 3)),
    ("google_compute_instance.big", ("vm-big.tf", 2)),
    ('google_compute_instance.big["blue"]', ("vm-big.tf", 2)),
    ("google_compute_instance.big[0]", ("vm-big.tf", 2)),
    ("data.google_compute_image.debian", ("vm-big.tf", 5)),
    ("module.net.aws_vpc.main", ("net.tf", 1)),
    ('module.net["a"].aws_vpc.main', ("net.tf", 1)),
])
def test_an_address_points_at_the_block_that_declares_it(address: str, where: tuple[str, int]) -> None:
    assert checks.declaration_line(address, FILES) == where


@pytest.mark.parametrize("address", ["null_resource.gone", "", "(project)", "module.other.x.y"])
def test_an_address_declared_nowhere_has_no_line(address: str) -> None:
    assert checks.declaration_line(address, FILES) is None


def test_denials_fail_and_warnings_warn_on_their_lines() -> None:
    violations = [
        {"policy": "machine-sizes", "resource": "google_compute_instance.big", "msg": "n2-standard-64 is xlarge",
         "severity": "deny", "enforcement": "hard", "advisory": False},
        {"policy": "labels", "resource": "null_resource.web", "msg": "no owner label", "severity": "warn",
         "enforcement": "advisory", "advisory": False},
        {"policy": "budget", "resource": "", "msg": "over budget", "severity": "deny", "enforcement": "soft"},
    ]
    notes = checks.policy_annotations(violations, FILES, "projects/web")
    assert [(n.path, n.start_line, n.level) for n in notes] == [
        ("projects/web/vm-big.tf", 2, "failure"), ("projects/web/main.tf", 3, "warning")]
    assert notes[0].title == "policy machine-sizes: denied (blocks apply)"
    assert notes[0].message == "google_compute_instance.big: n2-standard-64 is xlarge"


def test_terraform_diagnostics_with_a_place_become_annotations() -> None:
    notes = checks.diagnostic_annotations([
        {"severity": "error", "summary": "Unsupported argument", "detail": 'An argument named "sizee" is not expected here.',
         "filename": "main.tf", "line": 4},
        {"severity": "error", "summary": "No place", "detail": "", "filename": None, "line": None},
    ], "projects/web")
    assert [(n.path, n.start_line, n.level, n.title) for n in notes] == [
        ("projects/web/main.tf", 4, "failure", "Unsupported argument")]


def facts(**overrides: object) -> checks.PlanFacts:
    base = dict(project="web", pr_number=7, run_id="r1", summary_line="Plan: 1 to add, 0 to change, 0 to destroy.",
                diff_text="+ null_resource.web", has_changes=True, apply_on="approve", policy_passed=True,
                policy_summary="passed 3 policies", policy_markdown="✅ **Policies passed**", policy_overridable=False,
                cost_summary="+$3.00/month")
    return checks.PlanFacts(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize(("overrides", "conclusion", "buttons"), [
    ({}, "success", ["apply", "replan"]),
    ({"apply_on": "merge"}, "success", ["replan"]),
    ({"has_changes": False, "summary_line": "No changes."}, "success", ["replan"]),
    ({"policy_passed": False}, "failure", ["replan"]),
    ({"policy_passed": False, "policy_overridable": True}, "action_required", ["replan"]),
])
def test_a_plan_offers_apply_only_where_pressing_it_could_apply(overrides: dict, conclusion: str,
                                                                buttons: list[str]) -> None:
    spec = checks.plan_ready(facts(**overrides), ())
    assert spec.conclusion == conclusion
    assert [a.identifier for a in spec.actions] == buttons
    assert spec.name == "cloudops plan: web" and spec.external_id == "cloudops:plan:web:7"


def test_the_summary_tells_plan_cost_and_policy_and_says_when_they_are_unknown() -> None:
    told = checks.plan_ready(facts(), ()).summary
    assert "+$3.00/month" in told and "passed 3 policies" in told
    unknown = checks.plan_ready(facts(cost_summary=None, policy_summary=None), ()).summary
    assert "cost not estimated" in unknown and "no policies ran" in unknown


def test_the_diff_goes_in_a_fence_that_its_own_backticks_cannot_close() -> None:
    spec = checks.plan_ready(facts(diff_text='+ triggers = { cmd = "```" }'), ())
    assert spec.text is not None and spec.text.startswith("````diff")


@pytest.mark.parametrize(("text", "parsed"), [
    ("cloudops:plan:web:7", checks.CheckRef("plan", "web", 7)),
    ("cloudops:apply:db-2:12", checks.CheckRef("apply", "db-2", 12)),
    ("cloudops:plan:web:-", checks.CheckRef("plan", "web", None)),
    ("cloudops:plan:Web:7", None), ("someone-else:plan:web:7", None), ("", None), ("cloudops:plan:web:7:x", None),
])
def test_a_pressed_button_finds_its_project_again_from_the_external_id(text: str, parsed: object) -> None:
    assert checks.parse_external_id(text) == parsed
