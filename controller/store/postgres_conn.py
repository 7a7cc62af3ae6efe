"""PostgreSQL connections for the store, shaped like the SQLite ones.

The queries in ``sqlite`` are written once, in the SQL both databases speak
(``?`` placeholders, ``ON CONFLICT``, ISO-8601 text timestamps). This module
gives them a PostgreSQL connection that looks like a ``sqlite3`` one to
them: ``execute(sql, params)`` returning a cursor, ``in_transaction``.

Atomicity: SQLite's ``BEGIN IMMEDIATE`` makes every write transaction hold
the one database write lock from its first statement, which is what makes
read-check-write sequences (``try_lock``, status transitions, consuming a
plan) atomic. Here each write transaction takes the same kind of lock, a
transaction-scoped advisory lock (``pg_advisory_xact_lock``) keyed on the
schema, so the guarantee is the same across replicas; PostgreSQL releases it
at commit or rollback, including when a replica dies mid-transaction.

Durability: ``synchronous_commit`` is off for the store's sessions, the
same trade SQLite's default makes (a server crash may lose the last few
milliseconds of commits; isolation and consistency are untouched), so a
webhook ack does not wait for a disk flush.

Threading: one connection per thread, as with SQLite, so the store's
``asyncio.to_thread`` callers never share a connection.

``psycopg`` exceptions become ``StoreError`` in ``translate`` and nowhere
else; messages never carry the URL (it may hold a password).
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError

try:  # psycopg is a dependency, but keep the import error readable
    import psycopg
    from psycopg import pq
except ImportError:  # pragma: no cover - only on a broken install
    psycopg = None  # type: ignore[assignment]

_PLACEHOLDER = re.compile(r"\?")


def to_pg_sql(sql: str) -> str:
    """SQLite-style ``?`` placeholders → psycopg's ``%s`` (pure).

    The store's SQL has no ``?`` inside string literals; a literal ``%`` is
    doubled so psycopg does not read it as a placeholder.
    """
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


def write_lock_key(schema: str) -> int:
    """A stable signed 64-bit advisory-lock key for one schema's store (pure)."""
    return zlib.crc32(f"cloudops-store:{schema}".encode()) | (0x0C10 << 32)


class PgConnection:
    """A psycopg connection that answers the calls the store's queries make."""

    def __init__(self, raw: Any, *, lock_key: int) -> None:
        self.raw = raw
        self.lock_key = lock_key

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(to_pg_sql(sql), tuple(params))

    def begin_exclusive(self) -> None:
        """What ``BEGIN IMMEDIATE`` is to SQLite: a transaction that holds the store's write lock."""
        self.execute("BEGIN")
        self.execute("SELECT pg_advisory_xact_lock(?)", (self.lock_key,))

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


class PgConnectionPool:
    """Per-thread autocommit connections to one PostgreSQL database and schema."""

    def __init__(self, conninfo: str, *, schema: str, where: str, connect_timeout: float = 10.0) -> None:
        if psycopg is None:
            raise StoreError(
                f"opening the runtime store at {where}: the psycopg package is not installed",
                hint="reinstall cloudops (scripts/install.sh) — psycopg[binary] is one of its dependencies",
            )
        self._conninfo = conninfo
        self.schema = schema
        self.where = where
        self._timeout = connect_timeout
        self._lock_key = write_lock_key(schema)
        self._local = threading.local()
        self._connections: list[PgConnection] = []
        self._guard = threading.Lock()
        self._closed = False

    def connection(self) -> PgConnection:
        conn: PgConnection | None = getattr(self._local, "conn", None)
        if conn is not None and not conn.raw.closed and not self._closed:
            return conn
        with self._guard:
            if self._closed:
                raise StoreError(f"using the runtime store at {self.where}: it is closed")
        with translate(f"connecting to the runtime store at {self.where}"):
            raw = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=max(1, int(self._timeout)))
            try:
                raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema):
                pass  # another replica created it at the same moment
            raw.execute(f'SET search_path TO "{self.schema}"')
            # The durability SQLite's WAL + synchronous=NORMAL gives: a server crash may lose the last
            # few milliseconds of commits, never consistency. Without it every ack waits for an fsync.
            raw.execute("SET synchronous_commit TO off")
        conn = PgConnection(raw, lock_key=self._lock_key)
        with self._guard:
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    @contextmanager
    def read(self, what: str) -> Iterator[PgConnection]:
        with translate(what):
            yield self.connection()

    @contextmanager
    def statement(self, what: str) -> Iterator[PgConnection]:
        """One statement that is atomic by itself (an INSERT … ON CONFLICT keyed on the primary key, an
        UPDATE … RETURNING): its own transaction, without the store-wide write lock a read-check-write needs."""
        with translate(what):
            yield self.connection()

    @contextmanager
    def write(self, what: str) -> Iterator[PgConnection]:
        """A transaction holding the store's write lock from its first statement."""
        with translate(what):
            conn = self.connection()
            conn.begin_exclusive()
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._guard:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection is not a fault
                pass


@contextmanager
def translate(what: str) -> Iterator[None]:
    """Turn a ``psycopg`` error into a ``StoreError`` that says what was happening."""
    if psycopg is None:  # pragma: no cover
        yield
        return
    try:
        yield
    except psycopg.OperationalError as exc:
        raise StoreError(
            f"{what}: the database is unreachable or refused the connection ({_first_line(exc)})",
            hint="check CLOUDOPS_DATABASE_URL (host, port, database, user) and that PostgreSQL is running",
        ) from exc
    except psycopg.Error as exc:
        raise StoreError(f"{what}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
