"""The SQLite runtime store: one file, WAL mode, shared by threads and processes.

Threading: one ``sqlite3`` connection per thread (``threading.local``), all
opened on the same file. WAL lets readers run beside one writer, so an
``asyncio.to_thread`` pool does not serialise reads behind a Python lock, and
the same code is correct across store objects and processes because SQLite's
file locks, not ours, do the work. Every write runs in ``BEGIN IMMEDIATE``:
the write lock is taken before the first read, so read-check-write sequences
(``try_lock``, status transitions) are atomic and never fail on a lock
upgrade; ``busy_timeout`` makes contenders wait instead of erroring.

``sqlite3`` exceptions are translated into ``StoreError`` here and nowhere
else. Timestamps are stored as fixed-width ISO-8601 UTC text, which sorts and
compares as time does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..errors import LockLost, StoreError
from . import migrations, transitions
from .base import Clock
from .records import (
    ChatSession,
    Delivery,
    DeliveryStatus,
    Lock,
    LockAttempt,
    Run,
    RunKind,
    RunStatus,
    utc_now,
)

_RUN_COLUMNS = (
    "id, repo, project, pr_number, head_sha, kind, status, created_at, started_at, "
    "finished_at, summary, error, plan_file, triggered_by, actor"
)
_LOCK_COLUMNS = "repo, project, pr_number, holder_user, run_id, acquired_at"
_SESSION_COLUMNS = (
    "id, guild_id, user_id, project, state, idle_seconds, created_at, updated_at, expires_at"
)


class SqliteStore:
    """``RuntimeStore`` on a SQLite file (see the module docstring for concurrency)."""

    def __init__(self, path: Path, *, clock: Clock = utc_now, busy_timeout: float = 15.0) -> None:
        self.path = Path(path)
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._closed = False
        with _translate(f"opening the runtime store at {self.path}"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            migrations.migrate(self._conn(), now=self._now(), where=str(self.path))

    # --- runs -------------------------------------------------------------
    def create_run(
        self,
        *,
        repo: str,
        project: str,
        head_sha: str,
        kind: RunKind,
        pr_number: int | None = None,
        trigger: str = "",
        actor: str | None = None,
    ) -> Run:
        run = Run(
            id=str(uuid.uuid4()),
            repo=repo,
            project=project,
            pr_number=pr_number,
            head_sha=head_sha,
            kind=RunKind(kind),
            status=RunStatus.QUEUED,
            created_at=self._now(),
            trigger=trigger,
            actor=actor,
        )
        with self._write(f"recording a {run.kind.value} run of {repo}/{project}") as conn:
            conn.execute(
                f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                (
                    run.id, run.repo, run.project, run.pr_number, run.head_sha, run.kind.value,
                    run.status.value, _ts(run.created_at), None, None, "{}", None, None,
                    run.trigger, run.actor,
                ),
            )
        return run

    def update_run_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
        plan_file: str | None = None,
    ) -> Run:
        status = RunStatus(status)
        with self._write(f"updating run {run_id}") as conn:
            run = self._run_in(conn, run_id)
            if run is None:
                raise StoreError(f"updating run {run_id}: no such run")
            transitions.check_transition(run.status, status, run_id=run_id)
            now = self._now()
            updated = replace(
                run,
                status=status,
                started_at=run.started_at or (now if status is RunStatus.RUNNING else None),
                finished_at=now if transitions.is_terminal(status) else run.finished_at,
                summary=run.summary if summary is None else dict(summary),
                error=run.error if error is None else error,
                plan_file=run.plan_file if plan_file is None else plan_file,
            )
            self._save_run_progress(conn, updated)
        return updated

    def get_run(self, run_id: str) -> Run | None:
        with _translate(f"reading run {run_id}"):
            return self._run_in(self._conn(), run_id)

    def list_runs(
        self,
        *,
        repo: str | None = None,
        project: str | None = None,
        pr_number: int | None = None,
        limit: int = 100,
    ) -> list[Run]:
        filters = {"repo": repo, "project": project, "pr_number": pr_number}
        used = {k: v for k, v in filters.items() if v is not None}
        where = " AND ".join(f"{k} = ?" for k in used) or "1 = 1"
        with _translate("listing runs"):
            rows = self._conn().execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE {where} "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (*used.values(), limit),
            )
            return [_run(r) for r in rows]

    def list_in_flight_runs(self) -> list[Run]:
        with _translate("listing in-flight runs"):
            rows = self._conn().execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE status IN (?, ?) ORDER BY created_at, id",
                (RunStatus.QUEUED.value, RunStatus.RUNNING.value),
            )
            return [_run(r) for r in rows]

    def interrupt_in_flight_runs(self, *, reason: str) -> list[Run]:
        interrupted: list[Run] = []
        with self._write("marking in-flight runs interrupted") as conn:
            rows = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE status IN (?, ?) ORDER BY created_at, id",
                (RunStatus.QUEUED.value, RunStatus.RUNNING.value),
            ).fetchall()
            now = self._now()
            for run in map(_run, rows):
                transitions.check_transition(run.status, RunStatus.INTERRUPTED, run_id=run.id)
                done = replace(run, status=RunStatus.INTERRUPTED, finished_at=now, error=reason)
                self._save_run_progress(conn, done)
                interrupted.append(done)
        return interrupted

    def _run_in(self, conn: sqlite3.Connection, run_id: str) -> Run | None:
        row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    @staticmethod
    def _save_run_progress(conn: sqlite3.Connection, run: Run) -> None:
        conn.execute(
            "UPDATE runs SET status = ?, started_at = ?, finished_at = ?, summary = ?, "
            "error = ?, plan_file = ? WHERE id = ?",
            (
                run.status.value, _ts_or_none(run.started_at), _ts_or_none(run.finished_at),
                json.dumps(run.summary, sort_keys=True), run.error, run.plan_file, run.id,
            ),
        )

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
        with self._write(f"locking {repo}/{project} for PR #{pr_number}") as conn:
            inserted = conn.execute(
                f"INSERT INTO locks ({_LOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (repo, project) DO NOTHING",
                (repo, project, pr_number, user, run_id, _ts(self._now())),
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
        with self._write(f"unlocking {repo}/{project}") as conn:
            lock = self._lock_in(conn, repo, project)
            if lock is None or (pr_number is not None and lock.pr_number != pr_number):
                return None
            conn.execute("DELETE FROM locks WHERE repo = ? AND project = ?", (repo, project))
            return lock

    def get_lock(self, repo: str, project: str) -> Lock | None:
        with _translate(f"reading the lock of {repo}/{project}"):
            return self._lock_in(self._conn(), repo, project)

    def require_lock(self, repo: str, project: str, *, pr_number: int) -> Lock:
        lock = self.get_lock(repo, project)
        if lock is not None and lock.pr_number == pr_number:
            return lock
        holder = f"PR #{lock.pr_number} holds it now" if lock else "nobody holds it now"
        raise LockLost(f"checking the lock of {repo}/{project} for PR #{pr_number}: {holder}")

    def list_locks(self, *, repo: str | None = None) -> list[Lock]:
        where, params = ("WHERE repo = ?", (repo,)) if repo is not None else ("", ())
        with _translate("listing locks"):
            rows = self._conn().execute(
                f"SELECT {_LOCK_COLUMNS} FROM locks {where} ORDER BY acquired_at, repo, project",
                params,
            )
            return [_lock(r) for r in rows]

    def unlock_all_for_pr(self, repo: str, pr_number: int) -> list[Lock]:
        with self._write(f"unlocking every project of {repo} PR #{pr_number}") as conn:
            rows = conn.execute(
                f"SELECT {_LOCK_COLUMNS} FROM locks WHERE repo = ? AND pr_number = ? ORDER BY project",
                (repo, pr_number),
            ).fetchall()
            conn.execute("DELETE FROM locks WHERE repo = ? AND pr_number = ?", (repo, pr_number))
            return [_lock(r) for r in rows]

    @staticmethod
    def _lock_in(conn: sqlite3.Connection, repo: str, project: str) -> Lock | None:
        row = conn.execute(
            f"SELECT {_LOCK_COLUMNS} FROM locks WHERE repo = ? AND project = ?", (repo, project)
        ).fetchone()
        return _lock(row) if row else None

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
        with self._write(f"saving chat session {session_id}") as conn:
            now = self._now()
            row = conn.execute("SELECT created_at FROM chat_sessions WHERE id = ?", (session_id,)).fetchone()
            session = ChatSession(
                id=session_id, guild_id=guild_id, user_id=user_id, project=project,
                state=dict(state), idle_timeout=idle_timeout,
                created_at=_parse_ts(row[0]) if row else now, updated_at=now,
                expires_at=now + idle_timeout,
            )
            conn.execute(
                f"INSERT INTO chat_sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET guild_id = excluded.guild_id, "
                "user_id = excluded.user_id, project = excluded.project, state = excluded.state, "
                "idle_seconds = excluded.idle_seconds, updated_at = excluded.updated_at, "
                "expires_at = excluded.expires_at",
                (
                    session.id, session.guild_id, session.user_id, session.project,
                    json.dumps(session.state, sort_keys=True), idle_timeout.total_seconds(),
                    _ts(session.created_at), _ts(now), _ts(session.expires_at),
                ),
            )
        return session

    def get_session(self, session_id: str) -> ChatSession | None:
        with _translate(f"reading chat session {session_id}"):
            row = self._conn().execute(
                f"SELECT {_SESSION_COLUMNS} FROM chat_sessions WHERE id = ? AND expires_at > ?",
                (session_id, _ts(self._now())),
            ).fetchone()
            return _session(row) if row else None

    def touch_session(self, session_id: str) -> ChatSession | None:
        with self._write(f"extending chat session {session_id}") as conn:
            now = self._now()
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM chat_sessions WHERE id = ? AND expires_at > ?",
                (session_id, _ts(now)),
            ).fetchone()
            if row is None:
                return None
            session = _session(row)
            session = replace(session, updated_at=now, expires_at=now + session.idle_timeout)
            conn.execute(
                "UPDATE chat_sessions SET updated_at = ?, expires_at = ? WHERE id = ?",
                (_ts(now), _ts(session.expires_at), session_id),
            )
            return session

    def delete_session(self, session_id: str) -> bool:
        with self._write(f"deleting chat session {session_id}") as conn:
            return conn.execute("DELETE FROM chat_sessions WHERE id = ?", (session_id,)).rowcount > 0

    def list_expired_sessions(self) -> list[ChatSession]:
        with _translate("listing expired chat sessions"):
            rows = self._conn().execute(
                f"SELECT {_SESSION_COLUMNS} FROM chat_sessions WHERE expires_at <= ? ORDER BY expires_at, id",
                (_ts(self._now()),),
            )
            return [_session(r) for r in rows]

    def delete_expired_sessions(self) -> int:
        with self._write("deleting expired chat sessions") as conn:
            cursor = conn.execute("DELETE FROM chat_sessions WHERE expires_at <= ?", (_ts(self._now()),))
            return cursor.rowcount

    # --- webhook deliveries ----------------------------------------------
    def record_delivery(self, delivery_id: str, *, event: str, action: str | None = None) -> bool:
        with self._write(f"recording webhook delivery {delivery_id}") as conn:
            cursor = conn.execute(
                "INSERT INTO webhook_deliveries (id, event, action, received_at, status) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (delivery_id, event, action, _ts(self._now()), DeliveryStatus.RECEIVED.value),
            )
            return cursor.rowcount == 1

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        with _translate(f"reading webhook delivery {delivery_id}"):
            row = self._conn().execute(
                "SELECT id, event, action, received_at, status FROM webhook_deliveries WHERE id = ?",
                (delivery_id,),
            ).fetchone()
            return _delivery(row) if row else None

    def set_delivery_status(self, delivery_id: str, status: DeliveryStatus) -> Delivery:
        status = DeliveryStatus(status)
        with self._write(f"updating webhook delivery {delivery_id}") as conn:
            changed = conn.execute(
                "UPDATE webhook_deliveries SET status = ? WHERE id = ?", (status.value, delivery_id)
            ).rowcount
        if not changed:
            raise StoreError(f"updating webhook delivery {delivery_id}: no such delivery")
        delivery = self.get_delivery(delivery_id)
        assert delivery is not None
        return delivery

    def prune_deliveries(self, *, older_than: timedelta) -> int:
        cutoff = self._now() - older_than
        with self._write("pruning old webhook deliveries") as conn:
            return conn.execute(
                "DELETE FROM webhook_deliveries WHERE received_at < ?", (_ts(cutoff),)
            ).rowcount

    # --- life cycle and plumbing ---------------------------------------------
    def close(self) -> None:
        with self._guard:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

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

    def _conn(self) -> sqlite3.Connection:
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
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"opening the runtime store at {self.path}: WAL mode refused (got {mode})")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL, much faster
        self._local.conn = conn
        return conn

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds SQLite's write lock from its first statement."""
        with _translate(what):
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


@contextmanager
def _translate(what: str) -> Iterator[None]:
    """The one place ``sqlite3`` errors become ``StoreError``."""
    try:
        yield
    except sqlite3.Error as exc:
        hint = ""
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            hint = "another process kept the store busy too long; retry, or look for a stuck controller"
        elif isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            hint = "the store file is damaged or not SQLite; move it aside and restart"
        raise StoreError(f"{what}: {exc}", hint=hint) from exc


def _ts(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC, so text order is time order."""
    if moment.tzinfo is None:
        raise StoreError("storing a timestamp: naive datetimes are ambiguous; use UTC-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _ts_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else _ts(moment)


def _parse_ts(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


def _opt_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _run(row: tuple[Any, ...]) -> Run:
    (id_, repo, project, pr, sha, kind, status, created, started, finished,
     summary, error, plan_file, trigger, actor) = row
    return Run(
        id=id_, repo=repo, project=project, pr_number=pr, head_sha=sha, kind=RunKind(kind),
        status=RunStatus(status), created_at=_parse_ts(created), started_at=_opt_ts(started),
        finished_at=_opt_ts(finished), summary=json.loads(summary), error=error,
        plan_file=plan_file, trigger=trigger, actor=actor,
    )


def _lock(row: tuple[Any, ...]) -> Lock:
    repo, project, pr, user, run_id, acquired = row
    return Lock(repo=repo, project=project, pr_number=pr, user=user, run_id=run_id,
                acquired_at=_parse_ts(acquired))


def _session(row: tuple[Any, ...]) -> ChatSession:
    id_, guild, user, project, state, idle, created, updated, expires = row
    return ChatSession(
        id=id_, guild_id=guild, user_id=user, project=project, state=json.loads(state),
        idle_timeout=timedelta(seconds=idle), created_at=_parse_ts(created),
        updated_at=_parse_ts(updated), expires_at=_parse_ts(expires),
    )


def _delivery(row: tuple[Any, ...]) -> Delivery:
    id_, event, action, received, status = row
    return Delivery(id=id_, event=event, action=action, received_at=_parse_ts(received),
                    status=DeliveryStatus(status))
