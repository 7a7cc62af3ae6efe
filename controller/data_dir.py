"""The controller's data directory: private, and owned by one running controller.

The data dir holds the runtime store, the vault, run workspaces with
injected credentials and plan files: it is created (and tightened to) 0700,
and its SQLite files are 0600.

A controller recovers from a crash at start-up (runs in flight are marked
interrupted, credentials files left behind are removed). A second controller
on the same data dir would do that to the *live* runs of the first, so
``cloudops serve`` takes an exclusive ``flock`` on ``controller.lock`` and
refuses to start while another holds it. The kernel drops the lock when its
process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

log = logging.getLogger(__name__)

LOCK_FILE = "controller.lock"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def prepare(path: Path) -> Path:
    """Create ``path`` 0700 (parents as usual), or tighten it to 0700 if we own it and it is wider."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 and path.stat().st_uid == os.getuid():
        log.warning("data dir %s was %o; tightening it to 700", path, mode)
        path.chmod(PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    """Create ``path`` 0600 if missing; tighten it and its SQLite companions (WAL, shared memory) to 0600.

    SQLite gives the WAL and shared-memory files the database file's mode, so a
    database created 0600 keeps every companion private too."""
    path = Path(path)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE))
    for suffix in SQLITE_SUFFIXES:
        target = path.with_name(path.name + suffix)
        try:
            if not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) != PRIVATE_FILE:
                target.chmod(PRIVATE_FILE)
        except FileNotFoundError:
            continue


@dataclass
class DataDirLock:
    """``with DataDirLock.take(path): ...`` — this process alone runs a controller on ``path``."""

    path: Path
    fd: int

    @classmethod
    def take(cls, data_dir: Path) -> DataDirLock:
        lock_path = prepare(data_dir) / LOCK_FILE
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ConfigError(
                f"starting the controller: another controller{holder} is running on the data dir {data_dir}",
                hint="stop it first, or give this one its own data dir (CLOUDOPS_DATA_DIR); "
                     "two controllers on one data dir interrupt each other's runs",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(lock_path, fd)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
