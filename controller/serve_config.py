"""The long-running controller's configuration: a YAML file plus the environment.

Secrets never live in the file: it names the environment variables that
hold them. Everything has an environment fallback so a container can run
with no file at all::

    # cloudops-controller.yaml
    data_dir: /var/lib/cloudops          # CLOUDOPS_DATA_DIR
    repos: [acme/infra]                  # CLOUDOPS_REPOS (comma-separated)
    github:
      api_url: https://api.github.com    # GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3)
      token_env: GITHUB_TOKEN            # the variable that holds the token
      bot_login: cloudops-bot            # CLOUDOPS_BOT_LOGIN: its own comments are ignored
      # Or as a GitHub App (then no token; the bot is <app slug>[bot]; repos may be omitted:
      # every repository the app is installed on is served, and installations add more):
      app_id: 123456                     # GITHUB_APP_ID
      private_key_file: /etc/cloudops/app.pem   # GITHUB_APP_PRIVATE_KEY_FILE
      private_key_env: GITHUB_APP_PRIVATE_KEY   # or the variable that holds the PEM text
    webhook:
      host: 0.0.0.0                      # CLOUDOPS_HOST
      port: 8080                         # CLOUDOPS_PORT
      secret_env: CLOUDOPS_WEBHOOK_SECRET
    workers: 2                           # CLOUDOPS_WORKERS: parallel terraform jobs

The dashboard (and /metrics) is configured from the environment only, since
most of it is secret: CLOUDOPS_PUBLIC_URL, CLOUDOPS_DASHBOARD_ADMIN_TOKEN,
CLOUDOPS_OAUTH_CLIENT_ID / CLOUDOPS_OAUTH_CLIENT_SECRET (a GitHub OAuth app),
CLOUDOPS_OAUTH_URL (default: derived from the API URL), CLOUDOPS_METRICS_TOKEN.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .app import ControllerConfig
from .dashboard.config import DashboardConfig
from .errors import ConfigError
from .forge.app_auth import AppCredentials
from .settings import Settings

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TOP_KEYS = {"data_dir", "repos", "github", "webhook", "workers"}


def _section(doc: Mapping[str, Any], key: str, allowed: set[str], source: str) -> Mapping[str, Any]:
    value = doc.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: {key} must be a mapping")
    unknown = set(value) - allowed
    if unknown:
        raise ConfigError(f"{source}: {key}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(allowed))})")
    return value


def load(path: Path | None, env: Mapping[str, str] | None = None) -> ControllerConfig:
    env = os.environ if env is None else env
    source = str(path) if path else "environment"
    doc: Mapping[str, Any] = {}
    if path is not None:
        try:
            doc = yaml.safe_load(Path(path).read_text()) or {}
        except OSError as exc:
            raise ConfigError(f"reading {path}: {exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"reading {path}: not valid YAML: {exc}") from exc
        if not isinstance(doc, Mapping):
            raise ConfigError(f"{path}: the file must be a mapping")
        unknown = set(doc) - _TOP_KEYS
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    github = _section(doc, "github", {"api_url", "token_env", "bot_login", "app_id", "private_key_file",
                                      "private_key_env"}, source)
    webhook = _section(doc, "webhook", {"host", "port", "secret_env"}, source)

    settings = Settings.from_env(env)
    if doc.get("data_dir"):
        settings = replace(settings, data_dir=Path(str(doc["data_dir"])).expanduser())
    app = _app_credentials(github, env, source)
    repos = doc.get("repos") or [r.strip() for r in env.get("CLOUDOPS_REPOS", "").split(",") if r.strip()]
    if not repos and app is None:
        raise ConfigError(f"{source}: no repositories configured", hint="list them under `repos:` or in CLOUDOPS_REPOS")
    for repo in repos:
        if not isinstance(repo, str) or not _REPO.match(repo):
            raise ConfigError(f"{source}: repos: {repo!r} is not owner/name")
    token_env = str(github.get("token_env", "GITHUB_TOKEN"))
    secret_env = str(webhook.get("secret_env", "CLOUDOPS_WEBHOOK_SECRET"))
    token, secret = env.get(token_env), env.get(secret_env)
    if not token and app is None:
        raise ConfigError(f"{source}: the GitHub token variable {token_env} is not set",
                          hint="or configure a GitHub App: GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_FILE")
    if not secret:
        raise ConfigError(f"{source}: the webhook secret variable {secret_env} is not set",
                          hint="use the same secret as the repository's webhook settings")
    try:
        port = int(webhook.get("port", env.get("CLOUDOPS_PORT", 8080)))
        workers = int(doc.get("workers", env.get("CLOUDOPS_WORKERS", 2)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: port and workers must be whole numbers ({exc})") from None
    if not 0 <= port <= 65535 or workers < 1:
        raise ConfigError(f"{source}: port must be 0-65535 and workers at least 1")
    return ControllerConfig(
        settings=settings,
        github_token="" if app is not None else str(token),
        webhook_secret=secret,
        repos=tuple(repos),
        api_url=str(github.get("api_url", env.get("GITHUB_API_URL", "https://api.github.com"))),
        bot_login=str(github.get("bot_login", env.get("CLOUDOPS_BOT_LOGIN", "cloudops-bot"))),
        host=str(webhook.get("host", env.get("CLOUDOPS_HOST", "127.0.0.1"))),
        port=port,
        workers=workers,
        github_app_id=app.app_id if app else None,
        github_app_private_key=app.private_key if app else None,
        dashboard=DashboardConfig.from_env(env),  # CLOUDOPS_PUBLIC_URL, CLOUDOPS_DASHBOARD_ADMIN_TOKEN, CLOUDOPS_OAUTH_*
    )


def _app_credentials(github: Mapping[str, Any], env: Mapping[str, str], source: str) -> AppCredentials | None:
    """The GitHub App's id and key, when one is configured (file keys first, then the environment)."""
    app_id = github.get("app_id", env.get("GITHUB_APP_ID"))
    if app_id in (None, ""):
        return None
    key_file = github.get("private_key_file", env.get("GITHUB_APP_PRIVATE_KEY_FILE"))
    key_env = str(github.get("private_key_env", "GITHUB_APP_PRIVATE_KEY"))
    try:
        return AppCredentials.load(app_id, key_file=key_file or None, key_pem=env.get(key_env) or None)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}", hint=exc.hint) from None
