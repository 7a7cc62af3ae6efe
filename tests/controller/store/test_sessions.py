"""Chat sessions: round trip, idle expiry on an injected clock, clean-up."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from controller.errors import StoreError
from controller.store import ChatSession, SqliteStore

if TYPE_CHECKING:
    from .conftest import FakeClock

IDLE = timedelta(minutes=15)


def _put(store: SqliteStore, session_id: str = "s1", **state: object) -> ChatSession:
    return store.put_session(
        session_id, guild_id="111", user_id="222", project="web", state=dict(state), idle_timeout=IDLE
    )


def test_a_session_reads_back_with_its_state(store: SqliteStore, clock: FakeClock) -> None:
    saved = _put(store, step="size", spec={"name": "vm-1", "cpus": 2, "tags": ["a", "b"]})
    assert saved.created_at == saved.updated_at == clock.now
    assert saved.expires_at == clock.now + IDLE
    assert store.get_session("s1") == saved
    assert saved.state == {"step": "size", "spec": {"name": "vm-1", "cpus": 2, "tags": ["a", "b"]}}


def test_a_missing_session_reads_as_none(store: SqliteStore) -> None:
    assert store.get_session("nope") is None


def test_a_session_idle_past_its_timeout_reads_as_none(store: SqliteStore, clock: FakeClock) -> None:
    _put(store)
    clock.advance(minutes=14, seconds=59)
    assert store.get_session("s1") is not None
    clock.advance(seconds=1)
    assert store.get_session("s1") is None


def test_touching_a_session_restarts_its_idle_timer(store: SqliteStore, clock: FakeClock) -> None:
    _put(store)
    touched_at = clock.advance(minutes=10)
    touched = store.touch_session("s1")
    assert touched is not None
    assert touched.updated_at == touched_at and touched.expires_at == touched_at + IDLE
    clock.advance(minutes=10)  # 20 minutes after creation, 10 after the touch
    assert store.get_session("s1") == touched


def test_an_expired_session_cannot_be_touched_back_to_life(store: SqliteStore, clock: FakeClock) -> None:
    _put(store)
    clock.advance(minutes=16)
    assert store.touch_session("s1") is None
    assert store.get_session("s1") is None


def test_saving_a_session_again_replaces_its_state_but_keeps_when_it_began(
    store: SqliteStore, clock: FakeClock
) -> None:
    first = _put(store, step="name")
    clock.advance(minutes=5)
    second = _put(store, step="confirm")
    assert second.created_at == first.created_at
    assert second.updated_at == clock.now
    assert store.get_session("s1").state == {"step": "confirm"}  # type: ignore[union-attr]


def test_expired_sessions_are_listed_and_deleted_and_live_ones_kept(store: SqliteStore, clock: FakeClock) -> None:
    _put(store, "old")
    clock.advance(minutes=10)
    _put(store, "young")
    clock.advance(minutes=6)
    assert [s.id for s in store.list_expired_sessions()] == ["old"]
    assert store.delete_expired_sessions() == 1
    assert store.list_expired_sessions() == []
    assert store.get_session("young") is not None


def test_only_sessions_expired_for_longer_than_asked_are_deleted(store: SqliteStore, clock: FakeClock) -> None:
    _put(store, "week-old")
    clock.advance(days=7, minutes=30)
    _put(store, "hour-old")
    clock.advance(hours=1)
    assert store.delete_expired_sessions(older_than=timedelta(days=7)) == 1
    assert [s.id for s in store.list_expired_sessions()] == ["hour-old"]  # expired, kept for recovery


def test_deleting_a_session_reports_whether_it_existed(store: SqliteStore) -> None:
    _put(store)
    assert store.delete_session("s1") is True
    assert store.delete_session("s1") is False
    assert store.get_session("s1") is None


def test_a_session_needs_a_positive_idle_timeout(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="idle timeout must be positive"):
        store.put_session("s", guild_id="1", user_id="2", project=None, state={}, idle_timeout=timedelta(0))
