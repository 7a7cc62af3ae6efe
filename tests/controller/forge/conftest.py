"""Fixtures: a local forge per test module and a fresh repository per test."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("cloudops_forge_thread", Path(__file__).with_name("forge_thread.py"))
assert _spec and _spec.loader
forge_thread = importlib.util.module_from_spec(_spec)
sys.modules["cloudops_forge_thread"] = forge_thread
_spec.loader.exec_module(forge_thread)


@pytest.fixture(scope="module")
def local_forge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[forge_thread.ForgeThread]:
    running = forge_thread.ForgeThread(tmp_path_factory.mktemp("local-forge"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def repo_name(local_forge: forge_thread.ForgeThread) -> str:
    """A new repository with one commit on main, created the way an admin would (PyGithub)."""
    import github

    gh = github.Github(base_url=local_forge.api_url, auth=github.Auth.Token(local_forge.token))
    name = f"infra-{uuid.uuid4().hex[:8]}"
    gh.get_user().create_repo(name, auto_init=True, description="forge client tests")
    return f"{local_forge.owner}/{name}"
