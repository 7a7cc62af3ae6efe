"""End to end: a PR cannot run code on the controller at plan time without a member's say-so."""

from __future__ import annotations

import pytest

from controller.app import ControllerApp
from controller.store import RunKind
from .harness import Workbench, as_outsider, as_reviewer, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


async def test_an_outsiders_pr_waits_for_a_member_to_vouch(forge, bench: Workbench, controller: ControllerApp) -> None:
    bench.push_branch("outsider", "Outsider change", files={"projects/web/main.tf": null_resources("web_a", "o")})
    number = as_outsider(forge).get_repo(bench.full_name).create_pull(title="Outsider", body="", head="outsider", base="main").number
    await settle(forge, controller)
    held = bench.comments_with(number, "plan:web")[0]
    assert "was not planned automatically" in held and "@mallory" in held
    assert list(controller.store.list_runs(repo=bench.full_name, pr_number=number)) == []

    as_outsider(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops plan")  # cannot vouch for itself
    await settle(forge, controller)
    assert controller.store.list_runs(repo=bench.full_name, pr_number=number) == []

    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops plan -p web")
    await settle(forge, controller)
    assert "Plan: 2 to add" in bench.comments_with(number, "plan:web")[0]


async def test_an_external_data_source_is_refused_before_terraform_runs(forge, bench: Workbench, controller: ControllerApp,
                                                                       tmp_path) -> None:
    canary = tmp_path / "ran"
    hostile = f'data "external" "x" {{\n  program = ["sh", "-c", "touch {canary}; echo {{}}"]\n}}\n'
    number = bench.open_pr("external", "External", {"projects/web/main.tf": null_resources("web_a") + hostile})
    await settle(forge, controller)
    body = bench.comments_with(number, "plan:web")[0]
    assert 'data "external" runs a program during plan' in body
    assert bench.statuses(bench.head_sha(number))["cloudops/plan: web"][0] == "failure"
    assert not canary.exists()
    runs = [r for r in controller.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.PLAN]
    assert [r.status.value for r in runs] == ["failed"]
