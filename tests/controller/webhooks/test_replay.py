"""Replays: an old signed body is refused by its own time, a repeated id by the store; old ids are pruned.

The delivery id header is not signed, so these tests replay GitHub's real
example bodies under fresh ids and move the receiver's clock around them.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from controller.errors import PayloadInvalid, StoreError
from controller.store import SqliteStore
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature

SECRET = "replay-secret"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"
PR_OPENED_AT = datetime(2019, 5, 15, 15, 20, 33, tzinfo=UTC)  # pull_request.updated_at of pull_request.opened.0


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def signed(payload: dict[str, Any], event: str, delivery: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature.sign(SECRET, body),
        "Content-Type": "application/json",
    }


class Rig:
    """A receiver over a real SQLite store, with one clock for both."""

    def __init__(self, client: TestClient, store: SqliteStore, clock: Clock, calls: list[str]) -> None:
        self.client, self.store, self.clock, self.calls = client, store, clock, calls

    async def send(self, payload: dict[str, Any], event: str, delivery: str | None = None) -> tuple[int, dict[str, Any]]:
        body, headers = signed(payload, event, delivery)
        response = await self.client.post(rx.PATH, data=body, headers=headers)
        return response.status, await response.json()


async def make_rig(tmp_path: Path, config: rx.ReceiverConfig, now: datetime) -> tuple[Rig, TestClient]:
    clock = Clock(now)
    store = SqliteStore(tmp_path / "store.sqlite3", clock=clock)
    calls: list[str] = []

    async def dispatch(_routed: routing.Routed, delivery_id: str) -> None:
        calls.append(delivery_id)

    client = TestClient(TestServer(rx.make_app(rx.WebhookReceiver(config, store, dispatch, clock=clock, wait_for_dispatch=True))))
    await client.start_server()
    return Rig(client, store, clock, calls), client


@pytest.fixture
async def rig(tmp_path: Path):
    made, client = await make_rig(tmp_path, rx.ReceiverConfig(secret=SECRET), PR_OPENED_AT + timedelta(minutes=1))
    yield made
    await client.close()
    made.store.close()


async def test_a_fresh_event_is_accepted(rig: Rig) -> None:
    status, answer = await rig.send(load("pull_request.opened.0.json"), "pull_request", "fresh")
    assert (status, answer["status"]) == (202, "accepted")
    assert rig.calls == ["fresh"]


async def test_an_old_signed_body_under_a_new_delivery_id_is_refused_and_nothing_is_recorded(rig: Rig) -> None:
    rig.clock.now = PR_OPENED_AT + timedelta(hours=24, seconds=1)
    status, answer = await rig.send(load("pull_request.opened.0.json"), "pull_request", "replayed")
    assert status == 400
    assert "more than 24h ago" in answer["error"] and "replayed" in answer["error"]
    assert rig.calls == []
    assert rig.store.get_delivery("replayed") is None


async def test_an_event_just_inside_the_window_is_accepted(rig: Rig) -> None:
    rig.clock.now = PR_OPENED_AT + timedelta(hours=24) - timedelta(seconds=1)
    status, _ = await rig.send(load("pull_request.opened.0.json"), "pull_request")
    assert status == 202


async def test_a_repeated_id_inside_the_window_is_a_duplicate_and_outside_it_is_refused_by_time(rig: Rig) -> None:
    payload = load("pull_request.opened.0.json")
    assert (await rig.send(payload, "pull_request", "d-1"))[0] == 202
    rig.clock.now += timedelta(hours=2)
    status, answer = await rig.send(payload, "pull_request", "d-1")
    assert (status, answer["status"]) == (200, "duplicate")
    rig.clock.now += timedelta(days=2)
    assert (await rig.send(payload, "pull_request", "d-1"))[0] == 400
    assert rig.calls == ["d-1"]


async def test_an_event_from_the_future_beyond_the_clock_skew_is_refused(rig: Rig) -> None:
    rig.clock.now = PR_OPENED_AT - timedelta(minutes=6)
    status, answer = await rig.send(load("pull_request.opened.0.json"), "pull_request", "future")
    assert status == 400 and "in the future" in answer["error"]
    assert rig.store.get_delivery("future") is None


async def test_a_handled_event_without_a_timestamp_is_refused_naming_the_fields(rig: Rig) -> None:
    payload = load("issue_comment.created.0.json")
    del payload["comment"]["created_at"], payload["comment"]["updated_at"]
    status, answer = await rig.send(payload, "issue_comment", "no-time")
    assert status == 400
    assert "'comment.updated_at' or 'comment.created_at'" in answer["error"]
    assert rig.store.get_delivery("no-time") is None


async def test_events_we_do_not_act_on_are_not_time_checked(rig: Rig) -> None:
    rig.clock.now = datetime(2030, 1, 1, tzinfo=UTC)
    status, answer = await rig.send(load("check_run.created.0.json"), "check_run")
    assert (status, answer["status"]) == (202, "ignored")


async def test_a_forged_commit_date_cannot_stretch_a_push_past_the_window(rig: Rig) -> None:
    payload = load("push.event.0.json")
    payload["ref"] = "refs/heads/master"
    payload["head_commit"]["timestamp"] = "2100-01-01T00:00:00Z"  # set by whoever made the commit
    rig.clock.now = datetime(2019, 5, 20, tzinfo=UTC)
    status, answer = await rig.send(payload, "push")
    assert status == 400 and "more than 24h ago" in answer["error"]


async def test_the_window_is_configurable(tmp_path: Path) -> None:
    config = rx.ReceiverConfig(secret=SECRET, replay_window=timedelta(hours=1))
    made, client = await make_rig(tmp_path, config, PR_OPENED_AT + timedelta(minutes=61))
    try:
        status, answer = await made.send(load("pull_request.opened.0.json"), "pull_request")
        assert status == 400 and "more than 1h ago" in answer["error"]
    finally:
        await client.close()
        made.store.close()


# --- where the time comes from (pure) ------------------------------------------

@pytest.mark.parametrize(
    ("name", "event", "expected"),
    [
        ("pull_request.opened.0.json", "pull_request", "2019-05-15T15:20:33+00:00"),
        ("pull_request.closed.3.json", "pull_request", "2019-05-15T15:21:18+00:00"),
        ("pull_request_review.submitted.0.json", "pull_request_review", "2019-05-15T15:20:38+00:00"),
        ("issue_comment.created.0.json", "issue_comment", "2019-05-15T15:20:21+00:00"),
        ("issue_comment.edited.7.json", "issue_comment", "2019-05-15T15:20:22+00:00"),
        ("push.event.1.json", "push", "2019-05-15T15:20:57+00:00"),  # pushed_at as Unix seconds
        ("ping.event.3.json", "ping", "2020-12-06T00:30:50+00:00"),
    ],
)
def test_the_event_time_is_read_from_the_signed_body(name: str, event: str, expected: str) -> None:
    found = routing.event_time(event, load(name))
    assert found is not None and found.isoformat() == expected


def test_a_commit_timestamp_is_the_last_resort_for_a_push_and_keeps_its_offset() -> None:
    payload = copy.deepcopy(load("push.event.0.json"))
    del payload["repository"]["pushed_at"]
    payload["head_commit"]["timestamp"] = "2019-05-15T15:20:41-05:00"
    found = routing.event_time("push", payload)
    assert found == datetime(2019, 5, 15, 20, 20, 41, tzinfo=UTC)  # 15:20:41-05:00


@pytest.mark.parametrize("bad", ["yesterday", "", None, True, 10**20, "9" * 100, ["2019-05-15T15:20:33Z"]])
def test_an_unreadable_time_is_refused_not_crashed_on(bad: object) -> None:
    payload = load("pull_request.opened.0.json")
    payload["pull_request"]["updated_at"] = bad
    with pytest.raises(PayloadInvalid, match="pull_request.updated_at"):
        routing.event_time("pull_request", payload)


def test_events_we_do_not_act_on_have_no_event_time() -> None:
    assert routing.event_time("check_run", load("check_run.created.0.json")) is None


# --- pruning -----------------------------------------------------------------

async def test_old_delivery_ids_are_pruned_every_nth_delivery_and_recent_ones_kept(tmp_path: Path) -> None:
    config = rx.ReceiverConfig(secret=SECRET, prune_every=3)
    made, client = await make_rig(tmp_path, config, PR_OPENED_AT)
    try:
        payload = load("pull_request.opened.0.json")
        for old in ("old-1", "old-2"):
            assert (await made.send(payload, "pull_request", old))[0] == 202
        # Two days on, still delivering events of that day would be refused: send fresh ones.
        made.clock.now = PR_OPENED_AT + config.delivery_retention + timedelta(minutes=1)
        payload["pull_request"]["updated_at"] = made.clock.now.isoformat()
        await made.send(payload, "pull_request", "new-1")
        assert made.store.get_delivery("old-1") is not None  # 3rd delivery since the start-up prune: not yet
        await made.send(payload, "pull_request", "new-2")
        assert made.store.get_delivery("old-1") is None and made.store.get_delivery("old-2") is None
        assert made.store.get_delivery("new-1") is not None and made.store.get_delivery("new-2") is not None
    finally:
        await client.close()
        made.store.close()


def test_delivery_ids_outlive_the_window_so_a_replay_by_id_is_always_caught() -> None:
    config = rx.ReceiverConfig(secret=SECRET, replay_window=timedelta(hours=6), max_clock_skew=timedelta(minutes=2))
    assert config.delivery_retention == timedelta(hours=6, minutes=2)


async def test_a_failing_prune_does_not_fail_the_delivery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made, client = await make_rig(tmp_path, rx.ReceiverConfig(secret=SECRET, prune_every=1), PR_OPENED_AT)

    def broken(**_kwargs: object) -> int:
        raise StoreError("pruning old webhook deliveries: database is locked")

    monkeypatch.setattr(made.store, "prune_deliveries", broken)
    try:
        status, _ = await made.send(load("pull_request.opened.0.json"), "pull_request", "still-ok")
        assert status == 202 and made.calls == ["still-ok"]
    finally:
        await client.close()
        made.store.close()
