"""Versioned schema of the runtime store, and how a database file catches up.

``MIGRATIONS`` is the ordered history of the schema: each step has a version
and dialect-neutral SQL (TEXT/INTEGER/DOUBLE PRECISION columns, ISO-8601 UTC
timestamps as text, JSON as text, ``ON CONFLICT`` upserts), so a PostgreSQL
backend can replay the same steps. Never edit a released step; append one.

Applied versions are rows of ``schema_migrations`` (a table rather than
SQLite's ``PRAGMA user_version``, for the same reason). Opening an older file
applies the missing steps, each in its own transaction together with its
version row; a file written by a newer cloudops is refused with a
``StoreError`` rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_RUN_KINDS = "'plan', 'apply', 'destroy_plan'"
_RUN_STATUSES = "'queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'timed_out'"
_DELIVERY_STATUSES = "'received', 'processed', 'ignored', 'failed'"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "runs and project locks",
        (
            f"""CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                repo TEXT NOT NULL,
                project TEXT NOT NULL,
                pr_number INTEGER,
                head_sha TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ({_RUN_KINDS})),
                status TEXT NOT NULL CHECK (status IN ({_RUN_STATUSES})),
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                summary TEXT NOT NULL DEFAULT '{{}}',
                error TEXT,
                plan_file TEXT,
                triggered_by TEXT NOT NULL DEFAULT '',
                actor TEXT
            )""",
            "CREATE INDEX runs_by_project ON runs (repo, project, created_at)",
            "CREATE INDEX runs_by_pr ON runs (repo, pr_number, created_at)",
            "CREATE INDEX runs_by_status ON runs (status)",
            """CREATE TABLE locks (
                repo TEXT NOT NULL,
                project TEXT NOT NULL,
                pr_number INTEGER NOT NULL,
                holder_user TEXT,
                run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
                acquired_at TEXT NOT NULL,
                PRIMARY KEY (repo, project)
            )""",
            "CREATE INDEX locks_by_pr ON locks (repo, pr_number)",
        ),
    ),
    Migration(
        2,
        "chat sessions and webhook deliveries",
        (
            """CREATE TABLE chat_sessions (
                id TEXT PRIMARY KEY,
                guild_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                project TEXT,
                state TEXT NOT NULL,
                idle_seconds DOUBLE PRECISION NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""",
            "CREATE INDEX chat_sessions_by_expiry ON chat_sessions (expires_at)",
            f"""CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                event TEXT NOT NULL,
                action TEXT,
                received_at TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ({_DELIVERY_STATUSES}))
            )""",
            "CREATE INDEX webhook_deliveries_by_received ON webhook_deliveries (received_at)",
        ),
    ),
    Migration(
        3,
        "plan bundles: planned workspaces any worker can apply",
        (
            """CREATE TABLE plan_bundles (
                run_id TEXT PRIMARY KEY,
                sealed TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        4,
        "run processes and consumed plans",
        (
            # Recorded before terraform starts, so a restart can adopt what a crash left running.
            "ALTER TABLE runs ADD COLUMN pid INTEGER",
            "ALTER TABLE runs ADD COLUMN run_dir TEXT",
            "ALTER TABLE runs ADD COLUMN plan_run_id TEXT",
            # One row per applied plan: the primary key makes a second apply of a plan impossible.
            """CREATE TABLE plan_consumptions (
                plan_run_id TEXT PRIMARY KEY,
                apply_run_id TEXT NOT NULL,
                consumed_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "who pushed each pull request head (plan trust)",
        (
            """CREATE TABLE pr_pushes (
                id TEXT PRIMARY KEY,
                repo TEXT NOT NULL,
                pr_number INTEGER NOT NULL,
                before_sha TEXT,
                after_sha TEXT NOT NULL,
                pusher TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                seq INTEGER NOT NULL
            )""",
            "CREATE INDEX pr_pushes_by_pr ON pr_pushes (repo, pr_number, seq)",
        ),
    ),
    Migration(
        6,
        "chat servers, their lobbies, drafts, repo claims and recovery blobs (was a separate chatops.sqlite3)",
        (
            """CREATE TABLE chat_guilds (
                guild_id TEXT PRIMARY KEY,
                repo TEXT NOT NULL UNIQUE,
                target TEXT,
                region TEXT,
                admin_channel TEXT,
                connected_by TEXT NOT NULL,
                connected_at TEXT NOT NULL
            )""",
            """CREATE TABLE chat_pr_links (
                repo TEXT NOT NULL,
                pr_number INTEGER NOT NULL,
                guild_id TEXT NOT NULL,
                session_id TEXT NOT NULL UNIQUE,
                lobby TEXT NOT NULL,
                PRIMARY KEY (repo, pr_number)
            )""",
            "CREATE INDEX chat_pr_links_by_guild ON chat_pr_links (guild_id, pr_number)",
            """CREATE TABLE chat_user_sessions (
                guild_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (guild_id, user_id, session_id)
            )""",
            """CREATE TABLE chat_message_refs (
                session_id TEXT PRIMARY KEY,
                message_ref TEXT NOT NULL
            )""",
            """CREATE TABLE chat_claims (
                guild_id TEXT NOT NULL,
                repo TEXT NOT NULL,
                user_id TEXT NOT NULL,
                code_hash TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                PRIMARY KEY (guild_id, repo)
            )""",
            """CREATE TABLE chat_recovery_blobs (
                id TEXT PRIMARY KEY,
                guild_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                sealed TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        7,
        "fencing tokens: one counter per project lane, taken by each apply",
        (
            """CREATE TABLE lane_fences (
                repo TEXT NOT NULL,
                project TEXT NOT NULL,
                fence INTEGER NOT NULL,
                holder TEXT NOT NULL,
                taken_at TEXT NOT NULL,
                PRIMARY KEY (repo, project)
            )""",
        ),
    ),
)

LATEST_VERSION: int = MIGRATIONS[-1].version

_BOOTSTRAP = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


def pending(current: int, target: int = LATEST_VERSION) -> list[Migration]:
    """The steps that take a database from ``current`` to ``target`` (pure)."""
    return [m for m in MIGRATIONS if current < m.version <= target]


@dataclass(frozen=True)
class Dialect:
    """What differs between the databases when migrating: how to take the write lock, how to
    ask whether a table exists. Everything else is the same SQL."""

    name: str
    begin_exclusive: Callable[[Any], None]
    table_exists_sql: str


SQLITE = Dialect(
    "sqlite",
    lambda conn: conn.execute("BEGIN IMMEDIATE"),
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
)


def current_version(conn: Any, dialect: Dialect = SQLITE) -> int:
    """The highest applied version; 0 for a new, empty database."""
    exists = conn.execute(dialect.table_exists_sql, ("schema_migrations",)).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(
    conn: Any,
    *,
    now: datetime,
    where: str,
    target: int = LATEST_VERSION,
    dialect: Dialect = SQLITE,
) -> int:
    """Bring an autocommit connection's database up to ``target``; return the version.

    Safe when several processes open the same new database at once: each
    step runs holding the database's write lock (``BEGIN IMMEDIATE``, or the
    dialect's equivalent) and re-reads the version before applying, so a step
    is applied exactly once. ``where`` names the database in errors.
    """
    dialect.begin_exclusive(conn)
    try:
        conn.execute(_BOOTSTRAP)
        _refuse_newer(current_version(conn, dialect), where)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    for step in pending(0, target):
        dialect.begin_exclusive(conn)
        try:
            if current_version(conn, dialect) < step.version:
                for statement in step.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.description, now.isoformat(timespec="microseconds")),
                )
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
    return current_version(conn, dialect)


def _refuse_newer(version: int, where: str) -> None:
    if version > LATEST_VERSION:
        raise StoreError(
            f"opening the runtime store at {where}: its schema version {version} is newer "
            f"than this cloudops knows ({LATEST_VERSION})",
            hint="upgrade cloudops, or point CLOUDOPS_DATA_DIR at another directory",
        )


def _rollback(conn: Any) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
