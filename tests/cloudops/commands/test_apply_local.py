"""`cloudops apply-local` plans and applies a project with the real terraform."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudops.cli import main

PROJECT = """
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = "2.1.2" }
  }
}
resource "null_resource" "one" {
  triggers = { name = "one" }
}
resource "null_resource" "two" {
  triggers = { name = "two" }
}
output "greeting" { value = "hello" }
"""

FAILING = """
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = "2.1.2" }
  }
}
resource "null_resource" "broken" {
  provisioner "local-exec" { command = "exit 3" }
}
"""

pytestmark = pytest.mark.terraform


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "proj"
    path.mkdir()
    (path / "main.tf").write_text(PROJECT)
    return path


def test_apply_then_nothing_to_do_then_destroy(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply-local", str(project)]) == 0
    first = capsys.readouterr().out
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in first
    assert "100%" in first and "(2/2 resources)" in first
    assert "output greeting = 'hello'" in first

    assert main(["apply-local", str(project)]) == 0
    assert "No changes." in capsys.readouterr().out

    assert main(["apply-local", "--destroy", str(project)]) == 0
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in capsys.readouterr().out


def test_plan_only_applies_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply-local", "--plan-only", str(project)]) == 0
    assert "Plan: 2 to add" in capsys.readouterr().out
    assert main(["apply-local", "--plan-only", str(project)]) == 0
    assert "Plan: 2 to add" in capsys.readouterr().out


def test_a_failing_apply_names_the_resource_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad"
    path.mkdir()
    (path / "main.tf").write_text(FAILING)
    assert main(["apply-local", str(path)]) == 2
    captured = capsys.readouterr()
    assert "null_resource.broken" in captured.err
    assert "✗" in captured.out


def test_a_missing_directory_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply-local", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
