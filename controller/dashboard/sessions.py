"""Browser sessions as signed cookies, and the CSRF token each one carries.

Pure: ``seal`` and ``open_sealed`` only compute HMACs. A session is a small
JSON document (who, how they signed in, a CSRF token, an OAuth ``state`` while
a sign-in is under way, an expiry) signed with HMAC-SHA256 under a key kept in
the data dir, so it survives a restart and replicas sharing the data dir share
it. Nothing secret is in it: no forge token is ever kept after sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path

COOKIE = "cloudops_session"


@dataclass(frozen=True)
class Session:
    csrf: str
    expires_at: float
    login: str | None = None  # a GitHub login, or "admin-token"
    via: str | None = None  # "oauth" | "token"
    oauth_state: str | None = None
    next_path: str = "/"
    token_fp: str = ""  # for an admin-token session: which token it was (see ``fingerprint``)

    @property
    def signed_in(self) -> bool:
        return self.login is not None

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf, given or "")


def fresh(now: float, hours: float) -> Session:
    """An anonymous session: a CSRF token and nothing else."""
    return Session(csrf=secrets.token_urlsafe(24), expires_at=now + hours * 3600)


def signed_in(session: Session, login: str, via: str, now: float, hours: float) -> Session:
    """After a sign-in: a new CSRF token (no fixation) and a new expiry."""
    return replace(session, login=login, via=via, csrf=secrets.token_urlsafe(24), oauth_state=None,
                   expires_at=now + hours * 3600)


def fingerprint(key: bytes, token: str | None) -> str:
    """An HMAC of the admin token: a session signed in with it ends when the token changes."""
    return _b64(hmac.new(key, f"admin-token:{token or ''}".encode(), hashlib.sha256).digest())[:22] if token else ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(session: Session, key: bytes) -> str:
    body = _b64(json.dumps(asdict(session), separators=(",", ":")).encode())
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def open_sealed(value: str | None, key: bytes, now: float) -> Session | None:
    """The session in a cookie value; None when missing, tampered with, malformed or expired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        doc = json.loads(_unb64(body))
        session = Session(**doc)
    except (ValueError, TypeError):
        return None
    return session if session.expires_at > now else None


def load_key(path: Path) -> bytes:
    """The signing key, made (0600) on first use; two processes racing both end up with the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key
