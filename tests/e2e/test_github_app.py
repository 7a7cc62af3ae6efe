"""The controller installed as a GitHub App: installation tokens, check runs with an
Apply button that goes through the same gate as a comment, annotations on the line a
policy denies."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controller.app import ControllerApp
from controller.catalog.render import render_resource
from controller.catalog.specs import Target, VmSpec
from controller.store import RunKind, RunStatus

from .harness import (OUTSIDER_TOKEN, REVIEWER_TOKEN, WEBHOOK_SECRET, Workbench, app_controller_config, check_runs,
                      install_app, make_infra_repo, null_resources, press, settle)

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


@pytest.fixture
async def app_controller(forge, bench: Workbench, tmp_path: Path):
    app_id = install_app(forge, bench)
    async with ControllerApp(app_controller_config(forge, tmp_path / "controller", bench.full_name, app_id)) as app:
        forge.set_app_webhook(app_id, app.webhook_url, WEBHOOK_SECRET)  # the app's webhook, no repository hook
        yield app


def applies(app: ControllerApp, bench: Workbench, number: int) -> list:
    return [r for r in app.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.APPLY]


async def test_the_apply_button_applies_the_plan_through_the_same_gate_as_a_comment(
        forge, bench: Workbench, app_controller: ControllerApp) -> None:
    assert app_controller.bot_login == "cloudops[bot]"
    number = bench.open_pr("more-web", "More web", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, app_controller)
    head = bench.head_sha(number)
    plan = check_runs(bench, head)["cloudops plan: web"]
    assert (plan.status, plan.conclusion) == ("completed", "success")
    assert plan.output.title == "Plan: 2 to add, 0 to change, 0 to destroy."  # nothing applied yet
    assert "null_resource.web_b" in plan.output.text and "Policy:" in plan.output.summary
    assert plan.external_id == f"cloudops:plan:web:{number}"
    assert bench.statuses(head)["cloudops/plan"][0] == "success"  # statuses stay beside the checks

    # An outsider's press is refused exactly as their comment would be: not a member, so not run at all.
    press(forge, OUTSIDER_TOKEN, bench.full_name, plan.id, "apply")
    await settle(forge, app_controller)
    assert applies(app_controller, bench, number) == []
    bodies = [c.body for c in bench.repo.get_issue(number).get_comments()]
    assert any("`cloudops apply` was not run" in b and "not a member" in b for b in bodies), bodies

    press(forge, REVIEWER_TOKEN, bench.full_name, plan.id, "apply")  # rita is an admin of web
    await settle(forge, app_controller)
    [applied] = applies(app_controller, bench, number)
    assert (applied.status, applied.trigger, applied.actor) == (RunStatus.SUCCEEDED, "button", "rita")
    apply_check = check_runs(bench, head)["cloudops apply: web"]
    assert apply_check.conclusion == "success" and "Apply complete" in apply_check.output.title
    comments = bench.repo.get_issue(number).get_comments()
    assert {c.user.login for c in comments} == {"cloudops[bot]"}  # the app's bot writes, with installation tokens


async def test_re_plan_is_a_button_too_and_a_stale_apply_button_is_refused(
        forge, bench: Workbench, app_controller: ControllerApp) -> None:
    number = bench.open_pr("web-c", "Web c", {"projects/web/main.tf": null_resources("web_a", "web_c")})
    await settle(forge, app_controller)
    old = check_runs(bench, bench.head_sha(number))["cloudops plan: web"]
    bench.push_branch("web-c", "and d", files={"projects/web/main.tf": null_resources("web_a", "web_c", "web_d")})
    await settle(forge, app_controller)
    press(forge, REVIEWER_TOKEN, bench.full_name, old.id, "apply")
    await settle(forge, app_controller)
    assert applies(app_controller, bench, number) == []
    assert any("older commit" in c.body or "press it on the latest" in c.body
               for c in bench.repo.get_issue(number).get_comments())
    plans = len([r for r in app_controller.store.list_runs(repo=bench.full_name, pr_number=number)
                 if r.kind is RunKind.PLAN])
    latest = check_runs(bench, bench.head_sha(number))["cloudops plan: web"]
    press(forge, REVIEWER_TOKEN, bench.full_name, latest.id, "replan")
    await settle(forge, app_controller)
    runs = [r for r in app_controller.store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.PLAN]
    assert len(runs) == plans + 1 and runs[0].trigger == "button"


QUOTA_CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web:
        target: local
        region: local-1
        quotas: {vm: 2}
        policy_sets: [hard]
    members:
      admin: {role: admin, github: cloudops-admin}
      rita: {role: admin, github: rita}
    policy_sets:
      hard: {enforcement: hard, policies: [builtin/quotas]}
    """
)


def vm(name: str) -> dict[str, str]:
    filename, text = render_resource(VmSpec(name=name, project="web", target=Target.LOCAL, region="local-1",
                                            requested_by="test", size="small"))
    return {f"projects/web/{filename}": text}


@pytest.fixture
def quota_bench(forge, tmp_path: Path) -> Workbench:
    return make_infra_repo(forge, tmp_path, files={"cloudops.yaml": QUOTA_CONFIG, **vm("base")})


async def test_a_denied_policy_annotates_the_offending_line(forge, quota_bench: Workbench, tmp_path: Path) -> None:
    bench = quota_bench
    app_id = install_app(forge, bench)
    async with ControllerApp(app_controller_config(forge, tmp_path / "ctl", bench.full_name, app_id)) as app:
        forge.set_app_webhook(app_id, app.webhook_url, WEBHOOK_SECRET)
        number = bench.open_pr("many", "Many", {**vm("a"), **vm("b")})
        await settle(forge, app)
        head = bench.head_sha(number)
        plan = check_runs(bench, head)["cloudops plan: web"]
        assert plan.conclusion == "failure"
        annotations = list(plan.get_annotations())
        assert annotations, plan.output.summary
        [note] = [a for a in annotations if a.annotation_level == "failure"]
        address = note.message.split(":")[0]  # the resource over the quota: the third VM
        kind, name = address.split(".")[:2]
        assert "quota is 2" in note.message and note.path.startswith("projects/web/")
        declared = (bench.clone / note.path).read_text().splitlines()[note.start_line - 1]
        assert declared.strip().startswith(f'resource "{kind}" "{name}"'), declared
        assert note.title.startswith("policy quotas: denied")
        assert [a["identifier"] for a in plan.raw_data["actions"]] == ["replan"]  # no Apply on a denied plan


async def test_a_terraform_error_is_annotated_where_terraform_points(
        forge, bench: Workbench, app_controller: ControllerApp) -> None:
    broken = 'resource "null_resource" "web_a" {\n  triggers = { name = "web_a" }\n  sizee = "large"\n}\n'
    number = bench.open_pr("broken", "Broken", {"projects/web/main.tf": broken})
    await settle(forge, app_controller)
    plan = check_runs(bench, bench.head_sha(number))["cloudops plan: web"]
    assert plan.conclusion == "failure"
    notes = [(a.path, a.start_line, a.annotation_level) for a in plan.get_annotations()]
    assert ("projects/web/main.tf", 3, "failure") in notes, (notes, plan.output.text)


async def test_installations_add_and_remove_repositories_while_running(forge, bench: Workbench, tmp_path: Path) -> None:
    import dataclasses

    app_id = install_app(forge, bench)
    config = dataclasses.replace(app_controller_config(forge, tmp_path / "ctl", bench.full_name, app_id), repos=())
    async with ControllerApp(config) as app:
        forge.set_app_webhook(app_id, app.webhook_url, WEBHOOK_SECRET)
        assert app.pipeline is not None and list(app.pipeline.ctx.sources) == [bench.full_name]  # discovered
        bench.gh.get_user().create_repo("more", auto_init=True)
        installation = app.pipeline.ctx.forge.app.installation_for(bench.full_name)
        forge.change_installation(installation, add=["more"])
        await settle(forge, app)
        assert f"{forge.owner_login}/more" in app.pipeline.ctx.sources
        forge.change_installation(installation, remove=["more"])
        await settle(forge, app)
        assert f"{forge.owner_login}/more" not in app.pipeline.ctx.sources


async def test_configured_repositories_are_an_allowlist_for_installations(
        forge, bench: Workbench, app_controller: ControllerApp) -> None:
    bench.gh.get_user().create_repo("elsewhere", auto_init=True)
    installation = app_controller.pipeline.ctx.forge.app.installation_for(bench.full_name)
    forge.change_installation(installation, add=["elsewhere"])
    await settle(forge, app_controller)
    assert list(app_controller.pipeline.ctx.sources) == [bench.full_name]
