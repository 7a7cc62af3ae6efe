"""A dashboard on a real aiohttp server over a real SQLite store, without terraform or a forge.

The pieces the controller would give it are stood in at their own seams: the
rules come from a cloudops.yaml text (as the pipeline's loader would return
them), and the forge records the comments it is asked to post.
"""

from __future__ import annotations

import re
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from controller.bus import EventBus
from controller.dashboard import Dashboard, DashboardConfig, build, install
from controller.dashboard import sessions
from controller.errors import ForgeNotFound
from controller.pipeline.leaks import LeakGuard
from controller.pipeline.rules import rules_from_config
from controller.repo_config import loads
from controller.store.sqlite import SqliteStore

REPO = "acme/infra"
SECRET = "vault-secret-value-3f9a1c"
ADMIN_TOKEN = "dashboard-admin-token-for-tests"
CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web: {target: local, region: local-1, budget_monthly_usd: 40}
      db: {target: local, region: local-1}
    members:
      ada: {role: admin, github: ada}
      uma: {role: user, github: uma}
      vera: {role: viewer, github: vera}
      pat: {role: admin, github: pat, projects: [db]}
    """
)


@dataclass
class RecordingForge:
    comments: list[tuple[str, int, str, str]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)

    def upsert_comment(self, repo: str, number: int, key: str, body: str) -> list[int]:
        self.comments.append((repo, number, key, body))
        return [len(self.comments)]

    def own_comment(self, repo: str, number: int, key: str) -> str | None:
        return self.overrides.get(key)

    def get_repo(self, repo: str):
        raise ForgeNotFound(f"reading {repo}: not on this test forge")


@dataclass
class Context:
    forge: RecordingForge


@dataclass
class Site:
    dashboard: Dashboard
    store: SqliteStore
    bus: EventBus
    forge: RecordingForge
    server: TestServer

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    def cookie_for(self, login: str, via: str = "oauth") -> dict[str, str]:
        session = sessions.signed_in(sessions.fresh(time.time(), 1), login, via, time.time(), 1)
        return {sessions.COOKIE: sessions.seal(session, self.dashboard.key)}

    def client(self, login: str | None = None, via: str = "oauth") -> aiohttp.ClientSession:
        jar = aiohttp.CookieJar(unsafe=True)
        http = aiohttp.ClientSession(cookie_jar=jar)
        if login:
            jar.update_cookies(self.cookie_for(login, via), self.server.make_url("/"))
        return http


async def csrf_of(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        match = re.search(r'name="csrf" value="([^"]+)"', await response.text())
    assert match, "the page carries a CSRF token"
    return match.group(1)


@pytest.fixture
async def site(tmp_path: Path):
    store = SqliteStore(tmp_path / "store.sqlite3")
    bus = EventBus()
    forge = RecordingForge()
    guard = LeakGuard(lambda: [SECRET])
    rules = rules_from_config(loads(CONFIG))

    async def rules_of(repo: str):
        return rules

    config = DashboardConfig(admin_token=ADMIN_TOKEN, oauth_client_id="Ov23litest", oauth_client_secret="s" * 40,
                             oauth_url="http://forge.invalid")
    dashboard = build(config, api_url="http://forge.invalid/api/v3", repos=(REPO,), store=store, context=Context(forge),
                      rules=rules_of, bus=bus, guard=guard, data_dir=tmp_path, queue_depth=lambda: 0)
    app = web.Application()
    install(app, dashboard)
    server = TestServer(app)
    await server.start_server()
    yield Site(dashboard, store, bus, forge, server)
    await server.close()
    dashboard.close()
    store.close()
