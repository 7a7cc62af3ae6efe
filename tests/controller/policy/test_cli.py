from __future__ import annotations

import json

from controller.cli import main

from .conftest import CONFIG, PLANS

CREATE_DELETE = str(PLANS / "real" / "aws_1.1_checkov_create_delete.json")


def test_a_clean_plan_exits_0(capsys) -> None:
    assert main(["policy", "check", str(PLANS / "null" / "create.json")]) == 0
    assert capsys.readouterr().out.startswith("PASS")


def test_a_denied_plan_exits_1_and_names_the_resource(capsys) -> None:
    terragoat = str(PLANS / "security" / "aws_0.1_checkov_terragoat.json")
    assert main(["policy", "check", terragoat, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] is False
    assert {"policy": "security-network", "resource": "aws_security_group.web-node", "rule": "NET-001"}.items() \
        <= next(d for d in out["denies"] if d["rule"] == "NET-001").items()


def test_third_party_resources_without_our_labels_pass_by_default(capsys) -> None:
    assert main(["policy", "check", CREATE_DELETE]) == 0


def test_not_a_plan_exits_2(tmp_path, capsys) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "lineage": "x", "resources": []}))
    assert main(["policy", "check", str(state)]) == 2
    assert "not `terraform show -json PLANFILE`" in capsys.readouterr().err


def test_a_bad_context_file_exits_2(tmp_path, capsys) -> None:
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text("projekt: shop\n")
    assert main(["policy", "check", CREATE_DELETE, "--context", str(ctx)]) == 2
    assert "unknown keys projekt" in capsys.readouterr().err


def test_an_inline_context_decides_roles_and_regions(tmp_path, capsys) -> None:
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"project": {"name": "example", "target": "aws", "region": "us-west-2"},
                               "actor": {"id": "alice", "role": "admin"},
                               "policies": ["builtin/regions", "builtin/deletions"]}))
    assert main(["policy", "check", CREATE_DELETE, "--context", str(ctx)]) == 0
    ctx.write_text(json.dumps({"project": {"name": "example", "target": "aws", "region": "us-west-2"},
                               "actor": {"id": "bob", "role": "user"}, "policies": ["builtin/deletions"]}))
    assert main(["policy", "check", CREATE_DELETE, "--context", str(ctx)]) == 1
    assert "needs the admin role" in capsys.readouterr().out


def test_a_context_naming_a_cloudops_yaml_uses_its_policy_sets(tmp_path, capsys) -> None:
    (tmp_path / "cloudops.yaml").write_text(CONFIG)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text("config: cloudops.yaml\nproject: shop\ngithub: bob\n")
    assert main(["policy", "check", CREATE_DELETE, "--context", str(ctx), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("⛔ **Policies denied**") and "| ⛔ | regions |" in out


def test_policy_test_runs_the_builtin_rego_tests(capsys) -> None:
    assert main(["policy", "test"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 failed")
