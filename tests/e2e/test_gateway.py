"""The chat's approve button goes through the same gate as a PR comment."""

from __future__ import annotations

import pytest

from controller.app import ControllerApp
from cloudops.gateway import ControllerGateway

from .harness import REVIEWER_LOGIN, Workbench, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


async def test_the_button_is_refused_for_the_author_and_accepted_for_an_admin(forge, bench: Workbench,
                                                                              controller: ControllerApp) -> None:
    gateway = ControllerGateway(controller.pipeline)
    number = bench.open_pr("btn", "Button", {"projects/web/main.tf": null_resources("web_a", "btn"),
                                            "projects/db/main.tf": null_resources("db_a", "btn")})
    await settle(forge, controller)

    refused = await gateway.request_apply(bench.full_name, number, "web", "cloudops-admin")  # the PR's author
    assert not refused.accepted and any(r.startswith("approved:") for r in refused.refusals)
    on_merge = await gateway.request_apply(bench.full_name, number, "db", REVIEWER_LOGIN)
    assert not on_merge.accepted and "apply_on: merge" in on_merge.refusals[0]

    accepted = await gateway.request_apply(bench.full_name, number, "web", REVIEWER_LOGIN)
    assert accepted.accepted
    await settle(forge, controller)
    assert "Applied project `web`" in bench.comments_with(number, "apply:web")[0]
    assert await gateway.cancel(bench.full_name, number, None, REVIEWER_LOGIN) == []  # nothing left running


async def test_plan_again_from_chat_plans_a_pr_that_waited_for_a_lock_now_released(forge, bench: Workbench,
                                                                                   controller: ControllerApp) -> None:
    from controller.store import RunKind, RunStatus

    gateway = ControllerGateway(controller.pipeline)
    first = bench.open_pr("first", "First", {"projects/web/main.tf": null_resources("web_a", "one")})
    await settle(forge, controller)
    second = bench.open_pr("second", "Second", {"projects/web/extra.tf": null_resources("web_b")})
    await settle(forge, controller)

    def plans(number: int) -> list:
        return [r for r in controller.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.PLAN]

    assert [r.status for r in plans(second)] == [RunStatus.FAILED]  # locked by the first PR
    bench.repo.get_pull(first).edit(state="closed")
    await settle(forge, controller)
    assert await gateway.plan(bench.full_name, second, "web", REVIEWER_LOGIN) == ["web"]
    await settle(forge, controller)
    assert plans(second)[0].status is RunStatus.SUCCEEDED  # newest first
