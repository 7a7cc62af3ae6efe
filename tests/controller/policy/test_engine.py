from __future__ import annotations

import json

import pytest

from controller.errors import ConfigError, NotAllowed
from controller.policy import engine, inputs, library
from controller.policy.result import Severity
from controller.repo_config import Enforcement, ProjectConfig, Role
from controller.catalog.specs import Kind, Target
from controller.terraform.plan_parser import parse_plan

from .conftest import NOW, PLANS

REAL = sorted((PLANS / "real").glob("*.json")) + sorted((PLANS / "null").glob("*.json"))
TARGETS = {"aws": (Target.AWS, "us-east-1"), "google": (Target.GCP, "us-central1"), "azurerm": (Target.AZURE, "eastus")}


def _all(lib: library.Library, enforcement: Enforcement = Enforcement.HARD) -> list[engine.Selected]:
    return [engine.Selected(p, enforcement, "test") for p in lib.policies.values()]


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_plan_documents_evaluate_without_error(path) -> None:
    target, region = TARGETS.get(path.name.split("_")[0], (Target.LOCAL, "local-1"))
    plan = parse_plan(path.read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="example", target=target, region=region, quotas={Kind.VM: 1}),
                             actor=inputs.Actor(id="bob", role=Role.USER), usage={"vm": 1},
                             cost={"monthly_before": 1.0, "monthly_after": 2.0, "delta": 1.0, "budget": 10.0, "not_priced": 0})
    result = engine.PolicyEngine().evaluate(doc, _all(library.builtin_library()), project="example")
    assert not [v for v in result.denies if "could not be evaluated" in v.msg]
    assert len(result.evaluated) == len(library.builtin_library().policies)


def test_sensitive_values_never_reach_the_input() -> None:
    plan = parse_plan((PLANS / "null" / "create.json").read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.LOCAL, region="local-1"))
    assert "hunter2-s3cr3t-pw" not in json.dumps(doc)


def test_a_real_plan_breaking_policies_yields_named_denials() -> None:
    plan = parse_plan((PLANS / "real" / "aws_1.1_checkov_create_delete.json").read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="example", target=Target.AWS, region="us-east-1"),
                             actor=inputs.Actor(id="bob", role=Role.USER))
    result = engine.PolicyEngine().evaluate(doc, _all(library.builtin_library()), project="example")
    by_policy = {v.policy: v for v in result.denies}
    assert by_policy["regions"].resource == "aws_secretsmanager_secret.default"
    assert "us-west-2" in by_policy["regions"].msg
    assert "needs the admin role" in by_policy["deletions"].msg
    assert not result.passed


def test_advisory_denials_are_shown_as_warnings() -> None:
    plan = parse_plan((PLANS / "real" / "aws_1.1_checkov_create_delete.json").read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="example", target=Target.AWS, region="us-east-1"))
    result = engine.PolicyEngine().evaluate(doc, _all(library.builtin_library(), Enforcement.ADVISORY), project="example")
    assert result.passed and not result.denies
    assert any(v.advisory and v.severity is Severity.WARN for v in result.warns)


def test_soft_denials_are_overridable_and_hard_ones_are_not(config) -> None:
    plan = parse_plan((PLANS / "null" / "destroy.json").read_text())
    bob = inputs.actor_for(config, "sandbox", github="bob", now=NOW)
    soft = engine.check_plan(plan, config=config, project="sandbox", actor=bob, now=NOW)
    assert soft.passed  # deletions are not in the soft set
    vm = {"format_version": "1.2", "resource_changes": [{
        "address": "null_resource.vm_big", "mode": "managed", "type": "null_resource", "provider_name": "registry.terraform.io/hashicorp/null",
        "change": {"actions": ["create"], "before": None, "after": {"triggers": {"cloudops_kind": "vm", "size": "xlarge"}}}}]}
    result = engine.check_plan(vm, config=config, project="sandbox", actor=bob, now=NOW)
    assert result.denied and result.overridable and not result.passed
    assert result.override("alice").passed
    hard = engine.check_plan(vm | {"resource_changes": [{**vm["resource_changes"][0], "change": {
        "actions": ["create"], "before": None, "after": {"triggers": {"cloudops_kind": "vm", "size": "xlarge", "region": "local-1"}}}}]},
        config=config, project="shop", actor=inputs.actor_for(config, "shop", github="bob", now=NOW), now=NOW)
    assert hard.denied and not hard.overridable
    with pytest.raises(NotAllowed):
        hard.override("alice")


def test_an_expired_grant_no_longer_allows(config) -> None:
    cluster = {"format_version": "1.2", "resource_changes": [{
        "address": "google_container_cluster.k", "mode": "managed", "type": "google_container_cluster",
        "provider_name": "registry.terraform.io/hashicorp/google",
        "change": {"actions": ["create"], "before": None, "after": {"location": "us-central1", "resource_labels": {
            "managed-by": "cloudops", "requested-by": "bob", "project": "shop"}}}}]}
    import datetime as dt
    during = dt.datetime(2030, 5, 30, tzinfo=dt.UTC)
    bob_then = inputs.actor_for(config, "shop", github="bob", now=during)
    assert bob_then.role is Role.ADMIN
    assert engine.check_plan(cluster, config=config, project="shop", actor=bob_then, now=during).passed
    bob_now = inputs.actor_for(config, "shop", github="bob", now=NOW)
    assert bob_now.role is Role.USER and not bob_now.grants
    after = engine.check_plan(cluster, config=config, project="shop", actor=bob_now, now=NOW)
    assert [v.policy for v in after.denies] == ["clusters"]


def test_quota_counts_include_resources_already_in_the_repo(config, tmp_path) -> None:
    from controller.catalog import reader, render, specs
    repo = tmp_path / "repo"
    existing = [specs.VmSpec(name=f"w{i}", project="sandbox", target=Target.LOCAL, region="local-1", requested_by="bob", size="small")
                for i in range(3)]
    render.write_project(repo, "sandbox", "local", "local-1", existing)
    usage = reader.read_project(repo / "projects" / "sandbox").counts()
    assert usage["vm"].minimum == 3
    new = {"format_version": "1.2", "resource_changes": [{
        "address": "null_resource.vm_new", "mode": "managed", "type": "null_resource", "provider_name": "registry.terraform.io/hashicorp/null",
        "change": {"actions": ["create"], "before": None, "after": {"triggers": {"cloudops_kind": "vm", "size": "small"}}}}]}
    result = engine.check_plan(new, config=config, project="sandbox", actor=inputs.actor_for(config, "sandbox", github="bob"),
                               usage=usage)
    assert [v.resource for v in result.denies] == ["null_resource.vm_new"]
    assert "vm number 4" in result.denies[0].msg


def test_repo_local_policy_overrides_a_builtin_and_adds_one(tmp_path, config) -> None:
    (tmp_path / "regions.rego").write_text(
        "package team.regions\nimport rego.v1\ndeny := [{\"msg\": \"regions overridden\", \"resource\": \"x\"}]\n")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "no-gpu.rego").write_text(
        "package team.no_gpu\nimport rego.v1\nwarn contains \"no gpus please\" if { count(input.plan.resource_changes) >= 0 }\n")
    lib = library.load_library(tmp_path)
    assert lib.get("builtin/regions").origin == "repo"
    chosen = [engine.Selected(lib.get("builtin/regions"), Enforcement.HARD, "s"),
              engine.Selected(lib.get("team/no-gpu"), Enforcement.HARD, "s")]
    doc = inputs.build_input({"format_version": "1.2", "resource_changes": []},
                             project=ProjectConfig(name="p", target=Target.LOCAL, region="local-1"))
    result = engine.PolicyEngine(lib).evaluate(doc, chosen, project="p")
    assert [v.msg for v in result.denies] == ["regions overridden"]
    assert [(v.policy, v.msg, v.resource) for v in result.warns] == [("team/no-gpu", "no gpus please", "")]


def test_bad_rego_in_a_repo_file_is_a_config_error_with_file_and_line(tmp_path) -> None:
    (tmp_path / "broken.rego").write_text("package team.broken\nimport rego.v1\n\ndeny contains x if {\n  x := \n}\n")
    with pytest.raises(ConfigError) as err:
        library.load_library(tmp_path)
    assert "policies/broken.rego:5" in str(err.value)


def test_a_file_without_package_is_a_config_error(tmp_path) -> None:
    (tmp_path / "nopkg.rego").write_text("deny := []\n")
    with pytest.raises(ConfigError, match="nopkg.rego:1: no `package` line"):
        library.load_library(tmp_path)


def test_a_policy_failing_at_evaluation_denies_to_be_safe(tmp_path) -> None:
    (tmp_path / "clash.rego").write_text(
        "package team.clash\nimport rego.v1\nv := 1 if input.project\nv := 2 if input.project\ndeny := [v]\n")
    lib = library.load_library(tmp_path)
    doc = inputs.build_input({"format_version": "1.2", "resource_changes": []},
                             project=ProjectConfig(name="p", target=Target.LOCAL, region="local-1"))
    chosen = [engine.Selected(lib.get("clash"), Enforcement.HARD, "s"), engine.Selected(lib.get("builtin/regions"), Enforcement.HARD, "s")]
    result = engine.PolicyEngine(lib).evaluate(doc, chosen, project="p")
    assert [v.policy for v in result.denies] == ["clash"]
    assert "could not be evaluated" in result.denies[0].msg


def test_unknown_builtin_names_are_config_errors(config) -> None:
    with pytest.raises(ConfigError, match="not a built-in policy"):
        library.builtin_library().get("builtin/naming")


def test_the_template_policy_sets_resolve() -> None:
    from controller.repo_config import load
    from .conftest import ROOT
    template = load(ROOT / "repo_template" / "cloudops.yaml")
    for name in template.projects:
        assert engine.select(template, name, library.builtin_library())


def test_providers_is_always_on(config) -> None:
    names = [s.policy.name for s in engine.select(config, "sandbox", library.builtin_library())]
    assert "providers" in names


def test_quotes_in_values_do_not_break_results() -> None:
    plan = {"format_version": "1.2", "resource_changes": [{
        "address": "aws_instance.q", "mode": "managed", "type": "aws_instance", "provider_name": "aws",
        "change": {"actions": ["create"], "before": None, "after": {"tags": {"project": 'say "hi" \\ now', "managed-by": "x", "requested-by": "y"}}}}]}
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.AWS, region="us-east-1",
                                                         required_labels_on="all"))
    lib = library.builtin_library()
    result = engine.PolicyEngine().evaluate(doc, [engine.Selected(lib.get("builtin/required-labels"), Enforcement.HARD, "s")], project="p")
    assert len(result.denies) == 1 and "could not be evaluated" not in result.denies[0].msg
    assert "say" in result.denies[0].msg


def test_prevent_destroy_is_read_from_the_default_branch_files(tmp_path) -> None:
    from controller.policy.protection import protected_addresses
    (tmp_path / "db.tf").write_text('resource "aws_db_instance" "main" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n'
                                    'resource "aws_instance" "web" {\n  ami = "x"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "x" {')
    assert protected_addresses(tmp_path) == ["aws_db_instance.main"]


def test_the_combined_queries_compile_so_no_policy_falls_back_to_one_by_one(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("a compiled bundle failed and the engine fell back to one query per rule")
    monkeypatch.setattr(engine.PolicyEngine, "_one_by_one", refuse)
    plan = parse_plan((PLANS / "security" / "aws_0.1_checkov_terragoat.json").read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="example", target=Target.AWS, region="us-west-2"))
    result = engine.PolicyEngine().evaluate(doc, _all(library.builtin_library()), project="example")
    assert result.denies and not [v for v in result.denies if "could not be evaluated" in v.msg]


def test_repo_local_conftest_style_policies_see_the_plan_at_the_top_of_input(tmp_path) -> None:
    (tmp_path / "open-ssh.rego").write_text(
        'package main\n\ndeny[msg] {\n  r := input.resource_changes[_]\n  r.type == "aws_security_group"\n'
        '  r.change.after.ingress[_].cidr_blocks[_] == "0.0.0.0/0"\n  msg := sprintf("%v is open", [r.address])\n}\n')
    (tmp_path / "public-db.rego").write_text(
        'package team.db\nimport rego.v1\n\nviolation contains {"msg": msg} if {\n  some r in input.resource_changes\n'
        '  r.change.after.publicly_accessible == true\n  msg := concat(" ", [r.address, "is public"])\n}\n')
    lib = library.load_library(tmp_path)
    plan = parse_plan((PLANS / "security" / "aws_0.1_checkov_terragoat.json").read_text())
    selected = [engine.Selected(lib.get(name), Enforcement.HARD, "repo") for name in ("open-ssh", "public-db")]
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.AWS, region="us-west-2"),
                             needs=engine.input_needs(selected, lib))
    result = engine.PolicyEngine(lib).evaluate(doc, selected, project="p")
    assert sorted(v.msg for v in result.denies) == ["aws_db_instance.default is public",
                                                    "aws_security_group.web-node is open"]


def test_one_engine_serves_several_threads() -> None:
    # regorus engines are bound to their thread; the planner evaluates in worker threads.
    import concurrent.futures

    shared = engine.PolicyEngine()
    plan = parse_plan((PLANS / "security" / "aws_0.1_checkov_terragoat.json").read_text())
    doc = inputs.build_input(plan, project=ProjectConfig(name="p", target=Target.AWS, region="us-west-2"))
    selected = _all(shared.library)
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: shared.evaluate(doc, selected, project="p"), range(6)))
    assert len({(len(r.denies), len(r.warns)) for r in results}) == 1 and results[0].denies
