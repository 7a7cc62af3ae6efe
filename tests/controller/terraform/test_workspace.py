"""Run directories: private, outside the data dir, and emptied of plaintext state when a run is over."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest

from controller.errors import ConfigError
from controller.settings import Settings
from controller.terraform import workspace


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", runs_root=tmp_path / "runs")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    source = tmp_path / "project"
    source.mkdir()
    (source / "main.tf").write_text('resource "null_resource" "a" {}\n')
    (source / "terraform.tfstate").write_text("someone's local state")
    (source / "old.tfplan").write_text("a stale plan")
    return source


def test_the_default_runs_dir_is_outside_the_data_dir_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.data_dir not in settings.runs_dir.parents
    runs = workspace.ensure_runs_dir(settings)
    assert stat.S_IMODE(runs.stat().st_mode) == 0o700
    assert Settings(data_dir=tmp_path / "other").runs_dir != settings.runs_dir  # one per data dir


def test_a_runs_dir_inside_the_data_dir_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", runs_root=tmp_path / "data" / "runs")
    with pytest.raises(ConfigError, match="inside the data dir"):
        workspace.ensure_runs_dir(settings)


def test_a_run_directory_is_0700_and_never_copies_state_or_plans(settings: Settings, project: Path) -> None:
    ws = workspace.create_workspace(settings, "run-1", project)
    assert stat.S_IMODE(ws.workdir.stat().st_mode) == 0o700
    assert sorted(p.name for p in ws.workdir.iterdir()) == [".cloudops-home", "main.tf"]


def test_release_keeping_the_plan_removes_state_and_home_only(settings: Settings, project: Path) -> None:
    ws = workspace.create_workspace(settings, "run-1", project)
    for name in ("terraform.tfstate", "terraform.tfstate.backup", "cloudops.tfplan", ".terraform.lock.hcl"):
        (ws.workdir / name).write_text("x")
    (ws.home / "secret").write_text("x")
    ws.release(keep_plan=True)
    assert sorted(p.name for p in ws.workdir.iterdir()) == [".terraform.lock.hcl", "cloudops.tfplan", "main.tf"]
    ws.release(keep_plan=False)
    assert not ws.workdir.exists()
    ws.release(keep_plan=False)  # idempotent


def test_release_by_id_ignores_missing_and_invalid_runs(settings: Settings) -> None:
    workspace.release_run(settings, "never-made", keep_plan=False)
    workspace.release_run(settings, "../escape", keep_plan=False)


def test_the_sweep_removes_old_run_directories_but_not_active_or_recent_ones(settings: Settings, project: Path) -> None:
    settings = replace(settings, run_retention=3600)
    old, active, recent = (workspace.create_workspace(settings, name, project) for name in ("old", "active", "recent"))
    past = time.time() - 7200
    for ws in (old, active):
        os.utime(ws.workdir, (past, past))
    assert workspace.sweep(settings, active={"active"}) == ["old"]
    assert sorted(p.name for p in settings.runs_dir.iterdir()) == ["active", "recent"]


@pytest.mark.parametrize(("env", "field", "value"), [
    ({"CLOUDOPS_RUNS_DIR": "/srv/runs"}, "runs_root", Path("/srv/runs")),
    ({"CLOUDOPS_SANDBOX": "OFF"}, "sandbox", "off"),
    ({"CLOUDOPS_RUN_RETENTION": "60"}, "run_retention", 60.0),
])
def test_the_settings_come_from_the_environment(env: dict, field: str, value: object) -> None:
    assert getattr(Settings.from_env(env), field) == value


def test_an_unknown_sandbox_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="CLOUDOPS_SANDBOX"):
        Settings.from_env({"CLOUDOPS_SANDBOX": "maybe"})
