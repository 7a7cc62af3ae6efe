"""Every reply the pipeline posts to a command or event, rendered once into a golden file, and the pure
decisions behind them (override refusals, plan requests, automerge) with doubles."""

from __future__ import annotations

import datetime as dt

from controller.forge.base import PullRequest
from controller.pipeline import automerge, comments, plan_intake, pr_commands
from controller.pipeline.comments import OverrideRefusal
from controller.pipeline.rules import rules_from_config
from controller.repo_config import ApplyOn, loads
from controller.store import Run, RunKind, RunStatus

from .test_comments import check_golden

SHA = "0123456789abcdef0123456789abcdef01234567"
CONFIG = loads("""\
version: 1
projects:
  web: {target: local, region: local-1, budget_monthly_usd: 50}
  db: {target: local, region: local-1, apply_on: merge, allow_self_policy_override: true}
members:
  root: {role: admin, github: root}
  dev: {role: user, github: dev}
""")
RULES = rules_from_config(CONFIG)


def test_command_and_event_replies_match_their_golden_file() -> None:
    parts = [
        comments.pipeline_error_comment("reading acme/infra@main:cloudops.yaml:3: projects: must be a mapping"),
        comments.no_such_project_comment("api"),
        comments.help_comment("cloudops plan [-p PROJECT]"),
        comments.approval_not_applied_comment("root", "web", "a new plan is running; review it, then apply"),
        comments.apply_not_planned_comment("dev", "web"),
        comments.applies_on_merge_comment("dev", "db"),
        comments.apply_refused_comment("dev", "web", "a new plan is running; review it, then apply"),
        comments.apply_not_started_comment("web", "the forge is unavailable"),
        comments.merged_not_applied_comment("web"),
        *(comments.override_refused_comment("dev", "web", why) for why in OverrideRefusal),
        comments.unlock_not_allowed_comment("mallory", "dev"),
        comments.nothing_running_comment("dev"),
        comments.automerge_failed_comment("405: required status checks have not passed"),
        comments.automerged_comment(SHA),
        comments.plan_cancelled_comment("web", SHA, "run-7"),
    ]
    check_golden("command-replies.md", "\n\n---\n\n".join(parts) + "\n")


def run(kind: RunKind, status: RunStatus, project: str = "web", summary: dict | None = None, run_id: str = "r") -> Run:
    return Run(id=run_id, repo="acme/infra", project=project, pr_number=3, head_sha=SHA, kind=kind, status=status,
               created_at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC), summary=summary or {})


def test_an_override_is_refused_for_each_reason_in_order() -> None:
    denied = run(RunKind.PLAN, RunStatus.SUCCEEDED, summary={"policy_passed": False, "policy_overridable": True})
    assert pr_commands._override_refusal(RULES, "dev", "web", "someone", denied) is OverrideRefusal.NOT_ADMIN
    assert pr_commands._override_refusal(RULES, "root", "web", "root", denied) is OverrideRefusal.OWN_PULL_REQUEST
    assert pr_commands._override_refusal(RULES, "root", "db", "root", denied) is None  # allowed for db
    assert pr_commands._override_refusal(RULES, "root", "web", "dev", None) is OverrideRefusal.NO_PLAN
    passed = run(RunKind.PLAN, RunStatus.SUCCEEDED, summary={"policy_passed": True})
    assert pr_commands._override_refusal(RULES, "root", "web", "dev", passed) is OverrideRefusal.PASSED
    hard = run(RunKind.PLAN, RunStatus.SUCCEEDED, summary={"policy_passed": False, "policy_overridable": False})
    assert pr_commands._override_refusal(RULES, "root", "web", "dev", hard) is OverrideRefusal.HARD
    assert pr_commands._override_refusal(RULES, "root", "web", "dev", denied) is None


def test_plan_requests_carry_the_rules_of_each_project() -> None:
    pull = PullRequest(number=3, title="t", body="", head_sha=SHA, head_ref="feature", base_ref="main", author="dev",
                       state="open", merged=False, mergeable=True, mergeable_state="clean", draft=False,
                       merge_commit_sha=None, html_url="")
    web, db = plan_intake.plan_requests(pull, ["web", "db"], RULES, repo="acme/infra", trigger="pr_opened",
                                        actor="dev", config_changed=False)
    assert (web.apply_on, web.budget_monthly_usd, web.all_projects) == (ApplyOn.APPROVE, 50, ("web", "db"))
    assert (db.apply_on, db.budget_monthly_usd, db.head_sha) == (ApplyOn.MERGE, None, SHA)
    assert plan_intake.from_payload(plan_intake.to_payload(web)) == web  # through the job queue unchanged


def test_automerge_waits_for_every_changed_project_and_ignores_plans_without_changes() -> None:
    plans = [run(RunKind.PLAN, RunStatus.SUCCEEDED, "web", {"has_changes": True}, "p-web"),
             run(RunKind.PLAN, RunStatus.SUCCEEDED, "db", {"has_changes": False}, "p-db")]
    assert automerge.waiting_projects(plans) == (["web"], SHA)
    applied = [run(RunKind.APPLY, RunStatus.SUCCEEDED, "web", {"plan_run_id": "p-web"}, "a-web"), *plans]
    assert automerge.waiting_projects(applied) == ([], SHA)
    assert automerge.waiting_projects([]) == ([], None)
