"""Hostile plans and configs are refused quickly with a clear error (issue 22, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudops import cli
from controller import limits, repo_config
from controller.errors import ConfigError, PlanDocumentError
from controller.terraform.plan_parser import parse_plan

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "real"
SMALL_PLAN = PLANS / "aws_0.1_infracost_small_terraform.json"


def deep_plan(depth: int) -> str:
    return '{"format_version": "1.0", "resource_changes": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [limits.MAX_PLAN_DEPTH + 5, 900, 100_000])
def test_a_deeply_nested_plan_is_a_plan_document_error_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(PlanDocumentError, match="nested deeper than"):
        parse_plan(deep_plan(depth))


def test_a_real_plan_is_well_inside_the_limits() -> None:
    assert parse_plan(SMALL_PLAN.read_text()).resource_changes


@pytest.mark.parametrize("command", ["cost", "policy"])
def test_the_cli_answers_a_100000_deep_plan_with_a_message_and_exit_2(tmp_path: Path, command: str, capsys) -> None:
    path = tmp_path / "deep.json"
    path.write_text(deep_plan(100_000))
    argv = [command, str(path)] if command == "cost" else ["policy", "check", str(path)]
    assert cli.main(argv) == 2
    assert "nested deeper than" in capsys.readouterr().err


def test_an_oversized_plan_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch, capsys) -> None:
    # The limit is lowered so the test writes 2 MB, not 33; the check is the same one.
    monkeypatch.setenv(limits.PLAN_BYTES_ENV, str(1024 * 1024))
    doc = json.loads(SMALL_PLAN.read_text())
    doc["pad"] = "x" * (2 * 1024 * 1024)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    assert cli.main(["cost", str(path)]) == 2
    err = capsys.readouterr().err
    assert "more than the 1.0 MB limit" in err and limits.PLAN_BYTES_ENV in err
    with pytest.raises(PlanDocumentError, match="more than the"):
        parse_plan(path.read_text())


def test_the_default_plan_limit_is_32_mib() -> None:
    assert limits.max_plan_bytes() == 32 * 1024 * 1024


BASE = """\
version: 1
projects:
  shop:
    target: local
    region: local-1
{extra}
"""


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("    required_approvals: 100000000000000000000000000000000000000", 6, "must be at most 100"),
        ("    budget_monthly_usd: .nan", 6, "must be a finite number, not .nan"),
        ("    budget_monthly_usd: .inf", 6, "must be a finite number, not .inf"),
        ("    budget_monthly_usd: -.inf", 6, "must be a finite number"),
        ("    budget_monthly_usd: 1.0e+400", 6, "must be a finite number"),
        ("    budget_monthly_usd: 1000000000000", 6, "must be at most 1,000,000,000"),
        ("    quotas: {vm: 100000000000000000000}", 6, "must be at most 100000"),
    ],
)
def test_numbers_out_of_bounds_are_refused_with_their_line(extra: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        repo_config.loads(BASE.format(extra=extra), source="cloudops.yaml")
    assert f"cloudops.yaml:{line}:" in str(caught.value)
    assert message in str(caught.value)


def test_numbers_in_bounds_still_load() -> None:
    config = repo_config.loads(BASE.format(extra="    required_approvals: 3\n    budget_monthly_usd: 250.5"))
    assert config.projects["shop"].required_approvals == 3
    assert config.projects["shop"].budget_monthly_usd == 250.5


def test_a_17_mb_cloudops_yaml_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    members = "".join(f"  m{i}: {{role: viewer, github: user{i}}}\n" for i in range(400_000))
    text = BASE.format(extra="") + "members:\n" + members
    assert len(text) > 17 * 1024 * 1024
    with pytest.raises(ConfigError, match=r"cloudops.yaml:1: the file is 1\d\.\d MB, more than the 1.0 MB"):
        repo_config.loads(text, source="cloudops.yaml")
    path = tmp_path / "cloudops.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="more than the 1.0 MB"):
        repo_config.load(path)


def test_a_config_near_the_limit_with_thousands_of_members_loads() -> None:
    members = "".join(f"  m{i}: {{role: viewer, github: user{i}}}\n" for i in range(5_000))
    config = repo_config.loads(BASE.format(extra="") + "members:\n" + members)
    assert len(config.members) == 5_000
