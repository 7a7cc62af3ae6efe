"""Terraform's process group, read and signalled through Linux /proc.

The runner starts terraform (or, under the sandbox, ``bwrap`` running
terraform) in its own session, so the session leader's pid is the group to
signal. Under bubblewrap the group holds two processes that are not
terraform's: the leader (bwrap's monitor, which waits for the sandbox and
passes on its exit status) and its child, the sandbox's pid 1. Neither
handles SIGINT: the monitor would die of it at once, the runner would take
that for terraform's exit and kill the rest while terraform was still saving
its state ("Two interrupts received. Exiting immediately"). So a graceful
signal (SIGINT, SIGTERM) goes to every member of the group except those two;
SIGKILL goes to the whole group. Without the sandbox the leader is terraform
and the whole group is signalled, as Ctrl-C in a terminal would.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

PROC = Path("/proc")
SANDBOX_BINARY = "bwrap"


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of ``pid``, or None when it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return (fields[0], int(fields[1]), int(fields[2])) if len(fields) > 2 else None


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie is not)."""
    found = _stat(pid)
    return found is not None and found[0] not in ("Z", "X")


def group_of(pid: int) -> int | None:
    found = _stat(pid)
    return found[2] if found is not None else None


def group_members(pgid: int) -> dict[int, int]:
    """Live members of process group ``pgid`` → their parent's pid."""
    members: dict[int, int] = {}
    if not PROC.is_dir():
        return members
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(int(entry.name))
        if found is not None and found[2] == pgid and found[0] not in ("Z", "X"):
            members[int(entry.name)] = found[1]
    return members


def group_alive(pgid: int) -> bool:
    """Whether a live process is left in the group (``killpg(pgid, 0)`` also counts unreaped zombies)."""
    if not (PROC / "self" / "stat").exists():
        try:
            os.killpg(pgid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False
    return bool(group_members(pgid))


def _is_sandbox(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(PROC / str(pid) / "exe")) == SANDBOX_BINARY
    except OSError:
        return False


def sandbox_monitors(pgid: int, members: dict[int, int] | None = None) -> set[int]:
    """The sandbox's own processes in the group: a bwrap leader and the bwrap it started (pid 1 inside)."""
    members = group_members(pgid) if members is None else members
    if pgid not in members or not _is_sandbox(pgid):
        return set()
    return {pgid} | {pid for pid, parent in members.items() if parent == pgid and _is_sandbox(pid)}


def signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send ``sig`` to terraform's group; a graceful one spares the sandbox's monitors. True if sent."""
    if sig is not signal.SIGKILL and PROC.is_dir():
        members = group_members(pgid)
        spared = sandbox_monitors(pgid, members)
        if spared:
            sent = False
            for pid in members.keys() - spared:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                    sent = True
            return sent
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


__all__ = ["alive", "group_alive", "group_members", "group_of", "sandbox_monitors", "signal_group"]
