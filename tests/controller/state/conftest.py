"""A local forge per module, a fresh repository per test, and a backend on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import github
import pytest

from controller.forge.github import GitHubForge
from controller.settings import Settings
from controller.state import GitStateBackend, StateKey
from sandbox.forge.background import BackgroundForge


@pytest.fixture(scope="module")
def local_forge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundForge]:
    with BackgroundForge(tmp_path_factory.mktemp("state-forge")) as running:
        yield running


@pytest.fixture
def forge(local_forge: BackgroundForge) -> GitHubForge:
    return GitHubForge(local_forge.owner_token, api_url=local_forge.api_url)


@pytest.fixture
def repo_name(local_forge: BackgroundForge) -> str:
    """A new repository with one commit on main, made the way an admin would (PyGithub)."""
    gh = github.Github(base_url=local_forge.api_url, auth=github.Auth.Token(local_forge.owner_token))
    name = f"infra-{uuid.uuid4().hex[:8]}"
    gh.get_user().create_repo(name, auto_init=True)
    return f"{local_forge.owner_login}/{name}"


@pytest.fixture
def key() -> StateKey:
    return StateKey.generate()


@pytest.fixture
def backend(forge: GitHubForge, tmp_path: Path, key: StateKey) -> GitStateBackend:
    return GitStateBackend(forge, Settings(data_dir=tmp_path / "controller"), key=key)
