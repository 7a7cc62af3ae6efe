"""The forge interface every other package uses, and its value types.

Why a protocol: the service layer, the runs and the tests talk to "a forge",
not to PyGithub. One implementation (``controller.forge.github.GitHubForge``)
serves github.com and the local forge alike; tests of other packages may pass
their own double that satisfies this protocol.

Repositories are named ``"owner/name"`` everywhere. Every method raises only
``controller.errors.ForgeError`` subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable
from collections.abc import Iterable, Mapping

MergeMethod = Literal["merge", "squash", "rebase"]
StatusState = Literal["error", "failure", "pending", "success"]


@dataclass(frozen=True)
class Author:
    """Who a commit is attributed to (also used as committer)."""

    name: str
    email: str


@dataclass(frozen=True)
class RepoInfo:
    full_name: str
    default_branch: str
    clone_url: str
    html_url: str
    private: bool


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    head_sha: str
    head_ref: str
    base_ref: str
    author: str
    state: str  # "open" | "closed"
    merged: bool
    mergeable: bool | None  # None: GitHub is still computing it
    mergeable_state: str  # "clean", "dirty", "blocked", "unknown", …
    draft: bool
    merge_commit_sha: str | None
    html_url: str


@dataclass(frozen=True)
class ChangedFile:
    filename: str
    status: str  # added | removed | modified | renamed | copied | changed | unchanged
    additions: int
    deletions: int
    previous_filename: str | None = None


@dataclass(frozen=True)
class CommitStatus:
    state: str
    context: str
    description: str
    target_url: str | None


@dataclass(frozen=True)
class CombinedStatus:
    sha: str
    state: str  # the worst of the latest status per context; "pending" when none
    statuses: tuple[CommitStatus, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Review:
    id: int
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str | None
    submitted_order: int  # position in GitHub's chronological list


@dataclass(frozen=True)
class MergeResult:
    merged: bool
    sha: str | None
    message: str


CheckStatus = Literal["queued", "in_progress", "completed"]
AnnotationLevel = Literal["notice", "warning", "failure"]


@dataclass(frozen=True)
class CheckAnnotation:
    """A note on lines of a file in a check run (GitHub shows it in the diff)."""

    path: str
    start_line: int
    end_line: int
    level: AnnotationLevel
    message: str
    title: str = ""
    raw_details: str = ""


@dataclass(frozen=True)
class CheckAction:
    """A button on a check run; pressing it sends ``check_run`` ``requested_action`` with ``identifier``."""

    label: str  # at most 20 characters
    description: str  # at most 40
    identifier: str  # at most 20


@dataclass(frozen=True)
class CheckRunSpec:
    """What a check run should show; ``controller.forge.checks.fit`` keeps it within GitHub's limits."""

    name: str
    status: CheckStatus
    conclusion: str | None = None  # success | failure | neutral | cancelled | timed_out | action_required | skipped
    title: str = ""
    summary: str = ""
    text: str | None = None
    annotations: tuple[CheckAnnotation, ...] = ()
    actions: tuple[CheckAction, ...] = ()
    external_id: str = ""
    details_url: str | None = None


@dataclass(frozen=True)
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    external_id: str


@runtime_checkable
class Forge(Protocol):
    """What the controller needs from GitHub and git."""

    def get_repo(self, repo: str) -> RepoInfo:
        """Repository facts, chiefly its default branch and clone URL."""

    def login(self) -> str:
        """The login of the account this forge client acts as."""

    def sync_working_copy(self, repo: str, workdir: Path) -> Path:
        """Clone ``repo`` into ``workdir``, or fetch if it is already there."""

    def working_copy(self, repo: str, workdir: Path) -> Any:
        """An authenticated ``gitrepo.WorkingCopy`` for git work beyond this interface (reverts, the state branch)."""

    def create_branch(self, repo: str, branch: str, base: str) -> str:
        """Create ``branch`` at the tip of ``base``; return its sha."""

    def commit_files(
        self,
        repo: str,
        branch: str,
        files: Mapping[str, str | bytes],
        message: str,
        author: Author,
        workdir: Path,
        *,
        delete: Iterable[str] = (),
    ) -> str:
        """Write ``files`` (path → content), remove ``delete``, commit, push; return the sha."""

    def open_pull_request(self, repo: str, *, title: str, body: str, head: str, base: str, draft: bool = False) -> PullRequest:
        ...

    def get_pull_request(self, repo: str, number: int, *, wait_for_mergeable: float = 0.0) -> PullRequest:
        """The PR; with ``wait_for_mergeable`` > 0, poll that many seconds while GitHub computes mergeability."""

    def find_open_pull_request(self, repo: str, head: str, base: str | None = None) -> PullRequest | None:
        """The open PR from branch ``head`` (into ``base``, when given), if there is one."""

    def ensure_webhook(self, repo: str, url: str, secret: str, events: Iterable[str]) -> tuple[int, bool]:
        """Create or update the repository's webhook to ``url``; return (hook id, created)."""

    def close_pull_request(self, repo: str, number: int) -> PullRequest:
        """Close the PR without merging."""

    def list_changed_files(self, repo: str, number: int) -> list[ChangedFile]:
        ...

    def own_comment(self, repo: str, number: int, key: str) -> str | None:
        """The body of the bot's own comment marked ``key``, if it wrote one (others cannot forge it)."""

    def upsert_comment(self, repo: str, number: int, key: str, body: str) -> list[int]:
        """Show ``body`` as the comment(s) marked ``key``: edit in place, split if long; return the ids."""

    def set_status(
        self,
        repo: str,
        sha: str,
        state: StatusState,
        context: str,
        description: str = "",
        target_url: str | None = None,
    ) -> CommitStatus:
        ...

    def get_combined_status(self, repo: str, ref: str) -> CombinedStatus:
        ...

    def list_reviews(self, repo: str, number: int) -> list[Review]:
        ...

    def approvers(self, repo: str, number: int, *, head_sha: str | None = None) -> list[str]:
        """Logins whose latest deciding review approves (on ``head_sha`` if given)."""

    def merge(
        self,
        repo: str,
        number: int,
        *,
        method: MergeMethod = "merge",
        sha: str | None = None,
        title: str | None = None,
        message: str | None = None,
    ) -> MergeResult:
        """Merge the PR; with ``sha``, only if its head is still that commit."""

    def open_revert_pull_request(
        self,
        repo: str,
        *,
        merge_sha: str,
        original_title: str,
        author: Author,
        workdir: Path,
        body: str = "",
        branch: str | None = None,
    ) -> PullRequest:
        """Revert a merge commit (``git revert -m 1``) on a new branch and open a PR for it."""
