"""The forge's state and the facts routes share: where repositories live,
how a row becomes a document, and what happens when refs move.

Routes stay thin by asking this object. Git work runs in worker threads
(`Forge.git`) so the event loop keeps serving while git runs. Every ref
change — a `git push`, a ref PATCH, a contents PUT, a merge — goes through
`refs_moved`, so `push` and `pull_request`/`synchronize` fire the same way
whichever door the change came through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from . import events, gitrepo, payloads, payloads_issues
from .gitrepo import ZERO_SHA
from .http import not_found
from .storage import Row, Store, now
from .webhooks import Dispatcher

T = TypeVar("T")


class Forge:
    """Store, repositories, URLs and the webhook dispatcher of one running forge."""

    def __init__(self, data_dir: Path, store: Store, urls: payloads.Urls, dispatcher: Dispatcher) -> None:
        self.data_dir, self.store, self.urls, self.webhooks = data_dir, store, urls, dispatcher
        self._locks: dict[int, asyncio.Lock] = {}

    # -- plumbing -----------------------------------------------------------
    @property
    def repos_root(self) -> Path:
        return self.data_dir / "repos"

    def repo_path(self, repo: Row) -> Path:
        return self.repos_root / repo["owner_login"] / f"{repo['name']}.git"

    def lock(self, repo: Row) -> asyncio.Lock:
        """Serialises ref changes of one repository (pushes, merges, API writes)."""
        return self._locks.setdefault(repo["id"], asyncio.Lock())

    async def git(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def find_repo(self, owner: str, name: str, user: Row | None) -> Row:
        """The repository, or 404 (also for a private one the caller may not see, as GitHub does)."""
        repo = self.store.repo(owner, name)
        if repo is None or (repo["private"] and user is None):
            raise not_found()
        return repo

    # -- documents ------------------------------------------------------------
    def user_doc(self, user: Row) -> dict[str, Any]:
        return payloads.simple_user(self.urls, user)

    def repo_doc(self, repo: Row) -> dict[str, Any]:
        row = self.store.one("SELECT COUNT(*) AS n FROM issues WHERE repo_id = ? AND state = 'open'", repo["id"])
        return payloads.repository(self.urls, repo, self.store.user(repo["owner_id"]), open_issues=row["n"] if row else 0)

    def user_for_email(self, email: str) -> Row | None:
        return self.store.one("SELECT * FROM users WHERE email = ? COLLATE NOCASE", email)

    def commit_doc(self, repo: Row, sha: str, *, with_files: bool = False) -> dict[str, Any]:
        """Schema `commit` for a sha (synchronous: call through `git`)."""
        path = self.repo_path(repo)
        info = gitrepo.commit(path, sha)
        files = None
        if with_files:
            parents = info["parents"]
            base = parents[0] if parents else gitrepo.EMPTY_TREE
            files = gitrepo.diff_files(path, str(base), sha)
        return payloads.commit(self.urls, repo, info, author=self.user_for_email(info["author"]["email"]),
                               committer=self.user_for_email(info["committer"]["email"]), files=files)

    def pull_facts(self, repo: Row, pull: Row) -> payloads_issues.PullFacts:
        """Head/base tips, counts and mergeability, computed from git now (synchronous)."""
        path = self.repo_path(repo)
        merged = pull["merged_at"] is not None
        head = pull["head_sha"]
        base = pull["base_sha"]
        if pull["state"] == "open":
            head = gitrepo.resolve(path, f"refs/heads/{pull['head_ref']}") or head
            base = gitrepo.resolve(path, f"refs/heads/{pull['base_ref']}") or base
        fork_point = gitrepo.merge_base(path, base, head) or base
        files = gitrepo.diff_files(path, fork_point, head)
        mergeable: bool | None = None
        state = "unknown"
        if not merged:
            mergeable = gitrepo.merge_tree(path, base, head) is not None
            if not mergeable:
                state = "dirty"
            else:
                contexts = self.latest_statuses(repo, head)
                combined = payloads_issues.combined_state([s["state"] for s in contexts])
                state = "unstable" if contexts and combined != "success" else "clean"
                if pull["draft"]:  # GitHub's state for a mergeable draft, whatever its statuses
                    state = "draft"
        return payloads_issues.PullFacts(
            head_sha=head, base_sha=base, mergeable=mergeable, mergeable_state=state,
            commits=len(gitrepo.log(path, head, base)) if not merged else len(gitrepo.log(path, head, fork_point)),
            additions=sum(int(f["additions"]) for f in files), deletions=sum(int(f["deletions"]) for f in files),
            changed_files=len(files), comments=self.store.comment_count(pull["issue_id"]),
            review_comments=self.store.review_comment_count(pull["id"]))

    async def pull_doc(self, repo: Row, pull: Row) -> dict[str, Any]:
        facts = await self.git(self.pull_facts, repo, pull)
        merged_by = self.store.user(pull["merged_by_id"]) if pull["merged_by_id"] else None
        return payloads_issues.pull_request(self.urls, repo, self.repo_doc(repo), pull, self.store.user(pull["user_id"]),
                                     facts, merged_by)

    def issue_doc(self, repo: Row, issue: Row) -> dict[str, Any]:
        pull = self.store.one("SELECT * FROM pulls WHERE issue_id = ?", issue["id"])
        labels = self.store.all("SELECT labels.* FROM labels JOIN issue_labels ON issue_labels.label_id = labels.id "
                                "WHERE issue_labels.issue_id = ? ORDER BY labels.name", issue["id"])
        return payloads_issues.issue(self.urls, repo, issue, self.store.user(issue["user_id"]),
                              comments=self.store.comment_count(issue["id"]), pull=pull, labels=labels)

    def latest_statuses(self, repo: Row, sha: str) -> list[Row]:
        """The newest status of each context on a commit."""
        seen: dict[str, Row] = {}
        for row in self.store.statuses(repo["id"], sha):
            seen.setdefault(row["context"], row)
        return list(seen.values())

    # -- ref changes ------------------------------------------------------------
    async def write(self, repo: Row, sender: Row, fn: Callable[..., T], *args: Any) -> T:
        """Run a git write under the repository's lock, then announce the refs it moved."""
        path = self.repo_path(repo)
        async with self.lock(repo):
            before = await self.git(gitrepo.refs, path)
            result = await self.git(fn, *args)
            after = await self.git(gitrepo.refs, path)
        await self.refs_moved(repo, before, after, sender)
        return result

    async def refs_moved(self, repo: Row, before: dict[str, str], after: dict[str, str], sender: Row) -> None:
        """Record and announce every ref that differs between two snapshots."""
        changed = sorted(ref for ref in set(before) | set(after) if before.get(ref) != after.get(ref))
        if not changed:
            return
        self.store.update("repos", repo["id"], pushed_at=now(), updated_at=now())
        repo = self.store.repo_by_id(repo["id"])
        sender_doc = self.user_doc(sender)
        for ref in changed:
            old, new = before.get(ref, ZERO_SHA), after.get(ref, ZERO_SHA)
            others = [sha for name, sha in before.items() if name != ref]
            payload = await self.git(self._push_payload, repo, sender_doc, ref, old, new, others)
            self.webhooks.emit(repo["id"], "push", payload)
            if ref.startswith("refs/heads/") and new != ZERO_SHA:
                await self._synchronize(repo, ref.removeprefix("refs/heads/"), old, new, sender_doc)

    def _push_payload(self, repo: Row, sender_doc: dict[str, Any], ref: str, old: str, new: str,
                      others: list[str]) -> dict[str, Any]:
        path = self.repo_path(repo)
        commits: list[dict[str, Any]] = []
        forced = False
        if new != ZERO_SHA:
            exclude = [old] if old != ZERO_SHA else others
            shas = gitrepo.log(path, new, *exclude, reverse=True)[-20:]
            usernames = {u["email"]: u["login"] for u in self.store.all("SELECT login, email FROM users")}
            commits = [events.push_commit(self.urls, repo, gitrepo.commit(path, sha), gitrepo.changed_paths(path, sha),
                                          usernames) for sha in shas]
            forced = old != ZERO_SHA and not gitrepo.is_ancestor(path, old, new)
        return events.push(self.urls, repo, self.repo_doc(repo), sender_doc, ref=ref, before=old, after=new,
                           commits=commits, forced=forced)

    async def _synchronize(self, repo: Row, branch: str, old: str, new: str, sender_doc: dict[str, Any]) -> None:
        rows = self.store.all("SELECT pulls.id FROM pulls JOIN issues ON issues.id = pulls.issue_id "
                              "WHERE issues.repo_id = ? AND issues.state = 'open' AND pulls.head_ref = ?",
                              repo["id"], branch)
        for row in rows:
            self.store.update("pulls", row["id"], head_sha=new)
            pull = self.store.pull_by_id(row["id"])
            self.store.update("issues", pull["issue_id"], updated_at=now())
            doc = await self.pull_doc(repo, self.store.pull_by_id(row["id"]))
            self.webhooks.emit(repo["id"], "pull_request",
                               events.pull_request("synchronize", doc, self.repo_doc(repo), sender_doc,
                                                   before=old, after=new))


FORGE = web.AppKey("forge", Forge)
