"""Who pushed each pull request head is kept, newest first, per pull request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from controller.store import SqliteStore

if TYPE_CHECKING:
    from .conftest import FakeClock


def test_pushes_come_back_newest_first_for_their_pr_only(store: SqliteStore, clock: FakeClock) -> None:
    store.record_push("o/r", 1, before=None, after="a", pusher="cloudops-bot")
    clock.advance(seconds=1)
    store.record_push("o/r", 1, before="a", after="b", pusher="mallory")
    store.record_push("o/r", 2, before=None, after="z", pusher="rita")
    pushes = store.list_pushes("o/r", 1)
    assert [(p.before, p.after, p.pusher) for p in pushes] == [("a", "b", "mallory"), (None, "a", "cloudops-bot")]
    assert pushes[0].recorded_at == clock.now


def test_pushes_recorded_in_the_same_instant_keep_their_order(store: SqliteStore) -> None:
    for sha in "abc":
        store.record_push("o/r", 1, before=None, after=sha, pusher="rita")
    assert [p.after for p in store.list_pushes("o/r", 1)] == ["c", "b", "a"]
