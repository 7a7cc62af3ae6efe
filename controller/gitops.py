"""Every change the controller proposes goes the same way: a branch, a commit, a pull request.

Chat deployments, config edits (grants, quotas, budgets), the first scaffold of a repo, the demo and
rollbacks all write through here, on the ``Forge`` protocol, so the audit trail (git history, PRs)
looks the same whoever asked: one branch per request, one commit that names who asked and why, a PR
into the default branch that the pipeline plans like any other.

The one exception is the controller's own bookkeeping on the default branch (a grant's start time, pruning
expired grants: ``pipeline/grants``), committed directly as the grant-pruning job always has.

Callers hold the repository's working-copy lock (``ServiceContext.repo_lock``) around these calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ForgeValidationError
from .forge.base import Author, Forge, PullRequest


@dataclass(frozen=True)
class ProposedChange:
    """What to propose: files to write (path → text) and remove, the commit and the PR."""

    branch: str
    base: str
    files: Mapping[str, str]
    message: str  # the commit message: first line a summary, then who asked and why
    author: Author
    title: str
    body: str
    delete: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Proposal:
    pull: PullRequest
    sha: str  # the head the PR was opened at


def propose(forge: Forge, repo: str, change: ProposedChange, workdir: Path, *, resumable: bool = False) -> Proposal:
    """Branch from ``change.base``, commit, open the PR.

    ``resumable`` (a chat request retried after a failure): an open PR from the branch is the answer as
    it is, and a branch left by an attempt that failed after creating it is committed on top."""
    if resumable:
        existing = forge.find_open_pull_request(repo, change.branch, change.base)
        if existing is not None:
            return Proposal(existing, existing.head_sha)
    try:
        forge.create_branch(repo, change.branch, change.base)
    except ForgeValidationError:
        if not resumable:
            raise
    sha = forge.commit_files(repo, change.branch, dict(change.files), change.message, change.author, workdir,
                             delete=tuple(change.delete))
    pull = forge.open_pull_request(repo, title=change.title, body=change.body, head=change.branch, base=change.base)
    return Proposal(pull, sha)


def propose_revert(forge: Forge, repo: str, *, base: str, branch: str, shas: Sequence[str], paths: Sequence[str],
                   author: Author, workdir: Path, title: str, body: str) -> PullRequest:
    """Revert what ``shas`` changed under ``paths`` (newest first) on a branch from ``base``; open the PR."""
    copy = forge.working_copy(repo, workdir)
    copy.create_local_branch(branch, f"refs/remotes/origin/{base}")
    where = ", ".join(f"{p}/" for p in paths)
    for sha in shas:
        copy.revert_paths(sha, list(paths), author,
                          f"Revert {sha[:12]} in {where} ({title})\n\nThis reverts the changes of commit {sha} under {where}.")
    copy.push(branch)
    return forge.open_pull_request(repo, title=title, body=body, head=branch, base=base)


__all__ = ["Proposal", "ProposedChange", "propose", "propose_revert"]
