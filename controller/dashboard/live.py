"""Live apply logs: bus events → the journal → every browser watching that run.

A run page subscribes with ``watch(run_id)`` and gets each new log line as
it is written; the server-sent events view first replays the journal (after
the browser's ``Last-Event-ID``), so a reconnect loses nothing and repeats
nothing. Lines are what the pipeline published (already redacted by the
bus); the journal write happens on a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from ..bus import EventBus
from ..pipeline import notices
from .journal import Journal, LogLine

log = logging.getLogger(__name__)

DONE = "done"  # the sentinel a watcher receives when the apply finished


class LiveRuns:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._watchers: dict[str, set[asyncio.Queue[LogLine | str]]] = {}
        self._last_current: dict[str, tuple[int, str]] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    def attach(self, bus: EventBus) -> None:
        self._unsubscribe = [
            bus.subscribe(notices.ApplyStarted, self._on_started),
            bus.subscribe(notices.ApplyProgress, self._on_progress),
            bus.subscribe(notices.ApplyFinished, self._on_finished),
            bus.subscribe(notices.DriftFound, self._on_drift),
        ]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        for queues in self._watchers.values():
            for queue in queues:
                queue.put_nowait(DONE)

    @asynccontextmanager
    async def watch(self, run_id: str) -> AsyncIterator[asyncio.Queue[LogLine | str]]:
        queue: asyncio.Queue[LogLine | str] = asyncio.Queue()
        self._watchers.setdefault(run_id, set()).add(queue)
        try:
            yield queue
        finally:
            watchers = self._watchers.get(run_id, set())
            watchers.discard(queue)
            if not watchers:
                self._watchers.pop(run_id, None)

    async def _write(self, run_id: str, *, percent: int, completed: int, total: int, line: str) -> None:
        entry = await asyncio.to_thread(self.journal.append_log, run_id, percent=percent, completed=completed,
                                        total=total, line=line)
        for queue in self._watchers.get(run_id, ()):
            queue.put_nowait(entry)

    async def _on_started(self, event: notices.ApplyStarted) -> None:
        await self._write(event.run_id, percent=0, completed=0, total=event.total,
                          line=f"Apply of {event.project} started by @{event.actor}: {event.total} resource(s) to change")

    async def _on_progress(self, event: notices.ApplyProgress) -> None:
        # One line per step: a new resource started, or one more finished.
        step = (event.completed, event.current)
        if self._last_current.get(event.run_id) == step:
            return
        self._last_current[event.run_id] = step
        line = event.current or ("all resources done" if event.completed == event.total else "waiting for terraform")
        await self._write(event.run_id, percent=event.percent, completed=event.completed, total=event.total,
                          line=f"[{event.completed}/{event.total} done] {line}")

    async def _on_finished(self, event: notices.ApplyFinished) -> None:
        self._last_current.pop(event.run_id, None)
        previous = await asyncio.to_thread(self.journal.log_of, event.run_id)
        total = previous[-1].total if previous else 0
        completed = previous[-1].completed if previous else 0
        if event.succeeded:
            completed, percent = total, 100
        else:
            percent = completed * 100 // total if total else 0
        word = "succeeded" if event.succeeded else ("was cancelled" if event.cancelled else "failed")
        detail = f": {event.summary}" if event.summary else ""
        failed = f" (failed: {', '.join(event.failed_resources)})" if event.failed_resources else ""
        await self._write(event.run_id, percent=percent, completed=completed, total=total,
                          line=f"Apply {word}{detail}{failed}")
        if event.succeeded:
            # The state now matches the applied code: an older drift finding no longer holds.
            await asyncio.to_thread(self.journal.clear_drift, event.repo, event.project)
        for queue in self._watchers.get(event.run_id, ()):
            queue.put_nowait(DONE)

    async def _on_drift(self, event: notices.DriftFound) -> None:
        await asyncio.to_thread(self.journal.record_drift, event.repo, event.project, event.head_sha, event.summary,
                                tuple(event.resources))
