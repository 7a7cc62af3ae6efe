"""The dashboard's settings: who may sign in and how, where it is reachable.

Pure: built from a mapping (the environment). Secrets are fields with
``repr=False`` and are never rendered; the page only says whether each way
of signing in is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError


@dataclass(frozen=True)
class DashboardConfig:
    # The controller's address as browsers and GitHub see it; PR comments then link to run pages.
    public_url: str | None = None
    # Signing in with this token makes the browser an admin of every repository (break-glass).
    admin_token: str | None = field(default=None, repr=False)
    # A GitHub OAuth app (or the local forge's): Settings → Developer settings → OAuth apps.
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = field(default=None, repr=False)
    # Where the authorize and access_token endpoints live; None: derived from the API URL.
    oauth_url: str | None = None
    # When set, /metrics wants `Authorization: Bearer <token>`.
    metrics_token: str | None = field(default=None, repr=False)
    session_hours: float = 8.0

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.oauth_client_id and self.oauth_client_secret)

    @property
    def secure_cookies(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DashboardConfig:
        public = (env.get("CLOUDOPS_PUBLIC_URL") or "").rstrip("/") or None
        if public and urlsplit(public).scheme not in ("http", "https"):
            raise ConfigError(f"reading CLOUDOPS_PUBLIC_URL: {public!r} is not an http(s) URL",
                              hint="e.g. https://cloudops.example.com")
        token = env.get("CLOUDOPS_DASHBOARD_ADMIN_TOKEN") or None
        if token is not None and len(token) < 16:
            raise ConfigError("reading CLOUDOPS_DASHBOARD_ADMIN_TOKEN: use at least 16 characters",
                              hint="e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
        client_id, secret = env.get("CLOUDOPS_OAUTH_CLIENT_ID") or None, env.get("CLOUDOPS_OAUTH_CLIENT_SECRET") or None
        if bool(client_id) != bool(secret):
            raise ConfigError("reading CLOUDOPS_OAUTH_CLIENT_ID / CLOUDOPS_OAUTH_CLIENT_SECRET: set both or neither")
        return cls(public_url=public, admin_token=token, oauth_client_id=client_id, oauth_client_secret=secret,
                   oauth_url=(env.get("CLOUDOPS_OAUTH_URL") or "").rstrip("/") or None,
                   metrics_token=env.get("CLOUDOPS_METRICS_TOKEN") or None)


def web_url_of(api_url: str) -> str:
    """GitHub's web address for an API address: api.github.com → github.com; GHES /api/v3 → its host."""
    api_url = api_url.rstrip("/")
    parts = urlsplit(api_url)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    if parts.path.endswith("/api/v3"):
        return api_url[: -len("/api/v3")]
    return f"{parts.scheme}://{parts.netloc}"
