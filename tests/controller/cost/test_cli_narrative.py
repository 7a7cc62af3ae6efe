"""`cloudops cost --format story` and `--narrative`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudops.cli import main

from .conftest import change, plan_doc


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    doc = plan_doc(change("google_compute_instance.web", "create", None,
                          {"machine_type": "e2-standard-2", "zone": "us-central1-a"}))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    return path


def test_cost_story_prints_only_the_narrative(plan_file: Path, capsys):
    assert main(["cost", str(plan_file), "--format", "story", "--coffee-price", "2.50"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- cloudops:narrative -->") and "$49.32" in out and "$2.50 a cup" in out
    assert "| Resource |" not in out


def test_cost_narrative_flag_adds_the_story_after_the_table(plan_file: Path, capsys):
    assert main(["cost", str(plan_file), "--narrative"]) == 0
    out = capsys.readouterr().out
    assert out.index("Monthly estimate increased by $49.32") < out.index("The Cloud Dungeon Master")
    assert main(["cost", str(plan_file), "--format", "json", "--narrative"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"]["after"] == "49.32" and "Cloud Dungeon Master" in doc["narrative"]["markdown"]
