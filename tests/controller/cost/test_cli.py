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


def test_cost_prints_a_table_and_exits_0(plan_file: Path, capsys):
    assert main(["cost", str(plan_file)]) == 0
    out = capsys.readouterr().out
    assert "Monthly estimate increased by $49.32" in out and "google_compute_instance.web" in out


def test_cost_json_has_decimal_strings(plan_file: Path, capsys):
    assert main(["cost", str(plan_file), "--format", "json", "--budget", "40"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # 0.06701142 * 730 + 10 GB pd-standard * 0.04 = 48.9183366 + 0.40
    assert doc["total"]["after"] == "49.32"
    assert doc["projects"][0]["over_budget"] is True and doc["projects"][0]["budget_remaining"] == "-9.32"


@pytest.mark.parametrize("content", [None, "not json at all", json.dumps({"values": {"root_module": {}}, "format_version": "1.0"}),
                                     json.dumps([1, 2])])
def test_not_a_plan_document_exits_2_with_a_message(tmp_path: Path, capsys, content):
    path = tmp_path / "doc.json"
    if content is not None:
        path.write_text(content)
    assert main(["cost", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cloudops cost:") and "show -json" in err
