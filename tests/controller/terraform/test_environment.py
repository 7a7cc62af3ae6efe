"""Terraform gets an allowlisted environment: the controller's secrets never reach it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from controller.errors import ConfigError
from controller.settings import Settings
from controller.terraform import environment
from controller.terraform.runner import TerraformRunner
from controller.terraform.toolchain import Toolchain

PARENT = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/home/controller",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "TMPDIR": "/var/tmp",
    "DISCORD_TOKEN": "canary-discord",
    "GITHUB_TOKEN": "canary-github",
    "CLOUDOPS_WEBHOOK_SECRET": "canary-webhook",
    "AWS_SECRET_ACCESS_KEY": "canary-aws",
    "TF_CLI_CONFIG_FILE": "/home/controller/.terraformrc",
    "TF_CLI_ARGS": "-lock=false",
    "OPERATOR_PROXY": "http://proxy:3128",
}


def build(**kwargs: object) -> dict[str, str]:
    return environment.build_env(PARENT, home=Path("/runs/r1/home"), cli_config=Path("/data/terraform.tfrc"), **kwargs)  # type: ignore[arg-type]


class TestBuildEnv:
    def test_only_allowlisted_parent_names_pass(self) -> None:
        env = build()
        assert {k: env[k] for k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")} == {
            k: PARENT[k] for k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")
        }
        for secret in ("DISCORD_TOKEN", "GITHUB_TOKEN", "CLOUDOPS_WEBHOOK_SECRET", "AWS_SECRET_ACCESS_KEY", "TF_CLI_ARGS", "OPERATOR_PROXY"):
            assert secret not in env
        assert not any("canary" in value for value in env.values())

    def test_home_and_terraform_controls_are_ours(self) -> None:
        env = build(plugin_cache_dir=Path("/data/plugin-cache"))
        assert env["HOME"] == "/runs/r1/home" and env["TF_CLI_CONFIG_FILE"] == "/data/terraform.tfrc"
        assert (env["TF_IN_AUTOMATION"], env["TF_INPUT"], env["CHECKPOINT_DISABLE"]) == ("1", "0", "1")
        assert env["TF_PLUGIN_CACHE_DIR"] == "/data/plugin-cache"
        assert "TF_PLUGIN_CACHE_DIR" not in build()

    def test_operator_passthrough_names_are_added(self) -> None:
        env = build(passthrough=["OPERATOR_PROXY", "NOT_SET_IN_PARENT"])
        assert env["OPERATOR_PROXY"] == "http://proxy:3128" and "NOT_SET_IN_PARENT" not in env

    def test_per_run_extras_are_added(self) -> None:
        assert build(extra={"GOOGLE_CREDENTIALS": "/runs/r1/creds.json"})["GOOGLE_CREDENTIALS"] == "/runs/r1/creds.json"

    @pytest.mark.parametrize("name", ["HOME", "TF_CLI_CONFIG_FILE", "TF_INPUT"])
    def test_controlled_names_cannot_be_overridden(self, name: str) -> None:
        with pytest.raises(ConfigError, match=name):
            build(extra={name: "x"})
        with pytest.raises(ConfigError, match=name):
            build(passthrough=[name])

    def test_invalid_names_are_refused(self) -> None:
        with pytest.raises(ConfigError):
            build(extra={"A=B": "x"})

    def test_a_parent_without_path_still_gives_a_usable_path(self) -> None:
        env = environment.build_env({}, home=Path("/h"), cli_config=Path("/c"))
        assert env["PATH"]


@pytest.mark.terraform
async def test_a_local_exec_running_env_sees_no_controller_secret(
    toolchain: Toolchain, tf_settings: Settings, make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canary test: secrets set in the controller's own environment stay out of terraform's children."""
    canaries = {
        "DISCORD_TOKEN": "canary-discord-7f3a",
        "GITHUB_TOKEN": "canary-github-7f3a",
        "CLOUDOPS_WEBHOOK_SECRET": "canary-webhook-7f3a",
        "AWS_SECRET_ACCESS_KEY": "canary-aws-7f3a",
    }
    for name, value in canaries.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CLOUDOPS_TEST_PASSED_THROUGH", "operator-chose-this")
    settings = dataclasses.replace(tf_settings, terraform_env_passthrough=("CLOUDOPS_TEST_PASSED_THROUGH",))
    runner = TerraformRunner(toolchain, settings)
    workdir = make_project(
        """
        resource "null_resource" "dump" {
          provisioner "local-exec" {
            command = "env > env.txt"
          }
        }
        """
    )
    await runner.init(workdir)
    await runner.plan(workdir, workdir / "run.tfplan")
    await runner.apply(workdir, workdir / "run.tfplan", extra_env={"RUN_CREDENTIAL": "for-this-run"})
    dumped = (workdir / "env.txt").read_text()
    child = dict(line.split("=", 1) for line in dumped.splitlines() if "=" in line)
    assert "canary" not in dumped
    assert not set(canaries) & set(child)
    assert child["CLOUDOPS_TEST_PASSED_THROUGH"] == "operator-chose-this"
    assert child["RUN_CREDENTIAL"] == "for-this-run"
    assert Path(child["HOME"]).parent == workdir and child["TF_IN_AUTOMATION"] == "1"
