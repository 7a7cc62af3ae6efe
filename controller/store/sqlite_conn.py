"""SQLite connections for the store: one per thread, WAL, and the error boundary.

Threading: one ``sqlite3`` connection per thread (``threading.local``), all
opened on the same file. WAL lets readers run beside one writer, so an
``asyncio.to_thread`` pool does not serialise reads behind a Python lock, and
the same code is correct across store objects and processes because SQLite's
file locks, not ours, do the work. Every write runs in ``BEGIN IMMEDIATE``:
the write lock is taken before the first read, so read-check-write sequences
(``try_lock``, status transitions) are atomic and never fail on a lock
upgrade; ``busy_timeout`` makes contenders wait instead of erroring.
Connections of threads that ended stay open until ``close()``.

``sqlite3`` exceptions become ``StoreError`` in ``translate`` and nowhere else.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError


class ConnectionPool:
    """Per-thread connections to one SQLite file, configured alike."""

    def __init__(self, path: Path, *, busy_timeout: float) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._closed = False

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened and configured on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and not self._closed:
            return conn
        with self._guard:
            if self._closed:
                raise StoreError(f"using the runtime store at {self.path}: it is closed")
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._connections.append(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        mode = self._enter_wal(conn)
        if str(mode).lower() != "wal":
            raise StoreError(f"opening the runtime store at {self.path}: WAL mode refused (got {mode})")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL, much faster
        self._local.conn = conn
        return conn

    def _enter_wal(self, conn: sqlite3.Connection) -> str:
        """Switch to WAL, retrying: on a brand-new file the switch needs an exclusive lock and
        SQLite answers "database is locked" at once, without waiting for busy_timeout."""
        deadline = time.monotonic() + self._busy_timeout
        delay = 0.005
        while True:
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    @contextmanager
    def read(self, what: str) -> Iterator[sqlite3.Connection]:
        """Autocommit reads: each statement sees one consistent snapshot."""
        with translate(what):
            yield self.connection()

    @contextmanager
    def statement(self, what: str) -> Iterator[sqlite3.Connection]:
        """One statement that is atomic by itself (an INSERT … ON CONFLICT keyed on the primary key, an
        UPDATE … RETURNING): its own transaction, without the store-wide write lock a read-check-write needs."""
        with translate(what):
            yield self.connection()

    @contextmanager
    def write(self, what: str) -> Iterator[sqlite3.Connection]:
        """A transaction that holds SQLite's write lock from its first statement."""
        with translate(what):
            conn = self.connection()
            conn.execute("BEGIN IMMEDIATE")
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
            conn.close()


@contextmanager
def translate(what: str) -> Iterator[None]:
    """Turn a ``sqlite3`` error into a ``StoreError`` that says what was happening."""
    try:
        yield
    except sqlite3.Error as exc:
        hint = ""
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            hint = "another process kept the store busy too long; retry, or look for a stuck controller"
        elif isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            hint = "the store file is damaged or not SQLite; move it aside and restart"
        raise StoreError(f"{what}: {exc}", hint=hint) from exc
