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
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from aiohttp import web

from . import (apps, git_http, merge_queue, payloads, routes_apps, routes_checks, routes_contents, routes_hooks,
               routes_issue_tracker, routes_issues, routes_more, routes_oauth, routes_pulls, routes_repos,
               routes_review_comments, routes_search)
from .auth import make_middleware
from .core import FORGE, Forge
from .faults import Faults
from .faults import make_middleware as faults_middleware
from .http import PUBLIC_WEB, error_middleware
from .storage import Store
from .storage import now as storage_now
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
        for module in (routes_apps, routes_repos, routes_contents, routes_pulls, routes_issues, routes_issue_tracker,
                       routes_review_comments, routes_hooks, routes_more, routes_search, routes_checks, merge_queue,
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

    # -- GitHub Apps (what GitHub's web UI does) ---------------------------------------
    def create_app(self, slug: str, *, private_key_pem: str, webhook_url: str | None = None,
                   webhook_secret: str | None = None, name: str | None = None,
                   events: list[str] | None = None) -> int:
        """Register an app owned by the forge's owner; GitHub keeps only the public key. Returns the app id."""
        store = self.forge.store
        app = apps.create_app(store, owner=store.ensure_user(self.owner_login), slug=slug, name=name or slug,
                              public_key_pem=apps.public_key_of(private_key_pem), webhook_url=webhook_url,
                              webhook_secret=webhook_secret, events=events)
        return int(app["id"])

    def set_app_webhook(self, app_id: int, url: str | None, secret: str | None = None) -> None:
        """The app's webhook URL and secret (GitHub: the app's settings page)."""
        self.forge.store.all("UPDATE apps SET webhook_url = ?, webhook_secret = ?, updated_at = ? WHERE id = ?",
                             url, secret, storage_now(), app_id)

    def install_app(self, app_id: int, account: str | None = None, repos: list[str] | None = None) -> int:
        """Install the app on ``account`` (default: the owner): every repository, or ``repos`` (names) only."""
        store = self.forge.store
        app = store.one("SELECT * FROM apps WHERE id = ?", app_id)
        owner = store.user_by_login(account or self.owner_login)
        if app is None or owner is None:
            raise ValueError(f"no app {app_id} or no account {account or self.owner_login!r}")
        ids = None if repos is None else [self._repo_id(owner["login"], name) for name in repos]
        return int(routes_apps.install(self.forge, app, owner, ids)["id"])

    def change_installation(self, installation_id: int, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        store = self.forge.store
        inst = store.one("SELECT * FROM installations WHERE id = ?", installation_id)
        if inst is None:
            raise ValueError(f"no installation {installation_id}")
        login = store.user(inst["account_id"])["login"]
        routes_apps.change_repositories(self.forge, inst, add=[self._repo_id(login, n) for n in add],
                                        remove=[self._repo_id(login, n) for n in remove])

    def uninstall_app(self, installation_id: int) -> None:
        inst = self.forge.store.one("SELECT * FROM installations WHERE id = ?", installation_id)
        if inst is None:
            raise ValueError(f"no installation {installation_id}")
        routes_apps.uninstall(self.forge, inst)

    def _repo_id(self, owner: str, name: str) -> int:
        repo = self.forge.store.repo(owner, name)
        if repo is None:
            raise ValueError(f"no repository {owner}/{name}")
        return int(repo["id"])
    def add_oauth_app(self, name: str, callback_url: str) -> tuple[str, str]:
        """Register an OAuth app (GitHub: Settings → Developer settings); returns (client_id, client_secret)."""
        return routes_oauth.register_app(self.forge.store, name, callback_url)

    async def drain_webhooks(self) -> None:
        """Wait until every webhook queued so far has been delivered (or has failed)."""
        await self.forge.webhooks.drain()
