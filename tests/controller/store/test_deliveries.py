"""Webhook deliveries: a redelivered id is recognised, even when racing."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from controller.errors import StoreError
from controller.store import DeliveryStatus, SqliteStore, open_store

if TYPE_CHECKING:
    from .conftest import FakeClock


def test_the_first_delivery_of_an_id_is_new_and_a_repeat_is_not(store: SqliteStore, clock: FakeClock) -> None:
    assert store.record_delivery("abc-1", event="pull_request", action="opened") is True
    assert store.record_delivery("abc-1", event="pull_request", action="opened") is False
    delivery = store.get_delivery("abc-1")
    assert delivery is not None
    assert (delivery.event, delivery.action, delivery.status) == ("pull_request", "opened", DeliveryStatus.RECEIVED)
    assert delivery.received_at == clock.now


def test_a_repeat_does_not_overwrite_the_first_record(store: SqliteStore, clock: FakeClock) -> None:
    store.record_delivery("abc-1", event="push")
    first_seen = clock.now
    clock.advance(minutes=1)
    store.record_delivery("abc-1", event="issue_comment", action="created")
    delivery = store.get_delivery("abc-1")
    assert delivery is not None and delivery.event == "push" and delivery.received_at == first_seen


def test_a_delivery_status_can_be_updated(store: SqliteStore) -> None:
    store.record_delivery("abc-2", event="push")
    assert store.set_delivery_status("abc-2", DeliveryStatus.PROCESSED).status is DeliveryStatus.PROCESSED
    assert store.get_delivery("abc-2").status is DeliveryStatus.PROCESSED  # type: ignore[union-attr]


def test_updating_an_unknown_delivery_is_a_store_error(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="no such delivery"):
        store.set_delivery_status("missing", DeliveryStatus.FAILED)


def test_old_deliveries_are_pruned_and_recent_ones_kept(store: SqliteStore, clock: FakeClock) -> None:
    store.record_delivery("old", event="push")
    clock.advance(days=8)
    store.record_delivery("new", event="push")
    assert store.prune_deliveries(older_than=timedelta(days=7)) == 1
    assert store.get_delivery("old") is None
    assert store.get_delivery("new") is not None


def test_the_same_delivery_racing_through_two_store_objects_is_new_exactly_once(
    store_url: str, clock: FakeClock
) -> None:
    stores = [open_store(store_url, clock=clock), open_store(store_url, clock=clock)]
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def deliver(i: int) -> None:
        barrier.wait()
        results.append(stores[i % 2].record_delivery("dup-1", event="push"))

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(results) == [False] * 7 + [True]


async def test_async_callers_can_share_the_store_through_a_thread_pool(store: SqliteStore) -> None:
    ids = [f"d-{i}" for i in range(20)]
    first = await asyncio.gather(*(asyncio.to_thread(store.record_delivery, i, event="push") for i in ids))
    again = await asyncio.gather(*(asyncio.to_thread(store.record_delivery, i, event="push") for i in ids))
    assert all(first) and not any(again)
