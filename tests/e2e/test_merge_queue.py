"""The merge queue: each merge group is planned (a required `cloudops/plan` gates it), the
queue merges the groups in order, and `apply_on: merge` projects apply in that order."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
import requests

from controller.app import ControllerApp
from controller.store import RunKind, RunStatus

from .harness import (WEBHOOK_SECRET, Workbench, app_controller_config, as_reviewer, check_runs, git, install_app,
                      make_infra_repo, null_resources)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web: {target: local, region: local-1, apply_on: merge}
      db: {target: local, region: local-1, apply_on: merge}
    members:
      admin: {role: admin, github: cloudops-admin}
      rita: {role: admin, github: rita}
    """
)


@pytest.fixture
def bench(forge, tmp_path: Path) -> Workbench:
    return make_infra_repo(forge, tmp_path, files={"cloudops.yaml": CONFIG})


def enqueue(forge, bench: Workbench, number: int) -> dict:
    response = requests.put(f"{forge.api_url}/repos/{bench.full_name}/pulls/{number}/queue",
                            json={"required_checks": ["cloudops/plan"]},
                            headers={"Authorization": f"token {forge.owner_token}"}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


async def until(forge, app: ControllerApp, done, rounds: int = 12) -> None:
    for _ in range(rounds):
        await asyncio.to_thread(forge.drain_webhooks)
        await app.settle()
        if done():
            return
    raise AssertionError("the queue did not finish")


async def test_merge_groups_are_planned_and_applied_in_queue_order(forge, bench: Workbench, tmp_path: Path) -> None:
    app_id = install_app(forge, bench)
    async with ControllerApp(app_controller_config(forge, tmp_path / "ctl", bench.full_name, app_id)) as app:
        forge.set_app_webhook(app_id, app.webhook_url, WEBHOOK_SECRET)
        first = bench.open_pr("web-more", "More web", {"projects/web/main.tf": null_resources("web_a", "web_b")})
        second = bench.open_pr("db-more", "More db", {"projects/db/main.tf": null_resources("db_a", "db_b")})
        await until(forge, app, lambda: len([r for r in app.store.list_runs(repo=bench.full_name)
                                             if r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED]) == 2)

        for number in (first, second):  # apply_on merge still needs an allowed approval
            as_reviewer(forge).get_repo(bench.full_name).get_pull(number).create_review(event="APPROVE")
        group_one = enqueue(forge, bench, first)["head_sha"]
        group_two = enqueue(forge, bench, second)["head_sha"]
        repo = bench.repo

        def both_applied() -> bool:
            runs = [r for r in app.store.list_runs(repo=bench.full_name) if r.kind is RunKind.APPLY]
            return len(runs) == 2 and all(r.status is RunStatus.SUCCEEDED for r in runs)

        await until(forge, app, both_applied)

        # Each group was planned: the required status, and the app's check run, on its head.
        for sha, project in ((group_one, "web"), (group_two, "db")):
            statuses = bench.statuses(sha)
            assert statuses["cloudops/plan"][0] == "success", statuses
            assert statuses[f"cloudops/plan: {project}"] == ("success", "Plan: 2 to add, 0 to change, 0 to destroy.")
            assert check_runs(bench, sha)[f"cloudops plan: {project}"].conclusion == "success"
        assert repo.get_pull(first).merged and repo.get_pull(second).merged
        assert repo.get_pull(first).merge_commit_sha == group_one
        assert repo.get_pull(second).merge_commit_sha == group_two

        # The queue merged in order: main is the second group, whose parent is the first.
        git(bench.clone, "fetch", "-q", "origin")
        assert git(bench.clone, "rev-parse", "origin/main") == group_two
        assert git(bench.clone, "rev-parse", f"{group_two}^1") == group_one

        # And applied in that order, each the PR's own reviewed plan at its merge.
        applied = sorted((r for r in app.store.list_runs(repo=bench.full_name) if r.kind is RunKind.APPLY),
                         key=lambda r: r.created_at)
        assert [(r.pr_number, r.project, r.trigger) for r in applied] == [(first, "web", "merge"), (second, "db", "merge")]
        assert app.store.list_locks(repo=bench.full_name) == []


async def test_a_group_that_changes_the_reviewed_tree_fails_its_check(forge, bench: Workbench, tmp_path: Path) -> None:
    app_id = install_app(forge, bench)
    async with ControllerApp(app_controller_config(forge, tmp_path / "ctl", bench.full_name, app_id)) as app:
        forge.set_app_webhook(app_id, app.webhook_url, WEBHOOK_SECRET)
        number = bench.open_pr("web-x", "Web x", {"projects/web/extra.tf": null_resources("web_x")})
        await until(forge, app, lambda: any(r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED
                                            for r in app.store.list_runs(repo=bench.full_name)))
        # main moves under the PR (a direct push to projects/web), after the plan was reviewed.
        bench.push_branch("main", "hotfix", files={"projects/web/hotfix.tf": null_resources("web_hot")})
        group = enqueue(forge, bench, number)["head_sha"]
        await until(forge, app, lambda: "cloudops/plan" in bench.statuses(group)
                    and bench.statuses(group)["cloudops/plan"][0] != "pending")
        state, description = bench.statuses(group)["cloudops/plan: web"]
        assert state == "failure" and "differs from the reviewed plan" in description
        assert not bench.repo.get_pull(number).merged  # the queue dropped it instead of merging
        assert [r for r in app.store.list_runs(repo=bench.full_name) if r.kind is RunKind.APPLY] == []


async def test_a_token_install_gates_the_queue_with_commit_statuses(forge, bench: Workbench, controller) -> None:
    number = bench.open_pr("db-c", "Db c", {"projects/db/main.tf": null_resources("db_a", "db_c")})
    await until(forge, controller, lambda: any(r.kind is RunKind.PLAN and r.status is RunStatus.SUCCEEDED
                                               for r in controller.store.list_runs(repo=bench.full_name)))
    as_reviewer(forge).get_repo(bench.full_name).get_pull(number).create_review(event="APPROVE")
    group = enqueue(forge, bench, number)["head_sha"]
    await until(forge, controller, lambda: any(r.kind is RunKind.APPLY and r.status is RunStatus.SUCCEEDED
                                               for r in controller.store.list_runs(repo=bench.full_name)))
    assert bench.statuses(group)["cloudops/plan: db"][0] == "success"
    assert check_runs(bench, group) == {}  # a token may not write check runs: statuses only
    assert bench.repo.get_pull(number).merged
