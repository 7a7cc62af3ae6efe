"""Encryption of terraform state at rest: AES-256-GCM in a small envelope.

Why: terraform state holds every secret a configuration touches (passwords,
keys, `sensitive` outputs) in plain JSON. It is kept on a git branch that
anyone who can read the repository can fetch, so it is only ever stored
encrypted; the key stays with the controller.

Envelope (all integers big-endian; version 1)::

    offset  size  field
    0       8     magic      b"CLOPSTAT"
    8       1     version    1
    9       8     key id     first 8 bytes of SHA-256("cloudops-state-key-id\\0" + key)
    17      12    nonce      fresh random bytes for every write
    29      ...   ciphertext AES-GCM output (ciphertext + 16-byte tag)

The associated data is the 29-byte header followed by
``b"cloudops-state\\0" + repo + b"\\0" + project``: the header cannot be
altered, and a blob copied to another repository or project does not
decrypt. The key id only lets a wrong key be named clearly; it is a hash
and reveals nothing usable about the key.

The key (``state_key``): ``CLOUDOPS_STATE_KEY`` (base64 of 32 bytes) when
set; otherwise ``<data dir>/state.key``, created on first use with mode
0600 and refused if group or others may read it. Back that file up: state
encrypted with a lost key cannot be recovered.

Everything here is pure except ``state_key``, which may read or create the
key file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import ConfigError, StateError

MAGIC = b"CLOPSTAT"
VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + NONCE_BYTES
KEY_ENV = "CLOUDOPS_STATE_KEY"
KEY_FILE_NAME = "state.key"
_RESTORE_HINT = "restore an earlier version from the cloudops-state branch history, or re-import the resources"


@dataclass(frozen=True)
class StateKey:
    """A 32-byte AES key and its public id; ``repr`` never shows the key."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ConfigError(f"loading the state key: it must be {KEY_BYTES} bytes, got {len(self.secret)}")

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(b"cloudops-state-key-id\0" + self.secret).digest()[:KEY_ID_BYTES]

    @classmethod
    def generate(cls) -> StateKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_base64(cls, text: str, *, source: str = KEY_ENV) -> StateKey:
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(
                f"reading {source}: not valid base64",
                hint="generate one with `python -c \"import os,base64;print(base64.b64encode(os.urandom(32)).decode())\"`",
            ) from None
        if len(raw) != KEY_BYTES:
            raise ConfigError(f"reading {source}: the key must decode to {KEY_BYTES} bytes, got {len(raw)}")
        return cls(raw)

    def to_base64(self) -> str:
        return base64.b64encode(self.secret).decode()


def state_key(data_dir: Path, env: Mapping[str, str] | None = None) -> StateKey:
    """The configured key: ``CLOUDOPS_STATE_KEY``, else the data dir's key file (created if missing)."""
    env = os.environ if env is None else env
    configured = env.get(KEY_ENV, "").strip()
    if configured:
        return StateKey.from_base64(configured)
    return _key_file(Path(data_dir) / KEY_FILE_NAME)


def _key_file(path: Path) -> StateKey:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = StateKey.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"reading the state key {path}: its mode is {mode:04o}, so others may read it",
                hint=f"run `chmod 600 {path}`",
            ) from None
        return StateKey.from_base64(path.read_text(encoding="ascii"), source=str(path))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.to_base64() + "\n")
    return key


def _associated_data(header: bytes, repo: str, project: str) -> bytes:
    return header + b"cloudops-state\0" + repo.encode() + b"\0" + project.encode()


def encrypt(key: StateKey, plaintext: bytes, *, repo: str, project: str) -> bytes:
    """An envelope holding ``plaintext``, bound to ``repo`` and ``project``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = MAGIC + bytes([VERSION]) + key.key_id + nonce
    return header + AESGCM(key.secret).encrypt(nonce, plaintext, _associated_data(header, repo, project))


@dataclass(frozen=True)
class Envelope:
    version: int
    key_id: bytes
    nonce: bytes
    ciphertext: bytes
    header: bytes


def parse_envelope(blob: bytes, *, what: str = "state") -> Envelope:
    """The envelope's fields; ``StateError`` if ``blob`` is not one this controller reads."""
    if len(blob) < len(MAGIC) + 1 or not blob.startswith(MAGIC):
        raise StateError(f"reading {what}: not a Cloud ChatOps state envelope", hint=_RESTORE_HINT)
    version = blob[len(MAGIC)]
    if version != VERSION:
        raise StateError(
            f"reading {what}: envelope version {version} is not one this controller reads (it reads {VERSION})",
            hint="upgrade the controller to the version that wrote this state",
        )
    if len(blob) < HEADER_BYTES + 16:
        raise StateError(f"reading {what}: the envelope is truncated ({len(blob)} bytes)", hint=_RESTORE_HINT)
    key_id = blob[len(MAGIC) + 1 : len(MAGIC) + 1 + KEY_ID_BYTES]
    nonce = blob[HEADER_BYTES - NONCE_BYTES : HEADER_BYTES]
    return Envelope(version, key_id, nonce, blob[HEADER_BYTES:], blob[:HEADER_BYTES])


def decrypt(key: StateKey, blob: bytes, *, repo: str, project: str) -> bytes:
    """The plaintext of an envelope written by ``encrypt`` for the same repo, project and key."""
    what = f"the state of {project} in {repo}"
    envelope = parse_envelope(blob, what=what)
    if envelope.key_id != key.key_id:
        raise StateError(
            f"decrypting {what}: it was encrypted with key {envelope.key_id.hex()}, "
            f"but the configured key is {key.key_id.hex()}",
            hint=f"set {KEY_ENV} (or the data dir's {KEY_FILE_NAME}) to the key that wrote this state",
        )
    try:
        return AESGCM(key.secret).decrypt(
            envelope.nonce, envelope.ciphertext, _associated_data(envelope.header, repo, project)
        )
    except InvalidTag:
        raise StateError(
            f"decrypting {what}: the blob does not authenticate; it was modified, "
            "or it was copied from another repository or project",
            hint=_RESTORE_HINT,
        ) from None
