"""The overall statuses are decided from every project of the PR, never by the run that finished last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.pipeline import statuses
from controller.pipeline.statuses import ProjectFacts
from controller.repo_config import ApplyOn
from controller.store import Run, RunKind, RunStatus

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def run(project: str, kind: RunKind, status: RunStatus, *, minutes: int = 0, **summary) -> Run:
    return Run(id=f"{project}-{kind.value}-{minutes}", repo="acme/infra", project=project, pr_number=3,
               head_sha="h" * 40, kind=kind, status=status, created_at=T0 + timedelta(minutes=minutes),
               summary=summary)


PLANNED = RunStatus.SUCCEEDED


def by_context(facts: list[ProjectFacts]) -> dict[str, tuple[str, str]]:
    return {s.context: (s.state, s.description) for s in statuses.compute(facts)}


def test_a_failed_project_is_not_hidden_by_another_finishing_last() -> None:
    facts = [
        ProjectFacts("beta", plan=run("beta", RunKind.PLAN, PLANNED), apply=run("beta", RunKind.APPLY, RunStatus.FAILED, minutes=1)),
        ProjectFacts("example", plan=run("example", RunKind.PLAN, PLANNED),
                     apply=run("example", RunKind.APPLY, RunStatus.SUCCEEDED, minutes=2)),
    ]
    state, description = by_context(facts)["cloudops/apply"]
    assert state == "failure" and description.startswith("1/2 projects applied") and "failed: beta" in description


def test_a_partial_replan_does_not_claim_the_whole_pr_is_planned() -> None:
    facts = [ProjectFacts("beta", plan=run("beta", RunKind.PLAN, PLANNED)),
             ProjectFacts("example", plan=run("example", RunKind.PLAN, RunStatus.FAILED))]
    assert by_context(facts)["cloudops/plan"] == ("failure", "1/2 projects planned; failed: example")
    waiting = [ProjectFacts("beta", plan=run("beta", RunKind.PLAN, PLANNED)), ProjectFacts("example", held=True)]
    assert by_context(waiting)["cloudops/plan"] == ("pending", "1/2 projects planned")


def test_an_unapproved_merge_mode_project_fails_the_apply_status_before_the_merge() -> None:
    plan = run("db", RunKind.PLAN, PLANNED)
    blocked = by_context([ProjectFacts("db", apply_on=ApplyOn.MERGE, plan=plan, approved=False)])["cloudops/apply"]
    assert blocked == ("failure", "0/1 projects applied; needs approval: db")
    ready = by_context([ProjectFacts("db", apply_on=ApplyOn.MERGE, plan=plan, approved=True)])["cloudops/apply"]
    assert ready == ("success", "1/1 projects applied")


def test_after_the_merge_a_merge_mode_project_waits_for_its_apply() -> None:
    plan = run("db", RunKind.PLAN, PLANNED)
    facts = [ProjectFacts("db", apply_on=ApplyOn.MERGE, plan=plan, approved=False, merged=True)]
    assert by_context(facts)["cloudops/apply"][0] == "pending"


def test_an_approve_mode_project_is_pending_until_applied_and_done_without_changes() -> None:
    waiting = [ProjectFacts("web", plan=run("web", RunKind.PLAN, PLANNED))]
    assert by_context(waiting)["cloudops/apply"] == ("pending", "0/1 projects applied")
    nothing = [ProjectFacts("web", plan=run("web", RunKind.PLAN, PLANNED, has_changes=False))]
    assert by_context(nothing)["cloudops/apply"] == ("success", "1/1 projects applied")


def test_an_interrupted_apply_is_a_failure_not_pending() -> None:
    facts = [ProjectFacts("web", plan=run("web", RunKind.PLAN, PLANNED),
                          apply=run("web", RunKind.APPLY, RunStatus.INTERRUPTED, minutes=1))]
    assert by_context(facts)["cloudops/apply"][0] == "failure"


def test_a_pr_without_projects_is_green_and_descriptions_fit_github() -> None:
    assert by_context([]) == {"cloudops/plan": ("success", "no projects to be planned"),
                              "cloudops/apply": ("success", "no projects to be applied")}
    many = [ProjectFacts(f"project-with-a-long-name-{i}", plan=run(f"p{i}", RunKind.PLAN, RunStatus.FAILED)) for i in range(20)]
    assert all(len(s.description) <= statuses.DESCRIPTION_LIMIT for s in statuses.compute(many))
