"""Every case of corpus/hostile.yaml against the real component, with its expected refusal.

The corpus is data so that a new hostile input is one entry, not a new test;
this file only knows how to send each family (form, comment, webhook, guild)
to the component that must refuse it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from controller.commands.init_repo import template_dir
from controller.pipeline import comment_parser as cp
from controller.secrets import credentials, keys, vault
from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext
from controller.service.guilds import GuildRegistry
from controller.service.repos import DirectoryRepoView
from controller.store import SqliteStore
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature
from tests.controller.service.doubles import ADMIN_ID, CONFIG, USER_ID, FakeClock, GatewayDouble, RecordingForge, make_repo

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus" / "hostile.yaml").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRET = "corpus-secret"


def cases(family: str) -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in CORPUS[family]]


def expand(value: Any) -> Any:
    """``{repeat: "a", times: 10000}`` → the long string (kept short in the file)."""
    if isinstance(value, dict) and set(value) == {"repeat", "times"}:
        return value["repeat"] * value["times"]
    return value


def test_every_case_says_what_refusal_it_expects() -> None:
    ids = [case["id"] for family in CORPUS.values() for case in family]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert all(case.get("refusal") for family in CORPUS.values() for case in family)
    assert set(CORPUS) == {"names", "comments", "webhooks", "cross_guild"}


# --- two guilds over two repos ----------------------------------------------------

class TwoGuilds:
    """Guild A on acme/infra (projects web, data); guild B on acme/other (project shop); one vault."""

    def __init__(self, tmp: Path) -> None:
        clock = FakeClock()
        self.store = SqliteStore(tmp / "store.sqlite3", clock=clock)
        self.registry = GuildRegistry(tmp / "chat.sqlite3")
        self.registry.connect("guild-a", "acme/infra", by=ADMIN_ID, at=clock())
        self.registry.connect("guild-b", "acme/other", by=ADMIN_ID, at=clock())
        infra = make_repo(tmp / "infra", template_dir())
        other = tmp / "other"
        other.mkdir()
        (other / "cloudops.yaml").write_text(CONFIG.replace("web", "shop"))
        self.vault = vault.Vault(tmp / "vault.sqlite3", keys.Keyring(primary=keys.MasterKey.generate(), source="test"))

        def save(guild_id: str, kind: str, text: str, project: str | None) -> str:
            return self.vault.put(guild_id, credentials.parse(kind, text), project=project).fingerprint

        self.ctx = ServiceContext(store=self.store, forge=RecordingForge(),
                                  repos=DirectoryRepoView({"acme/infra": infra, "acme/other": other}),
                                  registry=self.registry, gateway=GatewayDouble(), workdir=tmp / "work", clock=clock)
        self.chatops = ChatOps(self.ctx, save_credentials=save)
        # The same person (same chat user id) is in both servers: only the guild tells them apart.
        self.in_a, self.in_b = Caller("guild-a", USER_ID, "bob"), Caller("guild-b", USER_ID, "bob")
        self.admin_a, self.admin_b = Caller("guild-a", ADMIN_ID, "alice"), Caller("guild-b", ADMIN_ID, "alice")

    def close(self) -> None:
        self.store.close()
        self.registry.close()


@pytest.fixture
def guilds(tmp_path: Path) -> Iterator[TwoGuilds]:
    made = TwoGuilds(tmp_path)
    yield made
    made.close()


# --- names through the chat form ------------------------------------------------------

@pytest.mark.parametrize("case", cases("names"))
async def test_a_hostile_name_in_a_chat_form_is_refused(guilds: TwoGuilds, case: dict[str, Any]) -> None:
    opened = await guilds.chatops.run(guilds.in_a, "cloud-deploy", {"project": "web"})
    assert opened.session, opened.description
    values = {k: str(expand(v)) for k, v in case["values"].items()}
    reply = await guilds.chatops.submit(guilds.in_a, f"cloudops:form:{opened.session}:{case['kind']}", values)
    assert reply.refused is not None and case["refusal"] in reply.description, reply.description
    assert not guilds.ctx.load_lobby(guilds.in_a, opened.session).resources


# --- PR comments --------------------------------------------------------------------------

@pytest.mark.parametrize("case", cases("comments"))
def test_a_hostile_pr_comment_gets_a_reply_not_a_command(case: dict[str, Any]) -> None:
    result = cp.parse_comment(case["body"], author="mallory", bot_login="cloudops-bot")
    assert isinstance(result, cp.Reply), result
    assert case["refusal"] in result.render()


# --- webhooks ---------------------------------------------------------------------------------

def _webhook_body(case: dict[str, Any]) -> tuple[str, bytes]:
    if "fixture" in case:
        return case["fixture"].split(".")[0], json.dumps(json.loads((FIXTURES / case["fixture"]).read_text())).encode()
    if "nest" in case:
        return "push", b"[" * case["nest"] + b"]" * case["nest"]
    if "pad_bytes" in case:
        return "push", b'{"pad": "' + b"x" * case["pad_bytes"] + b'"}'
    return "pull_request", case["raw"].encode()


def _offset(text: str) -> timedelta:
    """``25h``, ``-1h``, ``1m``: how long after the event the delivery arrives."""
    unit = {"h": "hours", "m": "minutes"}[text[-1]]
    return timedelta(**{unit: int(text[:-1])})


def _signature(how: str, body: bytes) -> str | None:
    return {"right": signature.sign(SECRET, body), "tampered": signature.sign(SECRET, body),
            "wrong": signature.sign("guessed-secret", body), "missing": None,
            "sha1": "sha1=" + signature.sign(SECRET, body).removeprefix("sha256=")[:40]}[how]


@pytest.mark.parametrize("case", cases("webhooks"))
async def test_a_hostile_delivery_is_refused_and_nothing_is_kept(tmp_path: Path, case: dict[str, Any]) -> None:
    event, body = _webhook_body(case)
    happened = routing.event_time(event, json.loads(body)) if "fixture" in case else None
    now = (happened or FakeClock().now) + _offset(case.get("clock", "1m"))
    queued: list[str] = []

    async def dispatch(_routed: routing.Routed, delivery_id: str) -> None:
        queued.append(delivery_id)

    store = SqliteStore(tmp_path / "store.sqlite3", clock=lambda: now)
    receiver = rx.WebhookReceiver(rx.ReceiverConfig(secret=SECRET), store, dispatch, clock=lambda: now,
                                  wait_for_dispatch=True)
    delivery = str(uuid.uuid4())
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "Content-Type": "application/json"}
    signed = _signature(case["signature"], body)
    if signed:
        headers[signature.HEADER] = signed
    sent = body + b" " if case["signature"] == "tampered" else body
    async with TestClient(TestServer(rx.make_app(receiver))) as client:
        if case.get("send_twice") == "same-id":
            first = await client.post(rx.PATH, data=sent, headers=headers)
            assert first.status == 202
        response = await client.post(rx.PATH, data=sent, headers=headers)
        answer = await response.json()
    try:
        assert response.status == case["status"]
        assert case["refusal"] in (answer.get("error") or answer.get("status", "")), answer
        if case.get("send_twice"):
            assert queued == [delivery]  # the first, once
        else:
            assert queued == [] and store.get_delivery(delivery) is None
    finally:
        store.close()


# --- cross-guild access ---------------------------------------------------------------------------

async def _cross_guild(guilds: TwoGuilds, action: str) -> str:
    """Guild B's attempt on guild A's things; returns what guild B was told."""
    chat = guilds.chatops
    if action in ("show-session", "submit-form"):
        opened = await chat.run(guilds.in_a, "cloud-deploy", {"project": "web"})
        assert opened.session
        if action == "show-session":
            reply = await chat.deploy.show(guilds.in_b, opened.session)
        else:
            reply = await chat.submit(guilds.in_b, f"cloudops:form:{opened.session}:vm", {"name": "x", "size": "small"})
            assert not guilds.ctx.load_lobby(guilds.in_a, opened.session).resources
        assert reply.refused is not None
        return reply.description
    if action == "deploy-project":
        reply = await chat.run(guilds.in_b, "cloud-deploy", {"project": "web"})
        assert reply.refused is not None
        return reply.description
    if action == "projects":
        reply = await chat.run(guilds.in_b, "cloud-projects", {})
        names = [f.name for f in reply.fields]
        assert names == ["shop"] or names == ["data", "shop"], names
        assert "web" not in names
        return reply.title
    if action == "init-repo":
        reply = await chat.run(guilds.admin_b, "cloud-init", {"repo": "acme/infra"})
        assert reply.refused is not None and guilds.registry.guild("guild-b").repo == "acme/other"
        return reply.description
    if action == "credentials":
        stored = await chat.run(guilds.admin_a, "cloud-credentials", {"kind": "aws"},
                                secret="aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                                       "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        assert stored.refused is None, stored.description
        assert guilds.vault.get("guild-a", "aws") is not None
        seen_by_b = guilds.vault.get("guild-b", "aws"), guilds.vault.for_run("guild-b", "shop"), guilds.vault.list_credentials("guild-b")
        assert seen_by_b == (None, [], [])
        return "no credentials"
    raise AssertionError(f"unknown cross-guild action {action!r}")


@pytest.mark.parametrize("case", cases("cross_guild"))
async def test_guild_b_cannot_see_or_act_on_guild_a(guilds: TwoGuilds, case: dict[str, Any]) -> None:
    told = await _cross_guild(guilds, case["action"])
    assert case["refusal"] in told, told
