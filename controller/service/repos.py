"""Reading an infra repo's default branch: its cloudops.yaml and its projects.

Why a protocol: use cases need "the rules and the inventory as merged", not
git. ``ForgeRepoView`` reads a clone kept fresh through the forge (the
pipeline's ``RepoSource``, so credentials stay in the forge client);
``DirectoryRepoView`` reads checked-out directories (the console on a local
repo, tests). Config files are re-read at most every ``ttl`` seconds so that
autocomplete does not fetch on every keystroke.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from .. import repo_config
from ..catalog import reader
from ..errors import ConfigError
from ..forge.base import Forge
from ..pipeline.repo_source import RepoSource
from ..repo_config import RepoConfig


@runtime_checkable
class RepoView(Protocol):
    def config(self, repo: str) -> RepoConfig:
        """cloudops.yaml of the default branch; ``ConfigError`` if missing or invalid."""
        ...

    def has_config(self, repo: str) -> bool: ...

    def inventory(self, repo: str, project: str) -> reader.ProjectInventory:
        """What ``projects/<project>/`` holds on the default branch (empty when absent)."""
        ...

    def file_text(self, repo: str, path: str) -> str | None: ...

    def default_branch(self, repo: str) -> str: ...

    def invalidate(self, repo: str) -> None:
        """Forget what was read of ``repo``: the next read sees the forge's default branch now."""
        ...


class DirectoryRepoView:
    """Repos as directories on disk: ``{"acme/infra": Path(...)}``."""

    def __init__(self, roots: Mapping[str, Path], *, branch: str = "main") -> None:
        self.roots = dict(roots)
        self.branch = branch

    def _root(self, repo: str) -> Path:
        try:
            return self.roots[repo]
        except KeyError:
            raise ConfigError(f"reading {repo}: no local directory is configured for it") from None

    def config(self, repo: str) -> RepoConfig:
        return repo_config.load(self._root(repo))

    def has_config(self, repo: str) -> bool:
        return (self._root(repo) / repo_config.FILENAME).is_file()

    def inventory(self, repo: str, project: str) -> reader.ProjectInventory:
        return reader.read_project(self._root(repo) / "projects" / project)

    def file_text(self, repo: str, path: str) -> str | None:
        target = self._root(repo) / path
        return target.read_text(encoding="utf-8") if target.is_file() else None

    def default_branch(self, repo: str) -> str:
        return self.branch

    def invalidate(self, repo: str) -> None:
        pass  # read from disk every time


class ForgeRepoView:
    """Repos read from clones under ``cache_root``, refreshed at most every ``ttl`` seconds."""

    def __init__(self, forge: Forge, cache_root: Path, *, ttl: float = 20.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.forge = forge
        self.cache_root = cache_root
        self.ttl = ttl
        self._monotonic = monotonic
        self._sources: dict[str, RepoSource] = {}
        self._fresh_at: dict[str, float] = {}
        self._branches: dict[str, str] = {}
        self._lock = threading.Lock()

    def _source(self, repo: str) -> RepoSource:
        with self._lock:
            source = self._sources.get(repo)
            if source is None:
                source = self._sources[repo] = RepoSource(self.forge, repo, self.cache_root)
            stamp = self._fresh_at.get(repo)
            stale = stamp is None or self._monotonic() - stamp > self.ttl
            if stale:
                self._fresh_at[repo] = self._monotonic()
        if stale:
            source.refresh()
        return source

    def default_branch(self, repo: str) -> str:
        if repo not in self._branches:
            self._branches[repo] = self.forge.get_repo(repo).default_branch
        return self._branches[repo]

    def file_text(self, repo: str, path: str) -> str | None:
        return self._source(repo).read_file(self.default_branch(repo), path)

    def has_config(self, repo: str) -> bool:
        return self.file_text(repo, repo_config.FILENAME) is not None

    def config(self, repo: str) -> RepoConfig:
        text = self.file_text(repo, repo_config.FILENAME)
        if text is None:
            raise ConfigError(f"reading {repo}: there is no {repo_config.FILENAME} on {self.default_branch(repo)}",
                              hint="run /cloud-init to scaffold the repo")
        return repo_config.loads(text, source=f"{repo}:{repo_config.FILENAME}")

    def inventory(self, repo: str, project: str) -> reader.ProjectInventory:
        source = self._source(repo)
        branch = self.default_branch(repo)
        if project not in source.list_projects(branch):
            return reader.ProjectInventory(project=project, path=f"projects/{project}")
        with tempfile.TemporaryDirectory(prefix="cloudops-inventory-") as tmp:
            found = reader.read_project(source.export_project(branch, project, Path(tmp) / project))
        found.path = f"projects/{project}"
        return found

    def invalidate(self, repo: str) -> None:
        """Forget freshness after we merged or committed something."""
        self._fresh_at.pop(repo, None)
