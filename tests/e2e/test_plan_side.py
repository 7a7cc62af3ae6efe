"""Pull requests are planned, locked and commented, over the real pieces."""

from __future__ import annotations

import pytest

from controller.app import ControllerApp

from .harness import Workbench, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


async def test_an_opened_pr_gets_a_plan_comment_and_statuses(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("add-web-b", "Add web_b", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, controller)

    plan_comments = bench.comments_with(number, "plan:web")
    assert len(plan_comments) == 1
    body = plan_comments[0]
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in body
    assert "null_resource.web_b will be created" in body
    assert "no policies configured" in body and "cost not estimated" in body
    assert "cloudops apply -p web" in body  # web applies on approval per cloudops.yaml
    statuses = bench.statuses(bench.head_sha(number))
    assert statuses["cloudops/plan: web"][0] == "success"
    assert statuses["cloudops/plan"] == ("success", "1/1 projects planned")


async def test_a_push_updates_the_same_comment(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("grow", "Grow web", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, controller)
    bench.push_branch("grow", "More", files={"projects/web/main.tf": null_resources("web_a", "web_b", "web_c")})
    await settle(forge, controller)

    plan_comments = bench.comments_with(number, "plan:web")
    assert len(plan_comments) == 1
    assert "null_resource.web_c will be created" in plan_comments[0]
    assert bench.statuses(bench.head_sha(number))["cloudops/plan: web"][0] == "success"
