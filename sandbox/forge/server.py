"""`LocalForge`: the local GitHub-compatible forge as one object to start and stop.

    async with LocalForge(data_dir, tokens={"tok": "alice"}) as forge:
        gh = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token))

It binds its socket before building the app, so with `port=0` the real port
is known before the first URL is rendered. State lives in `data_dir`
(bare repositories + SQLite), so a new `LocalForge` on the same directory
sees everything the previous one stored.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from aiohttp import web

from . import (git_http, payloads, routes_contents, routes_hooks, routes_issues, routes_more, routes_oauth,
               routes_pulls, routes_repos)
from .auth import make_middleware
from .core import FORGE, Forge
from .faults import Faults
from .faults import make_middleware as faults_middleware
from .http import PUBLIC_WEB, error_middleware
from .storage import Store
from .webhooks import Dispatcher

DEFAULT_OWNER = "cloudops-admin"


class LocalForge:
    """A running forge: REST API at `api_url`, git at `git_url(owner, repo)`."""

    def __init__(self, data_dir: Path | str, *, host: str = "127.0.0.1", port: int = 0,
                 tokens: Mapping[str, str] | None = None, owner_login: str = DEFAULT_OWNER,
                 owner_token: str | None = None, webhook_timeout: float = 10.0) -> None:
        """`tokens` maps token → login (accounts are created as needed); `owner_token`
        belongs to `owner_login` and is generated (and kept) when not given."""
        self.data_dir = Path(data_dir)
        self.host, self._port = host, port
        self._tokens = dict(tokens or {})
        self.owner_login = owner_login
        self._owner_token = owner_token
        self._webhook_timeout = webhook_timeout
        self._runner: web.AppRunner | None = None
        self._forge: Forge | None = None
        self.faults = Faults()

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        store = Store(self.data_dir / "forge.sqlite3")
        self._seed_accounts(store)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        dispatcher = Dispatcher(store, timeout=self._webhook_timeout)
        await dispatcher.start()
        self._forge = Forge(self.data_dir, store, payloads.Urls(f"http://{self.host}:{self._port}"), dispatcher)
        app = web.Application(middlewares=[faults_middleware(self.faults), error_middleware, make_middleware(store)],
                              client_max_size=200 * 1024 * 1024)
        app[FORGE] = self._forge
        app[PUBLIC_WEB] = self._forge.urls.web
        for module in (routes_repos, routes_contents, routes_pulls, routes_issues, routes_hooks, routes_more,
                       routes_oauth):
            app.add_routes(module.routes)
        app.router.add_route("*", git_http.ROUTE, git_http.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._forge is not None:
            await self._forge.webhooks.close()
            self._forge.store.close()
            self._forge = None

    async def __aenter__(self) -> LocalForge:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    def _seed_accounts(self, store: Store) -> None:
        owner = store.ensure_user(self.owner_login, site_admin=True)
        if self._owner_token is None:
            row = store.one("SELECT token FROM tokens WHERE user_id = ? ORDER BY rowid LIMIT 1", owner["id"])
            self._owner_token = row["token"] if row else "lf_" + secrets.token_hex(20)
        store.add_token(self._owner_token, owner["id"])
        for token, login in self._tokens.items():
            store.add_token(token, store.ensure_user(login)["id"])

    # -- addresses ------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def api_url(self) -> str:
        """The base_url for PyGithub (GitHub Enterprise layout)."""
        return f"{self.web_url}/api/v3"

    @property
    def owner_token(self) -> str:
        assert self._owner_token is not None, "start the forge first"
        return self._owner_token

    def git_url(self, owner: str, repo: str, token: str | None = None) -> str:
        """The clone URL; with `token`, credentials embedded as GitHub's `x-access-token` form."""
        auth = f"x-access-token:{token}@" if token else ""
        return f"http://{auth}{self.host}:{self._port}/{owner}/{repo}.git"

    # -- administration -------------------------------------------------------------
    @property
    def forge(self) -> Forge:
        assert self._forge is not None, "start the forge first"
        return self._forge

    def add_user(self, login: str, token: str | None = None) -> str:
        """Create the account (if new) and give it a token; return the token."""
        token = token or "lf_" + secrets.token_hex(20)
        store = self.forge.store
        store.add_token(token, store.ensure_user(login)["id"])
        return token

    def add_oauth_app(self, name: str, callback_url: str) -> tuple[str, str]:
        """Register an OAuth app (GitHub: Settings → Developer settings); returns (client_id, client_secret)."""
        return routes_oauth.register_app(self.forge.store, name, callback_url)

    async def drain_webhooks(self) -> None:
        """Wait until every webhook queued so far has been delivered (or has failed)."""
        await self.forge.webhooks.drain()
