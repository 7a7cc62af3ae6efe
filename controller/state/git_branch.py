"""Terraform state kept, encrypted, on an orphan branch of the infra repo.

Why a branch: state history becomes git history — each apply is one commit
naming the PR, head sha and run — and the state travels with the repository
without a bucket or a database. Why orphan: the branch shares no history
with the code, so it never shows up in merges, diffs or PRs.

Layout of the branch ``cloudops-state``::

    README.md                              what the branch is; written once
    projects/<project>/terraform.tfstate.enc   ``crypto`` envelope, never plaintext

One clone per repository under ``<data dir>/state-repos/<owner>/<name>``,
opened through the forge, which owns the token (``gitrepo.WorkingCopy``:
credentials in the git process environment, never on disk). Plaintext
state only ever exists in memory and in the caller's ``state_file``.

Concurrency: the caller holds the project lock, so one project never races
itself. Different projects (or controller replicas) may: within one process
a lock per repository serialises the clone; across replicas a rejected push
is answered by fetching, rebuilding the commit on the new tip and pushing
again, a few times.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git

from ..errors import GitOperationError, StateError
from ..forge.base import Author, Forge
from ..forge.errors import translating
from ..forge.gitrepo import WorkingCopy
from ..repo_config import is_project_name
from ..settings import Settings
from . import crypto, history

log = logging.getLogger(__name__)

DEFAULT_BRANCH = "cloudops-state"
CONTROLLER_AUTHOR = Author("Cloud ChatOps", "cloudops@users.noreply.github.com")
_REJECTED = re.compile(r"\[(?:remote )?rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref", re.I)

README = """\
# cloudops-state

This branch is written by Cloud ChatOps. It holds the Terraform state of each
project of this repository, one file per project:

    projects/<project>/terraform.tfstate.enc

Every file is encrypted (AES-256-GCM) with a key that only the controller
holds, and is bound to this repository and project: a copy moved elsewhere
does not decrypt. Each commit is one save of one project's state, after an
apply; its message names the pull request, the commit and the run, so
`git log cloudops-state -- projects/<project>` is that project's apply history.

The branch shares no history with the code. Do not merge it, and do not
edit it by hand: the controller restores state from its latest commit before
every plan and apply.
"""


def validate_project(project: str) -> str:
    """A project name that is safe in a path on the branch."""
    if not is_project_name(project):
        raise StateError(f"keeping state of project {project!r}: not a valid project name")
    return project


def read_state_file(state_file: Path, what: str) -> bytes:
    try:
        return state_file.read_bytes()
    except FileNotFoundError:
        raise StateError(f"saving {what}: terraform wrote no state file at {state_file}") from None


def write_state_file(state_file: Path, plaintext: bytes) -> None:
    """Replace ``state_file`` atomically with a 0600 file: state holds secrets."""
    state_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tfstate-", dir=state_file.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(plaintext)
        os.replace(tmp, state_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_rejected_push(exc: GitOperationError) -> bool:
    return bool(_REJECTED.search(exc.message))


class GitStateBackend:
    """``planner.StateBackend`` on the orphan branch ``branch`` of each repository."""

    def __init__(
        self,
        forge: Forge,
        settings: Settings,
        *,
        branch: str = DEFAULT_BRANCH,
        key: crypto.StateKey | None = None,
        author: Author = CONTROLLER_AUTHOR,
        push_attempts: int = 5,
    ) -> None:
        """``forge`` must open authenticated working copies (``GitHubForge`` does);
        ``key`` defaults to ``crypto.state_key(settings.data_dir)``."""
        self._forge = forge
        self.branch = branch
        self.key = key if key is not None else crypto.state_key(settings.data_dir)
        self.author = author
        self.push_attempts = push_attempts
        self.clones_dir = settings.data_dir / "state-repos"
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"GitStateBackend(branch={self.branch!r}, key_id={self.key.key_id.hex()})"

    # -- the StateBackend protocol ------------------------------------------

    async def restore(self, repo: str, project: str, state_file: Path) -> bool:
        return await self._restore(repo, project, state_file, None)

    async def restore_at(self, repo: str, project: str, sha: str, state_file: Path) -> bool:
        """The state as saved by commit ``sha`` of the branch (from ``history``); False if it had none."""
        if not re.fullmatch(r"[0-9a-f]{7,40}", sha):
            raise StateError(f"reading the state of {project} in {repo} at {sha!r}: not a commit sha")
        return await self._restore(repo, project, state_file, sha)

    async def _restore(self, repo: str, project: str, state_file: Path, sha: str | None) -> bool:
        blob = await asyncio.to_thread(self._locked, repo, self._read_blob, repo, validate_project(project), sha)
        if blob is None:
            return False
        plaintext = crypto.decrypt(self.key, blob, repo=repo, project=project)
        await asyncio.to_thread(write_state_file, state_file, plaintext)
        return True

    async def save(self, repo: str, project: str, state_file: Path, *, message: str) -> None:
        validate_project(project)
        plaintext = await asyncio.to_thread(read_state_file, state_file, f"the state of {project} in {repo}")
        blob = crypto.encrypt(self.key, plaintext, repo=repo, project=project)
        sha = await asyncio.to_thread(self._locked, repo, self._commit_blob, repo, project, blob, message)
        log.info("saved the state of %s in %s as %s on %s", project, repo, sha[:12], self.branch)

    # -- history --------------------------------------------------------------

    async def history(self, repo: str, project: str, *, limit: int | None = None) -> list[history.StateCommit]:
        """The saves of ``project``'s state, newest first (fetched fresh)."""
        validate_project(project)

        def read() -> list[history.StateCommit]:
            self._open(repo)
            return history.read_history(self.clone_path(repo), self._remote_ref, project, limit=limit)

        return await asyncio.to_thread(self._locked, repo, read)

    # -- the clone --------------------------------------------------------------

    def clone_path(self, repo: str) -> Path:
        owner, name = repo.split("/", 1)
        return self.clones_dir / owner / name

    @property
    def _remote_ref(self) -> str:
        return f"refs/remotes/origin/{self.branch}"

    def _locked(self, repo: str, work: Callable[..., Any], *args: Any) -> Any:
        with self._locks_guard:
            lock = self._locks.setdefault(repo, threading.Lock())
        with lock:
            return work(*args)

    def _open(self, repo: str) -> WorkingCopy:
        """Clone or fetch through the forge, which holds the token."""
        opener = getattr(self._forge, "working_copy", None)
        if opener is None:
            raise StateError(f"keeping state in {repo}: {type(self._forge).__name__} cannot open git working copies")
        path = self.clone_path(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
        copy: WorkingCopy = opener(repo, path)
        return copy

    def _git(self, repo: str) -> git.Git:
        """Local git commands only (no network), so no credentials."""
        return git.Repo(self.clone_path(repo)).git

    def _remote_tip(self, repo: str) -> str | None:
        try:
            return str(self._git(repo).rev_parse("--verify", "--quiet", f"{self._remote_ref}^{{commit}}"))
        except git.GitCommandError:
            return None

    def _read_blob(self, repo: str, project: str, sha: str | None = None) -> bytes | None:
        self._open(repo)
        tip = self._remote_tip(repo)
        if tip is None:
            return None
        with translating(f"reading the state of {project} in {repo} from {self.branch}"):
            clone = git.Repo(self.clone_path(repo))
            if sha is not None and not clone.is_ancestor(sha, tip):
                raise StateError(f"reading the state of {project} in {repo} at {sha[:12]}: not a commit of {self.branch}")
            commit = clone.commit(sha or self._remote_ref)
            try:
                blob = commit.tree / history.state_path(project)
            except KeyError:
                return None
            data: bytes = blob.data_stream.read()
            return data

    def _start_orphan(self, repo: str) -> None:
        """An unborn ``branch`` with an empty index and work tree."""
        with translating(f"starting the orphan branch {self.branch} in {repo}"):
            g = self._git(repo)
            g.symbolic_ref("HEAD", f"refs/heads/{self.branch}")
            g.update_ref("-d", f"refs/heads/{self.branch}")
            g.rm("-r", "-q", "--cached", "--ignore-unmatch", "--", ".")
            g.clean("-fdxq")

    def _commit_blob(self, repo: str, project: str, blob: bytes, message: str) -> str:
        copy = self._open(repo)
        path = history.state_path(project)
        for attempt in range(1, self.push_attempts + 1):
            if attempt > 1:
                copy.fetch()
            files: dict[str, str | bytes] = {path: blob}
            if self._remote_tip(repo) is None:
                self._start_orphan(repo)
                files["README.md"] = README
            else:
                copy.checkout_remote_branch(self.branch)
            sha = copy.write_and_commit(files, (), message, self.author)
            try:
                copy.push(self.branch)
                return sha
            except GitOperationError as exc:
                if not _is_rejected_push(exc):
                    raise
                if attempt == self.push_attempts:
                    raise StateError(
                        f"saving the state of {project} in {repo}: the push to {self.branch} was rejected "
                        f"{attempt} times because other saves kept landing first",
                        hint="retry the apply's state save; the state file of the run is still in its workspace",
                    ) from exc
                log.info("push of %s state to %s was rejected (attempt %d); rebuilding on the new tip",
                         project, self.branch, attempt)
                time.sleep(random.uniform(0.05, 0.2) * attempt)
        raise AssertionError("unreachable")
