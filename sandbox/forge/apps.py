"""GitHub Apps on the forge: registration, installations, JWTs and installation tokens.

How GitHub does it, and so how this does it:

* An app has an id and an RSA key pair; GitHub keeps only the public key. The
  app proves who it is with a JWT signed RS256 by its private key: `iss` is
  the app id, `iat` a little in the past, `exp` at most ten minutes after
  `iat`. That JWT opens only the `/app…` endpoints.
* An installation puts the app on an account, for all or selected
  repositories. `POST /app/installations/{id}/access_tokens` (with the JWT)
  answers a `ghs_…` token valid for one hour; it acts as the app's bot user
  (`<slug>[bot]`), only on the installation's repositories.
* Events on an installed repository are delivered to the app's own webhook
  URL with `installation: {id, node_id}`; `installation` and
  `installation_repositories` tell the app where it is installed.

Registration and installing are done by the forge's owner through
`LocalForge.create_app` / `install_app` (GitHub does them in its web UI).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from .http import ApiError
from .storage import Row, Store, now

TOKEN_LIFETIME = timedelta(hours=1)
MAX_JWT_LIFETIME = 600  # seconds between iat and exp, as GitHub allows
CLOCK_DRIFT = 60  # seconds of leeway for the caller's clock
DEFAULT_PERMISSIONS = {"checks": "write", "contents": "write", "issues": "write", "metadata": "read",
                       "pull_requests": "write", "statuses": "write", "merge_queues": "write"}
DEFAULT_EVENTS = ["check_run", "check_suite", "issue_comment", "merge_group", "pull_request",
                  "pull_request_review", "push"]


@dataclass(frozen=True)
class Caller:
    """Who a token belongs to: a user, or an installation's bot (with its installation)."""

    user: Row
    installation: Row | None = None
    repo_ids: frozenset[int] | None = None  # the token's repositories; None: every repo of the installation


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and not token.startswith(("ghs_", "lf_"))


def verify_jwt(store: Store, token: str, *, clock: float | None = None) -> Row:
    """The app a JWT proves, or 401 with GitHub's wording for what is wrong with it."""
    current = time.time() if clock is None else clock
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    if header.get("alg") != "RS256":
        raise ApiError(401, "A JSON web token could not be decoded")
    issuer: Any = claims.get("iss")  # a number, a string, or missing: int() sorts them
    try:
        app_id = int(issuer)  # GitHub accepts the id as a number or a string (and the client id, not here)
    except (TypeError, ValueError):
        raise ApiError(401, "'Issuer' claim ('iss') must be an Integer") from None
    app = store.one("SELECT * FROM apps WHERE id = ?", app_id)
    if app is None:
        raise ApiError(401, "Integration not found")
    try:
        jwt.decode(token, app["public_key"], algorithms=["RS256"], leeway=CLOCK_DRIFT,
                   options={"require": ["iat", "exp", "iss"], "verify_iat": False, "verify_exp": False})
    except jwt.PyJWTError as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or iat > current + CLOCK_DRIFT:
        raise ApiError(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past")
    if not isinstance(exp, int) or exp <= current - CLOCK_DRIFT:
        raise ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time "
                            "at which the assertion expires")
    if exp - iat > MAX_JWT_LIFETIME:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")
    return app


def caller_of_token(store: Store, token: str) -> Caller | None:
    """The user or installation bot of a personal or installation token (None if unknown or expired)."""
    if token.startswith("ghs_"):
        row = store.one("SELECT * FROM installation_tokens WHERE token = ?", token)
        if row is None or row["expires_at"] <= now():
            return None
        inst = store.one("SELECT * FROM installations WHERE id = ?", row["installation_id"])
        if inst is None or inst["suspended_at"]:
            return None
        app = store.one("SELECT * FROM apps WHERE id = ?", inst["app_id"])
        assert app is not None
        repo_ids = frozenset(json.loads(row["repo_ids"])) if row["repo_ids"] else None
        return Caller(store.user(app["bot_user_id"]), inst, repo_ids)
    user = store.user_by_token(token)
    return Caller(user) if user is not None else None


def installation_repo_ids(store: Store, installation: Row) -> set[int]:
    if installation["repository_selection"] == "all":
        return {r["id"] for r in store.all("SELECT id FROM repos WHERE owner_id = ?", installation["account_id"])}
    return {r["repo_id"] for r in store.all("SELECT repo_id FROM installation_repos WHERE installation_id = ?",
                                            installation["id"])}


def may_use_repo(store: Store, caller: Caller, repo: Row) -> bool:
    if caller.installation is None:
        return True
    if caller.repo_ids is not None and repo["id"] not in caller.repo_ids:
        return False
    return repo["id"] in installation_repo_ids(store, caller.installation)


def installations_for_repo(store: Store, repo: Row) -> list[Row]:
    rows = store.all("SELECT * FROM installations WHERE account_id = ? AND suspended_at IS NULL", repo["owner_id"])
    return [row for row in rows if repo["id"] in installation_repo_ids(store, row)]


def issue_token(store: Store, installation: Row, repo_ids: list[int] | None) -> tuple[str, str]:
    """A fresh installation token and its expiry (GitHub's form: ISO 8601 UTC)."""
    token = "ghs_" + secrets.token_urlsafe(27).replace("-", "A").replace("_", "B")[:36]
    expires = (datetime.now(UTC) + TOKEN_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.insert("installation_tokens", token=token, installation_id=installation["id"], expires_at=expires,
                 repo_ids=json.dumps(sorted(repo_ids)) if repo_ids is not None else None)
    return token, expires


def create_app(store: Store, *, owner: Row, slug: str, name: str, public_key_pem: str, webhook_url: str | None,
               webhook_secret: str | None, events: list[str] | None = None,
               permissions: dict[str, str] | None = None) -> Row:
    """Register an app (GitHub: Settings → Developer settings → New GitHub App)."""
    serialization.load_pem_public_key(public_key_pem.encode())  # refuse a key that is not one
    if store.one("SELECT 1 FROM apps WHERE slug = ?", slug):
        raise ValueError(f"an app with slug {slug!r} already exists")
    bot = store.ensure_user(f"{slug}[bot]", name=name, email=f"{slug}[bot]@users.noreply.localforge", kind="Bot")
    stamp = now()
    app_id = store.insert("apps", slug=slug, name=name, description="", owner_id=owner["id"], bot_user_id=bot["id"],
                          public_key=public_key_pem, webhook_url=webhook_url, webhook_secret=webhook_secret,
                          events=json.dumps(sorted(events or DEFAULT_EVENTS)),
                          permissions=json.dumps(permissions or DEFAULT_PERMISSIONS),
                          created_at=stamp, updated_at=stamp)
    app = store.one("SELECT * FROM apps WHERE id = ?", app_id)
    assert app is not None
    return app


def public_key_of(private_key_pem: str | bytes) -> str:
    """The PEM public key of a PEM private key (what GitHub keeps of the key it generated)."""
    data = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
    key: Any = serialization.load_pem_private_key(data, password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
