"""Each apply requirement refuses exactly when it should, naming itself."""

from __future__ import annotations

import dataclasses

import pytest

from controller.pipeline.apply_gate import ApplyFacts, Requirement, check, counted_approvers, render_refusals
from controller.repo_config import DEFAULT_APPLY_REQUIREMENTS, ApplyRequirement

GOOD = ApplyFacts(
    project="web", pr_number=7, pr_author="alice", pr_open=True, head_sha="b" * 40, planned_sha="b" * 40,
    plan_has_changes=True, plan_applied=False, lock_holder_pr=7, approvers=("bob",),
    allowed_approvers=frozenset({"bob", "alice", "carol"}), required_approvals=1, allow_self_approval=False,
    mergeable=True, mergeable_state="clean", diverged=False, policy_passed=True, policy_overridden=False,
    requirements=DEFAULT_APPLY_REQUIREMENTS,
)


def refused(**changes) -> list[Requirement]:
    return [r.requirement for r in check(dataclasses.replace(GOOD, **changes))]


def test_a_good_apply_passes() -> None:
    assert check(GOOD) == []


@pytest.mark.parametrize(
    ("changes", "requirement"),
    [
        ({"pr_open": False}, Requirement.PR_OPEN),
        ({"planned_sha": "a" * 40}, Requirement.PLAN_FRESH),
        ({"plan_applied": True}, Requirement.NOT_APPLIED),
        ({"lock_holder_pr": 3}, Requirement.LOCK_HELD),
        ({"lock_holder_pr": None}, Requirement.LOCK_HELD),
        ({"approvers": ()}, Requirement.APPROVED),
        ({"approvers": ("alice",)}, Requirement.APPROVED),  # the author's own approval
        ({"approvers": ("mallory",)}, Requirement.APPROVED),  # not an allowed reviewer
        ({"mergeable": False}, Requirement.MERGEABLE),
        ({"mergeable_state": "dirty"}, Requirement.MERGEABLE),
        ({"diverged": True}, Requirement.UNDIVERGED),
        ({"policy_passed": False}, Requirement.POLICY_PASSED),
    ],
)
def test_each_failing_requirement_is_named(changes: dict, requirement: Requirement) -> None:
    assert refused(**changes) == [requirement]


def test_without_a_plan_nothing_else_is_checked() -> None:
    assert refused(planned_sha=None, approvers=()) == [Requirement.PLAN_EXISTS]


def test_a_policy_override_lets_a_denied_plan_through() -> None:
    assert refused(policy_passed=False, policy_overridden=True) == []


def test_self_approval_counts_only_when_allowed() -> None:
    assert refused(approvers=("alice",), allow_self_approval=True) == []
    assert counted_approvers(dataclasses.replace(GOOD, approvers=("Alice", "BOB"))) == ["bob"]


def test_switched_off_requirements_are_not_checked() -> None:
    only_policy = (ApplyRequirement.POLICY_PASSED,)
    assert refused(requirements=only_policy, approvers=(), mergeable=False, diverged=True) == []


def test_after_merge_the_pr_state_and_mergeability_do_not_matter() -> None:
    assert refused(before_merge=False, pr_open=False, mergeable=False, diverged=True) == []


def test_two_approvals_needed_two_counted() -> None:
    assert refused(required_approvals=2) == [Requirement.APPROVED]
    assert refused(required_approvals=2, approvers=("bob", "carol")) == []


def test_the_rendered_refusal_lists_every_requirement() -> None:
    text = render_refusals("web", check(dataclasses.replace(GOOD, approvers=(), diverged=True)))
    assert "**approved**" in text and "**undiverged**" in text and "refused" in text


def test_an_apply_asked_for_while_a_new_plan_runs_is_refused_with_what_to_do() -> None:
    refusals = check(dataclasses.replace(GOOD, newer_plan_pending=True))
    assert [r.requirement for r in refusals] == [Requirement.PLAN_REVIEWED]
    assert refusals[0].message == "a new plan is running; review it, then apply"


def test_an_apply_of_a_plan_that_was_replaced_is_refused_naming_both_runs() -> None:
    refusals = check(dataclasses.replace(GOOD, approved_plan_id="run-old", plan_run_id="run-new"))
    assert [r.requirement for r in refusals] == [Requirement.PLAN_REVIEWED]
    assert "run-old" in refusals[0].message and "run-new" in refusals[0].message
    assert check(dataclasses.replace(GOOD, approved_plan_id="run-new", plan_run_id="run-new")) == []
