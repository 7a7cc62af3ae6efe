"""May this plan be applied now? (pure)

Every apply is checked against the facts gathered just before it — never a
cached verdict. A refusal names exactly which requirement failed and what
to do. Always checked: the PR is open (before merge), a successful plan
exists for the PR's current head, it has not been applied already, the
PR holds the project lock, and it is the plan the approver was shown: an
apply names (or implies, at the moment it is asked for) one plan run, and is
refused when a newer plan is queued or running, or has replaced it. Switchable per project in ``cloudops.yaml``
(``apply_requirements``): approved, mergeable, undiverged, policy_passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..repo_config import ApplyRequirement


class Requirement(StrEnum):
    PR_OPEN = "pr_open"
    PLAN_EXISTS = "plan_exists"
    PLAN_FRESH = "plan_fresh"
    PLAN_REVIEWED = "plan_reviewed"
    NOT_APPLIED = "not_applied"
    LOCK_HELD = "lock_held"
    APPROVED = "approved"
    MERGEABLE = "mergeable"
    UNDIVERGED = "undiverged"
    POLICY_PASSED = "policy_passed"


@dataclass(frozen=True)
class Refusal:
    requirement: Requirement
    message: str

    def __str__(self) -> str:
        return f"{self.requirement.value}: {self.message}"


@dataclass(frozen=True)
class ApplyFacts:
    """What is true right now about one project of one PR."""

    project: str
    pr_number: int
    pr_author: str
    pr_open: bool
    head_sha: str
    planned_sha: str | None  # head of the latest successful plan, None if there is none
    plan_has_changes: bool
    plan_applied: bool
    lock_holder_pr: int | None
    approvers: tuple[str, ...]  # GitHub logins approving the head (plus the actor, when their act is an approval)
    allowed_approvers: frozenset[str]  # lower-case logins whose approval counts
    required_approvals: int
    allow_self_approval: bool
    mergeable: bool | None
    mergeable_state: str
    diverged: bool
    policy_passed: bool
    policy_overridden: bool
    requirements: tuple[ApplyRequirement, ...]
    before_merge: bool = True  # False when applying after the merge (apply_on: merge)
    plan_run_id: str | None = None  # the latest successful plan
    approved_plan_id: str | None = None  # the plan the apply was asked for (None: whatever is latest)
    newer_plan_pending: bool = False  # a plan of this project is queued or running, or the head has none yet


def count_approvals(approvers, *, allowed: frozenset[str], author: str, allow_self_approval: bool) -> list[str]:
    """The approvers (lower-case, sorted) whose approval counts."""
    author = author.lower()
    return sorted(
        {
            login
            for login in (a.lower() for a in approvers)
            if login in allowed and (allow_self_approval or login != author)
        }
    )


def counted_approvers(facts: ApplyFacts) -> list[str]:
    return count_approvals(facts.approvers, allowed=facts.allowed_approvers, author=facts.pr_author,
                           allow_self_approval=facts.allow_self_approval)


NEW_PLAN_RUNNING = "a new plan is running; review it, then apply"


def check(facts: ApplyFacts) -> list[Refusal]:
    """Every requirement that fails, in the order a person should fix them."""
    refusals: list[Refusal] = []
    p = facts.project
    if facts.before_merge and not facts.pr_open:
        refusals.append(Refusal(Requirement.PR_OPEN, f"#{facts.pr_number} is closed; reopen it to apply before merge"))
    if facts.newer_plan_pending:
        refusals.append(Refusal(Requirement.PLAN_REVIEWED, NEW_PLAN_RUNNING))
        return refusals
    if facts.planned_sha is None:
        refusals.append(Refusal(Requirement.PLAN_EXISTS, f"there is no successful plan of `{p}` yet; comment `cloudops plan -p {p}`"))
        return refusals
    if facts.approved_plan_id is not None and facts.plan_run_id is not None and facts.approved_plan_id != facts.plan_run_id:
        refusals.append(Refusal(
            Requirement.PLAN_REVIEWED,
            f"the apply was asked for plan run `{facts.approved_plan_id}`, but plan run `{facts.plan_run_id}` "
            "has replaced it; review the new plan, then apply",
        ))
    if facts.planned_sha != facts.head_sha:
        refusals.append(Refusal(
            Requirement.PLAN_FRESH,
            f"the plan is for `{facts.planned_sha[:12]}` but the head is `{facts.head_sha[:12]}`: re-plan with `cloudops plan -p {p}`",
        ))
    if facts.plan_applied:
        refusals.append(Refusal(Requirement.NOT_APPLIED, "this plan was already applied; push or re-plan to apply further changes"))
    if facts.lock_holder_pr != facts.pr_number:
        holder = f"#{facts.lock_holder_pr} holds it" if facts.lock_holder_pr else "nobody holds it"
        refusals.append(Refusal(Requirement.LOCK_HELD, f"this PR does not hold the lock of `{p}` ({holder}); re-plan to take it"))
    wanted = set(facts.requirements)
    if ApplyRequirement.APPROVED in wanted:
        have = counted_approvers(facts)
        if len(have) < facts.required_approvals:
            self_note = "" if facts.allow_self_approval else " other than the author"
            refusals.append(Refusal(
                Requirement.APPROVED,
                f"needs {facts.required_approvals} approval(s) from an allowed reviewer{self_note}; has {len(have)}"
                + (f" ({', '.join(have)})" if have else ""),
            ))
    if facts.before_merge and ApplyRequirement.MERGEABLE in wanted and (facts.mergeable is False or facts.mergeable_state == "dirty"):
        refusals.append(Refusal(Requirement.MERGEABLE, "the PR has merge conflicts with its base; resolve them and push"))
    if facts.before_merge and ApplyRequirement.UNDIVERGED in wanted and facts.diverged:
        refusals.append(Refusal(Requirement.UNDIVERGED, "the base branch has moved on since this PR branched; merge or rebase it and push"))
    if ApplyRequirement.POLICY_PASSED in wanted and not (facts.policy_passed or facts.policy_overridden):
        refusals.append(Refusal(
            Requirement.POLICY_PASSED,
            f"policies denied this plan; fix it, or an admin comments `cloudops approve_policies -p {p}`",
        ))
    return refusals


def render_refusals(project: str, refusals: Iterable[Refusal]) -> str:
    lines = "\n".join(f"- **{r.requirement.value}**: {r.message}" for r in refusals)
    return f"### Apply of project `{project}` refused\n\n{lines}\n"
