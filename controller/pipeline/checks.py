"""What the check runs of a plan or an apply say (pure: no I/O).

One check run per project and command, ``cloudops plan: web`` /
``cloudops apply: web``, on the commit planned. Its title is the plan line,
its summary the plan, cost and policy verdict in a few lines, its text the
plan diff (folded by GitHub's 65,535-character limit in
``controller.forge.checks``), its annotations the ``.tf`` lines a policy
denial or a terraform diagnostic points to. Its buttons are "Apply" (only
where pressing it could apply: changes, ``apply_on: approve``) and
"Re-plan"; pressing one is handled exactly like the comment command.

The ``external_id`` (``cloudops:plan:<project>:<pr>``) is how a pressed
button finds its project and pull request again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..forge.base import CheckAction, CheckAnnotation, CheckRunSpec

APPLY = CheckAction("Apply", "Apply the saved plan of this project", "apply")
REPLAN = CheckAction("Re-plan", "Plan this project again", "replan")
ACTION_VERBS = {APPLY.identifier: "apply", REPLAN.identifier: "plan"}


def check_name(kind: str, project: str) -> str:
    return f"cloudops {kind}: {project}"


def external_id(kind: str, project: str, pr_number: int | None) -> str:
    return f"cloudops:{kind}:{project}:{pr_number if pr_number is not None else '-'}"


@dataclass(frozen=True)
class CheckRef:
    kind: str
    project: str
    pr_number: int | None


_EXTERNAL = re.compile(r"^cloudops:(?P<kind>plan|apply):(?P<project>[a-z][a-z0-9-]{0,62}):(?P<pr>\d+|-)$")


def parse_external_id(text: str) -> CheckRef | None:
    """The project and PR a check run of ours is about; None for anything else."""
    match = _EXTERNAL.match(text or "")
    if not match:
        return None
    pr = match.group("pr")
    return CheckRef(match.group("kind"), match.group("project"), None if pr == "-" else int(pr))


# -- where in the .tf files -----------------------------------------------------------

_ADDRESS = re.compile(r"^(?P<modules>(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)(?P<data>data\.)?"
                      r"(?P<type>[A-Za-z0-9_-]+)\.(?P<name>[A-Za-z0-9_-]+)")


def declaration_line(address: str, files: Mapping[str, str]) -> tuple[str, int] | None:
    """(file, 1-based line) of the block that declares ``address`` in the project's root module.

    A resource inside a module points at the ``module "…"`` call that brings it in,
    the line a reviewer of this repository can change.
    """
    match = _ADDRESS.match(address or "")
    if not match:
        return None
    if match.group("modules"):
        first = match.group("modules").split(".")[1].split("[")[0]
        pattern = re.compile(rf'^\s*module\s+"{re.escape(first)}"\s*\{{')
    else:
        keyword = "data" if match.group("data") else "resource"
        pattern = re.compile(rf'^\s*{keyword}\s+"{re.escape(match.group("type"))}"\s+"{re.escape(match.group("name"))}"')
    for path in sorted(files):
        if not path.endswith(".tf"):
            continue
        for number, line in enumerate(files[path].splitlines(), start=1):
            if pattern.match(line):
                return path, number
    return None


def policy_annotations(violations: Iterable[Mapping[str, object]], files: Mapping[str, str],
                       prefix: str) -> tuple[CheckAnnotation, ...]:
    """One annotation per violation whose resource is declared in ``files`` (paths under ``prefix``)."""
    notes = []
    for v in violations:
        found = declaration_line(str(v.get("resource") or ""), files)
        if found is None:
            continue
        path, line = found
        denied = v.get("severity") == "deny" and not v.get("advisory")
        how = {"hard": "blocks apply", "soft": "an admin may override"}.get(str(v.get("enforcement")), "")
        notes.append(CheckAnnotation(
            path=f"{prefix}/{path}", start_line=line, end_line=line, level="failure" if denied else "warning",
            title=f"policy {v.get('policy')}: {'denied' if denied else 'warning'}" + (f" ({how})" if denied and how else ""),
            message=f"{v.get('resource')}: {v.get('msg')}"))
    return tuple(notes)


def diagnostic_annotations(diagnostics: Iterable[Mapping[str, object]], prefix: str) -> tuple[CheckAnnotation, ...]:
    """Terraform's errors and warnings that name a file and line, as annotations."""
    notes = []
    for d in diagnostics:
        filename, line = d.get("filename"), d.get("line")
        if not isinstance(filename, str) or not isinstance(line, int) or line < 1:
            continue
        error = d.get("severity") == "error"
        notes.append(CheckAnnotation(path=f"{prefix}/{filename.lstrip('./')}", start_line=line, end_line=line,
                                     level="failure" if error else "warning", title=str(d.get("summary") or ""),
                                     message=str(d.get("detail") or d.get("summary") or "terraform reported a problem")))
    return tuple(notes)


# -- check run contents ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanFacts:
    """A finished plan, as the check run needs it (built from a ``PlanReady`` event)."""

    project: str
    pr_number: int | None
    run_id: str
    summary_line: str
    diff_text: str
    has_changes: bool
    apply_on: str
    policy_passed: bool
    policy_summary: str | None
    policy_markdown: str | None
    policy_overridable: bool
    cost_summary: str | None


def _fence(text: str, language: str = "diff") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def plan_started(project: str, pr_number: int | None) -> CheckRunSpec:
    return CheckRunSpec(name=check_name("plan", project), status="in_progress", title="Planning…",
                        summary=f"terraform is planning `{project}`.", external_id=external_id("plan", project, pr_number))


def plan_ready(facts: PlanFacts, annotations: tuple[CheckAnnotation, ...]) -> CheckRunSpec:
    if facts.policy_passed:
        conclusion = "success"
    else:
        conclusion = "action_required" if facts.policy_overridable else "failure"
    cost = facts.cost_summary or "cost not estimated"
    policy = facts.policy_summary if facts.policy_summary is not None else "no policies ran"
    lines = [f"**{facts.summary_line}**", "", f"- Cost: {cost}", f"- Policy: {policy}"]
    if facts.has_changes:
        lines.append("- Apply: " + ("when this pull request is merged (`apply_on: merge`)" if facts.apply_on == "merge"
                                    else "press **Apply** above, comment `cloudops apply -p "
                                         f"{facts.project}`, or approve"))
    lines.append(f"\nRun `{facts.run_id}`.")
    text_parts = [_fence(facts.diff_text)] if facts.diff_text.strip() else []
    if facts.policy_markdown:
        text_parts.append(facts.policy_markdown)
    # Apply only where pressing it could apply: changes, apply_on approve, policies passed.
    applicable = facts.has_changes and facts.apply_on != "merge" and facts.policy_passed
    actions = (APPLY, REPLAN) if applicable else (REPLAN,)
    return CheckRunSpec(name=check_name("plan", facts.project), status="completed", conclusion=conclusion,
                        title=facts.summary_line, summary="\n".join(lines), text="\n\n".join(text_parts) or None,
                        annotations=annotations, actions=actions,
                        external_id=external_id("plan", facts.project, facts.pr_number))


def plan_failed(project: str, pr_number: int | None, message: str, annotations: tuple[CheckAnnotation, ...], *,
                timed_out: bool = False) -> CheckRunSpec:
    first = message.splitlines()[0] if message else "the plan failed"
    return CheckRunSpec(name=check_name("plan", project), status="completed",
                        conclusion="timed_out" if timed_out else "failure", title=first,
                        summary=f"The plan of `{project}` failed.", text=_fence(message, "text"),
                        annotations=annotations, actions=(REPLAN,), external_id=external_id("plan", project, pr_number))


def plan_locked(project: str, pr_number: int | None, holder_pr: int) -> CheckRunSpec:
    return CheckRunSpec(name=check_name("plan", project), status="completed", conclusion="failure",
                        title=f"locked by #{holder_pr}",
                        summary=f"Pull request #{holder_pr} holds the lock of `{project}`; plan again once it is "
                                "merged, closed or unlocked.",
                        actions=(REPLAN,), external_id=external_id("plan", project, pr_number))


def apply_started(project: str, pr_number: int | None, actor: str, total: int) -> CheckRunSpec:
    return CheckRunSpec(name=check_name("apply", project), status="in_progress", title="Applying…",
                        summary=f"@{actor} is applying {total} change(s) to `{project}`.",
                        external_id=external_id("apply", project, pr_number))


def apply_finished(project: str, pr_number: int | None, *, succeeded: bool, cancelled: bool, summary: str,
                   rendered: str, failed: Iterable[str]) -> CheckRunSpec:
    conclusion = "success" if succeeded else ("cancelled" if cancelled else "failure")
    failed = list(failed)
    text = _fence(rendered, "text") + (("\n\nFailed: " + ", ".join(f"`{r}`" for r in failed)) if failed else "")
    return CheckRunSpec(name=check_name("apply", project), status="completed", conclusion=conclusion,
                        title=summary.splitlines()[0] if summary else conclusion, summary=summary or conclusion,
                        text=text, external_id=external_id("apply", project, pr_number))
