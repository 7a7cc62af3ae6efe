"""A connected guild over a directory repo, a recording forge and a gateway double."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controller.commands.init_repo import template_dir
from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext
from controller.service.repos import DirectoryRepoView
from controller.store import SqliteStore

from .doubles import ADMIN_ID, STRANGER_ID, USER_ID, VIEWER_ID, FakeClock, GatewayDouble, RecordingForge, make_repo

GUILD = "g1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "infra", template_dir())


@pytest.fixture
def forge() -> RecordingForge:
    return RecordingForge()


@pytest.fixture
def gateway() -> GatewayDouble:
    return GatewayDouble()


@pytest.fixture
def ctx(tmp_path: Path, clock: FakeClock, repo_dir: Path, forge: RecordingForge, gateway: GatewayDouble) -> Iterator[ServiceContext]:
    store = SqliteStore(tmp_path / "store.sqlite3", clock=clock)
    registry = store.guilds  # the chat's tables live in the runtime store
    registry.connect(GUILD, "acme/infra", by=ADMIN_ID, at=clock())
    yield ServiceContext(store=store, forge=forge, repos=DirectoryRepoView({"acme/infra": repo_dir}), registry=registry,
                         gateway=gateway, workdir=tmp_path / "work", clock=clock)
    store.close()
    registry.close()


@pytest.fixture
def chatops(ctx: ServiceContext) -> ChatOps:
    return ChatOps(ctx)


@pytest.fixture
def admin() -> Caller:
    return Caller(GUILD, ADMIN_ID, "alice")


@pytest.fixture
def user() -> Caller:
    return Caller(GUILD, USER_ID, "bob")


@pytest.fixture
def viewer() -> Caller:
    return Caller(GUILD, VIEWER_ID, "carol")


@pytest.fixture
def stranger() -> Caller:
    return Caller(GUILD, STRANGER_ID, "mallory")
