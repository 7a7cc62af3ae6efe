"""The in-process event bus: routing by class, isolation of failing handlers."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from controller.bus import DomainEvent, EventBus


@dataclass(frozen=True, kw_only=True)
class RunEvent(DomainEvent):
    run_id: str


@dataclass(frozen=True, kw_only=True)
class PlanFinished(RunEvent):
    add: int


@dataclass(frozen=True, kw_only=True)
class Unrelated(DomainEvent):
    pass


def test_domain_events_are_frozen_and_stamped_in_utc() -> None:
    event = PlanFinished(run_id="r1", add=2)
    assert event.occurred_at.tzinfo is UTC
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.run_id = "r2"  # type: ignore[misc]


def test_occurred_at_can_be_given_explicitly() -> None:
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    assert RunEvent(run_id="r", occurred_at=moment).occurred_at == moment


async def test_sync_and_async_handlers_both_receive_the_event() -> None:
    bus = EventBus()
    seen: list[str] = []

    def sync_handler(event: PlanFinished) -> None:
        seen.append(f"sync {event.run_id}")

    async def async_handler(event: PlanFinished) -> None:
        await asyncio.sleep(0)
        seen.append(f"async {event.run_id}")

    bus.subscribe(PlanFinished, sync_handler)
    bus.subscribe(PlanFinished, async_handler)
    await bus.publish(PlanFinished(run_id="r1", add=1))
    assert sorted(seen) == ["async r1", "sync r1"]


async def test_handlers_of_a_base_class_receive_subclass_events() -> None:
    bus = EventBus()
    seen: list[tuple[str, type]] = []
    bus.subscribe(DomainEvent, lambda e: seen.append(("any", type(e))))
    bus.subscribe(RunEvent, lambda e: seen.append(("run", type(e))))
    await bus.publish(PlanFinished(run_id="r", add=0))
    await bus.publish(Unrelated())
    assert seen == [("run", PlanFinished), ("any", PlanFinished), ("any", Unrelated)]


async def test_a_handler_subscribed_to_a_class_and_its_base_runs_once_per_event() -> None:
    bus = EventBus()
    calls: list[DomainEvent] = []
    bus.subscribe(RunEvent, calls.append)
    bus.subscribe(PlanFinished, calls.append)
    bus.subscribe(PlanFinished, calls.append)
    await bus.publish(PlanFinished(run_id="r", add=0))
    assert len(calls) == 1


async def test_events_of_other_classes_do_not_reach_a_handler() -> None:
    bus = EventBus()
    calls: list[DomainEvent] = []
    bus.subscribe(PlanFinished, calls.append)
    await bus.publish(RunEvent(run_id="r"))
    await bus.publish(Unrelated())
    assert calls == []


async def test_a_raising_handler_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(event: RunEvent) -> None:
        raise RuntimeError("discord is down")

    async def broken_async(event: RunEvent) -> None:
        raise ValueError("bad embed")

    bus.subscribe(RunEvent, broken)
    bus.subscribe(RunEvent, broken_async)
    bus.subscribe(RunEvent, lambda e: seen.append(e.run_id))
    with caplog.at_level(logging.ERROR, logger="controller.bus"):
        failures = await bus.publish(RunEvent(run_id="r7"))
    assert seen == ["r7"]
    assert failures == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("RunEvent" in m and "broken" in m for m in messages)
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)


async def test_handlers_of_one_event_run_concurrently_so_one_slow_handler_does_not_block_another() -> None:
    bus = EventBus()
    released = asyncio.Event()

    async def waits_for_the_other(event: RunEvent) -> None:
        await released.wait()

    async def releases(event: RunEvent) -> None:
        released.set()

    bus.subscribe(RunEvent, waits_for_the_other)
    bus.subscribe(RunEvent, releases)
    # Run one after the other, the first handler would wait forever.
    assert await asyncio.wait_for(bus.publish(RunEvent(run_id="r")), timeout=5) == 0


async def test_unsubscribed_handlers_receive_nothing_more() -> None:
    bus = EventBus()
    calls: list[DomainEvent] = []
    unsubscribe = bus.subscribe(RunEvent, calls.append)
    other: list[DomainEvent] = []
    bus.subscribe(RunEvent, other.append)
    await bus.publish(RunEvent(run_id="1"))
    unsubscribe()
    assert bus.unsubscribe(RunEvent, other.append) is True
    await bus.publish(RunEvent(run_id="2"))
    assert [e.run_id for e in calls] == ["1"]  # type: ignore[attr-defined]
    assert len(other) == 1
    assert bus.handlers_for(RunEvent) == []


def test_unsubscribing_an_unknown_handler_says_so() -> None:
    assert EventBus().unsubscribe(RunEvent, print) is False


def test_subscribing_to_a_class_that_is_not_an_event_is_refused() -> None:
    with pytest.raises(TypeError, match="not a DomainEvent"):
        EventBus().subscribe(dict, print)  # type: ignore[arg-type]


async def test_publishing_with_no_subscribers_is_a_no_op() -> None:
    assert await EventBus().publish(Unrelated()) == 0
