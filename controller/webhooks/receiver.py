"""`POST /webhooks/github`: verify, record, enqueue, answer 202.

The receiver does no work itself: it checks the body size and the HMAC
signature, decodes and routes the payload (pure), records the delivery id
(a repeat is answered and dropped), hands the routed value to the
dispatcher (which only enqueues) and answers at once. Anything refused
changes nothing: no delivery recorded, nothing queued.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from ..errors import PayloadInvalid, SignatureInvalid
from ..store import RuntimeStore
from . import routing, signature

log = logging.getLogger(__name__)

PATH = "/webhooks/github"
DEFAULT_MAX_BODY = 5 * 1024 * 1024  # GitHub caps payloads at 25 MB; ours are far smaller
DEFAULT_MAX_DEPTH = 64

Dispatcher = Callable[[routing.Routed, str], Awaitable[None]]


@dataclass(frozen=True)
class ReceiverConfig:
    secret: str
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_json_depth: int = DEFAULT_MAX_DEPTH


def _json_depth_exceeds(value: object, limit: int) -> bool:
    """True if ``value`` nests deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class WebhookReceiver:
    def __init__(self, config: ReceiverConfig, store: RuntimeStore, dispatch: Dispatcher) -> None:
        self.config = config
        self.store = store
        self.dispatch = dispatch

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > self.config.max_body_bytes:
            return _refuse(413, f"body larger than {self.config.max_body_bytes} bytes")
        body = await request.content.read(self.config.max_body_bytes + 1)
        if len(body) > self.config.max_body_bytes:
            return _refuse(413, f"body larger than {self.config.max_body_bytes} bytes")
        try:
            signature.verify(self.config.secret, body, request.headers.get(signature.HEADER))
        except SignatureInvalid as exc:
            log.warning("webhook refused: %s", exc)
            return _refuse(401, str(exc))

        event = request.headers.get("X-GitHub-Event", "")
        delivery_id = request.headers.get("X-GitHub-Delivery", "")
        if not event or not delivery_id:
            return _refuse(400, "X-GitHub-Event and X-GitHub-Delivery headers are required")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "body is not valid JSON")
        if _json_depth_exceeds(payload, self.config.max_json_depth):
            return _refuse(400, f"JSON nests deeper than {self.config.max_json_depth} levels")
        try:
            routed = routing.route(event, payload)
        except PayloadInvalid as exc:
            return _refuse(400, str(exc))

        action = payload.get("action") if isinstance(payload, dict) else None
        first_time = await asyncio.to_thread(
            self.store.record_delivery, delivery_id, event=event, action=action if isinstance(action, str) else None
        )
        if not first_time:
            log.info("delivery %s (%s) already received; ignored", delivery_id, event)
            return web.json_response({"status": "duplicate", "delivery": delivery_id}, status=200)
        if isinstance(routed, routing.Ignored):
            log.info("delivery %s ignored: %s", delivery_id, routed.reason)
            return web.json_response({"status": "ignored", "reason": routed.reason}, status=202)
        await self.dispatch(routed, delivery_id)
        return web.json_response({"status": "accepted", "delivery": delivery_id}, status=202)


def make_app(receiver: WebhookReceiver) -> web.Application:
    # aiohttp's own limit backs up ours for bodies without Content-Length.
    app = web.Application(client_max_size=receiver.config.max_body_bytes + 1)
    receiver.add_routes(app)
    app.router.add_get("/healthz", _healthz)
    return app


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
