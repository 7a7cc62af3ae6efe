"""Schema migrations: a new file, an older file and a newer file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from controller.errors import StoreError
from controller.store import RunKind, SqliteStore, migrations

if TYPE_CHECKING:
    from .conftest import FakeClock


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _applied(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def test_versions_are_consecutive_from_one() -> None:
    assert [m.version for m in migrations.MIGRATIONS] == list(range(1, migrations.LATEST_VERSION + 1))


def test_pending_lists_only_the_missing_steps_in_order() -> None:
    assert [m.version for m in migrations.pending(0)] == list(range(1, migrations.LATEST_VERSION + 1))
    assert migrations.pending(migrations.LATEST_VERSION) == []
    assert [m.version for m in migrations.pending(0, target=1)] == [1]


def test_opening_a_new_file_creates_the_whole_schema(sqlite_store: SqliteStore, db_path: Path) -> None:
    assert {"runs", "locks", "chat_sessions", "webhook_deliveries", "schema_migrations"} <= _tables(db_path)
    assert _applied(db_path) == list(range(1, migrations.LATEST_VERSION + 1))


def test_the_store_file_uses_wal_and_enforces_foreign_keys(sqlite_store: SqliteStore, db_path: Path) -> None:
    store = sqlite_store
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = store._db.connection()
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_opening_an_older_file_migrates_it_and_keeps_its_rows(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrations.migrate(conn, now=clock(), where="test", target=1) == 1
    conn.execute(
        "INSERT INTO runs (id, repo, project, pr_number, head_sha, kind, status, created_at) "
        "VALUES ('old-run', 'o/r', 'web', 4, 'abc', 'plan', 'succeeded', ?)",
        (datetime(2024, 1, 1, tzinfo=UTC).isoformat(timespec="microseconds"),),
    )
    conn.close()
    assert "chat_sessions" not in _tables(db_path)

    with SqliteStore(db_path, clock=clock) as store:
        old = store.get_run("old-run")
        assert old is not None and old.pr_number == 4 and old.kind is RunKind.PLAN
        assert store.record_delivery("d-1", event="push") is True
    assert _applied(db_path) == list(range(1, migrations.LATEST_VERSION + 1))


def test_reopening_an_up_to_date_file_applies_nothing_again(db_path: Path, clock: FakeClock) -> None:
    SqliteStore(db_path, clock=clock).close()
    SqliteStore(db_path, clock=clock).close()
    assert _applied(db_path) == list(range(1, migrations.LATEST_VERSION + 1))


def test_a_file_from_a_newer_cloudops_is_refused_with_a_clear_error(db_path: Path, clock: FakeClock) -> None:
    SqliteStore(db_path, clock=clock).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, 'future', 'x')",
            (migrations.LATEST_VERSION + 1,),
        )
    with pytest.raises(StoreError, match=r"schema version \d+ is newer than this cloudops knows") as caught:
        SqliteStore(db_path, clock=clock)
    assert "upgrade cloudops" in caught.value.hint


def test_a_file_that_is_not_sqlite_gives_a_store_error(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StoreError, match="opening the runtime store at") as caught:
        SqliteStore(db_path, clock=clock)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_two_stores_opening_a_new_file_at_once_migrate_it_exactly_once(db_path: Path, clock: FakeClock) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            SqliteStore(db_path, clock=clock).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _applied(db_path) == list(range(1, migrations.LATEST_VERSION + 1))
