"""Fuzzing the webhook endpoint through aiohttp: never a 5xx, nothing kept unless the delivery is valid.

Bodies are random JSON (deeply nested, huge strings, any unicode), random
bytes, and GitHub's real example payloads with random fields replaced;
headers are random or correct; bodies are signed with the right secret,
a wrong one, or not at all. After each request the store and the
dispatcher are checked: a delivery is recorded (and queued when routed)
only when a correct signature covers a JSON object that routes, whose
event time is inside the window.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller import limits
from controller.errors import PayloadInvalid
from controller.store import SqliteStore
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature

SECRET = "fuzz-secret"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
NOW = datetime(2019, 5, 15, 16, 0, tzinfo=UTC)  # the afternoon GitHub's examples were made
CONFIG = rx.ReceiverConfig(secret=SECRET, max_body_bytes=64_000, max_json_depth=32)
EXAMPLES = {p.name: json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))}
EVENTS = ["pull_request", "pull_request_review", "issue_comment", "push", "ping", "check_run", "deployment", ""]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
leaf = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=40) | st.sampled_from(["${var.x}", '"; rm -rf /', "\u202egnp.exe", "2019-05-15T15:20:33Z"]))
json_values = st.recursive(leaf, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
                           max_leaves=25)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, prefix + (i,))


@st.composite
def mutated_examples(draw: st.DrawFn) -> tuple[str, Any]:
    """A real example with up to three fields replaced (or removed): reaches deep into routing."""
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    payload = json.loads(json.dumps(EXAMPLES[name]))
    paths = [p for p in _paths(payload) if p]
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(paths))
        parent = payload
        try:
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, dict) and draw(st.booleans()):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return name.split(".")[0], payload


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """(event header, raw body)."""
    kind = draw(st.sampled_from(["example", "json", "bytes", "deep", "huge"]))
    if kind == "example":
        event, payload = draw(mutated_examples())
        return draw(st.sampled_from([event, event, *EVENTS])), json.dumps(payload).encode()
    event = draw(st.sampled_from(EVENTS))
    if kind == "json":
        return event, json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return event, draw(st.binary(max_size=300))
    if kind == "deep":
        depth = draw(st.sampled_from([31, 32, 33, 999, 1000, 1001, 5000]) | st.integers(1, 3000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return event, (opener * depth + "1" + closer * depth).encode()
    size = draw(st.integers(1_000, 80_000))
    return event, json.dumps({"action": "opened", "pad": draw(st.sampled_from(["x", "é", "\u202e", "\x00"])) * size}).encode()


class Endpoint:
    """One receiver with a real store, driven from synchronous hypothesis tests on its own loop."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.store = SqliteStore(tmp / "store.sqlite3", clock=lambda: NOW)
        self.queued: list[str] = []

        async def dispatch(_routed: routing.Routed, delivery_id: str) -> None:
            self.queued.append(delivery_id)

        receiver = rx.WebhookReceiver(CONFIG, self.store, dispatch, clock=lambda: NOW, wait_for_dispatch=True)
        self.client = TestClient(TestServer(rx.make_app(receiver)), loop=self.loop)
        self.loop.run_until_complete(self.client.start_server())

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        async def go() -> int:
            response = await self.client.post(rx.PATH, data=body, headers=headers)
            await response.read()
            return response.status

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()
        self.store.close()


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[Endpoint]:
    made = Endpoint(tmp_path)
    yield made
    made.close()


def _valid(event: str, body: bytes) -> bool:
    """What the receiver may accept, decided here independently of its code path."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    if not isinstance(payload, dict) or limits.json_depth_exceeds(payload, CONFIG.max_json_depth):
        return False
    try:
        routed = routing.route(event, payload)
        happened = None if isinstance(routed, routing.Ignored) else routing.event_time(event, payload)
    except PayloadInvalid:
        return False
    return happened is None or NOW - CONFIG.replay_window <= happened <= NOW + CONFIG.max_clock_skew


@FUZZ
@given(sent=bodies(), signing=st.sampled_from(["right", "right", "right", "wrong", "none", "garbage"]), garbage=header_text,
       extra=st.dictionaries(st.sampled_from(["X-GitHub-Hook-ID", "User-Agent", "X-Forwarded-For", "Content-Type"]),
                             header_text, max_size=3),
       drop=st.sampled_from([None, None, None, "X-GitHub-Event", "X-GitHub-Delivery"]))
def test_the_webhook_endpoint_never_fails_and_keeps_only_valid_deliveries(
    endpoint: Endpoint, sent: tuple[str, bytes], signing: str, garbage: str, extra: dict[str, str], drop: str | None
) -> None:
    event, body = sent
    delivery = str(uuid.uuid4())
    headers = {**extra, "X-GitHub-Event": event, "X-GitHub-Delivery": delivery}
    if signing == "right":
        headers[signature.HEADER] = signature.sign(SECRET, body)
    elif signing == "wrong":
        headers[signature.HEADER] = signature.sign("not-the-secret", body)
    elif signing == "garbage":
        headers[signature.HEADER] = garbage
    if drop:
        headers.pop(drop)
    queued_before = len(endpoint.queued)

    status = endpoint.post(body, headers)

    assert status < 500
    acceptable = signing == "right" and drop is None and bool(event) and len(body) <= CONFIG.max_body_bytes
    kept = endpoint.store.get_delivery(delivery) is not None
    if not (acceptable and _valid(event, body)):
        assert 400 <= status < 500, (status, event, body[:200])
        assert not kept and len(endpoint.queued) == queued_before
    else:
        assert status == 202 and kept
        assert len(endpoint.queued) - queued_before in (0, 1)


@FUZZ
@given(event_and_payload=mutated_examples())
def test_a_replayed_delivery_id_is_never_queued_twice(endpoint: Endpoint, event_and_payload: tuple[str, Any]) -> None:
    event, payload = event_and_payload
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()),
               signature.HEADER: signature.sign(SECRET, body)}
    before = len(endpoint.queued)
    first, second = endpoint.post(body, headers), endpoint.post(body, headers)
    assert first < 500 and second < 500
    assert len(endpoint.queued) - before <= 1
    if first == 202:
        assert second == 200
