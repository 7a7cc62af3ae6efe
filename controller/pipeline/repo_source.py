"""Read an infra repo at a given commit: config, project list, project files.

One local clone per repository under the data dir, kept fresh through the
forge (``Forge.sync_working_copy``, which owns credentials). Everything
here reads git objects at an exact commit, never a working tree, so a plan
of commit X sees exactly X, and the rules come from the default branch, not
from the pull request being planned.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath

import git

from ..errors import ConfigError, GitOperationError
from ..forge.base import Forge
from ..repo_config import is_project_name

PROJECTS_DIR = "projects"
CONFIG_FILE = "cloudops.yaml"


def projects_touched(paths: list[str]) -> tuple[list[str], bool]:
    """(sorted project names under ``projects/<name>/``, whether cloudops.yaml changed)."""
    projects = set()
    for path in paths:
        parts = PurePosixPath(path).parts
        if len(parts) >= 3 and parts[0] == PROJECTS_DIR and is_project_name(parts[1]):
            projects.add(parts[1])
    return sorted(projects), CONFIG_FILE in paths


class RepoSource:
    """A local clone of one repository, refreshed on demand; thread-safe."""

    def __init__(self, forge: Forge, repo: str, cache_root: Path) -> None:
        self.forge = forge
        self.repo = repo
        owner, name = repo.split("/", 1)
        self.path = cache_root / owner / name
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.forge.sync_working_copy(self.repo, self.path)

    def ensure(self, *shas: str) -> None:
        """Fetch only when one of ``shas`` is not here yet (each fetch is a round trip to the forge)."""
        if not self.path.exists():
            self.refresh()
            return
        repo = self._git()
        for sha in shas:
            try:
                repo.commit(sha)
            except (git.BadName, ValueError, git.GitCommandError):
                self.refresh()
                return

    def _git(self) -> git.Repo:
        return git.Repo(self.path)

    def resolve(self, ref: str) -> str:
        """A sha for ``ref`` (a sha, or a branch name on the remote)."""
        repo = self._git()
        # Remote-tracking refs first: a local branch of the clone is as old as the clone.
        for candidate in (f"refs/remotes/origin/{ref}", ref):
            try:
                return repo.commit(candidate).hexsha
            except (git.BadName, ValueError, git.GitCommandError):
                continue
        raise GitOperationError(f"reading {self.repo}: {ref!r} is not a commit or branch (after fetching)")

    def read_file(self, ref: str, path: str) -> str | None:
        """Text of ``path`` at ``ref``, or None if it does not exist there."""
        commit = self._git().commit(self.resolve(ref))
        try:
            blob = commit.tree / path
        except KeyError:
            return None
        return blob.data_stream.read().decode("utf-8")

    def list_projects(self, ref: str) -> list[str]:
        commit = self._git().commit(self.resolve(ref))
        try:
            tree = commit.tree / PROJECTS_DIR
        except KeyError:
            return []
        return sorted(t.name for t in tree.trees if is_project_name(t.name))

    def export_project(self, ref: str, project: str, dest: Path, *, symlinks: bool = False) -> Path:
        """Write ``projects/<project>/`` at ``ref`` into ``dest`` (created); return ``dest``."""
        if not is_project_name(project):
            raise ConfigError(f"exporting project {project!r}: not a valid project name")
        try:
            return self.export_tree(ref, f"{PROJECTS_DIR}/{project}", dest, symlinks=symlinks)
        except KeyError:
            raise ConfigError(f"exporting project {project!r}: projects/{project}/ does not exist at {ref[:12]}") from None

    def export_tree(self, ref: str, path: str, dest: Path, *, symlinks: bool = False) -> Path:
        """Write the tree at ``path`` ("" for the whole repo) of ``ref`` into ``dest``; KeyError if absent.

        Symlinks are left out unless ``symlinks``: then they are written as links, for the plan guard
        to judge (it refuses one that leads outside the project) before terraform sees them."""
        commit = self._git().commit(self.resolve(ref))
        tree = commit.tree / path if path else commit.tree
        dest.mkdir(parents=True, exist_ok=True)
        prefix = f"{path}/" if path else ""
        for item in tree.traverse():
            if isinstance(item, tuple):  # only with traverse(as_edge=True): never here
                continue
            relative = PurePosixPath(item.path[len(prefix):])
            target = dest.joinpath(*relative.parts)
            if item.type == "tree":
                target.mkdir(parents=True, exist_ok=True)
            elif item.type == "blob" and item.mode == 0o120000:
                if symlinks:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(item.data_stream.read().decode("utf-8", "surrogateescape"))
            elif item.type == "blob":
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(item.data_stream.read())
        return dest

    def changed_paths(self, base: str, head: str) -> list[str]:
        """Paths that differ between the merge base of ``base``/``head`` and ``head`` (like a PR's files)."""
        repo = self._git()
        base_sha, head_sha = self.resolve(base), self.resolve(head)
        merge_bases = repo.merge_base(base_sha, head_sha)
        start = merge_bases[0] if merge_bases else repo.commit(base_sha)
        paths = set()
        for diff in start.diff(head_sha):
            for path in (diff.a_path, diff.b_path):
                if path:
                    paths.add(path)
        return sorted(paths)

    def landed_at(self, ref: str, path: str, present: Callable[[str | None], bool], *, limit: int = 200) -> datetime | None:
        """When what ``present`` looks for landed on ``ref``: the commit time of the oldest of the newest
        unbroken run of first-parent commits of ``path`` whose text has it (a merge, squash or rebase
        commit on the default branch is made when the PR merged). None when ``ref``'s text lacks it."""
        repo = self._git()
        landed: datetime | None = None
        for commit in repo.iter_commits(self.resolve(ref), paths=path, first_parent=True, max_count=limit):
            try:
                text = (commit.tree / path).data_stream.read().decode("utf-8")
            except KeyError:
                text = None
            if not present(text):
                break
            landed = commit.committed_datetime
        return landed

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is in the history of ``descendant`` (the PR has not diverged)."""
        repo = self._git()
        try:
            repo.git.merge_base("--is-ancestor", self.resolve(ancestor), self.resolve(descendant))
        except git.GitCommandError:
            return False
        return True

    def project_tree(self, ref: str, project: str) -> str | None:
        """The git tree id of ``projects/<project>/`` at ``ref`` (equal ids: identical files)."""
        commit = self._git().commit(self.resolve(ref))
        try:
            return (commit.tree / PROJECTS_DIR / project).hexsha
        except KeyError:
            return None


def read_tree(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(relative path → text of each regular file, relative path → target of each symlink); links not followed."""
    files: dict[str, str] = {}
    links: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        for entry in [*dirnames, *filenames]:
            path = here / entry
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                links[relative] = os.readlink(path)
            elif path.is_file():
                files[relative] = path.read_text(encoding="utf-8", errors="replace")
    return files, links
