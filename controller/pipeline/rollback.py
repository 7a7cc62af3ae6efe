"""Rollback and history: Git is the audit log and the way back.

A rollback is `git revert` of the merge commit(s) that changed a project,
on a new branch, opened as a pull request that goes through the very same
pipeline (plan, policy, cost, approval, apply). History joins the default
branch's merges, the PRs' approvals and the controller's apply runs.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from .. import gitops
from ..errors import ConfigError, ForgeValidationError
from ..forge.base import Author
from ..store import RunKind
from . import notices
from .planner import PlanContext
from ..repo_config import loads
from .repo_source import CONFIG_FILE, PROJECTS_DIR, projects_touched
from .rules import rules_from_config

_MERGE_SUBJECT = re.compile(r"^Merge pull request #(?P<number>\d+)\b")


@dataclass(frozen=True)
class MergeRecord:
    sha: str
    subject: str
    committed_at: str
    pr_number: int | None


@dataclass(frozen=True)
class ApplyRecord:
    run_id: str
    status: str
    finished_at: str | None
    actor: str | None


@dataclass(frozen=True)
class HistoryEntry:
    merge_sha: str
    committed_at: str
    pr_number: int | None
    title: str
    author: str | None
    approvers: tuple[str, ...]
    applies: tuple[ApplyRecord, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        return {
            "merge_sha": self.merge_sha, "committed_at": self.committed_at, "pr": self.pr_number,
            "title": self.title, "author": self.author, "approvers": list(self.approvers),
            "applies": [a.__dict__ for a in self.applies],
        }


@dataclass(frozen=True)
class RollbackResult:
    pr_number: int
    url: str
    reverted: tuple[str, ...]
    reverted_prs: tuple[int, ...]


def pr_number_of(subject: str) -> int | None:
    match = _MERGE_SUBJECT.match(subject)
    return int(match.group("number")) if match else None


def project_merges(ctx: PlanContext, repo: str, project: str, branch: str, *, since: str | None = None) -> list[MergeRecord]:
    """Commits on the default branch's first-parent line that changed ``projects/<project>/``, newest first."""
    source = ctx.sources[repo]
    source.refresh()
    tip = source.resolve(branch)
    span = f"{source.resolve(since)}..{tip}" if since else tip
    out = source._git().git.log("--first-parent", "--format=%H%x1f%s%x1f%cI", span, "--", f"{PROJECTS_DIR}/{project}/")
    records = []
    for line in out.splitlines():
        sha, subject, when = line.split("\x1f")
        records.append(MergeRecord(sha=sha, subject=subject, committed_at=when, pr_number=pr_number_of(subject)))
    return records


def counted_approvers(ctx: PlanContext, repo: str, project: str, merge_sha: str, author: str | None,
                      approvers: list[str]) -> tuple[str, ...]:
    """The approvals that counted: admins of the project under the rules the PR was judged by
    (``cloudops.yaml`` of the merge's first parent), the author only where self-approval is allowed."""
    source = ctx.sources[repo]
    try:
        text = source.read_file(f"{merge_sha}^1", CONFIG_FILE)
    except Exception:  # noqa: BLE001 - a root commit has no parent: no rules, no counted approvals
        text = None
    if text is None:
        return ()
    try:
        rules = rules_from_config(loads(text, source=f"{repo}@{merge_sha[:12]}^1:{CONFIG_FILE}"))
    except ConfigError:
        return ()
    allowed = rules.allowed_approvers(project)
    project_config = rules.config.projects.get(project) if rules.config else None
    self_ok = bool(project_config and project_config.allow_self_approval)
    return tuple(a for a in approvers if a.lower() in allowed
                 and (self_ok or author is None or a.lower() != author.lower()))


async def history(ctx: PlanContext, repo: str, project: str) -> list[HistoryEntry]:
    info = await asyncio.to_thread(ctx.forge.get_repo, repo)
    merges = await asyncio.to_thread(project_merges, ctx, repo, project, info.default_branch)
    runs = await asyncio.to_thread(ctx.store.list_runs, repo=repo, project=project, limit=1000)
    entries = []
    for merge in merges:
        title, author, approvers = merge.subject, None, ()
        if merge.pr_number is not None:
            pull = await asyncio.to_thread(ctx.forge.get_pull_request, repo, merge.pr_number)
            title, author = pull.title, pull.author
            everyone = list(await asyncio.to_thread(ctx.forge.approvers, repo, merge.pr_number))
            approvers = await asyncio.to_thread(counted_approvers, ctx, repo, project, merge.sha, author, everyone)
        applies = tuple(
            ApplyRecord(r.id, r.status.value, r.finished_at.isoformat() if r.finished_at else None, r.actor)
            for r in sorted(runs, key=lambda r: r.created_at)
            if r.kind is RunKind.APPLY and merge.pr_number is not None and r.pr_number == merge.pr_number
        )
        entries.append(HistoryEntry(merge.sha, merge.committed_at, merge.pr_number, title, author, approvers, applies))
    return entries


async def rollback(ctx: PlanContext, repo: str, project: str, *, actor: str, to_sha: str | None = None,
                   pr: int | None = None) -> RollbackResult:
    """Open a revert PR for ``pr``'s merge, or for every merge of ``project`` after ``to_sha``."""
    if (to_sha is None) == (pr is None):
        raise ConfigError("rolling back: give exactly one of --to SHA or --pr N")
    info = await asyncio.to_thread(ctx.forge.get_repo, repo)
    if pr is not None:
        pull = await asyncio.to_thread(ctx.forge.get_pull_request, repo, pr)
        if not pull.merged or not pull.merge_commit_sha:
            raise ForgeValidationError(f"rolling back {repo}#{pr}: the pull request is not merged, so there is nothing to revert")
        shas, prs, title = [pull.merge_commit_sha], [pr], f'Revert "{pull.title}"'
    else:
        assert to_sha is not None  # exactly one of to_sha and pr: checked above
        merges = await asyncio.to_thread(project_merges, ctx, repo, project, info.default_branch, since=to_sha)
        if not merges:
            raise ConfigError(f"rolling back {project} to {to_sha[:12]}: nothing changed the project since then")
        shas = [m.sha for m in merges]  # newest first: revert in that order
        prs = [m.pr_number for m in merges if m.pr_number is not None]
        title = f"Roll back {project} to {to_sha[:12]}"
    touched = await asyncio.to_thread(_projects_changed_by, ctx, repo, shas)
    if project not in touched:
        elsewhere = ", ".join(f"`{p}`" for p in sorted(touched)) or "no project"
        raise ConfigError(f"rolling back {project}: {' and '.join(s[:12] for s in shas)} did not change "
                          f"{PROJECTS_DIR}/{project}/ (it changed {elsewhere}); nothing to revert for {project}")
    # cloudops/<who>/…: the policies judge the rollback as the person who asked for it.
    branch = f"cloudops/{actor}/rollback-{project}-{shas[-1][:8]}"
    workdir = ctx.settings.data_dir / "rollbacks" / repo.replace("/", "__")
    author = Author(name=actor, email=f"{actor}@users.noreply.github.com")
    body = _body(project, actor, shas, prs, sorted(touched - {project}))
    # Only this project's paths: a merge that also changed another project leaves that one alone.
    opened = await asyncio.to_thread(
        gitops.propose_revert, ctx.forge, repo, base=info.default_branch, branch=branch, shas=shas,
        paths=[f"{PROJECTS_DIR}/{project}"], author=author, workdir=workdir, title=title, body=body)
    await ctx.bus.publish(notices.RollbackOpened(repo=repo, project=project, pr_number=opened.number,
                                                 reverted_pr=prs[0] if prs else None, url=opened.html_url))
    return RollbackResult(opened.number, opened.html_url, tuple(shas), tuple(prs))


def _projects_changed_by(ctx: PlanContext, repo: str, shas: list[str]) -> set[str]:
    """Projects whose files the given merge commits changed (against their first parents)."""
    git = ctx.sources[repo]._git().git
    changed: set[str] = set()
    for sha in shas:
        changed |= set(projects_touched(git.diff("--name-only", f"{sha}^1", sha).splitlines())[0])
    return changed


def _body(project: str, actor: str, shas: list[str], prs: list[int], others: list[str]) -> str:
    listed = "\n".join(f"- `{sha[:12]}`" for sha in shas)
    from_prs = f" (from {', '.join(f'#{n}' for n in prs)})" if prs else ""
    left = (f"Only `{PROJECTS_DIR}/{project}/` is reverted; the same merge also changed "
            + ", ".join(f"`{p}`" for p in others) + ", which this rollback leaves as they are.\n\n") if others else ""
    return (
        f"Rollback of project `{project}` requested by @{actor}: reverts{from_prs}\n\n{listed}\n\n{left}"
        "It goes through the same pipeline: the plan below shows what will be destroyed or changed, "
        "and applying it restores the earlier infrastructure."
    )
