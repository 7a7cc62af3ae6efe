"""Every plan document under tests/fixtures/plans/ (real aws/google/azurerm ones included) is costed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.cost import estimate, render
from controller.terraform.plan_parser import parse_plan

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "plans"
DOCS = sorted(p for p in ROOT.rglob("*.json") if p.is_file() and "infracost" not in p.parent.name)


def test_there_are_plan_fixtures_to_cost():
    assert DOCS, f"no plan documents under {ROOT}"


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_plan_document_is_costed_without_error(path: Path):
    plan = parse_plan(path.read_text(encoding="utf-8"))  # every fixture is a plan document the parser accepts
    est = estimate.estimate(plan)
    managed = [c for c in plan.resource_changes if c.mode == "managed" and c.action.value in
               ("create", "update", "delete", "replace", "no-op")]
    assert len(est.resources) == len(managed)
    for row in est.resources:
        # every row is either priced on both sides or says why not
        assert row.priced or row.reason
    json.dumps(render.as_json(est))
    assert render.markdown(est).startswith(render.MARKER)
    assert render.summary(est)
