"""The in-process event bus: how the controller tells front ends what happened.

The pipeline publishes ``DomainEvent`` subclasses (defined beside the code
that raises them); Discord, the console and PR commenting subscribe. The
controller therefore never imports a front end.

A handler subscribed to a class also receives its subclasses' events, and is
called once per event even when subscribed to several of its bases. Handlers
of one event run concurrently and ``publish`` returns when all are done, so a
handler sees events in publication order. A handler that raises is logged
and does not stop the others or the publisher: a Discord outage must not fail
a terraform apply.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E", bound="DomainEvent")
Handler = Callable[[Any], Awaitable[None] | None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Keyword-only, so subclasses may add required fields."""

    occurred_at: datetime = field(default_factory=_utc_now)


class EventBus:
    """Routes events to handlers by class, including handlers of base classes."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = {}

    def subscribe(self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None]) -> Callable[[], None]:
        """Register ``handler`` (sync or async); returns a function that unsubscribes it."""
        if not (isinstance(event_type, type) and issubclass(event_type, DomainEvent)):
            raise TypeError(f"subscribing to {event_type!r}: not a DomainEvent class")
        handlers = self._handlers.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)

        def unsubscribe() -> None:
            self.unsubscribe(event_type, handler)

        return unsubscribe

    def unsubscribe(self, event_type: type[DomainEvent], handler: Handler) -> bool:
        """Remove a subscription; False if it was not there."""
        handlers = self._handlers.get(event_type, [])
        if handler not in handlers:
            return False
        handlers.remove(handler)
        if not handlers:
            del self._handlers[event_type]
        return True

    def handlers_for(self, event_type: type[DomainEvent]) -> list[Handler]:
        """Handlers that receive ``event_type``: its own first, then its bases', each once."""
        found: list[Handler] = []
        for cls in event_type.__mro__:
            for handler in self._handlers.get(cls, ()):
                if handler not in found:
                    found.append(handler)
        return found

    async def publish(self, event: DomainEvent) -> int:
        """Deliver ``event`` to every matching handler; returns how many raised."""
        handlers = self.handlers_for(type(event))
        results = await asyncio.gather(*(self._call(h, event) for h in handlers))
        return results.count(False)

    @staticmethod
    async def _call(handler: Handler, event: DomainEvent) -> bool:
        try:
            result = handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            name = getattr(handler, "__qualname__", repr(handler))
            log.exception("handling %s in %s: the handler raised", type(event).__name__, name)
            return False
        return True
