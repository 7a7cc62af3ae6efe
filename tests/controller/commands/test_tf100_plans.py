"""`cloudops cost` and `cloudops policy check` read a Terraform 1.0.0 plan whose drift entries lack addresses."""

from __future__ import annotations

from pathlib import Path

from controller.cli import main

PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "written" / "null_0.2_tf1.0.0_drift_without_address.json"


def test_cost_prices_a_terraform_1_0_0_plan(capsys) -> None:
    assert main(["cost", str(PLAN), "--format", "table"]) == 0
    assert "null_resource.web[0]" in capsys.readouterr().out


def test_policy_check_evaluates_a_terraform_1_0_0_plan(capsys) -> None:
    assert main(["policy", "check", str(PLAN)]) == 0
    assert "PASS" in capsys.readouterr().out
