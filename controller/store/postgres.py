"""The PostgreSQL runtime store: the same queries as SQLite, for several replicas.

``CLOUDOPS_DATABASE_URL=postgresql://user@host:5432/db`` selects it. The
queries, records and state transitions are the SQLite store's own (one
implementation, two connections): ``postgres_conn`` makes a psycopg
connection answer like a ``sqlite3`` one and gives every write transaction
the same single-writer lock SQLite has, so ``try_lock``, delivery
deduplication and plan consumption stay atomic across replicas.

The URL may name a schema with ``?schema=NAME`` (default ``cloudops``), so
several controllers, or test runs, can share one database apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigError
from . import migrations
from .guilds import GuildRegistry
from .base import Clock
from .postgres_conn import PgConnectionPool, translate
from .records import utc_now
from .sqlite import SqliteStore

DEFAULT_SCHEMA = "cloudops"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class PgTarget:
    conninfo: str  # what psycopg connects with (may hold a password: never printed)
    schema: str
    where: str  # host:port/db#schema, for messages


def parse_url(url: str) -> PgTarget:
    """Split a ``postgresql://`` URL into connection info, schema and a printable name (pure)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"postgres", "postgresql"}:
        raise ConfigError(f"opening the runtime store: {parts.scheme!r} is not a PostgreSQL URL")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    schema = query.pop("schema", DEFAULT_SCHEMA)
    if not _SCHEMA_NAME.match(schema):
        raise ConfigError(
            f"opening the runtime store: schema {schema!r} is not a plain lower-case SQL name",
            hint="use letters, digits and underscores, starting with a letter, e.g. ?schema=cloudops",
        )
    database = parts.path.lstrip("/") or "(default database)"
    host = parts.hostname or "localhost"
    where = f"postgresql://{host}:{parts.port or 5432}/{database}#{schema}"
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))
    return PgTarget(conninfo=conninfo, schema=schema, where=where)


PG = migrations.Dialect(
    "postgresql",
    lambda conn: conn.begin_exclusive(),
    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
)


class PostgresStore(SqliteStore):
    """``RuntimeStore`` on a PostgreSQL schema (the queries are ``SqliteStore``'s)."""

    def __init__(self, url: str, *, clock: Clock = utc_now) -> None:  # not super().__init__: it opens SQLite
        target = parse_url(url)
        self.where = target.where
        self.path = None  # type: ignore[assignment]  # no file: see ``where``
        self._clock = clock
        self._db = PgConnectionPool(target.conninfo, schema=target.schema, where=target.where)  # type: ignore[assignment]
        with translate(f"opening the runtime store at {self.where}"):
            migrations.migrate(self._db.connection(), now=self._now(), where=self.where, dialect=PG)
        self.guilds = GuildRegistry(self._db)  # the chat's tables, in the same schema

    def __repr__(self) -> str:
        return f"PostgresStore({self.where})"
