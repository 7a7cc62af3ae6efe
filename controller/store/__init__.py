"""The runtime store: runs, project locks, chat sessions and servers, webhook deliveries.

Callers use ``open_store`` and the ``RuntimeStore`` interface, never a
backend class, so a PostgreSQL backend can be added for several controller
replicas without touching them. Records (``records``), the run life cycle
(``transitions``), the schema history (``migrations.MIGRATIONS``) and the row
mapping (``sqlite_rows``) are pure; ``sqlite`` and ``sqlite_conn`` do the I/O.

    store = open_store(settings)             # SQLite file under the data dir
    store = open_store("sqlite:///var/lib/cloudops/store.sqlite3")
    store = open_store("postgresql://cloudops@db:5432/cloudops")   # several replicas

``Settings.database_url`` (``CLOUDOPS_DATABASE_URL``) picks PostgreSQL for
``open_store(settings)``; without it the store is the SQLite file.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..settings import Settings
from .base import Clock, RuntimeStore
from .guilds import GuildLink, GuildRegistry, PrLink, UserSession
from .records import (
    IN_FLIGHT_STATUSES,
    ChatSession,
    Delivery,
    DeliveryStatus,
    Lock,
    LockAttempt,
    Push,
    Run,
    RunKind,
    RunStatus,
    utc_now,
)
from .sqlite import SqliteStore

_POSTGRES_SCHEMES = {"postgres", "postgresql"}


def open_store(target: Settings | Path | str, *, clock: Clock = utc_now) -> RuntimeStore:
    """Open (creating and migrating as needed) the store that ``target`` names.

    ``target`` is ``Settings`` (its ``store_path``), a filesystem path, or a
    URL: ``sqlite:///abs/path.sqlite3`` or ``sqlite:///./relative.sqlite3``.
    """
    if isinstance(target, Settings):
        if target.database_url:
            return open_store(target.database_url, clock=clock)
        return SqliteStore(target.store_path, clock=clock)
    if isinstance(target, Path) or "://" not in target:
        return SqliteStore(Path(target).expanduser(), clock=clock)
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc or not parts.path or parts.path == "/":
            raise ConfigError(
                f"opening the runtime store: {scheme}:// URL has no file path",
                hint="write sqlite:///absolute/path.sqlite3 or sqlite:///./relative.sqlite3",
            )
        path = parts.path[1:] if parts.path.startswith("/./") else parts.path
        return SqliteStore(Path(path).expanduser(), clock=clock)
    if scheme in _POSTGRES_SCHEMES:
        from .postgres import PostgresStore  # psycopg loads only when PostgreSQL is asked for

        return PostgresStore(target, clock=clock)
    # Only the scheme goes into the message: the URL may carry a password.
    raise ConfigError(
        f"opening the runtime store: unknown URL scheme {scheme!r}",
        hint="use sqlite:///path or postgresql://user@host:5432/database",
    )


__all__ = [
    "IN_FLIGHT_STATUSES",
    "ChatSession",
    "Clock",
    "Delivery",
    "DeliveryStatus",
    "GuildLink",
    "GuildRegistry",
    "Lock",
    "LockAttempt",
    "Push",
    "PrLink",
    "Run",
    "RunKind",
    "RunStatus",
    "RuntimeStore",
    "SqliteStore",
    "UserSession",
    "open_store",
    "utc_now",
]
