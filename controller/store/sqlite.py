"""The SQLite runtime store: one file, WAL mode, shared by threads and processes.

How connections are shared and why writes are atomic is told in
``sqlite_conn``; how rows map to records in ``sqlite_rows``. This module is
the queries: each write is one ``BEGIN IMMEDIATE`` transaction, so a
read-check-write (``try_lock``, a status change) cannot interleave with
another writer, whether that writer is a thread, another store object or
another process.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..errors import LockLost, StoreError
from . import migrations
from . import sqlite_rows as rows
from .base import Clock
from .records import (
    ChatSession,
    Delivery,
    DeliveryStatus,
    Lock,
    LockAttempt,
    Push,
    utc_now,
)
from .. import data_dir
from .guilds import GuildRegistry
from .sqlite_conn import ConnectionPool, translate
from .sqlite_runs import RunQueries

class SqliteStore(RunQueries):
    """``RuntimeStore`` on a SQLite file."""

    def __init__(self, path: Path, *, clock: Clock = utc_now, busy_timeout: float = 15.0) -> None:
        self.path = Path(path)
        self._clock = clock
        self._db = ConnectionPool(self.path, busy_timeout=busy_timeout)
        with translate(f"opening the runtime store at {self.path}"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data_dir.make_private(self.path)  # run errors and summaries are nobody else's to read
            migrations.migrate(self._db.connection(), now=self._now(), where=str(self.path))
        self.guilds = GuildRegistry(self._db)  # the chat's tables, on the same file and connections

    # --- locks ------------------------------------------------------------
    def try_lock(
        self,
        repo: str,
        project: str,
        *,
        pr_number: int,
        user: str | None = None,
        run_id: str | None = None,
    ) -> LockAttempt:
        with self._db.write(f"locking {repo}/{project} for PR #{pr_number}") as conn:
            inserted = conn.execute(
                f"INSERT INTO locks ({rows.LOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (repo, project) DO NOTHING",
                (repo, project, pr_number, user, run_id, rows.ts(self._now())),
            ).rowcount
            current = self._lock_in(conn, repo, project)
            assert current is not None  # inserted or already there, inside our write lock
            if inserted or current.pr_number != pr_number:
                held = current.pr_number == pr_number
                return LockAttempt(acquired=held, lock=current, held_by_other=None if held else current)
            # The same PR locking again (a new push, a re-plan): keep acquired_at, adopt the new run.
            current = replace(current, user=user or current.user, run_id=run_id or current.run_id)
            conn.execute(
                "UPDATE locks SET holder_user = ?, run_id = ? WHERE repo = ? AND project = ?",
                (current.user, current.run_id, repo, project),
            )
            return LockAttempt(acquired=True, lock=current)

    def unlock(self, repo: str, project: str, pr_number: int | None = None) -> Lock | None:
        with self._db.write(f"unlocking {repo}/{project}") as conn:
            lock = self._lock_in(conn, repo, project)
            if lock is None or (pr_number is not None and lock.pr_number != pr_number):
                return None
            conn.execute("DELETE FROM locks WHERE repo = ? AND project = ?", (repo, project))
            return lock

    def get_lock(self, repo: str, project: str) -> Lock | None:
        with self._db.read(f"reading the lock of {repo}/{project}") as conn:
            return self._lock_in(conn, repo, project)

    def require_lock(self, repo: str, project: str, *, pr_number: int) -> Lock:
        lock = self.get_lock(repo, project)
        if lock is not None and lock.pr_number == pr_number:
            return lock
        holder = f"PR #{lock.pr_number} holds it now" if lock else "nobody holds it now"
        raise LockLost(f"checking the lock of {repo}/{project} for PR #{pr_number}: {holder}")

    def take_fence(self, repo: str, project: str, *, holder: str) -> int:
        with self._db.statement(f"taking the fencing token of {repo}/{project}") as conn:
            row = conn.execute(
                "INSERT INTO lane_fences (repo, project, fence, holder, taken_at) VALUES (?, ?, 1, ?, ?) "
                "ON CONFLICT (repo, project) DO UPDATE SET fence = lane_fences.fence + 1, holder = excluded.holder, "
                "taken_at = excluded.taken_at RETURNING fence",
                (repo, project, holder, rows.ts(self._now())),
            ).fetchall()  # read through: SQLite ends the write only then
            return int(row[0][0])

    def require_fence(self, repo: str, project: str, fence: int, *, holder: str) -> None:
        with self._db.read(f"checking the fencing token of {repo}/{project}") as conn:
            row = conn.execute("SELECT fence, holder FROM lane_fences WHERE repo = ? AND project = ?",
                               (repo, project)).fetchone()
        if row is None or int(row[0]) != fence:
            taker = f"run {row[1]} took token {row[0]}" if row else "no run holds it"
            raise LockLost(f"saving the work of run {holder} on {repo}/{project}: its fencing token {fence} is "
                           f"stale ({taker}); another run took the project over after this one was presumed dead",
                           hint="the run directory is kept for the recovery pass; re-plan the pull request")

    def list_locks(self, *, repo: str | None = None) -> list[Lock]:
        where, params = ("WHERE repo = ?", (repo,)) if repo is not None else ("", ())
        with self._db.read("listing locks") as conn:
            found = conn.execute(
                f"SELECT {rows.LOCK_COLUMNS} FROM locks {where} ORDER BY acquired_at, repo, project", params
            )
            return [rows.lock(r) for r in found]

    def unlock_all_for_pr(self, repo: str, pr_number: int) -> list[Lock]:
        with self._db.write(f"unlocking every project of {repo} PR #{pr_number}") as conn:
            found = conn.execute(
                f"SELECT {rows.LOCK_COLUMNS} FROM locks WHERE repo = ? AND pr_number = ? ORDER BY project",
                (repo, pr_number),
            ).fetchall()
            conn.execute("DELETE FROM locks WHERE repo = ? AND pr_number = ?", (repo, pr_number))
            return [rows.lock(r) for r in found]

    @staticmethod
    def _lock_in(conn: sqlite3.Connection, repo: str, project: str) -> Lock | None:
        row = conn.execute(
            f"SELECT {rows.LOCK_COLUMNS} FROM locks WHERE repo = ? AND project = ?", (repo, project)
        ).fetchone()
        return rows.lock(row) if row else None

    # --- chat sessions ----------------------------------------------------
    def put_session(
        self,
        session_id: str,
        *,
        guild_id: str,
        user_id: str,
        project: str | None,
        state: dict[str, Any],
        idle_timeout: timedelta,
    ) -> ChatSession:
        if idle_timeout <= timedelta(0):
            raise StoreError(f"saving chat session {session_id}: idle timeout must be positive")
        with self._db.write(f"saving chat session {session_id}") as conn:
            now = self._now()
            row = conn.execute("SELECT created_at FROM chat_sessions WHERE id = ?", (session_id,)).fetchone()
            session = ChatSession(
                id=session_id, guild_id=guild_id, user_id=user_id, project=project, state=dict(state),
                idle_timeout=idle_timeout, created_at=datetime.fromisoformat(row[0]) if row else now,
                updated_at=now, expires_at=now + idle_timeout,
            )
            conn.execute(
                f"INSERT INTO chat_sessions ({rows.SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET guild_id = excluded.guild_id, "
                "user_id = excluded.user_id, project = excluded.project, state = excluded.state, "
                "idle_seconds = excluded.idle_seconds, updated_at = excluded.updated_at, "
                "expires_at = excluded.expires_at",
                rows.session_params(session),
            )
        return session

    def get_session(self, session_id: str) -> ChatSession | None:
        with self._db.read(f"reading chat session {session_id}") as conn:
            return self._live_session_in(conn, session_id, self._now())

    def touch_session(self, session_id: str) -> ChatSession | None:
        with self._db.write(f"extending chat session {session_id}") as conn:
            now = self._now()
            session = self._live_session_in(conn, session_id, now)
            if session is None:
                return None
            session = replace(session, updated_at=now, expires_at=now + session.idle_timeout)
            conn.execute(
                "UPDATE chat_sessions SET updated_at = ?, expires_at = ? WHERE id = ?",
                (rows.ts(now), rows.ts(session.expires_at), session_id),
            )
            return session

    def delete_session(self, session_id: str) -> bool:
        with self._db.write(f"deleting chat session {session_id}") as conn:
            return conn.execute("DELETE FROM chat_sessions WHERE id = ?", (session_id,)).rowcount > 0

    def list_expired_sessions(self) -> list[ChatSession]:
        with self._db.read("listing expired chat sessions") as conn:
            found = conn.execute(
                f"SELECT {rows.SESSION_COLUMNS} FROM chat_sessions WHERE expires_at <= ? ORDER BY expires_at, id",
                (rows.ts(self._now()),),
            )
            return [rows.session(r) for r in found]

    def delete_expired_sessions(self, older_than: timedelta = timedelta(0)) -> int:
        with self._db.write("deleting expired chat sessions") as conn:
            return conn.execute(
                "DELETE FROM chat_sessions WHERE expires_at <= ?", (rows.ts(self._now() - older_than),)
            ).rowcount

    @staticmethod
    def _live_session_in(conn: sqlite3.Connection, session_id: str, now: datetime) -> ChatSession | None:
        row = conn.execute(
            f"SELECT {rows.SESSION_COLUMNS} FROM chat_sessions WHERE id = ? AND expires_at > ?",
            (session_id, rows.ts(now)),
        ).fetchone()
        return rows.session(row) if row else None

    # --- webhook deliveries ----------------------------------------------
    def record_delivery(self, delivery_id: str, *, event: str, action: str | None = None) -> bool:
        with self._db.statement(f"recording webhook delivery {delivery_id}") as conn:
            return conn.execute(
                f"INSERT INTO webhook_deliveries ({rows.DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (delivery_id, event, action, rows.ts(self._now()), DeliveryStatus.RECEIVED.value),
            ).rowcount == 1

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        with self._db.read(f"reading webhook delivery {delivery_id}") as conn:
            row = conn.execute(
                f"SELECT {rows.DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?", (delivery_id,)
            ).fetchone()
            return rows.delivery(row) if row else None

    def set_delivery_status(self, delivery_id: str, status: DeliveryStatus) -> Delivery:
        status = DeliveryStatus(status)
        with self._db.statement(f"updating webhook delivery {delivery_id}") as conn:
            row = conn.execute(
                f"UPDATE webhook_deliveries SET status = ? WHERE id = ? RETURNING {rows.DELIVERY_COLUMNS}",
                (status.value, delivery_id),
            ).fetchall()  # all of it: SQLite ends the statement (and its write) only once it is read through
            if not row:
                raise StoreError(f"updating webhook delivery {delivery_id}: no such delivery")
            return rows.delivery(row[0])

    def prune_deliveries(self, *, older_than: timedelta) -> int:
        cutoff = self._now() - older_than
        with self._db.statement("pruning old webhook deliveries") as conn:
            return conn.execute(
                "DELETE FROM webhook_deliveries WHERE received_at < ?", (rows.ts(cutoff),)
            ).rowcount

    # --- plan bundles (several workers) -----------------------------------
    def put_plan_bundle(self, run_id: str, sealed: bytes) -> None:
        with self._db.statement(f"saving the plan of run {run_id} for other workers") as conn:
            conn.execute(
                "INSERT INTO plan_bundles (run_id, sealed, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id) DO UPDATE SET sealed = excluded.sealed",
                (run_id, base64.b64encode(sealed).decode("ascii"), rows.ts(self._now())),
            )

    def get_plan_bundle(self, run_id: str) -> bytes | None:
        with self._db.read(f"reading the plan of run {run_id}") as conn:
            row = conn.execute("SELECT sealed FROM plan_bundles WHERE run_id = ?", (run_id,)).fetchone()
            return base64.b64decode(row[0]) if row else None

    def delete_plan_bundle(self, run_id: str) -> bool:
        with self._db.statement(f"forgetting the plan of run {run_id}") as conn:
            return conn.execute("DELETE FROM plan_bundles WHERE run_id = ?", (run_id,)).rowcount > 0

    # --- pull request pushes (plan trust) ---------------------------------
    def record_push(self, repo: str, pr_number: int, *, before: str | None, after: str, pusher: str) -> Push:
        push = Push(repo, pr_number, before, after, pusher, self._now())
        with self._db.write(f"recording a push to {repo} PR #{pr_number}") as conn:
            # seq orders pushes of one PR (timestamps tie); the same SQL in SQLite and PostgreSQL.
            conn.execute(
                "INSERT INTO pr_pushes (id, repo, pr_number, before_sha, after_sha, pusher, recorded_at, seq) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM pr_pushes WHERE repo = ? AND pr_number = ?",
                (uuid.uuid4().hex, repo, pr_number, before, after, pusher, rows.ts(push.recorded_at), repo, pr_number),
            )
        return push

    def list_pushes(self, repo: str, pr_number: int, *, limit: int = 500) -> list[Push]:
        with self._db.read(f"listing pushes to {repo} PR #{pr_number}") as conn:
            found = conn.execute(
                "SELECT repo, pr_number, before_sha, after_sha, pusher, recorded_at FROM pr_pushes "
                "WHERE repo = ? AND pr_number = ? ORDER BY seq DESC LIMIT ?",
                (repo, pr_number, limit),
            ).fetchall()
        return [rows.push(r) for r in found]

    # --- life cycle -------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise StoreError("reading the store clock: it returned a naive datetime; use UTC-aware times")
        return now.astimezone(UTC)
