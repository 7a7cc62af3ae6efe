"""`POST /webhooks/github`: verify, record, enqueue, answer 202.

The receiver does no work itself: it reads the whole body (up to the
limit: a body arrives in many TCP segments, and the HMAC must cover all of
it), checks the HMAC signature, decodes and routes the payload (pure),
checks the event's time, records the delivery id (a repeat is answered and
dropped), hands the routed value to the intake and answers at once. The
dispatcher, which talks to the forge, runs after the answer
(``intake.DeliveryIntake``): a slow forge never delays an ack. Anything
refused changes nothing: no delivery recorded, nothing queued.

Replays. ``X-GitHub-Delivery`` is not covered by the signature, so dedupe by
delivery id alone lets someone who captured one signed body send it again
under a fresh id. The body's own timestamps are signed, so an event whose
time (``routing.event_time``) is older than ``replay_window`` is refused;
delivery records are kept a little longer than that window (and pruned
every ``prune_every`` deliveries), so inside the window a repeated id is
still caught. The trade-off: a manual "Redeliver" from GitHub's UI of an
event older than the window is refused too; raise the window, or push /
comment again, to re-trigger. Events we do not act on are not checked: a
replay of them changes nothing.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from .. import limits
from ..errors import PayloadInvalid, SignatureInvalid
from ..errors import StoreError
from ..store import RuntimeStore, utc_now
from . import routing, signature
from .intake import DeliveryIntake, Dispatcher

log = logging.getLogger(__name__)

PATH = "/webhooks/github"
DEFAULT_MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB (a push of many commits comes close)
DEFAULT_MAX_DEPTH = 64
# GitHub retries nothing by itself; a day covers a controller that was down
# overnight and redeliveries by hand the morning after.
DEFAULT_REPLAY_WINDOW = timedelta(hours=24)
# GitHub's clock and ours may disagree a little; further in the future is refused.
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_PRUNE_EVERY = 500

READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class ReceiverConfig:
    secret: str
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_json_depth: int = DEFAULT_MAX_DEPTH
    replay_window: timedelta = DEFAULT_REPLAY_WINDOW
    max_clock_skew: timedelta = DEFAULT_CLOCK_SKEW
    prune_every: int = DEFAULT_PRUNE_EVERY

    @property
    def delivery_retention(self) -> timedelta:
        """How long a delivery id must be remembered: any replay accepted by time is then caught by id."""
        return self.replay_window + self.max_clock_skew


def _span(delta: timedelta) -> str:
    """``24h``, ``5m``, ``90s``: a window as people write it."""
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class WebhookReceiver:
    def __init__(
        self,
        config: ReceiverConfig,
        store: RuntimeStore,
        dispatch: Dispatcher,
        *,
        clock: Callable[[], datetime] = utc_now,
        wait_for_dispatch: bool = False,
    ) -> None:
        self.config = config
        self.store = store
        self.dispatch = dispatch
        self.clock = clock
        # Tests of routing alone may want the dispatcher done before the answer; production never.
        self.wait_for_dispatch = wait_for_dispatch
        # Its own threads for the store: the default pool is where forge calls wait, and an ack
        # queued behind a slow forge would wait as long as the forge.
        self._store_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhook-store")
        self.intake = DeliveryIntake(store, dispatch, in_store_thread=self._in_store_thread)
        self._recorded_since_prune = config.prune_every  # so the first delivery after a start prunes

    async def _in_store_thread(self, call: Callable[..., object], *args: object, **kwargs: object) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._store_threads, functools.partial(call, *args, **kwargs))

    def _too_old_or_new(self, event: str, happened: datetime) -> str | None:
        """Why an acted-on event's signed time falls outside the window, or None."""
        now = self.clock()
        if happened < now - self.config.replay_window:
            return (f"{event} event happened at {happened.isoformat()}, more than {_span(self.config.replay_window)} ago; "
                    "refusing a replayed or very late delivery (push or comment again to re-trigger)")
        if happened > now + self.config.max_clock_skew:
            return (f"{event} event time {happened.isoformat()} is more than {_span(self.config.max_clock_skew)} "
                    "in the future; check the clocks")
        return None

    async def _prune_now_and_then(self) -> None:
        """Forget delivery ids past their retention, every ``prune_every`` deliveries; never fails a delivery."""
        self._recorded_since_prune += 1
        if self._recorded_since_prune < self.config.prune_every:
            return
        self._recorded_since_prune = 0
        try:
            pruned = await self._in_store_thread(self.store.prune_deliveries, older_than=self.config.delivery_retention)
        except StoreError as exc:
            log.warning("pruning webhook deliveries: %s", exc)
            return
        if pruned:
            log.info("pruned %d webhook deliveries older than %s", pruned, self.config.delivery_retention)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The whole body, or None once it passes the limit (chunked or not: read until EOF).

        ``content.read(n)`` returns what has arrived so far, not ``n`` bytes: one read of
        a large body gets a prefix, and the signature check then fails at random."""
        limit = self.config.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.read(READ_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > self.config.max_body_bytes:
            return _refuse(413, f"body larger than {self.config.max_body_bytes} bytes")
        body = await self._read_body(request)
        if body is None:
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
        except RecursionError:  # the decoder recurses per level: ~1000 brackets exhaust the stack
            return _refuse(400, f"JSON nests deeper than {self.config.max_json_depth} levels")
        if limits.json_depth_exceeds(payload, self.config.max_json_depth):
            return _refuse(400, f"JSON nests deeper than {self.config.max_json_depth} levels")
        try:
            routed = routing.route(event, payload)
            happened = None if isinstance(routed, routing.Ignored) else routing.event_time(event, payload)
        except PayloadInvalid as exc:
            return _refuse(400, str(exc))
        if happened is not None:
            stale = self._too_old_or_new(event, happened)
            if stale:
                log.warning("delivery %s refused: %s", delivery_id, stale)
                return _refuse(400, stale)

        if self.intake.full:  # refused before recording, so a redelivery later still counts
            return _refuse(503, f"{self.intake.pending} deliveries are waiting to be processed; redeliver this one later")
        action = payload.get("action") if isinstance(payload, dict) else None
        first_time = await self._in_store_thread(
            self.store.record_delivery, delivery_id, event=event, action=action if isinstance(action, str) else None
        )
        if first_time:
            await self._prune_now_and_then()
        else:
            log.info("delivery %s (%s) already received; ignored", delivery_id, event)
            return web.json_response({"status": "duplicate", "delivery": delivery_id}, status=200)
        if isinstance(routed, routing.Ignored):
            log.info("delivery %s ignored: %s", delivery_id, routed.reason)
            self.intake.ignore(delivery_id)
            if self.wait_for_dispatch:
                await self.intake.drain()
            return web.json_response({"status": "ignored", "reason": routed.reason}, status=202)
        self.intake.submit(routed, delivery_id)
        if self.wait_for_dispatch:
            await self.intake.drain()
        return web.json_response({"status": "accepted", "delivery": delivery_id}, status=202)

    async def drain(self) -> None:
        await self.intake.drain()

    async def close(self) -> None:
        """Stop processing; returns once no store call of ours is running (the store may then close)."""
        await self.intake.close()
        await asyncio.to_thread(self._store_threads.shutdown, wait=True)


def make_app(receiver: WebhookReceiver) -> web.Application:
    # aiohttp's own limit backs up ours for bodies without Content-Length.
    app = web.Application(client_max_size=receiver.config.max_body_bytes + 1)
    receiver.add_routes(app)
    app.router.add_get("/healthz", _healthz)
    return app


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
