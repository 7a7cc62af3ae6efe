"""A PostgreSQL server for the tests: the machine's, or a private one.

Order: ``CLOUDOPS_TEST_DATABASE_URL`` if set; else 127.0.0.1:5432 database
``test`` when it answers; else a private cluster started from Debian's
PostgreSQL binaries (``initdb`` in a temporary directory, a free port, trust
auth, stopped at exit), so ``./test.sh`` passes on a fresh machine either
way. Each test gets its own schema (``?schema=t_…``), so tests never see
each other's rows and nothing needs cleaning between them.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

_MACHINE_URL = "postgresql://postgres@127.0.0.1:5432/test"
_started: dict[str, str] = {}


def _answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_private() -> str:
    bindir = _postgres_bin()
    if bindir is None:
        raise RuntimeError(
            "no PostgreSQL for the tests: set CLOUDOPS_TEST_DATABASE_URL, run one on 127.0.0.1:5432, "
            "or install Debian's postgresql package (scripts/install.sh does as root)"
        )
    root = Path(tempfile.mkdtemp(prefix="cloudops-pg-"))
    data = root / "data"
    user_args: list[str] = []
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        shutil.chown(root, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", *user_args],
                   check=True, capture_output=True)
    port = _free_port()
    log = root / "server.log"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    atexit.register(lambda: subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                            "stop"], capture_output=True))
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 30
    while not _answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the private PostgreSQL did not start; see {log}")
        time.sleep(0.2)
    return url


def server_url() -> str:
    """A reachable PostgreSQL server URL (no schema), started once per test session if needed."""
    if "url" in _started:
        return _started["url"]
    url = os.environ.get("CLOUDOPS_TEST_DATABASE_URL") or ""
    if not url:
        url = _MACHINE_URL if _answers(_MACHINE_URL) else _start_private()
    _started["url"] = url
    return url


def fresh_schema_url() -> str:
    """The server URL with a schema of its own, for one test."""
    base = server_url()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}schema=t_{uuid.uuid4().hex[:16]}"


def drop_schema(url: str) -> None:
    """Remove a test's schema (best effort: a leftover schema harms nothing)."""
    import psycopg

    from controller.store.postgres import parse_url

    target = parse_url(url)
    try:
        with psycopg.connect(target.conninfo, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{target.schema}" CASCADE')
    except Exception:  # noqa: BLE001
        pass
