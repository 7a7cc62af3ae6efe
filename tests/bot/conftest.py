"""Real discord.py objects (a never-logged-in bot, views, modals, embeds) over the real service,
with spec_set doubles only where Discord itself would be: the interaction's response and webhook."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import discord
import pytest

from bot.discord.app import CloudOpsBot, build_bot
from controller.commands.init_repo import template_dir
from controller.service.chatops import ChatOps
from controller.service.context import ServiceContext
from controller.service.repos import DirectoryRepoView
from controller.store import SqliteStore


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


doubles = _load("cloudops_service_doubles", Path(__file__).parents[1] / "controller" / "service" / "doubles.py")
GUILD = 1001
CHANNEL = 2002


class FakeMessage:
    __slots__ = ("id", "channel", "edits", "threads")

    def __init__(self, id: int, channel: FakeChannel) -> None:
        self.id, self.channel, self.edits, self.threads = id, channel, [], []

    async def edit(self, **kwargs: Any) -> FakeMessage:
        self.edits.append(kwargs)
        return self

    async def create_thread(self, *, name: str, auto_archive_duration: int) -> FakeChannel:
        thread = FakeChannel(self.channel.next_id(), parent=self.channel)
        self.threads.append((name, auto_archive_duration, thread))
        return thread


class FakeChannel:
    """A text channel or thread: send, and find a message by id."""

    __slots__ = ("id", "sent", "messages", "parent", "_ids")

    def __init__(self, id: int, parent: FakeChannel | None = None) -> None:
        self.id, self.sent, self.messages, self.parent = id, [], {}, parent
        self._ids = [id * 10]

    def next_id(self) -> int:
        root = self.parent or self
        root._ids[0] += 1
        return root._ids[0]

    async def send(self, content: str | None = None, **kwargs: Any) -> FakeMessage:
        message = FakeMessage(self.next_id(), self)
        self.sent.append({"content": content, **kwargs})
        self.messages[message.id] = message
        return message

    def get_partial_message(self, message_id: int) -> FakeMessage:
        root = self.parent or self
        return self.messages.get(message_id) or root.messages[message_id]


class FakeInteraction:
    """Only what our code reads; ``response`` and ``followup`` are autospecs with spec_set of the real classes."""

    __slots__ = ("client", "guild_id", "user", "response", "followup", "channel", "message", "data", "namespace")

    def __init__(self, client: discord.Client, user_id: str, channel: FakeChannel, *, message: FakeMessage | None = None,
                 data: dict[str, Any] | None = None, namespace: Any = None) -> None:
        self.client = client
        self.guild_id = GUILD
        self.user = mock.NonCallableMock(spec_set=["id", "display_name"], id=int(user_id), display_name=f"user{user_id}")
        self.response = mock.create_autospec(discord.InteractionResponse, instance=True, spec_set=True)
        self.followup = mock.create_autospec(discord.Webhook, instance=True, spec_set=True)
        self.channel = channel
        self.message = message
        self.data = data or {}
        self.namespace = namespace


@pytest.fixture
def clock() -> Any:
    return doubles.FakeClock()


@pytest.fixture
def forge() -> Any:
    return doubles.RecordingForge()


@pytest.fixture
def gateway() -> Any:
    return doubles.GatewayDouble()


@pytest.fixture
def ctx(tmp_path: Path, clock: Any, forge: Any, gateway: Any) -> Iterator[ServiceContext]:
    repo = doubles.make_repo(tmp_path / "infra", template_dir())
    store = SqliteStore(tmp_path / "store.sqlite3", clock=clock)
    registry = store.guilds  # the chat's tables live in the runtime store
    registry.connect(str(GUILD), "acme/infra", by=doubles.ADMIN_ID, at=clock())
    yield ServiceContext(store=store, forge=forge, repos=DirectoryRepoView({"acme/infra": repo}), registry=registry,
                         gateway=gateway, workdir=tmp_path / "work", clock=clock)
    store.close()
    registry.close()


@pytest.fixture
def chatops(ctx: ServiceContext) -> ChatOps:
    return ChatOps(ctx)


@pytest.fixture
async def bot(chatops: ChatOps) -> AsyncIterator[CloudOpsBot]:
    client = await build_bot(chatops)
    yield client
    await client.close()


@pytest.fixture
def channel(bot: CloudOpsBot, monkeypatch: pytest.MonkeyPatch) -> FakeChannel:
    chan = FakeChannel(CHANNEL)
    monkeypatch.setattr(bot, "get_channel", lambda id_: chan if id_ == CHANNEL else None)
    return chan
