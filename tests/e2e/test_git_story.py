"""Git holds the whole story: encrypted state on its own branch, history, rollback by revert PR."""

from __future__ import annotations

import subprocess

import pytest

from controller.app import ControllerApp
from controller.pipeline import rollback
from controller.state import GitStateBackend
from controller.store import RunKind, RunStatus

from .harness import REVIEWER_LOGIN, Workbench, as_reviewer, git, null_resources, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]


def approve_by_comment(forge, bench: Workbench, number: int, project: str) -> None:
    as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment(f"cloudops apply -p {project}")


async def test_apply_merge_then_roll_back_through_a_revert_pr(forge, bench: Workbench, controller: ControllerApp) -> None:
    ctx = controller.pipeline.ctx
    first = bench.open_pr("web-b", "Add web_b", {"projects/web/main.tf": null_resources("web_a", "web_b")})
    await settle(forge, controller)
    approve_by_comment(forge, bench, first, "web")
    await settle(forge, controller)
    assert "Applied project `web`" in bench.comments_with(first, "apply:web")[0]
    bench.repo.get_pull(first).merge()
    await settle(forge, controller)

    # The state branch: orphan, encrypted, one commit per apply.
    git(bench.clone, "fetch", "-q", "origin", "cloudops-state")
    files = git(bench.clone, "ls-tree", "-r", "--name-only", "FETCH_HEAD").splitlines()
    assert "projects/web/terraform.tfstate.enc" in files
    blob = subprocess.run(["git", "show", "FETCH_HEAD:projects/web/terraform.tfstate.enc"], cwd=bench.clone,
                          capture_output=True, check=True).stdout
    assert blob.startswith(b"CLOPSTAT") and b"null_resource" not in blob and b"web_b" not in blob
    state: GitStateBackend = ctx.state
    assert [c.details.pr_number for c in await state.history(bench.full_name, "web")] == [first]

    # The next PR plans against the saved state: only its own change.
    second = bench.open_pr("web-c", "Add web_c", {"projects/web/main.tf": null_resources("web_a", "web_b", "web_c")})
    await settle(forge, controller)
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in bench.comments_with(second, "plan:web")[0]
    bench.repo.get_pull(second).edit(state="closed")
    await settle(forge, controller)

    entries = await rollback.history(ctx, bench.full_name, "web")
    assert entries[0].pr_number == first and entries[0].title == "Add web_b"
    assert [a.status for a in entries[0].applies] == ["succeeded"]

    result = await rollback.rollback(ctx, bench.full_name, "web", actor=REVIEWER_LOGIN, pr=first)
    await settle(forge, controller)
    revert = bench.repo.get_pull(result.pr_number)
    assert revert.title == 'Revert "Add web_b"'
    plan = bench.comments_with(result.pr_number, "plan:web")[0]
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in plan and "null_resource.web_b will be destroyed" in plan

    approve_by_comment(forge, bench, result.pr_number, "web")
    await settle(forge, controller)
    assert "Applied project `web`" in bench.comments_with(result.pr_number, "apply:web")[0]
    saves = await state.history(bench.full_name, "web")
    assert [c.details.pr_number for c in saves] == [result.pr_number, first]  # newest first: both in git
    applies = [r for r in controller.store.list_runs(repo=bench.full_name, pr_number=result.pr_number)
               if r.kind is RunKind.APPLY]
    assert [r.status for r in applies] == [RunStatus.SUCCEEDED]


async def test_rollback_refuses_an_unmerged_pr(forge, bench: Workbench, controller: ControllerApp) -> None:
    from controller.errors import ForgeValidationError

    number = bench.open_pr("open-one", "Still open", {"projects/web/main.tf": null_resources("web_a", "x")})
    await settle(forge, controller)
    with pytest.raises(ForgeValidationError, match="not merged"):
        await rollback.rollback(controller.pipeline.ctx, bench.full_name, "web", actor=REVIEWER_LOGIN, pr=number)


async def test_rolling_back_one_project_leaves_the_other_projects_of_the_merge_alone(
        forge, bench: Workbench, controller: ControllerApp) -> None:
    ctx = controller.pipeline.ctx
    both = bench.open_pr("both", "Change web and db", {"projects/web/main.tf": null_resources("web_a", "web_b"),
                                                       "projects/db/main.tf": null_resources("db_a", "db_b")})
    await settle(forge, controller)
    from .harness import as_outsider

    as_reviewer(forge).get_repo(bench.full_name).get_pull(both).create_review(event="APPROVE")
    as_outsider(forge).get_repo(bench.full_name).get_pull(both).create_review(event="APPROVE")
    await settle(forge, controller)
    bench.repo.get_pull(both).merge()
    await settle(forge, controller)

    # History counts only approvals that counted: rita is an admin, mallory is nobody.
    entries = await rollback.history(ctx, bench.full_name, "web")
    assert entries[0].pr_number == both and entries[0].approvers == (REVIEWER_LOGIN,)

    result = await rollback.rollback(ctx, bench.full_name, "web", actor=REVIEWER_LOGIN, pr=both)
    await settle(forge, controller)
    revert = bench.repo.get_pull(result.pr_number)
    assert sorted(f.filename for f in revert.get_files()) == ["projects/web/main.tf"]
    assert "also changed `db`, which this rollback leaves as they are" in revert.body
    plan = bench.comments_with(result.pr_number, "plan:web")[0]
    assert "null_resource.web_b will be destroyed" in plan
    assert bench.comments_with(result.pr_number, "plan:db") == []  # db is not part of this rollback

    from controller.errors import ConfigError

    web_only = bench.open_pr("web-only", "Only web", {"projects/web/main.tf": null_resources("web_a", "web_z")})
    await settle(forge, controller)
    bench.repo.get_pull(web_only).merge()
    await settle(forge, controller)
    with pytest.raises(ConfigError, match="did not change projects/db/ .*it changed `web`"):
        await rollback.rollback(ctx, bench.full_name, "db", actor=REVIEWER_LOGIN, pr=web_only)
