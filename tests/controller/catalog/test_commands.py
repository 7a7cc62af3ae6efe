"""`cloudops inventory` and `cloudops init-repo`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from cloudops.commands import init_repo, inventory
from controller.errors import ConfigError

from .conftest import FIXTURES


def run_inventory(path: Path, fmt: str) -> int:
    return inventory.run(argparse.Namespace(path=path, format=fmt))


def test_inventory_json_lists_resources_counts_and_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_inventory(FIXTURES / "handwritten" / "broken", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    (project,) = doc["projects"]
    assert project["counts"] == {"vm": {"minimum": 1, "exact": True}}
    assert project["problems"][0]["line"] == 3


def test_inventory_plain_text_for_pipes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_inventory(FIXTURES / "handwritten" / "platform", "table") == 0
    out = capsys.readouterr().out
    assert "module.gke" in out and "unmanaged" in out
    assert "counts: bucket 2, database 1, unknown at least 1 (unknown), vm at least 4 (unknown)" in out


def test_init_repo_scaffolds_a_repo_that_reads_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from controller import repo_config

    target = tmp_path / "infra"
    assert init_repo.run(argparse.Namespace(path=target)) == 0
    assert (target / "policies" / "README.md").is_file()
    assert (target / "CODEOWNERS").is_file()
    assert repo_config.load(target).projects["example"].region == "local-1"
    assert run_inventory(target, "json") == 0


def test_init_repo_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        init_repo.scaffold(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
