"""Credentials reach one run only, as the provider expects them, and are gone afterwards."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import textwrap
from pathlib import Path

import pytest

from controller.secrets import injection, vault
from controller.secrets.errors import SecretsError
from controller.settings import Settings
from controller.terraform.runner import TerraformRunner
from controller.terraform.toolchain import resolve_toolchain
from controller.terraform.workspace import create_workspace


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    path = tmp_path / "runs" / "run-1"
    path.mkdir(parents=True)
    return path


def test_gcp_gets_a_private_key_file_and_the_google_variables(run_dir: Path, gcp) -> None:  # type: ignore[no-untyped-def]
    env, files = injection.credentials_env([gcp], run_dir)
    (path,) = files
    assert env == {"GOOGLE_APPLICATION_CREDENTIALS": str(path), "GOOGLE_CLOUD_PROJECT": gcp.project_id,
                   "GOOGLE_PROJECT": gcp.project_id}
    assert path.parent == run_dir / injection.CREDENTIALS_DIR
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["private_key"] == gcp.private_key
    assert gcp.private_key not in json.dumps(env)


def test_aws_and_azure_become_their_providers_variables(run_dir: Path, make_aws, make_azure) -> None:  # type: ignore[no-untyped-def]
    aws, azure = make_aws(), make_azure()
    env, files = injection.credentials_env([aws, azure], run_dir)
    assert files == [] and not (run_dir / injection.CREDENTIALS_DIR).exists()
    assert env == {
        "AWS_ACCESS_KEY_ID": aws.access_key_id, "AWS_SECRET_ACCESS_KEY": aws.secret_access_key,
        "ARM_CLIENT_ID": azure.client_id, "ARM_CLIENT_SECRET": azure.client_secret,
        "ARM_TENANT_ID": azure.tenant_id, "ARM_SUBSCRIPTION_ID": azure.subscription_id,
    }


def test_a_session_token_is_passed_when_there_is_one(run_dir: Path) -> None:
    from controller.secrets import credentials
    creds = credentials.aws("ASIA" + "A" * 16, "b" * 40, "FwoGZXIvYXdzEJr//////////wEaDM+token==")
    env, _ = injection.credentials_env([creds], run_dir)
    assert env["AWS_SESSION_TOKEN"] == creds.session_token


def test_two_credentials_of_one_kind_are_refused_and_nothing_is_left(run_dir: Path, gcp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SecretsError, match="more than one gcp credential"):
        injection.credentials_env([gcp, gcp], run_dir)
    assert not (run_dir / injection.CREDENTIALS_DIR).exists()


def test_the_context_manager_removes_files_on_success_and_on_error(run_dir: Path, gcp) -> None:  # type: ignore[no-untyped-def]
    with injection.injected_credentials([gcp], run_dir) as injected:
        assert injected.files[0].exists()
        assert gcp.private_key not in repr(injected) and "GOOGLE_APPLICATION_CREDENTIALS" in injected.names
    assert not injected.files[0].exists() and not (run_dir / injection.CREDENTIALS_DIR).exists()
    with pytest.raises(RuntimeError, match="terraform blew up"):
        with injection.injected_credentials([gcp], run_dir) as injected:
            raise RuntimeError("terraform blew up")
    assert not injected.files[0].exists()


def test_a_planted_symlink_is_not_followed(run_dir: Path, tmp_path: Path, gcp) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (run_dir / injection.CREDENTIALS_DIR).symlink_to(elsewhere)
    with pytest.raises(SecretsError, match="is not a plain directory"):
        injection.credentials_env([gcp], run_dir)
    assert list(elsewhere.iterdir()) == [] and elsewhere.exists()


def test_start_up_cleaning_removes_what_a_crash_left_except_active_runs(tmp_path: Path, gcp) -> None:  # type: ignore[no-untyped-def]
    runs = tmp_path / "runs"
    crashed = [runs / "crashed-1", runs / "crashed-2", runs / "still-running"]
    for directory in crashed:
        directory.mkdir(parents=True)
        injection.credentials_env([gcp], directory)  # no cleanup: the controller "died" here
    (runs / "clean").mkdir()
    (runs / "clean" / "main.tf").write_text("")
    cleaned = injection.clean_stale_credentials(runs, active={"still-running"})
    assert cleaned == crashed[:2]
    assert all(not (d / injection.CREDENTIALS_DIR).exists() for d in crashed[:2])
    assert (crashed[2] / injection.CREDENTIALS_DIR / injection.GCP_KEY_FILE).exists()
    assert (runs / "clean" / "main.tf").exists()
    assert injection.clean_stale_credentials(tmp_path / "no-runs-yet") == []


# --- with the real terraform ----------------------------------------------------------

PROJECT = textwrap.dedent(
    """\
    terraform {
      required_providers {
        null = {
          source  = "hashicorp/null"
          version = "2.1.2"
        }
      }
    }

    resource "null_resource" "probe" {
      provisioner "local-exec" {
        command = "env > seen-env.txt; ls -la .cloudops-credentials > seen-files.txt; cat \\"$GOOGLE_APPLICATION_CREDENTIALS\\" > seen-key.txt"
      }
    }
    """
)


@pytest.mark.terraform
@pytest.mark.slow
async def test_a_terraform_run_sees_its_guilds_credentials_only_and_the_key_file_goes_away(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch, make_aws, gcp, keyring,  # type: ignore[no-untyped-def]
) -> None:
    settings = dataclasses.replace(Settings.from_env(dict(os.environ, CLOUDOPS_DATA_DIR=str(shared_data_dir))),
                                   plan_timeout=120.0, apply_timeout=120.0)
    runner = TerraformRunner(resolve_toolchain(settings), settings)
    # Runs live in this test's own directories (a fixed run id must not meet an earlier run's leftovers).
    settings = dataclasses.replace(settings, data_dir=tmp_path / "data", runs_root=tmp_path / "runs")
    monkeypatch.setenv("CLOUDOPS_BOT_TOKEN_CANARY", "parent-process-canary-value")
    the_vault = vault.Vault(tmp_path / "vault.sqlite3", keyring)
    guild_a, guild_b = make_aws(), make_aws()
    the_vault.put("guild-a", guild_a)
    the_vault.put("guild-a", gcp, project="web")
    the_vault.put("guild-b", guild_b)
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "main.tf").write_text(PROJECT)
    ws = create_workspace(settings, "run-guild-a", project_dir)

    with injection.injected_credentials(the_vault.for_run("guild-a", "web"), ws.workdir) as injected:
        await runner.init(ws.workdir, extra_env=injected.env)
        await runner.plan(ws.workdir, ws.plan_file, extra_env=injected.env)
        await runner.apply(ws.workdir, ws.plan_file, extra_env=injected.env)
        key_file = injected.files[0]

    seen_env = (ws.workdir / "seen-env.txt").read_text()
    assert f"AWS_ACCESS_KEY_ID={guild_a.access_key_id}" in seen_env
    assert f"AWS_SECRET_ACCESS_KEY={guild_a.secret_access_key}" in seen_env
    assert f"GOOGLE_APPLICATION_CREDENTIALS={key_file}" in seen_env and f"GOOGLE_CLOUD_PROJECT={gcp.project_id}" in seen_env
    assert guild_b.secret_access_key not in seen_env and guild_b.access_key_id not in seen_env
    assert "parent-process-canary-value" not in seen_env
    assert injection.GCP_KEY_FILE in (ws.workdir / "seen-files.txt").read_text()
    assert "-rw-------" in (ws.workdir / "seen-files.txt").read_text()
    assert json.loads((ws.workdir / "seen-key.txt").read_text())["client_email"] == gcp.client_email
    assert not key_file.exists() and not (ws.workdir / injection.CREDENTIALS_DIR).exists()
    everything = "".join(p.read_text(errors="replace") for p in ws.workdir.rglob("*")
                         if p.is_file() and not p.name.startswith("seen-") and ".terraform" not in p.parts)
    assert guild_a.secret_access_key not in everything  # not in state, plan file text, lock file
    assert gcp.private_key.splitlines()[1] not in everything
