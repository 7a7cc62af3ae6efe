"""Policies in the pipeline: a violating PR is blocked until fixed or overridden; grants expire; quotas count the repo."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controller.app import ControllerApp
from cloudops.assembly import assemble
from controller.catalog.render import render_resource
from controller.catalog.specs import Target, VmSpec
from controller.pipeline import notices
from controller.store import RunKind, RunStatus

from .harness import (Workbench, as_reviewer, controller_config, make_infra_repo, register_hook,
                      settle)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web:
        target: local
        region: local-1
        budget_monthly_usd: 10
        quotas: {vm: 2}
        policy_sets: [hard, soft]
      lab:
        target: local
        region: local-1
        policy_sets: [hard]
    members:
      admin: {role: admin, github: cloudops-admin}
      rita: {role: admin, github: rita, projects: [web]}
      ron: {role: user, github: ron}
    grants:
      - {member: ron, project: lab, role: admin, expires_at: 2001-01-01T00:00:00Z, reason: long over}
    policy_sets:
      hard: {enforcement: hard, policies: [builtin/quotas, builtin/machine-sizes]}
      soft: {enforcement: soft, policies: [builtin/budget]}
    """
)


def vms(project: str, *specs: tuple[str, str]) -> dict[str, str]:
    files = {}
    for name, size in specs:
        filename, text = render_resource(VmSpec(name=name, project=project, target=Target.LOCAL, region="local-1",
                                                requested_by="test", size=size))
        files[f"projects/{project}/{filename}"] = text
    return files


@pytest.fixture
def bench(forge, tmp_path: Path) -> Workbench:
    return make_infra_repo(forge, tmp_path, files={"cloudops.yaml": CONFIG, **vms("web", ("base", "small"))})


def apply_runs(app: ControllerApp, bench: Workbench, number: int) -> list:
    return [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.APPLY]


def reviewer_comment(forge, bench: Workbench, number: int, text: str) -> None:
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(text)


async def test_a_soft_denial_blocks_apply_until_an_admin_overrides(forge, bench: Workbench, controller: ControllerApp) -> None:
    alerts: list[notices.BudgetAlert] = []
    controller.bus.subscribe(notices.BudgetAlert, alerts.append)
    number = bench.open_pr("pricey", "Pricey", vms("web", ("api", "medium")))  # over the $10 budget
    await settle(forge, controller)
    plan = bench.comments_with(number, "plan:web")[0]
    assert "budget" in plan and "blocked by policy" in plan
    assert "would take `web` past 100% of its monthly budget" in plan
    assert [(a.threshold, a.projected) for a in alerts] == [(0.8, True), (1.0, True)]
    reviewer_comment(forge, bench, number, "cloudops plan -p web")  # a re-plan crosses nothing new
    await settle(forge, controller)
    assert len(alerts) == 2
    assert bench.statuses(bench.head_sha(number))["cloudops/policy — web"][0] == "failure"

    reviewer_comment(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    assert "**policy_passed**" in bench.comments_with(number, "apply:web")[0]
    assert apply_runs(controller, bench, number) == []

    reviewer_comment(forge, bench, number, "cloudops approve_policies -p web")
    await settle(forge, controller)
    overrides = [c for c in bench.repo.get_issue(number).get_comments() if "<!-- cloudops:policy-override:web:" in c.body]
    assert len(overrides) == 1 and overrides[0].user.login == "cloudops-bot"  # the audit record, written by the bot
    assert "overridden by @rita" in overrides[0].body
    assert bench.statuses(bench.head_sha(number))["cloudops/policy — web"] == ("success", "overridden by @rita")

    reviewer_comment(forge, bench, number, "cloudops apply -p web")
    await settle(forge, controller)
    assert [r.status for r in apply_runs(controller, bench, number)] == [RunStatus.SUCCEEDED]
    assert [(a.threshold, a.projected) for a in alerts[2:]] == [(0.8, False), (1.0, False)]  # now it is a fact
    assert "took `web` past 100%" in bench.comments_with(number, "budget:web:1.0")[0]


async def test_a_hard_denial_cannot_be_overridden_and_passes_once_fixed(forge, bench: Workbench, controller: ControllerApp) -> None:
    # The repo already holds one VM (base): two more exceed the quota of 2.
    number = bench.open_pr("many", "Many", vms("web", ("a", "small"), ("b", "small")))
    await settle(forge, controller)
    assert "quota is 2" in bench.comments_with(number, "plan:web")[0]
    reviewer_comment(forge, bench, number, "cloudops approve_policies -p web")
    await settle(forge, controller)
    replies = [c.body for c in bench.repo.get_issue(number).get_comments() if "no one can override" in c.body]
    assert len(replies) == 1

    (bench.clone / "projects/web/vm-b.tf").unlink()
    bench.push_branch("many", "Drop b")
    await settle(forge, controller)
    replanned = bench.comments_with(number, "plan:web")[0]
    assert "quota" not in replanned  # fixed; only the soft budget denial is left, which an admin may override
    assert "admin may override" in bench.statuses(bench.head_sha(number))["cloudops/policy — web"][1]


async def test_an_expired_grant_no_longer_allows(forge, bench: Workbench, tmp_path: Path) -> None:
    config = controller_config(forge, tmp_path / "ctl", bench.full_name)
    async with assemble(config) as assembled:
        app = assembled.app
        register_hook(bench, app.webhook_url)
        number = bench.open_pr("big", "Big lab VM", vms("lab", ("big", "xlarge")))
        await settle(forge, app)
        # The PR author (cloudops-admin) is an admin: allowed. As ron (user, expired admin grant) it is not.
        ctx = app.pipeline.ctx
        rules = await app.pipeline.rules(bench.full_name)
        from controller.pipeline.planner import PlanRequest
        from controller.repo_config import ApplyOn
        from controller.terraform.plan_parser import parse_plan

        run = next(r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.PLAN)
        plan = parse_plan(await ctx.runner.show_plan(Path(run.plan_file).parent, Path(run.plan_file)))
        as_ron = PlanRequest(repo=bench.full_name, pr_number=number, head_sha=run.head_sha, project="lab", author="ron",
                             trigger="test", actor="ron", apply_on=ApplyOn.APPROVE, config_changed=False,
                             all_projects=("lab",))
        verdict = await ctx.policy.evaluate(plan, as_ron)
        assert not verdict.passed and "xlarge" in verdict.markdown
        assert rules.config.role_of("ron", "lab").value == "user"
        admin_verdict = await ctx.policy.evaluate(plan, PlanRequest(**{**as_ron.__dict__, "author": "cloudops-admin"}))
        assert admin_verdict.passed
