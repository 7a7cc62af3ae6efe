"""Master keys: where the vault's key comes from, and how a new one is kept safe.

Sources, first match wins:

1. ``CLOUDOPS_MASTER_KEY``: base64 of 32 bytes (for containers and secret managers);
   ``CLOUDOPS_MASTER_KEY_OLD`` may list earlier keys (comma-separated) still able
   to decrypt records not yet rotated.
2. ``CLOUDOPS_MASTER_KEY_FILE``: a file holding that base64 text, mode 0600.
3. ``<data dir>/master.key``: created on first use when the caller allows it.

A key is named by its key id, a hash of the key (not the key), stored with each
record so a record says which key it needs. Key files are refused when group
or others may read them, as ssh refuses such private keys.

Rotation with a key file (``cloudops keys rotate``) is crash-safe: the new key
is first written beside the old one as ``master.key.next-<id>`` (which
``load_keyring`` always reads), then the vault is re-encrypted in one
transaction, then the new file replaces the old. A crash at any point leaves
every record decryptable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from .errors import MasterKeyError

log = logging.getLogger(__name__)

KEY_BYTES = 32
ENV_KEY = "CLOUDOPS_MASTER_KEY"
ENV_OLD_KEYS = "CLOUDOPS_MASTER_KEY_OLD"
ENV_KEY_FILE = "CLOUDOPS_MASTER_KEY_FILE"
DEFAULT_KEY_FILE = "master.key"
_PENDING = ".next-"


@dataclass(frozen=True, repr=False)
class MasterKey:
    material: bytes

    def __post_init__(self) -> None:
        if len(self.material) != KEY_BYTES:
            raise MasterKeyError(f"loading the master key: it must be {KEY_BYTES} bytes, got {len(self.material)}")

    @property
    def key_id(self) -> str:
        """Names the key in records and messages without revealing it."""
        return hashlib.sha256(b"cloudops-master-key-id\x00" + self.material).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<MasterKey {self.key_id}>"

    def encoded(self) -> str:
        return base64.b64encode(self.material).decode()

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def decode(cls, text: str, *, where: str) -> MasterKey:
        try:
            material = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError(f"loading the master key from {where}: not base64 text") from None
        if len(material) != KEY_BYTES:
            raise MasterKeyError(f"loading the master key from {where}: decodes to {len(material)} bytes, "
                                 f"expected {KEY_BYTES}")
        return cls(material)


@dataclass(frozen=True)
class Keyring:
    """The key new records are written with, and every key that may still read old ones."""

    primary: MasterKey
    others: tuple[MasterKey, ...] = ()
    source: str = ""  # "environment" or the key file's path, for messages
    key_file: Path | None = None  # set when the primary comes from a file (rotation rewrites it)

    def find(self, key_id: str) -> MasterKey | None:
        return next((k for k in (self.primary, *self.others) if k.key_id == key_id), None)

    def with_primary(self, key: MasterKey) -> Keyring:
        others = tuple(k for k in (self.primary, *self.others) if k.key_id != key.key_id)
        return Keyring(primary=key, others=others, source=self.source, key_file=self.key_file)


def key_file_path(settings: Settings, env: Mapping[str, str]) -> Path:
    configured = env.get(ENV_KEY_FILE)
    return Path(configured).expanduser() if configured else settings.data_dir / DEFAULT_KEY_FILE


def load_keyring(settings: Settings, env: Mapping[str, str] | None = None, *, create: bool = False) -> Keyring:
    """The keyring from the environment or the key file; ``create`` makes a default key file if none exists."""
    env = os.environ if env is None else env
    if env.get(ENV_KEY):
        primary = MasterKey.decode(env[ENV_KEY], where=ENV_KEY)
        old = [MasterKey.decode(t, where=ENV_OLD_KEYS) for t in env.get(ENV_OLD_KEYS, "").split(",") if t.strip()]
        return Keyring(primary=primary, others=tuple(old), source="environment")
    path = key_file_path(settings, env)
    if not path.exists():
        if env.get(ENV_KEY_FILE):
            raise MasterKeyError(f"loading the master key: {ENV_KEY_FILE} names {path}, which does not exist")
        if not create:
            raise MasterKeyError(f"loading the master key: neither {ENV_KEY} nor {ENV_KEY_FILE} is set and {path} "
                                 "does not exist")
        write_key_file(path, MasterKey.generate())
        log.warning("created a new vault master key at %s; back it up: without it stored credentials cannot be read",
                    path)
    primary = read_key_file(path)
    pending = tuple(read_key_file(p) for p in pending_key_files(path))
    return Keyring(primary=primary, others=pending, source=str(path), key_file=path)


def read_key_file(path: Path) -> MasterKey:
    try:
        info = path.stat()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise MasterKeyError(
                f"loading the master key from {path}: mode {stat.S_IMODE(info.st_mode):04o} lets others read it",
                hint=f"chmod 600 {path}",
            )
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(f"loading the master key from {path}: {exc.__class__.__name__}") from exc
    return MasterKey.decode(text, where=str(path))


def write_key_file(path: Path, key: MasterKey) -> None:
    """Create ``path`` (never overwrite) with mode 0600 from the start, and make it durable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise MasterKeyError(f"writing a master key to {path}: the file already exists, refusing to overwrite it",
                             hint="move it away first if it is really unused") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.encoded() + "\n")
        out.flush()
        os.fsync(out.fileno())
    _fsync_dir(path.parent)


def pending_key_files(path: Path) -> list[Path]:
    """New keys written by a rotation that had not finished (see the module docstring)."""
    return sorted(path.parent.glob(path.name + _PENDING + "*"))


def stage_new_key(path: Path, key: MasterKey) -> Path:
    """Write ``key`` beside the key file, where ``load_keyring`` will find it if we crash now."""
    staged = path.with_name(path.name + _PENDING + key.key_id)
    write_key_file(staged, key)
    return staged


def commit_new_key(path: Path, staged: Path, *, in_use: set[str]) -> None:
    """Make the staged key the key file; drop pending keys no record needs any more."""
    os.replace(staged, path)
    for leftover in pending_key_files(path):
        if leftover.name.rsplit(_PENDING, 1)[-1] not in in_use:
            leftover.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
