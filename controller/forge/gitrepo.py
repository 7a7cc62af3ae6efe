"""Git working copies (GitPython): clone/fetch, commit, push, revert.

Why the token travels the way it does: a token in a remote URL ends up in
``.git/config``, in ``git remote -v`` and in every GitPython error (which
quotes the command line). Instead each git process gets the credentials in
its *environment*, as an ``http.<forge-url>.extraHeader`` set through
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` (git >= 2.31):
never on a command line, never on disk, scoped to the forge's URL so it is
not sent to any other host, and with prompting disabled so a bad token fails
at once instead of waiting for a password.

Every failure is raised as ``GitOperationError`` by
``controller.forge.errors.translating`` with the token scrubbed.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import git

from controller.forge.base import Author
from controller.forge.errors import ForgeError, translating

log = logging.getLogger(__name__)


def auth_env(clone_url: str, token: str) -> dict[str, str]:
    """Environment that lets git talk to the host of ``clone_url`` with ``token``."""
    parts = urlsplit(clone_url)
    if parts.username or parts.password:
        raise ValueError("clone URL must not carry credentials; pass the token separately")
    scope = f"{parts.scheme}://{parts.netloc}/"
    credentials = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{scope}.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {credentials}",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
    }


def _identity_env(author: Author) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }


def _safe_relative(path: str) -> PurePosixPath:
    """Refuse paths that would write outside the working copy or into .git."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or not rel.parts or ".." in rel.parts or rel.parts[0] == ".git":
        raise ValueError(f"refusing to write {path!r}: paths must be relative and stay inside the repository")
    return rel


def _openable(workdir: Path, clone_url: str) -> git.Repo | None:
    """The repository in ``workdir`` with ``origin`` set to ``clone_url``, or None if it is broken."""
    try:
        repo = git.Repo(workdir)
        repo.remote("origin").set_url(clone_url)
        return repo
    except (ValueError, git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError):
        return None


def _clone_into(clone_url: str, env: Mapping[str, str], workdir: Path) -> None:
    """Clone beside ``workdir``, then move it in place of an empty directory or a broken copy."""
    if workdir.is_dir() and not (workdir / ".git").exists() and any(workdir.iterdir()):
        raise ForgeError(f"{workdir} holds files but no git repository; refusing to clone over them",
                         hint="point the working copy at an empty directory, or remove this one")
    workdir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in workdir.parent.glob(f".{workdir.name}.clone-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{workdir.name}.clone-", dir=workdir.parent))
    try:
        git.Repo.clone_from(clone_url, staging / "copy", env={**os.environ, **env})
        if workdir.exists():
            shutil.rmtree(workdir)
        os.replace(staging / "copy", workdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class WorkingCopy:
    """One clone of one repository, with its ``origin`` pointing at the forge."""

    def __init__(self, repo: git.Repo, clone_url: str, token: str, name: str) -> None:
        self._repo = repo
        self._env = auth_env(clone_url, token)
        self._secrets = [token]
        self.name = name

    @property
    def path(self) -> Path:
        return Path(self._repo.working_tree_dir or self._repo.git_dir)

    @classmethod
    def sync(cls, clone_url: str, token: str, workdir: Path, *, name: str) -> WorkingCopy:
        """Clone into ``workdir`` (if it is empty or missing), else fetch ``origin``.

        A working copy is a cache of the forge: one a crash left unusable (no ``origin``, not a
        repository) is cloned afresh. A clone is made beside ``workdir`` and renamed into place, so a
        crash mid-clone leaves no half-made copy where the next start looks.
        """
        if (workdir / ".git").exists():
            repo = _openable(workdir, clone_url)
            if repo is not None:
                copy = cls(repo, clone_url, token, name)
                copy.fetch()
                return copy
            log.warning("the working copy of %s in %s cannot be used (a crash mid-clone?); cloning it afresh",
                        name, workdir)
        with translating(f"cloning {name} into {workdir}", secrets=[token]):
            _clone_into(clone_url, auth_env(clone_url, token), workdir)
        return cls(git.Repo(workdir), clone_url, token, name)

    def _run(self, action: str, *args: str, env: Mapping[str, str] | None = None) -> str:
        with translating(f"{action} ({self.name})", secrets=self._secrets):
            with self._repo.git.custom_environment(**self._env, **(env or {})):
                return str(self._repo.git.execute(["git", *args]))

    def fetch(self) -> None:
        self._run("fetching origin", "fetch", "--prune", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*")

    def remote_sha(self, branch: str) -> str:
        return self._run(f"reading origin/{branch}", "rev-parse", f"refs/remotes/origin/{branch}")

    def checkout_remote_branch(self, branch: str) -> None:
        """Make the work tree exactly ``origin/branch`` on a local branch of that name."""
        self._run(f"checking out {branch}", "checkout", "-B", branch, f"refs/remotes/origin/{branch}")
        self._run(f"cleaning the work tree for {branch}", "reset", "--hard", f"refs/remotes/origin/{branch}")
        self._run(f"cleaning the work tree for {branch}", "clean", "-fdx")

    def create_local_branch(self, branch: str, start: str) -> None:
        self._run(f"creating branch {branch} from {start}", "checkout", "-B", branch, start)

    def write_and_commit(
        self,
        files: Mapping[str, str | bytes],
        delete: Iterable[str],
        message: str,
        author: Author,
    ) -> str:
        """Apply the file changes, commit them as ``author``; return the new sha.

        A change set that leaves the tree as it was still yields a commit
        (``--allow-empty``) so the caller always gets a new sha to plan.
        """
        root = self.path
        for name, content in files.items():
            target = root / _safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            self._run(f"staging {name}", "add", "--", str(_safe_relative(name)))
        for name in delete:
            rel = str(_safe_relative(name))
            self._run(f"removing {name}", "rm", "-r", "--ignore-unmatch", "--", rel)
        self._run(
            "committing",
            "commit",
            "--allow-empty",
            "--no-verify",
            "-m",
            message,
            env=_identity_env(author),
        )
        return self.head_sha()

    def head_sha(self) -> str:
        return self._run("reading HEAD", "rev-parse", "HEAD")

    def push(self, branch: str) -> None:
        self._run(f"pushing {branch}", "push", "origin", f"HEAD:refs/heads/{branch}")

    def revert_paths(self, merge_sha: str, paths: Iterable[str], author: Author, message: str) -> str | None:
        """Undo what ``merge_sha`` changed under ``paths`` only (against its first parent); commit it.

        Other paths the merge touched stay as they are. None when the merge changed nothing there."""
        specs = [str(_safe_relative(p)) for p in paths]
        patch = self._run(f"reading what {merge_sha[:12]} changed", "diff", "--binary", "--full-index",
                          f"{merge_sha}^1", merge_sha, "--", *specs)
        if not patch.strip():
            return None
        with tempfile.NamedTemporaryFile("w", suffix=".patch", delete=False, encoding="utf-8") as handle:
            handle.write(patch + "\n")
        try:
            self._run(f"reverting {merge_sha[:12]} under {', '.join(specs)}", "apply", "-R", "--index", "--3way",
                      handle.name)
        finally:
            os.unlink(handle.name)
        self._run("committing the revert", "commit", "--no-verify", "-m", message, env=_identity_env(author))
        return self.head_sha()

    def revert_merge(self, merge_sha: str, author: Author, message: str) -> str:
        """``git revert -m 1`` of a merge commit (or plain revert of a squash/rebase commit)."""
        parents = self._run(f"reading commit {merge_sha[:12]}", "rev-list", "--parents", "-n", "1", merge_sha).split()
        mainline = ["-m", "1"] if len(parents) > 2 else []
        self._run(
            f"reverting {merge_sha[:12]}",
            "revert",
            "--no-commit",
            *mainline,
            merge_sha,
        )
        self._run("committing the revert", "commit", "--allow-empty", "--no-verify", "-m", message, env=_identity_env(author))
        return self.head_sha()
