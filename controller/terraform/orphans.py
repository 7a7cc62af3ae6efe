"""Terraform processes a crashed controller left behind, found and stopped (Linux /proc).

The runner starts terraform in its own session with its run directory as the
working directory; a provisioner's children inherit that directory. So the
processes of a run are the live ones whose cwd is inside its run directory —
found that way even when the controller died between spawning terraform and
recording its pid, and never confused with an unrelated process that reused
a recorded pid. Stopping is what the runner does on a timeout: SIGINT to each
process group (terraform stops gracefully and writes its state), then SIGTERM,
then SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from .processes import PROC, alive, group_of, signal_group


def processes_in(run_dir: Path | str) -> list[int]:
    """Live processes (not this one) whose working directory is ``run_dir`` or below it."""
    root = os.path.realpath(run_dir)
    found: list[int] = []
    if not PROC.is_dir():
        return found
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if (cwd == root or cwd.startswith(root + os.sep)) and alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


async def wait_gone(pids: list[int], timeout: float) -> bool:
    """Wait until none of ``pids`` is alive (they are not our children: poll); True if they went."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def stop(pids: list[int], grace: float) -> list[str]:
    """SIGINT, SIGTERM, SIGKILL the groups of ``pids`` until none is left; returns the signals sent."""
    groups = sorted({g for p in pids if (g := group_of(p)) is not None})
    sent: list[str] = []
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if not any(alive(p) for p in pids):
            break
        for group in groups:
            signal_group(group, sig)  # a graceful signal spares a sandbox's monitors (see processes)
        sent.append(sig.name)
        await wait_gone(pids, grace if sig is not signal.SIGKILL else 5.0)
    return sent


__all__ = ["alive", "processes_in", "stop", "wait_gone"]
