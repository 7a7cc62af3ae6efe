"""Clean up chat sessions long expired, on a schedule.

A draft idle for 30 minutes expires but is kept, so ``/cloud-recover-session``
can still list and bring it back; only once it has been expired for
``KEEP_EXPIRED`` (a week) is it deleted, with the rows that pointed at it
(the user's session list, the message it was shown in) and the recovery
blobs past their own expiry. Sessions with a pull request are never lost:
their lobby lives in the PR link, not in the session row.

Who runs it: the controller (``cloudops serve``, ``chat --embedded``, the
demo) among its periodic tasks, and a chat process that owns its store on
its own (``cloudops bot`` / ``cloudops chat`` without a controller).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..store import RuntimeStore, utc_now

log = logging.getLogger(__name__)

KEEP_EXPIRED = dt.timedelta(days=7)
DEFAULT_INTERVAL = 3600.0  # seconds between clean-ups


@dataclass(frozen=True)
class Cleaned:
    sessions: int
    links: int
    blobs: int

    def __bool__(self) -> bool:
        return bool(self.sessions or self.links or self.blobs)


def clean_sessions(store: RuntimeStore, *, keep: dt.timedelta = KEEP_EXPIRED,
                   clock: Callable[[], dt.datetime] = utc_now) -> Cleaned:
    """One clean-up pass (blocking: SQL)."""
    sessions = store.delete_expired_sessions(older_than=keep)
    links = store.guilds.prune_unlinked()
    blobs = store.guilds.prune_blobs(clock())
    return Cleaned(sessions, links, blobs)


async def clean_sessions_forever(store: RuntimeStore, interval: float = DEFAULT_INTERVAL, *,
                                 keep: dt.timedelta = KEEP_EXPIRED, clock: Callable[[], dt.datetime] = utc_now) -> None:
    """Clean up at start, then every ``interval`` seconds; a failed pass is logged and the next one runs."""
    while True:
        try:
            done = await asyncio.to_thread(clean_sessions, store, keep=keep, clock=clock)
            if done:
                log.info("cleaned up %d chat session(s) expired for over %s, %d stale row(s), %d recovery blob(s)",
                         done.sessions, keep, done.links, done.blobs)
        except Exception:  # noqa: BLE001 - the clean-up must outlive one bad pass (a locked database, a full disk)
            log.warning("cleaning up expired chat sessions failed", exc_info=True)
        await asyncio.sleep(interval)
