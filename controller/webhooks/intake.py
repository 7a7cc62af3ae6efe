"""Accepted deliveries, processed after the 202: in order per pull request, a few at a time.

GitHub gives a hook 10 seconds to answer and marks it failing otherwise, so
the receiver answers as soon as the delivery is verified and recorded; the
dispatcher (which reads ``cloudops.yaml``, asks the forge about the PR and
enqueues jobs) runs here, after the answer. Deliveries about the same pull
request (or the same repository, for pushes) keep their arrival order, so
an ``opened`` is handled before the ``synchronize`` that follows it;
different lanes run side by side, at most ``concurrency`` at once.

The delivery row's status moves from ``received`` to ``processed``,
``ignored`` or ``failed``; a row still ``received`` after a stop was
accepted but never handled (redeliver it from the hook's page).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..errors import StoreError
from ..store import DeliveryStatus, RuntimeStore
from . import routing

log = logging.getLogger(__name__)

Dispatcher = Callable[[routing.Routed, str], Awaitable[None]]
StoreCall = Callable[..., Awaitable[object]]  # runs a blocking store call off the loop
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_PENDING = 10_000  # beyond this the receiver answers 503 (nothing recorded) rather than grow


def lane_of(routed: routing.Routed) -> str:
    """Deliveries that must not overtake each other share a lane: one PR, or one repo's pushes."""
    repo = getattr(getattr(routed, "repo", None), "full_name", "")
    pull = getattr(routed, "pull", None)
    number = pull.number if pull is not None else getattr(routed, "number", None)
    return f"{repo}#{number}" if number is not None else repo


class DeliveryIntake:
    def __init__(self, store: RuntimeStore, dispatch: Dispatcher, *, concurrency: int = DEFAULT_CONCURRENCY,
                 max_pending: int = DEFAULT_MAX_PENDING, in_store_thread: StoreCall = asyncio.to_thread) -> None:
        self.store = store
        self.dispatch = dispatch
        # The receiver's own store threads: on shutdown it waits for them before the store closes.
        self._in_store_thread = in_store_thread
        self.max_pending = max_pending
        self._slots = asyncio.Semaphore(concurrency)
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    @property
    def full(self) -> bool:
        return len(self._tasks) >= self.max_pending

    def submit(self, routed: routing.Routed, delivery_id: str) -> None:
        """Hand over a recorded delivery; returns at once."""
        lane = lane_of(routed)
        previous = self._tails.get(lane)
        task = asyncio.create_task(self._process(previous, routed, delivery_id), name=f"delivery-{delivery_id}")
        self._tails[lane] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._forget(lane, done))

    def ignore(self, delivery_id: str) -> None:
        """A delivery routed to nothing: only its status changes."""
        task = asyncio.create_task(self._mark(delivery_id, DeliveryStatus.IGNORED), name=f"delivery-{delivery_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _forget(self, lane: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._tails.get(lane) is task:
            del self._tails[lane]

    async def _process(self, previous: asyncio.Task[None] | None, routed: routing.Routed, delivery_id: str) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own; only the order matters here
        async with self._slots:
            try:
                await self.dispatch(routed, delivery_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one bad delivery must not stop the lane
                log.exception("delivery %s (%s) failed after it was accepted", delivery_id, type(routed).__name__)
                await self._mark(delivery_id, DeliveryStatus.FAILED)
                return
        await self._mark(delivery_id, DeliveryStatus.PROCESSED)

    async def _mark(self, delivery_id: str, status: DeliveryStatus) -> None:
        try:
            await self._in_store_thread(self.store.set_delivery_status, delivery_id, status)
        except StoreError as exc:
            log.warning("recording the outcome of delivery %s: %s", delivery_id, exc)

    async def drain(self) -> None:
        """Wait until every delivery handed over so far has been processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 10.0) -> None:
        """Let what was accepted finish for a while, then stop it (its row stays ``received``)."""
        try:
            await asyncio.wait_for(self.drain(), grace)
        except TimeoutError:
            log.warning("%d accepted deliveries were not processed before the stop", len(self._tasks))
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
