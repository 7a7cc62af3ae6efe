"""Large webhook bodies are read whole before the signature is checked (issue 21, item 3).

A body arrives in many TCP segments; one ``read(n)`` returns only what has
arrived, so an HMAC over it fails at random. Each size is sent 20 times over
a real loopback socket, framed with ``Content-Length`` and chunked, written
in pieces with pauses so the receiver really sees a partial buffer.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from controller.store import DeliveryStatus, open_store
from controller.webhooks import receiver as rx
from controller.webhooks import routing, signature

SECRET = "large-body-secret"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SIZES = [64 * 1024, 200 * 1024, 400 * 1024, 1024 * 1024, 5 * 1024 * 1024, 25 * 1024 * 1024 - 4096]
DELIVERIES = 20
PIECE = 48 * 1024


def push_body(size: int) -> bytes:
    """A push event (the event that grows with its commits) padded to ``size`` bytes."""
    head = {"ref": "refs/heads/feature", "before": "0" * 40, "after": "1" * 40,
            "repository": {"full_name": "acme/infra", "default_branch": "main", "pushed_at": int(NOW.timestamp())},
            "commits": [], "pad": ""}
    base = len(json.dumps(head).encode())
    head["pad"] = "x" * (size - base)
    body = json.dumps(head).encode()
    assert len(body) == size
    return body


async def post_raw(port: int, body: bytes, *, chunked: bool) -> int:
    """POST over a plain socket, the body written piece by piece; returns the HTTP status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = [f"POST {rx.PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
               "X-GitHub-Event: push", f"X-GitHub-Delivery: {uuid.uuid4()}",
               f"{signature.HEADER}: {signature.sign(SECRET, body)}", "Connection: close"]
    headers.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(headers) + "\r\n\r\n").encode())
    for start in range(0, len(body), PIECE):
        piece = body[start:start + PIECE]
        writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
        await writer.drain()
        if start // PIECE % 8 == 0:
            await asyncio.sleep(0.001)  # let the receiver wake up on a partial body
    if chunked:
        writer.write(b"0\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


@pytest.fixture
async def server(tmp_path: Path):
    calls: list[str] = []

    async def dispatch(_routed: routing.Routed, delivery_id: str) -> None:
        calls.append(delivery_id)

    with open_store(tmp_path / "store.sqlite3") as store:
        receiver = rx.WebhookReceiver(rx.ReceiverConfig(secret=SECRET), store, dispatch, clock=lambda: NOW)
        async with TestServer(rx.make_app(receiver)) as running:
            yield running, receiver, store, calls
        await receiver.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{s // 1024}KB" for s in SIZES])
async def test_every_delivery_of_a_large_body_is_verified_and_accepted(server, size: int, chunked: bool) -> None:
    running, receiver, store, calls = server
    body = push_body(size)
    statuses = [await post_raw(running.port, body, chunked=chunked) for _ in range(DELIVERIES)]
    await receiver.drain()
    assert statuses == [202] * DELIVERIES
    assert len(calls) == DELIVERIES
    assert {store.get_delivery(d).status for d in calls} == {DeliveryStatus.PROCESSED}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_past_githubs_25_mb_cap_is_413_and_nothing_is_recorded(server, chunked: bool) -> None:
    running, receiver, _store, calls = server
    body = push_body(rx.DEFAULT_MAX_BODY + 1)
    assert await post_raw(running.port, body, chunked=chunked) == 413
    await receiver.drain()
    assert calls == []
