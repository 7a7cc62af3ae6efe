"""Session recovery codes: a person's unfinished chat session, sealed so only they can resume it.

After a crash or an expired session the bot hands the user a code; pasting it
back (``/cloud-recover-session``) restores the session. The code is the
session state encrypted with AES-256-GCM under a key derived by HKDF-SHA256
from the server's secret *and* the user id, so:

* nobody without the server's secret can read or forge one (the user id alone,
  which everyone in a guild can see, derives nothing);
* a code pasted by another user does not open (and says so);
* it carries its expiry inside the authenticated header; an old code is refused;
* any changed character is detected.

Form: ``cr1.<base64url>``, about 70 characters plus the session JSON: short
enough for a chat message. Pure: no I/O; the caller passes ``now``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import struct
from collections.abc import Mapping
from datetime import datetime, timedelta, UTC
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import RecoveryCodeExpired, RecoveryCodeInvalid, SecretsError
from .keys import MasterKey

PREFIX = "cr1."
DEFAULT_TTL = timedelta(hours=24)
MAX_CODE_CHARS = 16 * 1024
MIN_SECRET_BYTES = 16
_VERSION = 1
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_HEADER = struct.Struct(">BQ8s16s12s")  # version, expires (unix s), user tag, salt, nonce


def server_secret_from_key(key: MasterKey) -> bytes:
    """A recovery secret derived from the vault's master key (a rotation retires old codes)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"cloudops-recovery-server-secret/v1").derive(key.material)


def seal(state: Mapping[str, Any], *, server_secret: bytes, user_id: str, now: datetime | None = None,
         ttl: timedelta = DEFAULT_TTL) -> str:
    """A recovery code holding ``state`` (JSON-compatible) for ``user_id``, valid for ``ttl``."""
    _check_inputs(server_secret, user_id)
    if ttl <= timedelta(0):
        raise SecretsError("sealing a recovery code: the time to live must be positive")
    expires = int(((now or datetime.now(UTC)) + ttl).timestamp())
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(_VERSION, expires, _user_tag(server_secret, user_id), salt, nonce)
    plain = json.dumps(dict(state), separators=(",", ":"), ensure_ascii=False).encode()
    sealed = AESGCM(_key(server_secret, user_id, salt)).encrypt(nonce, plain, header)
    return PREFIX + base64.urlsafe_b64encode(header + sealed).decode().rstrip("=")


def open_code(code: str, *, server_secret: bytes, user_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The state sealed in ``code``, if it is ``user_id``'s, unaltered and not expired."""
    _check_inputs(server_secret, user_id)
    raw = _decode(code)
    version, expires, tag, salt, nonce = _HEADER.unpack(raw[:_HEADER.size])
    if version != _VERSION:
        raise RecoveryCodeInvalid(f"opening a recovery code: unknown version {version}")
    if not hmac.compare_digest(tag, _user_tag(server_secret, user_id)):
        raise RecoveryCodeInvalid("opening a recovery code: it was issued to another user",
                                  hint="only the person who received a recovery code can use it")
    try:
        plain = AESGCM(_key(server_secret, user_id, salt)).decrypt(nonce, raw[_HEADER.size:], raw[:_HEADER.size])
    except InvalidTag:
        raise RecoveryCodeInvalid("opening a recovery code: it is damaged or was altered",
                                  hint="paste the code exactly as the bot sent it, or start again") from None
    moment = now or datetime.now(UTC)
    if moment.timestamp() >= expires:
        when = datetime.fromtimestamp(expires, UTC).isoformat(timespec="minutes")
        raise RecoveryCodeExpired(f"opening a recovery code: it expired at {when}")
    state = json.loads(plain)
    if not isinstance(state, dict):  # pragma: no cover - seal() only writes objects
        raise RecoveryCodeInvalid("opening a recovery code: it does not hold a session")
    return state


def expires_at(code: str) -> datetime:
    """The expiry a code claims (unauthenticated: for display only; ``open_code`` checks it)."""
    raw = _decode(code)
    return datetime.fromtimestamp(_HEADER.unpack(raw[:_HEADER.size])[1], UTC)


def _decode(code: str) -> bytes:
    if not isinstance(code, str):
        raise RecoveryCodeInvalid("opening a recovery code: not text")
    code = "".join(code.split())  # chat clients wrap long lines
    if len(code) > MAX_CODE_CHARS:
        raise RecoveryCodeInvalid(f"opening a recovery code: longer than {MAX_CODE_CHARS} characters")
    if not code.startswith(PREFIX):
        raise RecoveryCodeInvalid(f"opening a recovery code: it does not start with {PREFIX!r}")
    body = code[len(PREFIX):]
    if not _BASE64URL.fullmatch(body):  # the decoder would silently skip stray characters
        raise RecoveryCodeInvalid("opening a recovery code: it is damaged (not base64url)")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise RecoveryCodeInvalid("opening a recovery code: it is damaged (not base64url)") from None
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != body:
        # The last character carries bits the decoder ignores: a changed one would decode the same.
        raise RecoveryCodeInvalid("opening a recovery code: it is damaged or was altered")
    if len(raw) < _HEADER.size + 16:
        raise RecoveryCodeInvalid("opening a recovery code: it is too short, part of it is missing")
    return raw


def _check_inputs(server_secret: bytes, user_id: str) -> None:
    if not isinstance(server_secret, bytes) or len(server_secret) < MIN_SECRET_BYTES:
        raise SecretsError(f"using recovery codes: the server secret must be at least {MIN_SECRET_BYTES} bytes")
    if not isinstance(user_id, str) or not user_id:
        raise SecretsError("using recovery codes: a user id is required")


def _key(server_secret: bytes, user_id: str, salt: bytes) -> bytes:
    info = b"cloudops-recovery/v1\x00" + user_id.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(server_secret)


def _user_tag(server_secret: bytes, user_id: str) -> bytes:
    return hmac.new(server_secret, b"cloudops-recovery-user/v1\x00" + user_id.encode(), hashlib.sha256).digest()[:8]
