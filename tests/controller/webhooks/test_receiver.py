"""The webhook endpoint verifies, dedupes and answers; refusals change nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from controller.store import open_store
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature

SECRET = "test-webhook-secret"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"
# GitHub's published examples were made on this afternoon; the receiver's clock is set to it.
FIXTURE_DAY = datetime(2019, 5, 15, 16, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "store.sqlite3") as opened:
        yield opened


@pytest.fixture
async def client_and_calls(store):
    calls: list[tuple[routing.Routed, str]] = []

    async def dispatch(routed: routing.Routed, delivery_id: str) -> None:
        calls.append((routed, delivery_id))

    receiver = rx.WebhookReceiver(rx.ReceiverConfig(secret=SECRET, max_body_bytes=200_000), store, dispatch,
                                  clock=lambda: FIXTURE_DAY, wait_for_dispatch=True)
    async with TestClient(TestServer(rx.make_app(receiver))) as client:
        yield client, calls


def headers(body: bytes, event: str, delivery: str | None = None, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature.sign(secret, body),
        "Content-Type": "application/json",
    }


def fixture_body(name: str) -> bytes:
    return json.dumps(json.loads((FIXTURES / name).read_text())).encode()


async def test_a_signed_pull_request_is_accepted_and_dispatched(client_and_calls, store) -> None:
    client, calls = client_and_calls
    body = fixture_body("pull_request.opened.0.json")
    response = await client.post(rx.PATH, data=body, headers=headers(body, "pull_request", "d-1"))
    assert response.status == 202
    assert [type(c[0]) for c in calls] == [routing.PullRequestChanged]
    assert calls[0][1] == "d-1"
    assert store.get_delivery("d-1") is not None


async def test_a_repeated_delivery_is_processed_once(client_and_calls) -> None:
    client, calls = client_and_calls
    body = fixture_body("pull_request.opened.0.json")
    first = await client.post(rx.PATH, data=body, headers=headers(body, "pull_request", "same"))
    second = await client.post(rx.PATH, data=body, headers=headers(body, "pull_request", "same"))
    assert (first.status, second.status) == (202, 200)
    assert (await second.json())["status"] == "duplicate"
    assert len(calls) == 1


@pytest.mark.parametrize("bad", ["missing", "wrong-secret", "tampered"])
async def test_a_bad_signature_is_401_with_nothing_recorded_or_queued(client_and_calls, store, bad: str) -> None:
    client, calls = client_and_calls
    body = fixture_body("pull_request.opened.0.json")
    sent = headers(body, "pull_request", "bad-sig", secret="other" if bad == "wrong-secret" else SECRET)
    if bad == "missing":
        del sent["X-Hub-Signature-256"]
    response = await client.post(rx.PATH, data=body + (b" " if bad == "tampered" else b""), headers=sent)
    assert response.status == 401
    assert calls == []
    assert store.get_delivery("bad-sig") is None


@pytest.mark.parametrize(
    ("body", "event", "status", "message"),
    [
        (b"{not json", "pull_request", 400, "not valid JSON"),
        (b"[1, 2]", "pull_request", 400, "JSON object"),
        (json.dumps({"action": "opened"}).encode(), "pull_request", 400, "repository.full_name"),
        (b"[" * 100 + b"]" * 100, "push", 400, "deeper than"),
        (b"[" * 5000 + b"]" * 5000, "push", 400, "deeper than"),  # deeper than the decoder's own recursion
    ],
)
async def test_malformed_payloads_are_400_with_nothing_recorded(client_and_calls, store, body, event, status, message) -> None:
    client, calls = client_and_calls
    response = await client.post(rx.PATH, data=body, headers=headers(body, event, "bad-body"))
    assert response.status == status
    assert message in (await response.json())["error"]
    assert calls == []
    assert store.get_delivery("bad-body") is None


async def test_an_oversized_body_is_413(client_and_calls) -> None:
    client, calls = client_and_calls
    body = b'{"pad": "' + b"x" * 250_000 + b'"}'
    response = await client.post(rx.PATH, data=body, headers=headers(body, "push"))
    assert response.status == 413
    assert calls == []


async def test_events_we_do_not_handle_are_accepted_and_ignored(client_and_calls) -> None:
    client, calls = client_and_calls
    body = fixture_body("check_run.created.0.json")
    response = await client.post(rx.PATH, data=body, headers=headers(body, "check_run"))
    assert response.status == 202
    assert (await response.json())["status"] == "ignored"
    assert calls == []


async def test_missing_event_headers_are_400(client_and_calls) -> None:
    client, calls = client_and_calls
    body = b"{}"
    sent = headers(body, "push")
    del sent["X-GitHub-Delivery"]
    response = await client.post(rx.PATH, data=body, headers=sent)
    assert response.status == 400
