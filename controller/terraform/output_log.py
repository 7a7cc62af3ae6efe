"""Terraform's stdout and stderr as private files in its run directory, read as they grow.

Files, not pipes: if the controller dies, a pipe would break and terraform
would die of SIGPIPE in the middle of creating something; with files it
finishes (or is stopped gracefully by the recovery pass at the next start),
and its event log says exactly what it did (``read_event_log``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from . import events

LOG_DIR = ".cloudops-log"
POLL_INTERVAL = 0.05  # seconds between reads of a log file that has not grown

EventCallback = Callable[[events.TerraformEvent], "Awaitable[None] | None"]


class Exited(Protocol):
    """What the tail needs of the process: whether it has exited."""

    @property
    def returncode(self) -> int | None: ...


def log_paths(workdir: Path, command: str) -> tuple[Path, Path]:
    """Where terraform ``command`` in ``workdir`` writes its stdout and stderr."""
    return workdir / LOG_DIR / f"{command}.out", workdir / LOG_DIR / f"{command}.err"


@contextlib.contextmanager
def private_file(path: Path) -> Iterator[BinaryIO]:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        yield handle


async def _tail_lines(path: Path, proc: Exited) -> AsyncIterator[bytes]:
    """Complete lines of ``path`` as terraform writes them; ends after terraform exited and all is read."""
    with path.open("rb") as handle:
        pending = b""
        while True:
            chunk = handle.read(65536)
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    yield line
                continue
            if proc.returncode is not None:
                rest = handle.read()
                if rest:
                    pending += rest
                    continue
                if pending:
                    yield pending
                return
            await asyncio.sleep(POLL_INTERVAL)


async def tail_events(path: Path, proc: Exited, on_event: EventCallback | None,
                      collected: list[events.TerraformEvent]) -> None:
    async for line in _tail_lines(path, proc):
        if not line.strip():
            continue
        event = events.parse_event(line)
        collected.append(event)
        if on_event is not None:
            outcome = on_event(event)
            if inspect.isawaitable(outcome):
                await outcome


async def tail_all(path: Path, proc: Exited, chunks: list[bytes]) -> None:
    async for line in _tail_lines(path, proc):
        chunks.append(line + b"\n")


def tail_of(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read()
    except OSError:
        return b""


def read_event_log(workdir: Path, command: str) -> list[events.TerraformEvent]:
    """The events a (possibly orphaned) terraform ``command`` wrote in ``workdir`` (recovery)."""
    out, _ = log_paths(workdir, command)
    try:
        lines = out.read_bytes().splitlines()
    except OSError:
        return []
    return [events.parse_event(line) for line in lines if line.strip()]


__all__ = ["LOG_DIR", "log_paths", "private_file", "read_event_log", "tail_all", "tail_events", "tail_of"]
