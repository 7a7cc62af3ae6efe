"""The receiver answers before the dispatcher runs; the delivery row records what became of it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from controller.store import DeliveryStatus, open_store
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature

SECRET = "intake-secret"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"
FIXTURE_DAY = datetime(2019, 5, 15, 16, 0, tzinfo=UTC)


def signed(name: str, event: str, delivery: str, **changes) -> tuple[bytes, dict[str, str]]:
    payload = json.loads((FIXTURES / name).read_text())
    if "number" in changes:
        payload["pull_request"]["number"] = payload["number"] = changes["number"]
    body = json.dumps(payload).encode()
    return body, {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
                  "X-Hub-Signature-256": signature.sign(SECRET, body), "Content-Type": "application/json"}


class SlowDispatcher:
    """Stands in for a dispatcher stuck on a slow forge: each call waits until released."""

    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.release = asyncio.Event()
        self.started: list[str] = []
        self.finished: list[str] = []
        self.fail_on = fail_on or set()

    async def __call__(self, routed: routing.Routed, delivery_id: str) -> None:
        self.started.append(delivery_id)
        await self.release.wait()
        if delivery_id in self.fail_on:
            raise RuntimeError("the forge went away")
        self.finished.append(delivery_id)


@pytest.fixture
async def rig(tmp_path: Path):
    dispatcher = SlowDispatcher(fail_on={"broken"})
    with open_store(tmp_path / "store.sqlite3") as store:
        receiver = rx.WebhookReceiver(rx.ReceiverConfig(secret=SECRET), store, dispatcher, clock=lambda: FIXTURE_DAY)
        async with TestClient(TestServer(rx.make_app(receiver))) as client:
            yield client, receiver, store, dispatcher
            dispatcher.release.set()
            await receiver.close()  # before the store closes under a status update


async def test_the_answer_does_not_wait_for_the_dispatcher(rig) -> None:
    client, receiver, store, dispatcher = rig
    body, headers = signed("pull_request.opened.0.json", "pull_request", "d-slow")
    response = await asyncio.wait_for(client.post(rx.PATH, data=body, headers=headers), timeout=5)
    assert response.status == 202
    assert dispatcher.finished == []
    assert store.get_delivery("d-slow").status is DeliveryStatus.RECEIVED
    dispatcher.release.set()
    await receiver.drain()
    assert dispatcher.finished == ["d-slow"]
    assert store.get_delivery("d-slow").status is DeliveryStatus.PROCESSED


async def test_a_dispatch_that_fails_marks_its_delivery_failed_and_the_next_still_runs(rig) -> None:
    client, receiver, store, dispatcher = rig
    for delivery in ("broken", "after"):
        body, headers = signed("pull_request.opened.0.json", "pull_request", delivery)
        assert (await client.post(rx.PATH, data=body, headers=headers)).status == 202
    dispatcher.release.set()
    await receiver.drain()
    assert store.get_delivery("broken").status is DeliveryStatus.FAILED
    assert store.get_delivery("after").status is DeliveryStatus.PROCESSED


async def test_an_event_we_do_not_act_on_is_marked_ignored(rig) -> None:
    client, receiver, store, dispatcher = rig
    body, headers = signed("check_run.created.0.json", "check_run", "d-ignored")
    assert (await client.post(rx.PATH, data=body, headers=headers)).status == 202
    await receiver.drain()
    assert dispatcher.started == []
    assert store.get_delivery("d-ignored").status is DeliveryStatus.IGNORED


async def test_deliveries_of_one_pull_request_keep_their_order_and_others_run_beside_them(rig) -> None:
    client, receiver, store, dispatcher = rig
    sent = [("pr1-a", 1), ("pr2-a", 2), ("pr1-b", 1), ("pr1-c", 1)]
    for delivery, number in sent:
        body, headers = signed("pull_request.opened.0.json", "pull_request", delivery, number=number)
        assert (await client.post(rx.PATH, data=body, headers=headers)).status == 202
    await asyncio.sleep(0.05)
    assert sorted(dispatcher.started) == ["pr1-a", "pr2-a"]  # one per lane at a time
    dispatcher.release.set()
    await receiver.drain()
    assert [d for d in dispatcher.finished if d.startswith("pr1")] == ["pr1-a", "pr1-b", "pr1-c"]


async def test_a_full_backlog_is_503_and_records_nothing(rig) -> None:
    client, receiver, store, _dispatcher = rig
    receiver.intake.max_pending = 1
    first, headers = signed("pull_request.opened.0.json", "pull_request", "d-first")
    assert (await client.post(rx.PATH, data=first, headers=headers)).status == 202
    second, headers = signed("pull_request.opened.0.json", "pull_request", "d-second", number=9)
    response = await client.post(rx.PATH, data=second, headers=headers)
    assert response.status == 503
    assert "redeliver" in (await response.json())["error"]
    assert store.get_delivery("d-second") is None
