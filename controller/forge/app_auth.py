"""GitHub App authentication: app id + private key → JWT → installation tokens.

How GitHub wants it (and why each step is here):

* The app proves itself with a JWT signed RS256 by its private key (``iss`` =
  app id, ``iat`` a minute in the past for clock drift, ``exp`` at most ten
  minutes later). A JWT opens only the ``/app…`` endpoints.
* Everything else is done with an *installation token* (``ghs_…``), made by
  ``POST /app/installations/{id}/access_tokens``; it lasts one hour and acts
  on that installation's repositories only. Tokens are cached, one per
  installation, and renewed ``refresh_margin`` seconds before they expire,
  so a long terraform apply never meets an expired token in the middle.
* Which installation serves a repository: learned at start from
  ``GET /app/installations`` + ``GET /installation/repositories``, kept
  current by ``installation`` / ``installation_repositories`` webhooks, and
  asked (``GET /repos/{o}/{r}/installation``) for a repository not seen yet.

The private key and every token are secrets: ``secrets()`` lists them for
the scrubber in ``errors``; ``repr`` shows neither.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import github
import jwt
from cryptography.hazmat.primitives import serialization
from github import Auth

from ..errors import ConfigError, ForgeNotFound
from .errors import translating

log = logging.getLogger(__name__)

JWT_LIFETIME = 540  # seconds after iat; GitHub allows 600
JWT_BACKDATE = 60  # iat this far in the past, for a clock slightly ahead of GitHub's
REFRESH_MARGIN = 300.0  # renew a token this long before it expires


@dataclass(frozen=True)
class AppCredentials:
    app_id: int
    private_key: str = field(repr=False)

    def __post_init__(self) -> None:
        try:
            serialization.load_pem_private_key(self.private_key.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"reading the GitHub App private key: not an unencrypted PEM private key ({exc})",
                              hint="download a new private key from the app's settings page (a .pem file)") from None

    @classmethod
    def load(cls, app_id: str | int, *, key_file: str | Path | None = None, key_pem: str | None = None) -> AppCredentials:
        """From the app id and either the .pem file GitHub gave or its text (e.g. from an environment variable)."""
        try:
            number = int(str(app_id).strip())
        except ValueError:
            raise ConfigError(f"the GitHub App id must be a number, got {app_id!r}",
                              hint="it is shown as 'App ID' on the app's settings page") from None
        if key_pem is None:
            if key_file is None:
                raise ConfigError("a GitHub App needs its private key",
                                  hint="set GITHUB_APP_PRIVATE_KEY_FILE (the .pem file) or GITHUB_APP_PRIVATE_KEY")
            try:
                key_pem = Path(key_file).expanduser().read_text()
            except OSError as exc:
                raise ConfigError(f"reading the GitHub App private key {key_file}: {exc.strerror or exc}") from None
        # Environment variables often carry the PEM with literal "\n".
        return cls(number, key_pem.replace("\\n", "\n").strip() + "\n")

    def jwt(self, now: float) -> str:
        """The app's JWT at time ``now`` (seconds since the epoch)."""
        issued = int(now) - JWT_BACKDATE
        return jwt.encode({"iat": issued, "exp": issued + JWT_LIFETIME, "iss": str(self.app_id)},
                          self.private_key, algorithm="RS256")


@dataclass
class _Token:
    value: str
    expires_at: float  # epoch seconds


class _JwtAuth(Auth.Auth):
    """PyGithub auth that sends a fresh app JWT on every request."""

    def __init__(self, credentials: AppCredentials, clock: Callable[[], float]) -> None:
        self._credentials, self._clock = credentials, clock

    @property
    def token_type(self) -> str:
        return "Bearer"

    @property
    def token(self) -> str:
        return self._credentials.jwt(self._clock())


class InstallationTokenAuth(Auth.Auth):
    """PyGithub auth that asks the cache for the installation's token on every request."""

    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self._tokens, self._id = tokens, installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._tokens.token(self._id)


class InstallationTokens:
    """Installation tokens of one app, cached per installation and renewed before they expire."""

    def __init__(self, credentials: AppCredentials, api_url: str, *, clock: Callable[[], float] = time.time,
                 refresh_margin: float = REFRESH_MARGIN, timeout: int = 30) -> None:
        self.credentials = credentials
        self.api_url = api_url.rstrip("/")
        self._clock = clock
        self._margin = refresh_margin
        self._lock = threading.RLock()  # secrets() is read while a token is being made
        self._tokens: dict[int, _Token] = {}
        self._retired: list[str] = []  # replaced tokens stay valid a while: keep scrubbing them
        self._repos: dict[str, int] = {}  # "owner/name" (lower-case) → installation id
        self._slug: str | None = None
        self.issued = 0  # tokens asked of GitHub, for tests and metrics
        # The JWT always uses the real clock: GitHub checks it against its own; ``clock`` only ages tokens.
        self._app = github.Github(auth=_JwtAuth(credentials, time.time), base_url=self.api_url, timeout=timeout,
                                  seconds_between_requests=None, seconds_between_writes=None)

    def __repr__(self) -> str:
        return f"InstallationTokens(app_id={self.credentials.app_id}, api_url={self.api_url!r})"

    def secrets(self) -> list[str]:
        with self._lock:
            return [t.value for t in self._tokens.values()] + self._retired + [self.credentials.private_key.strip()]

    def _translating(self, action: str) -> Any:
        return translating(action, secrets=self.secrets())

    def _jwt_call(self, method: str, path: str) -> Any:
        _, data = self._app.requester.requestJsonAndCheck(method, f"{self.api_url}{path}")
        return data

    # -- tokens ---------------------------------------------------------------------

    def token(self, installation_id: int) -> str:
        """The installation's token, made or renewed when it has less than the margin left."""
        with self._lock:
            cached = self._tokens.get(installation_id)
            if cached is not None and cached.expires_at - self._clock() > self._margin:
                return cached.value
            with self._translating(f"getting an installation token for installation {installation_id}"):
                data = self._jwt_call("POST", f"/app/installations/{installation_id}/access_tokens")
            expires = _parse_time(str(data["expires_at"]))
            if cached is not None:
                self._retired = [*self._retired, cached.value][-20:]
            self._tokens[installation_id] = _Token(str(data["token"]), expires)
            self.issued += 1
            return str(data["token"])

    # -- which installation serves a repository ------------------------------------

    def slug(self) -> str:
        if self._slug is None:
            with self._translating("reading the GitHub App"):
                self._slug = str(self._jwt_call("GET", "/app")["slug"])
        return self._slug

    def bot_login(self) -> str:
        return f"{self.slug()}[bot]"

    def installation_for(self, repo: str) -> int:
        key = repo.lower()
        found = self._repos.get(key)
        if found is not None:
            return found
        with self._translating(f"finding the GitHub App installation of {repo}"):
            try:
                data = self._jwt_call("GET", f"/repos/{repo}/installation")
            except github.UnknownObjectException:
                raise ForgeNotFound(f"the GitHub App {self.credentials.app_id} is not installed on {repo}",
                                    hint="install the app on the repository (its settings page → Install App)") from None
        self._repos[key] = int(data["id"])
        return int(data["id"])

    def discover(self) -> dict[str, int]:
        """Every repository the app is installed on → its installation (and remember them)."""
        found: dict[str, int] = {}
        with self._translating("listing the GitHub App's installations"):
            installations = self._jwt_call("GET", "/app/installations?per_page=100")
        for inst in installations:
            client = github.Github(auth=InstallationTokenAuth(self, int(inst["id"])), base_url=self.api_url,
                                   seconds_between_requests=None, seconds_between_writes=None)
            with self._translating(f"listing the repositories of installation {inst['id']}"):
                page = 1
                while True:
                    _, data = client.requester.requestJsonAndCheck(
                        "GET", f"{self.api_url}/installation/repositories?per_page=100&page={page}")
                    repos = data.get("repositories") or []
                    for repo in repos:
                        found[str(repo["full_name"])] = int(inst["id"])
                    if len(repos) < 100:
                        break
                    page += 1
        self._repos.update({name.lower(): inst for name, inst in found.items()})
        return found

    def installation_changed(self, installation_id: int, *, added: Sequence[str] = (), removed: Sequence[str] = (),
                             deleted: bool = False) -> None:
        """What an ``installation`` / ``installation_repositories`` webhook says changed."""
        with self._lock:
            if deleted:
                self._tokens.pop(installation_id, None)
                for name in [n for n, i in self._repos.items() if i == installation_id]:
                    del self._repos[name]
            for name in added:
                self._repos[name.lower()] = installation_id
            for name in removed:
                self._repos.pop(name.lower(), None)
            # A token made before the change covers the old set of repositories.
            self._tokens.pop(installation_id, None)


def _parse_time(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def credentials_from_env(env: Mapping[str, str] | None = None) -> AppCredentials | None:
    """``GITHUB_APP_ID`` with ``GITHUB_APP_PRIVATE_KEY_FILE`` or ``GITHUB_APP_PRIVATE_KEY``; None without an app id."""
    env = os.environ if env is None else env
    app_id = env.get("GITHUB_APP_ID")
    if not app_id:
        return None
    return AppCredentials.load(app_id, key_file=env.get("GITHUB_APP_PRIVATE_KEY_FILE") or None,
                               key_pem=env.get("GITHUB_APP_PRIVATE_KEY") or None)
