"""The local target with the real terraform binary: validate, plan and apply."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from controller.catalog import examples, render
from controller.catalog.targets.base import RenderOptions
from controller.settings import Settings
from controller.terraform.toolchain import resolve_toolchain


@pytest.mark.terraform
@pytest.mark.slow
def test_a_rendered_local_project_validates_plans_and_applies(tmp_path: Path, shared_data_dir: Path) -> None:
    settings = Settings.from_env(dict(os.environ, CLOUDOPS_DATA_DIR=str(shared_data_dir)))
    toolchain = resolve_toolchain(settings)
    specs = examples.example_specs("local")
    render.write_project(tmp_path, "shop", "local", "local-1", specs, RenderOptions(local_delay_seconds=1))
    project = tmp_path / "projects" / "shop"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "TF_CLI_CONFIG_FILE": str(toolchain.cli_config),
           "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(toolchain.binary), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"terraform {args[0]}: {result.stdout}\n{result.stderr}"
        return result

    terraform("init", "-input=false", "-no-color")
    assert json.loads(terraform("validate", "-json").stdout)["valid"] is True
    terraform("plan", "-input=false", "-no-color", "-out=plan.bin")
    plan = json.loads(terraform("show", "-json", "plan.bin").stdout)
    planned = {c["address"]: c for c in plan["resource_changes"]}
    assert set(planned) == {f"null_resource.{s.local_name}" for s in specs}
    vm = planned["null_resource.vm_web"]["change"]["after"]["triggers"]
    assert vm["cloudops_kind"] == "vm" and vm["size"] == "small" and vm["price_profile"] == "gcp/e2-small"
    applied = terraform("apply", "-input=false", "-no-color", "-json", "plan.bin")
    events = [json.loads(line) for line in applied.stdout.splitlines() if line.startswith("{")]
    assert sum(1 for e in events if e.get("type") == "apply_complete") == len(specs)
    assert any(e.get("type") == "provision_complete" for e in events)
