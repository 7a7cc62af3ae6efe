"""PR comment bodies the pipeline posts (pure templates, golden-file tested).

One comment per project and purpose, found again by a hidden marker key
(``plan:<project>``) so a re-plan edits it in place; the forge client adds
the marker and splits bodies over GitHub's size limit. Sections that later
layers fill (policy, cost) say plainly when they have nothing, never a
made-up verdict or figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..errors import DiagnosticRef
from ..repo_config import ApplyOn

FOLD_AFTER_LINES = 40
NO_POLICY = "no policies configured"
NO_COST = "cost not estimated"


def plan_key(project: str) -> str:
    return f"plan:{project}"


def apply_key(project: str) -> str:
    return f"apply:{project}"


@dataclass(frozen=True)
class PlanReport:
    """Everything a plan comment shows; built by the planner from real results."""

    project: str
    head_sha: str
    run_id: str
    summary_line: str
    diff_text: str
    has_changes: bool
    apply_on: ApplyOn
    policy_markdown: str | None = None  # None: no policy engine configured
    policy_passed: bool = True
    cost_markdown: str | None = None  # None: no cost engine configured
    narrative_markdown: str | None = None
    config_changed: bool = False
    alerts: tuple[str, ...] = ()  # budget thresholds this plan would cross


def _code_block(text: str, language: str = "diff") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _folded(summary: str, body: str, line_count: int) -> str:
    if line_count <= FOLD_AFTER_LINES:
        return body
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _next_step(report: PlanReport) -> str:
    if not report.has_changes:
        return "Nothing to apply."
    if not report.policy_passed:
        return (
            "Apply is blocked by policy: fix the violations and push, or an admin comments "
            f"`cloudops approve_policies -p {report.project}`."
        )
    if report.apply_on is ApplyOn.MERGE:
        return "Merge this pull request to apply. To re-plan, push or comment `cloudops plan -p " + report.project + "`."
    return f"To apply, comment `cloudops apply -p {report.project}` (or use the chat's approve button)."


_HIDDEN_MARKER = re.compile(r"^<!-- cloudops:[^>]*-->\n?", re.MULTILINE)


def _section(name: str, markdown: str | None, absent: str) -> str:
    """A layer's section; its own hidden markers are dropped so only the comment's marker identifies it."""
    if markdown is None:
        return f"**{name}:** {absent}"
    body = _HIDDEN_MARKER.sub("", markdown).strip()
    return body if body.startswith("#") else f"**{name}:** {body}"


def plan_comment(report: PlanReport) -> str:
    lines = report.diff_text.count("\n") + 1
    parts = [
        f"### Project `{report.project}` · {report.summary_line}",
        f"Commit `{report.head_sha[:12]}` · run `{report.run_id}`",
    ]
    if report.config_changed:
        parts.append(
            "> [!WARNING]\n> This pull request changes `cloudops.yaml`. It was planned under the rules on the "
            "default branch; the new rules take effect once it is merged."
        )
    parts.append(_folded(f"Show plan ({lines} lines)", _code_block(report.diff_text), lines))
    parts.extend(report.alerts)
    parts.append(_section("Policy", report.policy_markdown, NO_POLICY))
    parts.append(_section("Cost", report.cost_markdown, NO_COST))
    if report.narrative_markdown:
        parts.append(report.narrative_markdown)
    parts.append(f"**Next:** {_next_step(report)}")
    return "\n\n".join(parts) + "\n"


def _diagnostic_lines(diagnostics: Sequence[DiagnosticRef]) -> str:
    rendered = []
    for diag in diagnostics:
        where = f" at `{diag.location()}`" if diag.location() else ""
        detail = f"\n{diag.detail}" if diag.detail else ""
        rendered.append(f"{diag.severity.capitalize() or 'Error'}: {diag.summary}{where}{detail}")
    return "\n\n".join(rendered)


def plan_failed_comment(
    project: str, head_sha: str, run_id: str, message: str, diagnostics: Sequence[DiagnosticRef] = ()
) -> str:
    body = _diagnostic_lines(diagnostics) or message
    return (
        f"### Plan for project `{project}` failed\n\n"
        f"Commit `{head_sha[:12]}` · run `{run_id}`\n\n"
        f"{_code_block(body, 'text')}\n\n"
        f"**Next:** fix the configuration and push; the plan runs again.\n"
    )


def plan_syntax_error_comment(project: str, head_sha: str, run_id: str, problems: Sequence[object]) -> str:
    """The configuration cannot be read: each problem as path:line:column, nothing about security."""
    lines = "\n".join(str(p) for p in problems)
    return (
        f"### Plan for project `{project}` failed: the configuration has a syntax error\n\n"
        f"Commit `{head_sha[:12]}` · run `{run_id}`\n\n"
        f"{_code_block(lines, 'text')}\n\n"
        f"Terraform was not started. **Next:** fix the file at the line and column shown and push; "
        f"the plan runs again.\n"
    )


def plan_timed_out_comment(project: str, head_sha: str, run_id: str, timeout_seconds: float) -> str:
    return (
        f"### Plan for project `{project}` timed out\n\n"
        f"Commit `{head_sha[:12]}` · run `{run_id}`\n\n"
        f"Terraform did not finish within {timeout_seconds:g} seconds and was stopped. "
        f"The project lock was released.\n\n"
        f"**Next:** find what hangs (a provisioner waiting for input? an unreachable API?) and comment "
        f"`cloudops plan -p {project}` to try again.\n"
    )


def plan_cancelled_comment(project: str, head_sha: str, run_id: str) -> str:
    return (
        f"### Plan of project `{project}` was cancelled\n\n"
        f"Commit `{head_sha[:12]}` · run `{run_id}`: nothing was planned, so the project lock is released.\n\n"
        f"**Next:** comment `cloudops plan -p {project}` to plan it again.\n"
    )


def lock_contended_comment(project: str, holder_pr: int, holder_user: str | None) -> str:
    by = f" (opened by @{holder_user})" if holder_user else ""
    return (
        f"### Project `{project}` is locked by #{holder_pr}{by}\n\n"
        f"Another pull request has planned `{project}` and holds its lock until it is merged or closed, "
        f"so two plans never race for the same infrastructure.\n\n"
        f"**Next:** wait for #{holder_pr} to be merged or closed, then comment `cloudops plan -p {project}` here; "
        f"or its author or an admin comments `cloudops unlock` on #{holder_pr}.\n"
    )


def cancelled_comment(project: str, what: str, by: str) -> str:
    return f"### {what.capitalize()} of project `{project}` was cancelled by @{by}\n\nTerraform was interrupted gracefully.\n"


def unlocked_comment(projects: Sequence[str], by: str) -> str:
    if not projects:
        return "This pull request holds no project locks.\n"
    names = ", ".join(f"`{p}`" for p in projects)
    return f"@{by} released the lock on {names}. Other pull requests can plan these projects now.\n"


def plan_held_comment(project: str, author: str, reason: str = "") -> str:
    why = reason or f"@{author} is not one of them"
    return (
        f"### Project `{project}` was not planned automatically\n\n"
        f"A plan runs code from the pull request (providers, data sources), so it starts on its own only when "
        f"every commit since the last trusted plan was pushed by the bot or by members of `cloudops.yaml` with "
        f"at least the user role on `{project}`: {why}.\n\n"
        f"**Next:** a member who has reviewed the change comments `cloudops plan -p {project}`.\n"
    )


def plan_undeclared_comment(project: str, default_branch: str) -> str:
    return (
        f"### Project `{project}` is not planned: it is not declared in `cloudops.yaml`\n\n"
        f"`projects/{project}/` is not a project of `cloudops.yaml` on `{default_branch}`, so no policy set, "
        f"budget, quota or role applies to it, and the controller will not run terraform there or give it "
        f"any cloud credentials.\n\n"
        f"**Next:** an admin declares `{project}` (target, region, policy sets) in `cloudops.yaml` on "
        f"`{default_branch}` (`/cloud-create-project` in chat opens that pull request); once it is merged, "
        f"comment `cloudops plan -p {project}` here.\n"
    )


def command_refused_comment(actor: str, command: str, why: str) -> str:
    """A comment command that was not run, and why (never silence)."""
    return f"@{actor}: `cloudops {command}` was not run: {why}\n"


def not_a_member(actor: str) -> str:
    return (f"you are not a member in `cloudops.yaml` on the default branch; an admin can add you under "
            f"`members:` with `github: {actor}` and a role")


def lacks_role(project: str, needed: str, has: str | None) -> str:
    held = f"the {has} role" if has else "no role"
    return f"it needs at least the {needed} role on `{project}`, and you have {held}"


# --- replies to commands and events (one function per message; goldens in tests/controller/pipeline/golden) ---

def pipeline_error_comment(message: str) -> str:
    """A delivery the pipeline could not act on (a broken cloudops.yaml, an unreachable forge)."""
    return f"### cloudops could not act on this pull request\n\n{message}\n"


def no_such_project_comment(project: str) -> str:
    return f"There is no project `{project}` in this pull request's head (`projects/{project}/`)."


def help_comment(usage: str) -> str:
    return f"```\n{usage}\n```"


def approval_not_applied_comment(reviewer: str, project: str, why: str) -> str:
    return f"@{reviewer}: your approval did not start an apply of `{project}`: {why}."


def apply_not_planned_comment(actor: str, project: str) -> str:
    return f"@{actor}: `{project}` has not been planned in this pull request."


def applies_on_merge_comment(actor: str, project: str) -> str:
    return f"@{actor}: `{project}` applies when this pull request is merged (`apply_on: merge`)."


def apply_refused_comment(actor: str, project: str, why: str) -> str:
    return f"@{actor}: `{project}`: {why}."


def apply_not_started_comment(project: str, message: str) -> str:
    return f"### Apply of project `{project}` could not start\n\n{message}\n"


def merged_not_applied_comment(project: str) -> str:
    return (f"### `{project}` was merged but not applied\n\nThe apply after the merge was "
            "refused (see above), so the merged changes are **not** live. The project lock is "
            f"released: the next plan of `{project}` includes them; comment "
            f"`cloudops plan -p {project}` on a new pull request to apply them.\n")


class OverrideRefusal(StrEnum):
    """Why `cloudops approve_policies` did not override a project's soft denials."""

    NOT_ADMIN = "not_admin"
    OWN_PULL_REQUEST = "own_pull_request"
    NO_PLAN = "no_plan"
    PASSED = "passed"
    HARD = "hard"


def override_refused_comment(actor: str, project: str, why: OverrideRefusal) -> str:
    if why is OverrideRefusal.NOT_ADMIN:
        return f"@{actor}: only admins of `{project}` may override its policies."
    if why is OverrideRefusal.OWN_PULL_REQUEST:
        return (f"@{actor}: you opened this pull request, so you may not override the policies of `{project}` on "
                f"it; another admin must (or set `allow_self_policy_override: true` for `{project}` in "
                f"`cloudops.yaml`).")
    if why is OverrideRefusal.NO_PLAN:
        return f"@{actor}: `{project}` has no successful plan to override."
    if why is OverrideRefusal.PASSED:
        return f"@{actor}: the policies of `{project}` passed; nothing to override."
    return (f"@{actor}: `{project}` is denied by hard policies, which no one can override; change the pull request "
            "so they pass.")


def unlock_not_allowed_comment(actor: str, author: str) -> str:
    return (f"@{actor}: only the author of this pull request (@{author}) or an admin listed in `cloudops.yaml` "
            "may unlock it.")


def nothing_running_comment(actor: str) -> str:
    return f"@{actor}: nothing is running for this pull request."


def automerge_failed_comment(message: str) -> str:
    return f"Everything is applied, but merging failed: {message}\nMerge it by hand."


def automerged_comment(merge_sha: str) -> str:
    return f"Applied everything; merged automatically (`automerge: true`) as `{merge_sha[:12]}`."
