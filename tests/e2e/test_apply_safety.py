"""Apply safety over the real forge, controller and terraform (issues 13 and 21):
approval binds to a plan, syntax errors are told as such, the overall statuses speak for every project,
`apply_on: merge` is blocked before the merge, and closing an applied PR does not hide live resources."""

from __future__ import annotations

import asyncio

import pytest

from controller.app import ControllerApp
from controller.pipeline import apply_comments, notices
from controller.store import RunKind, RunStatus

from .harness import Workbench, as_reviewer, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.timeout(300)]


def comment_as_reviewer(forge, bench: Workbench, number: int, body: str) -> None:
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(body)


def runs(controller: ControllerApp, bench: Workbench, number: int, kind: RunKind) -> list:
    return [r for r in controller.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is kind]


async def until(check, timeout: float = 60.0):
    for _ in range(int(timeout / 0.05)):
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_an_apply_asked_for_while_the_pr_is_replanned_is_refused(forge, bench: Workbench,
                                                                      controller: ControllerApp) -> None:
    number = bench.open_pr("race", "Race", {"projects/web/main.tf": null_resources("web_a", "seen")})
    await settle(forge, controller)
    seen_plan = runs(controller, bench, number, RunKind.PLAN)[0]
    # A push lands: its re-plan is queued or running when the approver (who saw the old plan) comments.
    bench.push_branch("race", "Unseen", files={"projects/web/main.tf": null_resources("web_a", "seen", "unseen")})
    await asyncio.to_thread(forge.drain_webhooks)
    await until(lambda: controller.queue.jobs_of(f"{bench.full_name}:web"))
    reviewer = as_reviewer(forge).get_repo(bench.full_name)
    reviewer.get_issue(number).create_comment("cloudops apply -p web")
    reviewer.get_pull(number).create_review(reviewer.get_commit(seen_plan.head_sha), event="APPROVE")  # what they saw
    await settle(forge, controller)

    replies = [c.body for c in bench.repo.get_issue(number).get_comments() if "a new plan is running; review it, then apply" in c.body]
    assert len(replies) == 2, "the approver is told, for the comment and for the review, why nothing was applied"
    assert any("your approval did not start an apply of `web`" in r for r in replies)
    assert runs(controller, bench, number, RunKind.APPLY) == []  # the unseen plan was not applied
    newest = runs(controller, bench, number, RunKind.PLAN)[0]
    assert newest.id != seen_plan.id and newest.summary["add"] == 3

    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")  # now they have seen it
    await settle(forge, controller)
    [apply] = runs(controller, bench, number, RunKind.APPLY)
    assert apply.status is RunStatus.SUCCEEDED and apply.plan_run_id == newest.id


async def test_a_syntax_error_is_its_own_outcome_with_file_line_and_column(forge, bench: Workbench,
                                                                          controller: ControllerApp) -> None:
    number = bench.open_pr("typo", "Typo", {"projects/db/main.tf": 'resource "null_resource" "db_a" {\n  triggers = {}\n'})
    await settle(forge, controller)
    body = bench.comments_with(number, "plan:db")[0]
    assert "syntax error" in body and "projects/db/main.tf:1:33: unclosed `{`" in body
    assert "allowlist" not in body and "does not allow" not in body  # not a security refusal
    state, description = bench.statuses(bench.head_sha(number))["cloudops/plan: db"]
    assert state == "failure" and description.startswith("syntax error: projects/db/main.tf:1:33:")


async def test_the_overall_statuses_cover_every_project_of_the_pr(forge, bench: Workbench,
                                                                 controller: ControllerApp) -> None:
    number = bench.open_pr("two", "Two", {"projects/web/main.tf": null_resources("web_a", "w2"),
                                         "projects/db/main.tf": 'resource "null_resource" "broken" {\n'})
    await settle(forge, controller)
    sha = bench.head_sha(number)
    assert bench.statuses(sha)["cloudops/plan"] == ("failure", "1/2 projects planned; failed: db")
    comment_as_reviewer(forge, bench, number, "cloudops plan -p web")  # a partial re-plan speaks only for web
    await settle(forge, controller)
    assert bench.statuses(sha)["cloudops/plan"][0] == "failure"
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    assert bench.statuses(sha)["cloudops/apply: web"][0] == "success"
    state, description = bench.statuses(sha)["cloudops/apply"]
    assert state == "pending" and description.startswith("1/2 projects applied")  # db has no good plan yet


async def test_apply_on_merge_is_blocked_by_a_failing_status_until_approved(forge, bench: Workbench,
                                                                           controller: ControllerApp) -> None:
    number = bench.open_pr("db-m", "db on merge", {"projects/db/main.tf": null_resources("db_a", "db_m")})
    await settle(forge, controller)
    sha = bench.head_sha(number)
    assert bench.statuses(sha)["cloudops/apply"] == ("failure", "0/1 projects applied; needs approval: db")
    as_reviewer(forge).get_repo(bench.full_name).get_pull(number).create_review(event="APPROVE")
    await settle(forge, controller)
    assert bench.statuses(sha)["cloudops/apply"] == ("success", "1/1 projects applied")
    bench.repo.get_pull(number).merge()
    await settle(forge, controller)
    [apply] = runs(controller, bench, number, RunKind.APPLY)
    assert apply.status is RunStatus.SUCCEEDED and apply.trigger == "merge"
    assert controller.store.get_lock(bench.full_name, "db") is None  # handed back after the merge's apply


async def test_closing_an_applied_unmerged_pr_keeps_the_lock_and_names_what_is_live(forge, bench: Workbench,
                                                                                   controller: ControllerApp) -> None:
    number = bench.open_pr("live", "Live", {"projects/web/main.tf": null_resources("web_a", "web_live")})
    await settle(forge, controller)
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    heard: list = []  # what chat front ends subscribe to (controller/service/events.py)
    controller.bus.subscribe(notices.ClosedWithLiveResources, heard.append)
    controller.bus.subscribe(notices.PullRequestClosed, heard.append)
    bench.repo.get_pull(number).edit(state="closed")
    await settle(forge, controller)

    assert controller.store.get_lock(bench.full_name, "web").pr_number == number
    live, closed = heard
    assert live.resources == ("null_resource.web_a", "null_resource.web_live") and live.lock_kept
    assert closed.kept == ("web",) and closed.released == ()
    told = bench.comments_with(number, "closed-applied:web")[0]
    assert "+ null_resource.web_live" in told and "+ null_resource.web_a" in told and "**kept**" in told
    apply_body = bench.comments_with(number, "apply:web")[0]
    assert apply_comments.STAYS_LOCKED not in apply_body and "Closed without merging" in apply_body

    other = bench.open_pr("next", "Next", {"projects/web/main.tf": null_resources("web_a", "web_next")})
    await settle(forge, controller)
    assert f"#{number}" in bench.comments_with(other, "plan:web")[0]  # locked: no surprise destroys


async def test_after_the_merge_the_apply_comment_no_longer_speaks_of_the_open_pr(forge, bench: Workbench,
                                                                                 controller: ControllerApp) -> None:
    number = bench.open_pr("merge-me", "Merge me", {"projects/web/main.tf": null_resources("web_a", "web_m")})
    await settle(forge, controller)
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    bench.repo.get_pull(number).merge()
    await settle(forge, controller)
    body = bench.comments_with(number, "apply:web")[0]
    assert "until it is merged or closed" not in body and "**Merged** as `" in body
    assert controller.store.get_lock(bench.full_name, "web") is None


async def test_an_unapproved_merge_is_refused_then_the_lock_is_handed_over(forge, bench: Workbench,
                                                                            controller: ControllerApp) -> None:
    number = bench.open_pr("db-x", "db unapproved", {"projects/db/main.tf": null_resources("db_a", "db_x")})
    await settle(forge, controller)
    assert bench.statuses(bench.head_sha(number))["cloudops/apply"][0] == "failure"  # what branch protection would block
    bench.repo.get_pull(number).merge()  # merged anyway (no branch protection here)
    await settle(forge, controller)
    assert "**approved**" in bench.comments_with(number, "apply:db")[0]
    told = bench.comments_with(number, "merge-refused:db")[0]
    assert "not** live" in told and "next plan of `db` includes them" in told
    assert controller.store.get_lock(bench.full_name, "db") is None
    assert [r for r in runs(controller, bench, number, RunKind.APPLY) if r.pid is not None] == []


async def test_an_apply_whose_lane_was_taken_over_does_not_write_the_state(forge, bench: Workbench,
                                                                          controller: ControllerApp) -> None:
    """A worker presumed dead (its lease lapsed) may still finish terraform; its fencing token is stale by then,
    so the newer run's state is never overwritten and the PR is told."""
    from controller.pipeline import notices

    number = bench.open_pr("zombie", "Zombie", {"projects/web/main.tf": null_resources("web_a", "zombie")})
    await settle(forge, controller)
    saves_before = len(await controller.pipeline.ctx.state.history(bench.full_name, "web"))

    def take_over(event: notices.ApplyStarted) -> None:  # as the recovery on another replica would
        controller.store.take_fence(bench.full_name, "web", holder="newer-run")

    controller.bus.subscribe(notices.ApplyStarted, take_over)
    comment_as_reviewer(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)

    (apply,) = runs(controller, bench, number, RunKind.APPLY)
    assert apply.status is RunStatus.FAILED and "fencing token" in (apply.error or "")
    assert len(await controller.pipeline.ctx.state.history(bench.full_name, "web")) == saves_before  # nothing written over
    body = bench.comments_with(number, "apply:web")[0]
    assert "fencing token" in body and "another run took the project over" in body
    assert bench.statuses(bench.head_sha(number))["cloudops/apply: web"][1].startswith("taken over by another run")
