"""Fixtures for driving the local forge with real clients.

The forge and a webhook receiver run on a background event loop, so tests
use PyGithub and the git CLI synchronously, exactly as the controller will.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import github
import pytest
from aiohttp import web

from sandbox.forge.background import BackgroundForge

SECRET = "hook-secret"
BOB_TOKEN = "tok-bob"


@dataclass
class Received:
    event: str
    delivery: str
    signature_ok: bool
    payload: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Receiver:
    """A local webhook endpoint that records what arrives, in order."""

    url: str = ""
    received: list[Received] = field(default_factory=list)

    def events(self) -> list[tuple[str, str | None]]:
        return [(r.event, r.payload.get("action")) for r in self.received]


async def _start_receiver(receiver: Receiver) -> web.AppRunner:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", ""))
        receiver.received.append(Received(request.headers["X-GitHub-Event"], request.headers["X-GitHub-Delivery"],
                                          ok, json.loads(body), dict(request.headers)))
        return web.Response(status=202, text="accepted")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"http://127.0.0.1:{port}/hook"
    return runner


@pytest.fixture
def forge_dir(tmp_path: Path) -> Path:
    return tmp_path / "forge"


@pytest.fixture
def forge(forge_dir: Path) -> Iterator[BackgroundForge]:
    with BackgroundForge(forge_dir, tokens={BOB_TOKEN: "bob"}) as running:
        yield running


@pytest.fixture
def receiver(forge: BackgroundForge) -> Iterator[Receiver]:
    rec = Receiver()
    runner = forge.run(_start_receiver(rec))
    yield rec
    if not forge.closed:
        forge.run(runner.cleanup())


@pytest.fixture
def client_for(forge: BackgroundForge) -> Callable[[str], github.Github]:
    """A PyGithub client authenticated with the given token (no client-side throttling: it is local)."""
    return lambda token: github.Github(base_url=forge.api_url, auth=github.Auth.Token(token), retry=None,
                                       seconds_between_requests=None, seconds_between_writes=None)


@pytest.fixture
def gh(forge: BackgroundForge, client_for: Callable[[str], github.Github]) -> github.Github:
    """The owner account's client."""
    return client_for(forge.owner_token)


@pytest.fixture
def bob(client_for: Callable[[str], github.Github]) -> github.Github:
    """A second account (a reviewer), so the author does not approve their own PR."""
    return client_for(BOB_TOKEN)


class Git:
    """The git CLI in one working directory, with no credential prompts."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="/bin/false", GIT_CONFIG_NOSYSTEM="1",
                   HOME=str(self.cwd.parent))
        proc = subprocess.run(["git", "-c", "user.name=Alice", "-c", "user.email=alice@example.com",
                               "-c", "credential.helper=", *args],
                              cwd=self.cwd, capture_output=True, text=True, env=env, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc

    def commit_file(self, name: str, text: str, message: str) -> str:
        (self.cwd / name).write_text(text)
        self("add", name)
        self("commit", "-q", "-m", message)
        return self("rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def clone(forge: BackgroundForge, tmp_path: Path) -> Callable[..., Git]:
    """clone(owner, repo, token=None) → a Git in a fresh working copy."""
    count = 0

    def make(owner: str, repo: str, token: str | None = None) -> Git:
        nonlocal count
        count += 1
        target = tmp_path / f"clone-{repo}-{count}"
        Git(tmp_path)("clone", "-q", forge.git_url(owner, repo, token or forge.owner_token), str(target))
        return Git(target)

    return make
