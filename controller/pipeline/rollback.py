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
from pathlib import Path

from ..errors import ConfigError, ForgeValidationError
from ..forge.base import Author
from ..store import RunKind
from . import notices
from .planner import PlanContext
from .repo_source import PROJECTS_DIR

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
            approvers = tuple(await asyncio.to_thread(ctx.forge.approvers, repo, merge.pr_number))
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
        merges = await asyncio.to_thread(project_merges, ctx, repo, project, info.default_branch, since=to_sha)
        if not merges:
            raise ConfigError(f"rolling back {project} to {to_sha[:12]}: nothing changed the project since then")
        shas = [m.sha for m in merges]  # newest first: revert in that order
        prs = [m.pr_number for m in merges if m.pr_number is not None]
        title = f"Roll back {project} to {to_sha[:12]}"
    # cloudops/<who>/…: the policies judge the rollback as the person who asked for it.
    branch = f"cloudops/{actor}/rollback-{project}-{shas[-1][:8]}"
    workdir = ctx.settings.data_dir / "rollbacks" / repo.replace("/", "__")
    author = Author(name=actor, email=f"{actor}@users.noreply.github.com")
    body = _body(project, actor, shas, prs)
    opened = await asyncio.to_thread(_revert_and_open, ctx, repo, info.default_branch, branch, shas, title, body, author, workdir)
    await ctx.bus.publish(notices.RollbackOpened(repo=repo, project=project, pr_number=opened.number,
                                                 reverted_pr=prs[0] if prs else None, url=opened.html_url))
    return RollbackResult(opened.number, opened.html_url, tuple(shas), tuple(prs))


def _revert_and_open(ctx: PlanContext, repo: str, base: str, branch: str, shas: list[str], title: str, body: str,
                     author: Author, workdir: Path):
    copy = ctx.forge.working_copy(repo, workdir)
    copy.create_local_branch(branch, f"refs/remotes/origin/{base}")
    for sha in shas:
        copy.revert_merge(sha, author, f"Revert {sha[:12]} ({title})\n\nThis reverts commit {sha}.")
    copy.push(branch)
    return ctx.forge.open_pull_request(repo, title=title, body=body, head=branch, base=base)


def _body(project: str, actor: str, shas: list[str], prs: list[int]) -> str:
    listed = "\n".join(f"- `{sha[:12]}`" for sha in shas)
    from_prs = f" (from {', '.join(f'#{n}' for n in prs)})" if prs else ""
    return (
        f"Rollback of project `{project}` requested by @{actor}: reverts{from_prs}\n\n{listed}\n\n"
        "It goes through the same pipeline: the plan below shows what will be destroyed or changed, "
        "and applying it restores the earlier infrastructure."
    )
