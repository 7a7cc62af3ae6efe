"""Pull requests are planned, locked and commented, over the real pieces."""

from __future__ import annotations

import pytest

from controller.app import ControllerApp
from cloudops.assembly import assemble

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

    assert "Policies passed" in body
    assert "### 💰 Cost estimate" in body and "The Cloud Dungeon Master" in body
    assert "<!-- cloudops:cost" not in body  # only the comment's own marker identifies it
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


async def test_two_prs_contend_for_one_project(forge, bench: Workbench, controller: ControllerApp) -> None:
    first = bench.open_pr("first", "First", {"projects/web/main.tf": null_resources("web_a", "first")})
    await settle(forge, controller)
    second = bench.open_pr("second", "Second", {"projects/web/main.tf": null_resources("web_a", "second")})
    await settle(forge, controller)

    locked = bench.comments_with(second, "plan:web")
    assert len(locked) == 1 and "locked by #%d" % first in locked[0]
    assert bench.statuses(bench.head_sha(second))["cloudops/plan: web"] == ("failure", f"locked by #{first}")
    assert "cloudops/plan" in bench.statuses(bench.head_sha(second))

    bench.repo.get_pull(first).edit(state="closed")
    await settle(forge, controller)
    bench.repo.get_issue(second).create_comment("cloudops plan -p web")
    await settle(forge, controller)
    replanned = bench.comments_with(second, "plan:web")
    assert len(replanned) == 1 and "null_resource.second will be created" in replanned[0]
    assert bench.statuses(bench.head_sha(second))["cloudops/plan: web"][0] == "success"


async def test_a_pr_touching_two_projects_gets_two_plans(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("both", "Both", {
        "projects/web/main.tf": null_resources("web_a", "web_b"),
        "projects/db/main.tf": null_resources("db_a", "db_b"),
    })
    await settle(forge, controller)
    assert len(bench.comments_with(number, "plan:web")) == 1
    db_comments = bench.comments_with(number, "plan:db")
    assert len(db_comments) == 1 and "Merge this pull request to apply" in db_comments[0]  # db applies on merge
    assert bench.statuses(bench.head_sha(number))["cloudops/plan"] == ("success", "2/2 projects planned")


async def test_an_hcl_error_fails_with_terraforms_diagnostic(forge, bench: Workbench, controller: ControllerApp) -> None:
    broken = 'resource "null_resource" "x" {\n  bogus_argument = 1\n}\n'
    number = bench.open_pr("broken", "Broken", {"projects/web/main.tf": broken})
    await settle(forge, controller)
    body = bench.comments_with(number, "plan:web")[0]
    assert "failed" in body and "main.tf:2" in body and "bogus_argument" in body
    statuses = bench.statuses(bench.head_sha(number))
    assert statuses["cloudops/plan: web"][0] == "failure"
    assert statuses["cloudops/plan"][0] == "failure"


async def test_a_pr_cannot_loosen_its_own_rules(forge, bench: Workbench, controller: ControllerApp) -> None:
    loosened = (bench.clone / "cloudops.yaml").read_text().replace("apply_on: approve", "apply_on: merge")
    number = bench.open_pr("loosen", "Loosen", {
        "cloudops.yaml": loosened,
        "projects/web/main.tf": null_resources("web_a", "web_b"),
    })
    await settle(forge, controller)
    body = bench.comments_with(number, "plan:web")[0]
    assert "changes `cloudops.yaml`" in body
    assert "cloudops apply -p web" in body  # still the default branch's apply_on: approve


async def test_a_redelivered_webhook_is_processed_once(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("redeliver", "Redeliver", {"projects/web/main.tf": null_resources("web_a", "web_r")})
    await settle(forge, controller)
    runs_before = controller.store.list_runs(repo=bench.full_name, pr_number=number)
    hook = next(iter(bench.repo.get_hooks()))
    deliveries = bench.repo._requester.requestJsonAndCheck("GET", f"{bench.repo.url}/hooks/{hook.id}/deliveries")[1]
    opened = next(d for d in deliveries if d["event"] == "pull_request" and d["action"] == "opened")
    bench.repo._requester.requestJsonAndCheck("POST", f"{bench.repo.url}/hooks/{hook.id}/deliveries/{opened['id']}/attempts")
    await settle(forge, controller)
    assert len(controller.store.list_runs(repo=bench.full_name, pr_number=number)) == len(runs_before)
    assert len(bench.comments_with(number, "plan:web")) == 1


async def test_unknown_comment_commands_get_the_usage(forge, bench: Workbench, controller: ControllerApp) -> None:
    number = bench.open_pr("usage", "Usage", {"projects/web/main.tf": null_resources("web_a", "web_u")})
    await settle(forge, controller)
    bench.repo.get_issue(number).create_comment("cloudops deploy everything")
    await settle(forge, controller)
    replies = [c.body for c in bench.repo.get_issue(number).get_comments() if "unknown command 'deploy'" in c.body]
    assert len(replies) == 1 and "Usage: cloudops" in replies[0]


async def test_a_plan_over_its_timeout_is_stopped_and_the_lock_released(forge, bench: Workbench, tmp_path) -> None:
    from controller.settings import Settings
    from controller.terraform.toolchain import resolve_toolchain

    from .harness import controller_config, register_hook

    real = resolve_toolchain(Settings.from_env()).binary
    hung = tmp_path / "hung-terraform"
    hung.write_text(f'#!/bin/sh\nif [ "$1" = plan ]; then sleep 120; fi\nexec "{real}" "$@"\n')
    hung.chmod(0o755)
    config = controller_config(forge, tmp_path / "slow-controller", bench.full_name,
                               terraform_binary=hung, plan_timeout=2.0, interrupt_grace=1.0)
    async with assemble(config) as assembled:
        app = assembled.app
        register_hook(bench, app.webhook_url)
        number = bench.open_pr("slow", "Slow", {"projects/web/main.tf": null_resources("web_a", "slow")})
        await settle(forge, app)
        body = bench.comments_with(number, "plan:web")[0]
        assert "timed out" in body and "lock was released" in body
        assert bench.statuses(bench.head_sha(number))["cloudops/plan: web"] == ("failure", "plan timed out")
        assert app.store.get_lock(bench.full_name, "web") is None


async def test_a_broken_cloudops_yaml_on_main_is_reported_on_the_pr(forge, bench: Workbench, controller: ControllerApp) -> None:
    bench.push_branch("main", "Break the config", files={"cloudops.yaml": "version: 1\nprojects:\n  web: {target: moon}\n"})
    await settle(forge, controller)
    number = bench.open_pr("after-break", "After break", {"projects/web/main.tf": null_resources("web_a", "z")})
    await settle(forge, controller)
    body = bench.comments_with(number, "error:pipeline")[0]
    assert "could not act" in body and "cloudops.yaml:3" in body and "missing required key 'region'" in body


async def test_a_draft_is_planned_only_once_ready_for_review(forge, bench: Workbench, controller: ControllerApp) -> None:
    bench.push_branch("draft", "Draft", files={"projects/web/main.tf": null_resources("web_a", "draft")})
    number = bench.repo.create_pull(title="Draft", body="", head="draft", base="main", draft=True).number
    await settle(forge, controller)
    assert bench.comments_with(number, "plan:web") == []
    # GitHub marks ready through GraphQL; the local forge takes PATCH {"draft": false} (see sandbox/README.md).
    bench.repo._requester.requestJsonAndCheck("PATCH", f"{bench.repo.url}/pulls/{number}", input={"draft": False})
    await settle(forge, controller)
    assert "null_resource.draft will be created" in bench.comments_with(number, "plan:web")[0]


async def test_a_plan_cancelled_midway_releases_the_lock_and_says_so(forge, bench: Workbench,
                                                                     controller: ControllerApp) -> None:
    import asyncio

    from controller.pipeline import notices

    started = asyncio.Event()
    controller.bus.subscribe(notices.PlanStarted, lambda event: started.set())
    number = bench.open_pr("cut-short", "Cut short", {"projects/web/main.tf": null_resources("web_a", "cut")})
    await asyncio.to_thread(forge.run, forge.forge.drain_webhooks())
    await asyncio.wait_for(started.wait(), 60)
    assert await controller.queue.cancel(f"{bench.full_name}:web")
    await settle(forge, controller)

    body = bench.comments_with(number, "plan:web")[0]
    assert "Plan of project `web` was cancelled" in body and "lock is released" in body
    assert controller.store.get_lock(bench.full_name, "web") is None  # the next PR may plan web
    assert bench.statuses(bench.head_sha(number))["cloudops/plan: web"] == ("error", "plan cancelled")
