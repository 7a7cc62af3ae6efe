"""Fixtures for the runtime store tests: a store and a clock we move by hand.

``store`` is every backend in turn (SQLite on a temp file, PostgreSQL on a
schema of its own), so the same tests prove both behave alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from controller.store import RuntimeStore, SqliteStore, open_store
from tests.support import postgres


class FakeClock:
    """A clock that only moves when told to, so expiry is tested without sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "cloudops.sqlite3"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, db_path: Path) -> Iterator[str]:
    """Where a store of this backend lives; several store objects may open it."""
    if backend == "sqlite":
        yield f"sqlite:///{db_path}"
        return
    url = postgres.fresh_schema_url()
    yield url
    postgres.drop_schema(url)


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[RuntimeStore]:
    with open_store(store_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def sqlite_store(db_path: Path, clock: FakeClock) -> Iterator[SqliteStore]:
    """For the tests about the SQLite file itself (WAL, migrations of a file)."""
    with SqliteStore(db_path, clock=clock) as opened:
        yield opened
