"""Fixtures for the runtime store tests: a store on a temp file and a clock we move by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from controller.store import SqliteStore


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


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[SqliteStore]:
    with SqliteStore(db_path, clock=clock) as opened:
        yield opened
