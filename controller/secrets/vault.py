"""The credentials vault: per-guild (optionally per-project) cloud credentials, encrypted at rest.

Storage: its own SQLite file, ``<data dir>/vault.sqlite3``, mode 0600, not a
table of the runtime store. Secrets and run bookkeeping have different
lifetimes and audiences: the vault file can be backed up, restricted and
wiped on its own, a copy of the runtime store (for debugging, for support)
holds no ciphertext, and the store's migrations stay free of key handling.
Vault writes are rare (a person setting a credential), so one short-lived
connection per operation is enough. Several replicas would put the same rows
in PostgreSQL; the record format does not depend on SQLite.

Each record is AES-256-GCM with a fresh 96-bit nonce; its associated data is
``(guild, project, kind)``, so a ciphertext copied to another guild's row, or
from a guild-wide row to a project's, fails to decrypt instead of handing one
tenant another's credentials. Metadata (kind, scope, identity, fingerprint,
key id, times) is stored in clear so listing never needs the key.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..settings import Settings
from . import credentials as creds_mod
from .credentials import Credentials, Kind
from .errors import DecryptionFailed, MasterKeyError, SecretsError
from .keys import Keyring, MasterKey, load_keyring

VAULT_FILE = "vault.sqlite3"
_NONCE_BYTES = 12
_SCHEMA = """CREATE TABLE IF NOT EXISTS credentials (
    guild_id TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    identity TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    key_id TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, project, kind)
)"""
_COLUMNS = "guild_id, project, kind, identity, fingerprint, key_id, nonce, ciphertext, created_at, updated_at"


@dataclass(frozen=True)
class CredentialInfo:
    """What may be shown about a stored credential: never the secret."""

    guild_id: str
    project: str | None  # None: the guild's default for every project
    kind: Kind
    identity: str  # service-account e-mail, masked access key id, client id
    fingerprint: str
    key_id: str
    created_at: datetime
    updated_at: datetime

    @property
    def scope(self) -> str:
        return f"guild {self.guild_id}" + (f", project {self.project}" if self.project else "")


@dataclass(frozen=True)
class RunCredentials:
    """One credential chosen for a run, and where it came from."""

    info: CredentialInfo
    credentials: Credentials


def _utcnow() -> datetime:
    return datetime.now(UTC)


def associated_data(guild_id: str, project: str | None, kind: Kind) -> bytes:
    """Binds a ciphertext to its row: (guild, project, kind)."""
    return "\x00".join(("cloudops-vault/v1", guild_id, project or "", kind.value)).encode()


class Vault:
    """Encrypted credential records in one SQLite file."""

    def __init__(self, path: Path, keyring: Keyring | None, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = path
        self.keyring = keyring
        self._clock = clock
        self._init_file()

    @classmethod
    def open(cls, settings: Settings, env: Mapping[str, str] | None = None, *, create_key: bool = False,
             require_key: bool = True) -> Vault:
        """The vault of this data dir; ``require_key=False`` allows metadata-only use (listing)."""
        try:
            keyring: Keyring | None = load_keyring(settings, env, create=create_key)
        except MasterKeyError:
            if require_key:
                raise
            keyring = None
        return cls(settings.data_dir / VAULT_FILE, keyring)

    # --- writes -------------------------------------------------------------------

    def put(self, guild_id: str, credentials: Credentials, *, project: str | None = None) -> CredentialInfo:
        """Store (or replace) the guild's (or project's) credentials of that kind."""
        creds_mod.check_scope(guild_id, project)
        key = self._keyring("storing credentials").primary
        now = self._clock().isoformat()
        nonce, ciphertext = _seal(key, guild_id, project, credentials)
        with self._write(f"storing {credentials.kind.value} credentials") as conn:
            conn.execute(
                f"""INSERT INTO credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (guild_id, project, kind) DO UPDATE SET identity = excluded.identity,
                      fingerprint = excluded.fingerprint, key_id = excluded.key_id, nonce = excluded.nonce,
                      ciphertext = excluded.ciphertext, updated_at = excluded.updated_at""",
                (guild_id, project or "", credentials.kind.value, credentials.identity(),
                 creds_mod.fingerprint(credentials), key.key_id, nonce, ciphertext, now, now),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM credentials WHERE guild_id = ? AND project = ? AND kind = ?",
                               (guild_id, project or "", credentials.kind.value)).fetchone()
        return _info(row)

    def delete(self, guild_id: str, kind: Kind | str, *, project: str | None = None) -> bool:
        """Remove one record; False when there was none."""
        creds_mod.check_scope(guild_id, project)
        with self._write("deleting credentials") as conn:
            cursor = conn.execute("DELETE FROM credentials WHERE guild_id = ? AND project = ? AND kind = ?",
                                  (guild_id, project or "", Kind(kind).value))
        return cursor.rowcount > 0

    def rotate(self, new_key: MasterKey) -> int:
        """Re-encrypt every record with ``new_key`` in one transaction; the count of records.

        Any record that does not decrypt aborts the whole rotation, leaving the
        vault as it was. Afterwards ``new_key`` is the keyring's primary.
        """
        keyring = self._keyring("rotating the master key")
        with self._write("rotating the master key") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM credentials").fetchall()
            for row in rows:
                info = _info(row)
                plain = _open(keyring, info, row[6], row[7])
                nonce = os.urandom(_NONCE_BYTES)
                ciphertext = AESGCM(new_key.material).encrypt(nonce, plain, associated_data(
                    info.guild_id, info.project, info.kind))
                conn.execute("UPDATE credentials SET key_id = ?, nonce = ?, ciphertext = ? "
                             "WHERE guild_id = ? AND project = ? AND kind = ?",
                             (new_key.key_id, nonce, ciphertext, row[0], row[1], row[2]))
        self.keyring = keyring.with_primary(new_key)
        return len(rows)

    # --- reads ----------------------------------------------------------------------

    def list_credentials(self, guild_id: str | None = None) -> list[CredentialInfo]:
        """Metadata of every record (of one guild), guild-wide before per-project."""
        query = f"SELECT {_COLUMNS} FROM credentials"
        params: tuple[str, ...] = ()
        if guild_id is not None:
            query, params = query + " WHERE guild_id = ?", (guild_id,)
        with self._read("listing credentials") as conn:
            rows = conn.execute(query + " ORDER BY guild_id, project, kind", params).fetchall()
        return [_info(r) for r in rows]

    def get(self, guild_id: str, kind: Kind | str, *, project: str | None = None) -> Credentials | None:
        """Exactly the record of that scope (no fallback to the guild); None if absent."""
        creds_mod.check_scope(guild_id, project)
        with self._read("reading credentials") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM credentials WHERE guild_id = ? AND project = ? AND kind = ?",
                               (guild_id, project or "", Kind(kind).value)).fetchone()
        return None if row is None else self._decrypt(row)

    def for_run(self, guild_id: str, project: str | None) -> list[RunCredentials]:
        """The credentials a run of ``project`` gets: per kind, the project's own, else the guild's."""
        creds_mod.check_scope(guild_id, project)
        with self._read("reading credentials for a run") as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM credentials WHERE guild_id = ? AND project IN ('', ?) "
                "ORDER BY kind, project DESC", (guild_id, project or "")).fetchall()
        chosen: dict[str, tuple] = {}
        for row in rows:  # project rows sort before the guild-wide '' row of the same kind
            chosen.setdefault(row[2], row)
        return [RunCredentials(_info(row), self._decrypt(row)) for row in chosen.values()]

    def secret_values(self) -> set[str]:
        """Every stored secret string, of every guild: what the redactor must mask everywhere."""
        with self._read("reading credentials for redaction") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM credentials").fetchall()
        return {value for row in rows for value in self._decrypt(row).secret_values()}

    def key_usage(self) -> dict[str, int]:
        """Records per key id: after a rotation, only the new key's id should be left."""
        with self._read("reading key usage") as conn:
            return dict(conn.execute("SELECT key_id, COUNT(*) FROM credentials GROUP BY key_id").fetchall())

    # --- internals --------------------------------------------------------------------

    def _keyring(self, what: str) -> Keyring:
        if self.keyring is None:
            raise MasterKeyError(f"{what}: no master key is configured")
        return self.keyring

    def _decrypt(self, row: tuple) -> Credentials:
        info = _info(row)
        plain = _open(self._keyring(f"reading {info.kind.value} credentials of {info.scope}"), info, row[6], row[7])
        try:
            return creds_mod.from_payload(info.kind, json.loads(plain))
        except (ValueError, KeyError, TypeError, SecretsError) as exc:
            raise DecryptionFailed(f"reading {info.kind.value} credentials of {info.scope}: the decrypted record "
                                   f"is not valid ({exc.__class__.__name__})") from None

    def _init_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._write("creating the vault") as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self, what: str) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise SecretsError(f"{what}: opening the vault at {self.path}: {exc}") from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            raise SecretsError(f"{what}: vault at {self.path}: {exc}") from exc
        finally:
            conn.close()

    @contextmanager
    def _read(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._connect(what) as conn:
            yield conn

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._connect(what) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


def _seal(key: MasterKey, guild_id: str, project: str | None, credentials: Credentials) -> tuple[bytes, bytes]:
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(credentials.payload(), separators=(",", ":")).encode()
    return nonce, AESGCM(key.material).encrypt(nonce, plain, associated_data(guild_id, project, credentials.kind))


def _open(keyring: Keyring, info: CredentialInfo, nonce: bytes, ciphertext: bytes) -> bytes:
    where = f"decrypting {info.kind.value} credentials of {info.scope}"
    key = keyring.find(info.key_id)
    if key is None:
        raise DecryptionFailed(f"{where}: written with master key {info.key_id}, which is not configured "
                               f"(configured: {keyring.primary.key_id})")
    try:
        return AESGCM(key.material).decrypt(nonce, ciphertext, associated_data(info.guild_id, info.project, info.kind))
    except InvalidTag:
        raise DecryptionFailed(f"{where}: the record does not authenticate (moved from another guild, project or "
                               "kind, or altered)", hint="set these credentials again") from None


def _info(row: tuple) -> CredentialInfo:
    return CredentialInfo(
        guild_id=row[0], project=row[1] or None, kind=Kind(row[2]), identity=row[3], fingerprint=row[4],
        key_id=row[5], created_at=datetime.fromisoformat(row[8]), updated_at=datetime.fromisoformat(row[9]),
    )
