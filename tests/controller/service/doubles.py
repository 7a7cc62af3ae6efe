"""Doubles at the service layer's seams: a forge that records, a gateway that answers as told."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping

from controller.errors import ForgeNotFound
from controller.forge.base import Author, PullRequest, RepoInfo
from controller.service.gateway import ApplyDecision, ApplyRecord, HistoryEntry, RollbackResult

ADMIN_ID = "111"
USER_ID = "222"
VIEWER_ID = "333"
STRANGER_ID = "999"

CONFIG = f"""# cloudops.yaml for the service tests
version: 1
projects:
  web:
    target: local
    region: local-1
    budget_monthly_usd: 50
    quotas: {{vm: 2, database: 1, network: 1, bucket: 5, cluster: 0}}
  data:
    target: local
    region: local-1
members:
  alice: {{role: admin, github: alice, discord: "{ADMIN_ID}"}}
  bob: {{role: user, github: bob, discord: "{USER_ID}", projects: [web]}}
  carol: {{role: viewer, github: carol, discord: "{VIEWER_ID}"}}
grants:
  - {{member: carol, project: data, role: user, expires_at: 2030-01-31T18:00:00Z, reason: on-call}}
"""


def make_repo(root: Path, template: Path) -> Path:
    """An infra repo dir: the template's example project copied as project web (one vm)."""
    root.mkdir(parents=True)
    (root / "cloudops.yaml").write_text(CONFIG)
    web = root / "projects" / "web"
    web.mkdir(parents=True)
    for name in ("versions.tf", "vm-web.tf"):
        text = (template / "projects" / "example" / name).read_text().replace('"example"', '"web"')
        (web / name).write_text(text)
    return root


class FakeClock:
    def __init__(self, start: datetime = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingForge:
    """Just enough of ``Forge`` for the service: branches, commits, PRs, all in memory."""

    repos: set[str] = field(default_factory=lambda: {"acme/infra"})
    branches: dict[str, str] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)
    prs: dict[int, PullRequest] = field(default_factory=dict)

    def get_repo(self, repo: str) -> RepoInfo:
        if repo not in self.repos:
            raise ForgeNotFound(f"reading repository {repo}: not found")
        return RepoInfo(repo, "main", f"https://forge/{repo}.git", f"https://forge/{repo}", True)

    def create_branch(self, repo: str, branch: str, base: str) -> str:
        self.branches[branch] = base
        return "0" * 40

    def commit_files(self, repo: str, branch: str, files: Mapping[str, str | bytes], message: str, author: Author,
                     workdir: Path, *, delete: Iterable[str] = ()) -> str:
        sha = f"{len(self.commits) + 1:040x}"
        self.commits.append({"repo": repo, "branch": branch, "files": dict(files), "message": message, "author": author, "sha": sha})
        return sha

    def open_pull_request(self, repo: str, *, title: str, body: str, head: str, base: str, draft: bool = False) -> PullRequest:
        number = len(self.prs) + 1
        pr = PullRequest(number, title, body, self.commits[-1]["sha"], head, base, "cloudops-bot", "open", False, None,
                         "unknown", False, None, f"https://forge/{repo}/pull/{number}")
        self.prs[number] = pr
        return pr

    def find_open_pull_request(self, repo: str, head: str, base: str | None = None) -> PullRequest | None:
        return next((p for p in self.prs.values() if p.head_ref == head and p.state == "open"), None)

    def get_pull_request(self, repo: str, number: int, *, wait_for_mergeable: float = 0.0) -> PullRequest:
        return self.prs[number]

    def push_to(self, number: int, sha: str) -> None:
        self.prs[number] = replace(self.prs[number], head_sha=sha)


@dataclass
class GatewayDouble:
    """Answers as the test sets it up and records every call."""

    decision: ApplyDecision = field(default_factory=lambda: ApplyDecision(True, []))
    cancelled: list[str] = field(default_factory=lambda: ["web"])
    entries: list[HistoryEntry] = field(default_factory=list)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    async def request_apply(self, repo: str, pr_number: int, project: str, actor_github: str) -> ApplyDecision:
        self.calls.append(("request_apply", (repo, pr_number, project, actor_github)))
        return self.decision

    async def cancel(self, repo: str, pr_number: int, project: str | None, actor_github: str) -> list[str]:
        self.calls.append(("cancel", (repo, pr_number, project, actor_github)))
        return self.cancelled

    async def close_pull_request(self, repo: str, pr_number: int, actor_github: str) -> None:
        self.calls.append(("close_pull_request", (repo, pr_number, actor_github)))

    async def plan(self, repo: str, pr_number: int, project: str, actor_github: str) -> list[str]:
        self.calls.append(("plan", (repo, pr_number, project, actor_github)))
        return [project]

    async def merge_pull_request(self, repo: str, pr_number: int, actor_github: str, *, head_sha: str) -> str:
        self.calls.append(("merge_pull_request", (repo, pr_number, actor_github, head_sha)))
        return "m" * 40

    async def rollback(self, repo: str, project: str, *, to_sha: str | None, pr: int | None, actor_github: str) -> RollbackResult:
        self.calls.append(("rollback", (repo, project, to_sha, pr, actor_github)))
        return RollbackResult(42, f"https://forge/{repo}/pull/42")

    async def history(self, repo: str, project: str) -> list[HistoryEntry]:
        self.calls.append(("history", (repo, project)))
        return self.entries


def sample_history() -> list[HistoryEntry]:
    return [HistoryEntry(3, "[web] add vm-api", "alice", ["alice"],
                         [ApplyRecord("run-1", "succeeded", datetime(2024, 3, 1, 12, 5, tzinfo=UTC))])]


def copy_template(dest: Path) -> Path:
    from cloudops.commands.init_repo import template_dir

    shutil.copytree(template_dir(), dest)
    return dest
