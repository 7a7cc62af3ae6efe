"""Applied but never merged: the default branch's plan shows the drift, and chat hears of it."""

from __future__ import annotations

import pytest

from controller.app import ControllerApp
from controller.pipeline import drift, notices

from .harness import Workbench, as_reviewer, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


async def test_an_applied_unmerged_change_is_reported_as_drift(forge, bench: Workbench, controller: ControllerApp) -> None:
    ctx = controller.pipeline.ctx
    found: list[notices.DriftFound] = []
    controller.bus.subscribe(notices.DriftFound, found.append)
    assert await drift.check_repo(ctx, bench.full_name) == []  # nothing applied yet: nothing can drift

    number = bench.open_pr("web-b", "Add web_b", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, controller)
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p web")
    await settle(forge, controller)
    assert await drift.check_repo(ctx, bench.full_name) == []  # the PR holds the lock: someone is at work there

    bench.repo.get_pull(number).edit(state="closed")  # applied, then abandoned without a merge
    await settle(forge, controller)
    # The close keeps the lock (pipeline.on_close_applied: keep_lock) and tells the PR; once someone
    # has looked and released it, the default branch's plan shows the drift.
    assert await drift.check_repo(ctx, bench.full_name) == []
    bench.repo.get_issue(number).create_comment("cloudops unlock")
    await settle(forge, controller)
    reports = await drift.check_repo(ctx, bench.full_name)
    # web_a is on main too, so only web_b is out of line with the code.
    assert [(r.project, r.summary) for r in reports] == [("web", "Plan: 0 to add, 0 to change, 1 to destroy.")]
    assert found[-1].resources == ("null_resource.web_b",)
