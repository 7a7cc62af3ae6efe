"""From an approved or merged pull request to applied infrastructure, over the real pieces."""

from __future__ import annotations

import asyncio

import pytest

from controller.app import ControllerApp
from cloudops.assembly import assemble
from controller.pipeline import notices
from controller.store import RunKind, RunStatus

from .harness import REVIEWER_LOGIN, Workbench, as_reviewer, null_resources, settle, slow_resource

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def comment_as_reviewer(forge, bench: Workbench, number: int, body: str) -> None:
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(body)


def apply_runs(controller: ControllerApp, bench: Workbench, number: int) -> list:
    return [r for r in controller.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.APPLY]


async def test_apply_on_approve_by_an_admins_comment(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("web-b", "Add web_b", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, controller)
    progress: list[notices.ApplyProgress] = []
    controller.bus.subscribe(notices.ApplyProgress, progress.append)

    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)

    body = bench.comments_with(number, "apply:web")[0]
    assert "Applied project `web`" in body and "2/2 resources" in body
    sha = bench.head_sha(number)
    assert bench.statuses(sha)["cloudops/apply: web"] == ("success", "applied")
    assert [r.status for r in apply_runs(controller, bench, number)] == [RunStatus.SUCCEEDED]
    assert progress and progress[-1].completed == progress[-1].total == 2
    assert controller.store.get_lock(bench.full_name, "web").pr_number == number  # held until merged/closed


async def test_the_authors_own_apply_is_refused_naming_the_requirement(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("self", "Self-approve", {"projects/web/main.tf": null_resources("web_a", "web_s")})
    await settle(forge, controller)
    bench.repo.get_issue(number).create_comment("cloudops apply -p web")  # the author (cloudops-admin)
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:web")[0]
    assert "refused" in body and "**approved**" in body and "other than the author" in body
    assert apply_runs(controller, bench, number) == []


async def test_a_stale_plan_is_refused_after_a_new_push(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("stale", "Stale", {"projects/web/main.tf": null_resources("web_a", "web_1")})
    await settle(forge, controller)
    hook = next(iter(bench.repo.get_hooks()))
    hook.edit("web", hook.config, active=False)  # the new push must not be re-planned before we ask
    bench.push_branch("stale", "More", files={"projects/web/main.tf": null_resources("web_a", "web_1", "web_2")})
    await controller.pipeline.request_apply(bench.full_name, number, "web", REVIEWER_LOGIN, trigger="button")
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:web")[0]
    assert "**plan_fresh**" in body and "re-plan" in body
    assert apply_runs(controller, bench, number) == []


async def test_apply_on_merge_after_an_approving_review(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("db-b", "Add db_b", {"projects/db/main.tf": null_resources("db_a", "db_b")})
    await settle(forge, controller)
    reviewer_repo = as_reviewer(forge).get_repo(bench.full_name)
    reviewer_repo.get_pull(number).create_review(event="APPROVE")
    await settle(forge, controller)
    assert apply_runs(controller, bench, number) == []  # db applies on merge, not on review

    bench.repo.get_pull(number).merge()
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:db")[0]
    assert "Applied project `db`" in body
    assert [r.status for r in apply_runs(controller, bench, number)] == [RunStatus.SUCCEEDED]
    assert controller.store.get_lock(bench.full_name, "db") is None  # released after the apply


async def test_a_failing_apply_names_the_resource_and_keeps_the_lock(forge, bench: Workbench, controller: ControllerApp) -> None:
    files = {"projects/web/main.tf": null_resources("web_a", "web_ok") + slow_resource("web_broken", "exit 3")}
    number = bench.open_pr("broken-apply", "Broken apply", files)
    await settle(forge, controller)
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:web")[0]
    assert "failed: `null_resource.web_broken`" in body
    assert bench.statuses(bench.head_sha(number))["cloudops/apply: web"][0] == "failure"
    assert [r.status for r in apply_runs(controller, bench, number)] == [RunStatus.FAILED]
    assert controller.store.get_lock(bench.full_name, "web").pr_number == number

    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")  # the consumed plan cannot run twice
    await settle(forge, controller)
    assert "**not_applied**" in bench.comments_with(number, "apply:web")[0]


async def test_cancel_during_apply_stops_terraform_and_keeps_the_lock(forge, bench: Workbench, controller: ControllerApp) -> None:
    files = {"projects/web/main.tf": slow_resource("web_slow", "sleep 30")}
    number = bench.open_pr("slow-apply", "Slow apply", files)
    await settle(forge, controller)
    started = asyncio.Event()
    controller.bus.subscribe(notices.ApplyStarted, lambda event: started.set())
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await asyncio.to_thread(forge.run, forge.forge.drain_webhooks())
    await asyncio.wait_for(started.wait(), 60)
    await asyncio.sleep(1)  # let terraform reach the provisioner
    comment_as_reviewer(forge, bench, number, "cloudops cancel -p web")
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:web")[0]
    assert "was cancelled" in body
    assert [r.status for r in apply_runs(controller, bench, number)] == [RunStatus.CANCELLED]
    assert controller.store.get_lock(bench.full_name, "web").pr_number == number


async def test_automerge_merges_after_the_apply(forge, bench: Workbench, tmp_path) -> None:

    from .harness import controller_config, register_hook

    config_text = (bench.clone / "cloudops.yaml").read_text().replace(
        "    apply_on: approve\n", "    apply_on: approve\n    automerge: true\n", 1)
    bench.push_branch("main", "Automerge web", files={"cloudops.yaml": config_text})
    async with assemble(controller_config(forge, tmp_path / "auto", bench.full_name)) as assembled:
        app = assembled.app
        register_hook(bench, app.webhook_url)
        number = bench.open_pr("auto", "Auto", {"projects/web/main.tf": null_resources("web_a", "auto")})
        await settle(forge, app)
        comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
        await settle(forge, app)
        pull = bench.repo.get_pull(number)
        assert pull.merged
        assert "merged automatically" in bench.comments_with(number, "automerge")[0]
        assert app.store.get_lock(bench.full_name, "web") is None  # the merge released it
