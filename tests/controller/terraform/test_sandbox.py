"""Terraform under bubblewrap sees its run directory and nothing secret of the host.

These run the real terraform with the guard out of the way, so they show the
second line of defence alone: a file read the plan guard would have refused
fails here too, because the file does not exist in terraform's world.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from controller.errors import InitFailed, PlanFailed, TerraformCancelled
from controller.settings import Settings
from controller.terraform.output_log import LOG_DIR
from controller.terraform.runner import TerraformRunner
from controller.terraform.sandbox import NO_SANDBOX, bwrap_arguments, detect
from controller.terraform.toolchain import Toolchain

pytestmark = pytest.mark.terraform


@pytest.fixture
def sandboxed(toolchain: Toolchain) -> Toolchain:
    if not toolchain.sandbox.active:
        pytest.fail(f"terraform is not sandboxed here ({toolchain.sandbox.reason}); run scripts/install.sh")
    return toolchain


async def test_a_file_outside_the_run_directory_does_not_exist_for_terraform(
        sandboxed: Toolchain, tf_settings: Settings, make_project, tmp_path: Path) -> None:
    secret = tmp_path / "state.key"
    secret.write_text("the-real-key")
    workdir = make_project(f'output "k" {{\n  value = fileexists("{secret}") ? file("{secret}") : "absent"\n}}\n'
                           'output "host" {\n  value = fileexists("/etc/hostname") ? "present" : "absent"\n}\n')
    runner = TerraformRunner(sandboxed, tf_settings)
    await runner.init(workdir)
    plan = await runner.plan(workdir, workdir / "p.tfplan")
    document = await runner.show_plan(workdir, plan.plan_file)
    outputs = document["planned_values"]["outputs"]
    assert outputs["k"]["value"] == "absent" and outputs["host"]["value"] == "absent"

    unsandboxed = TerraformRunner(dataclasses.replace(sandboxed, sandbox=NO_SANDBOX), tf_settings)
    other = make_project(f'output "k" {{\n  value = file("{secret}")\n}}\n')
    await unsandboxed.init(other)
    plan = await unsandboxed.plan(other, other / "p.tfplan")
    assert (await unsandboxed.show_plan(other, plan.plan_file))["planned_values"]["outputs"]["k"]["value"] == "the-real-key"


async def test_a_plain_read_of_a_host_file_fails_the_plan_inside_the_sandbox(
        sandboxed: Toolchain, tf_settings: Settings, make_project, tmp_path: Path) -> None:
    secret = tmp_path / "master.key"
    secret.write_text("the-master-key")
    workdir = make_project(f'output "k" {{\n  value = file("{secret}")\n}}\n')
    runner = TerraformRunner(sandboxed, tf_settings)
    await runner.init(workdir)
    with pytest.raises(PlanFailed) as failure:
        await runner.plan(workdir, workdir / "p.tfplan")
    assert "the-master-key" not in str(failure.value)


# Stands in for terraform's graceful stop, which the real one finishes too fast to race against: on
# SIGINT it takes a second to "save its state", then exits; a second signal meanwhile would kill it.
SLOW_TO_STOP = """#!/bin/sh
trap 'sleep 1; echo stopped-cleanly; exit 1' INT
echo started > started
sleep 30 &
wait
"""


async def test_a_cancelled_run_in_the_sandbox_gets_one_interrupt_and_time_to_stop(
        sandboxed: Toolchain, tf_settings: Settings, tmp_path: Path) -> None:
    """SIGINT reaches terraform, not bwrap's monitor (which would die of it at once and make the runner
    kill the rest mid-stop, as terraform's "Two interrupts received. Exiting immediately")."""
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(SLOW_TO_STOP)
    binary.chmod(0o755)
    workdir = tmp_path / "run"
    workdir.mkdir()
    runner = TerraformRunner(dataclasses.replace(sandboxed, binary=binary), tf_settings)
    cancel = asyncio.Event()
    task = asyncio.ensure_future(runner.init(workdir, cancel=cancel))
    while not (workdir / "started").exists():
        assert not task.done(), task
        await asyncio.sleep(0.05)
    cancel.set()
    with pytest.raises(TerraformCancelled):
        await task
    assert (workdir / LOG_DIR / "init.out").read_text().strip() == "stopped-cleanly"


async def test_a_provider_outside_the_mirror_is_not_installed(toolchain: Toolchain, tf_settings: Settings,
                                                              make_project) -> None:
    """No `direct {}` in the CLI config: even with a network, init installs from the mirror only."""
    workdir = make_project('terraform {\n  required_providers {\n    evil = { source = "evilcorp/evil" }\n  }\n}\n',
                           with_provider=False)
    with pytest.raises(InitFailed, match="evilcorp/evil"):
        await TerraformRunner(toolchain, tf_settings).init(workdir)


def test_the_sandbox_binds_only_what_terraform_needs(tmp_path: Path) -> None:
    args = bwrap_arguments(tmp_path / "run", [tmp_path / "mirror"])
    binds = [args[i + 1] for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    assert str((tmp_path / "run").resolve()) in binds and str((tmp_path / "mirror").resolve()) in binds
    assert not any(b in ("/", "/home", "/root", "/var", "/etc", str(tmp_path)) for b in binds)
    assert "--die-with-parent" not in args and "--unshare-all" in args  # terraform outlives a crash: recovery adopts it


def test_off_means_no_sandbox_and_a_missing_one_is_an_error_only_when_required(monkeypatch) -> None:
    assert detect("off") is NO_SANDBOX and NO_SANDBOX.wrap(["terraform", "plan"], workdir=Path("/x")) == ["terraform", "plan"]
    detect.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        assert not detect("auto").active
        from controller.terraform.sandbox import SandboxUnavailable

        with pytest.raises(SandboxUnavailable, match="bubblewrap"):
            detect("bwrap")
    finally:
        detect.cache_clear()


