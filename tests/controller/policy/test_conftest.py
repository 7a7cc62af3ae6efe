"""conftest's policy style, run unchanged: `cloudops policy check -p DIR` on the plan document itself."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from controller.cli import main
from controller.errors import ConfigError
from controller.policy import conftest

from .conftest import PLANS, ROOT

POLICIES = ROOT / "tests" / "fixtures" / "conftest"
TERRAGOAT = str(PLANS / "security" / "aws_0.1_checkov_terragoat.json")
CLEAN = str(PLANS / "null" / "create.json")


def test_conftests_own_kubernetes_example_runs_unchanged() -> None:
    modules = conftest.load_dirs([POLICIES / "kubernetes"])
    service = {"kind": "Service", "metadata": {"name": "hello"}, "spec": {"type": "LoadBalancer"}}
    [result] = conftest.evaluate(modules, json.dumps(service), "service.yaml")
    assert [m.msg for m in result.failures] == ["Service hello has type LoadBalancer which is not allowed"]
    assert result.failures[0].metadata == {"details": {}}
    [ok] = conftest.evaluate(modules, json.dumps({**service, "spec": {"type": "ClusterIP"}}), "service.yaml")
    assert not ok.failures and ok.successes == 1


def test_a_v0_policy_reads_resource_changes_at_the_top_of_input(capsys) -> None:
    assert main(["policy", "check", TERRAGOAT, "-p", str(POLICIES / "terraform")]) == 1
    out = capsys.readouterr().out
    assert "FAIL - " in out and "main - aws_security_group.web-node is open to the world" in out
    assert "WARN - " in out and "bucket aws_s3_bucket.data" in out
    assert "{}" not in out


def test_a_clean_plan_passes_and_exits_0(capsys) -> None:
    assert main(["policy", "check", CLEAN, "-p", str(POLICIES / "terraform"), "--all-namespaces"]) == 0
    assert "0 failures" in capsys.readouterr().out


def test_namespaces_are_chosen_like_conftest(capsys) -> None:
    args = ["policy", "check", TERRAGOAT, "-p", str(POLICIES / "terraform"), "-o", "json"]
    assert main([*args, "--namespace", "terraform.v1"]) == 1
    [only] = json.loads(capsys.readouterr().out)
    assert only["namespace"] == "terraform.v1"
    assert only["failures"] == [{"msg": "aws_db_instance.default is public"}]
    assert main([*args, "--all-namespaces"]) == 1
    assert {r["namespace"] for r in json.loads(capsys.readouterr().out)} == {"main", "terraform.v1"}
    assert main([*args, "--namespace", "nope"]) == 2
    assert "no policies in namespace nope" in capsys.readouterr().err


def test_several_policy_dirs_are_loaded_together(capsys) -> None:
    assert main(["policy", "check", TERRAGOAT, "-p", str(POLICIES / "terraform"), "-p", str(POLICIES / "kubernetes"),
                 "--all-namespaces", "-o", "json"]) == 1
    assert {r["namespace"] for r in json.loads(capsys.readouterr().out)} == {"main", "terraform.v1", "kubernetes"}


@pytest.mark.parametrize("fmt", ["tap", "junit", "github", "sarif"])
def test_every_output_format_names_the_failure(fmt, capsys) -> None:
    assert main(["policy", "check", TERRAGOAT, "-p", str(POLICIES / "terraform"), "-o", fmt]) == 1
    out = capsys.readouterr().out
    assert "aws_security_group.web-node is open to the world" in out
    if fmt == "tap":
        assert out.startswith("1..7\nnot ok 1 - ")
    elif fmt == "junit":
        assert ET.fromstring(out).find("testsuite").get("failures") == "1"
    elif fmt == "github":
        assert out.startswith("::error file=")
    else:
        doc = json.loads(out)
        assert doc["version"] == "2.1.0" and doc["runs"][0]["results"][0]["level"] == "error"


def test_the_builtin_verdict_renders_as_sarif_with_rule_ids_and_fixes(capsys) -> None:
    assert main(["policy", "check", TERRAGOAT, "-o", "sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "NET-001" in rules and rules["NET-001"]["help"]["text"]
    net = next(r for r in run["results"] if r["ruleId"] == "NET-001")
    assert net["level"] == "error"
    assert net["locations"][0]["logicalLocations"][0]["name"] == "aws_security_group.web-node"


def test_a_missing_policy_dir_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        conftest.load_dirs([POLICIES / "absent"])
