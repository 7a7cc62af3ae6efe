"""The chat side of the runtime store: which repo each chat server drives, and which PR is whose lobby.

These tables live in the runtime store (migration 4) so that the chat front
ends and the controller read one truth in every mode: the controller's
credentials lookup, the console and the Discord bot all see the same
servers, lobbies and drafts. ``GuildRegistry`` is reached as
``store.guilds``; it shares the store's connections (and so its file locks
and transactions). One repo serves one server.

Rows map to frozen records here; SQL stays dialect-neutral (see
``migrations``) for the PostgreSQL backend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import migrations
from .records import utc_now
from .sqlite_conn import ConnectionPool, translate


@dataclass(frozen=True)
class GuildLink:
    guild_id: str
    repo: str
    target: str | None
    region: str | None
    admin_channel: str | None
    connected_by: str
    connected_at: datetime


@dataclass(frozen=True)
class PrLink:
    repo: str
    pr_number: int
    guild_id: str
    session_id: str
    lobby: dict[str, Any]
    message_ref: dict[str, str] | None


@dataclass(frozen=True)
class UserSession:
    """A session a user started on a server (newest first in :meth:`GuildRegistry.sessions_of`)."""

    session_id: str
    updated_at: datetime


@dataclass(frozen=True)
class Claim:
    """A pending proof of control of a repo for a first ``/cloud-init`` (only a hash of the code is kept)."""

    guild_id: str
    repo: str
    user_id: str
    code_hash: str
    expires_at: datetime


LEGACY_FILE = "chatops.sqlite3"  # where the chat kept these tables (in the data dir) before migration 4


def code_hash(code: str) -> str:
    return hashlib.sha256(b"cloudops-claim\0" + code.strip().encode()).hexdigest()


class GuildRegistry:
    """Guild links, PR links, message refs, user sessions, claims and recovery blobs on the store's file.

    Built by ``SqliteStore`` on its own connection pool; ``GuildRegistry(path)``
    opens (and migrates) a store file of its own, for tools and tests.
    """

    def __init__(self, db: Any) -> None:
        """``db``: the store's connection pool (SQLite or PostgreSQL: ``read``/``write`` contexts), or a path."""
        self._owned = isinstance(db, (str, Path))
        if not self._owned:
            self._db = db
        else:
            path = Path(db)
            self._db = ConnectionPool(path, busy_timeout=15.0)
            with translate(f"opening the runtime store at {path}"):
                path.parent.mkdir(parents=True, exist_ok=True)
                migrations.migrate(self._db.connection(), now=utc_now(), where=str(path))

    def _read(self, what: str, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._db.read(what) as conn:
            return conn.execute(sql, args).fetchall()

    def _write(self, what: str, sql: str, args: tuple[Any, ...] = ()) -> int:
        with self._db.write(what) as conn:
            return conn.execute(sql, args).rowcount

    # --- guilds ------------------------------------------------------------
    def connect(self, guild_id: str, repo: str, *, by: str, at: datetime, target: str | None = None,
                region: str | None = None, admin_channel: str | None = None) -> GuildLink:
        self._write("connecting a server to a repo",
                    "INSERT INTO chat_guilds (guild_id, repo, target, region, admin_channel, connected_by, connected_at)"
                    " VALUES (?,?,?,?,?,?,?) ON CONFLICT (guild_id) DO UPDATE SET repo=excluded.repo,"
                    " target=excluded.target, region=excluded.region, admin_channel=excluded.admin_channel,"
                    " connected_by=excluded.connected_by, connected_at=excluded.connected_at",
                    (guild_id, repo, target, region, admin_channel, by, at.isoformat()))
        link = self.guild(guild_id)
        assert link is not None
        return link

    def guild(self, guild_id: str) -> GuildLink | None:
        rows = self._read("reading a server's repo", f"SELECT {_GUILD_COLUMNS} FROM chat_guilds WHERE guild_id=?", (guild_id,))
        return _guild(rows[0]) if rows else None

    def guild_of_repo(self, repo: str) -> GuildLink | None:
        rows = self._read("reading a repo's server", f"SELECT {_GUILD_COLUMNS} FROM chat_guilds WHERE repo=?", (repo,))
        return _guild(rows[0]) if rows else None

    def guilds(self) -> list[GuildLink]:
        return [_guild(r) for r in self._read("listing servers", f"SELECT {_GUILD_COLUMNS} FROM chat_guilds ORDER BY guild_id")]

    # --- lobbies with a pull request ----------------------------------------
    def link_pr(self, repo: str, pr_number: int, guild_id: str, session_id: str, lobby: dict[str, Any]) -> None:
        self._write("linking a pull request to its session",
                    "INSERT INTO chat_pr_links (repo, pr_number, guild_id, session_id, lobby) VALUES (?,?,?,?,?)"
                    " ON CONFLICT (repo, pr_number) DO UPDATE SET lobby=excluded.lobby",
                    (repo, pr_number, guild_id, session_id, json.dumps(lobby)))

    def save_pr_lobby(self, session_id: str, lobby: dict[str, Any]) -> None:
        self._write("saving a session", "UPDATE chat_pr_links SET lobby=? WHERE session_id=?", (json.dumps(lobby), session_id))

    def pr_link(self, repo: str, pr_number: int) -> PrLink | None:
        rows = self._read("reading a pull request's session",
                          f"SELECT {_PR_COLUMNS} FROM chat_pr_links WHERE repo=? AND pr_number=?", (repo, pr_number))
        return self._pr(rows[0]) if rows else None

    def pr_link_by_session(self, session_id: str) -> PrLink | None:
        rows = self._read("reading a session", f"SELECT {_PR_COLUMNS} FROM chat_pr_links WHERE session_id=?", (session_id,))
        return self._pr(rows[0]) if rows else None

    def pr_links(self, guild_id: str) -> list[PrLink]:
        rows = self._read("listing sessions",
                          f"SELECT {_PR_COLUMNS} FROM chat_pr_links WHERE guild_id=? ORDER BY pr_number", (guild_id,))
        return [self._pr(r) for r in rows]

    def _pr(self, row: tuple[Any, ...]) -> PrLink:
        repo, number, guild_id, session_id, lobby = row
        return PrLink(repo, int(number), guild_id, session_id, json.loads(lobby), self.message_ref(session_id))

    # --- where a lobby is shown ---------------------------------------------
    def set_message_ref(self, session_id: str, ref: dict[str, str]) -> None:
        self._write("remembering a session's message",
                    "INSERT INTO chat_message_refs (session_id, message_ref) VALUES (?,?)"
                    " ON CONFLICT (session_id) DO UPDATE SET message_ref=excluded.message_ref",
                    (session_id, json.dumps(ref)))

    def message_ref(self, session_id: str) -> dict[str, str] | None:
        rows = self._read("reading a session's message",
                          "SELECT message_ref FROM chat_message_refs WHERE session_id=?", (session_id,))
        return json.loads(rows[0][0]) if rows else None

    # --- a user's sessions (for /cloud-recover-session) -----------------------
    def remember_session(self, guild_id: str, user_id: str, session_id: str, at: datetime) -> None:
        self._write("remembering a user's session",
                    "INSERT INTO chat_user_sessions (guild_id, user_id, session_id, updated_at) VALUES (?,?,?,?)"
                    " ON CONFLICT (guild_id, user_id, session_id) DO UPDATE SET updated_at=excluded.updated_at",
                    (guild_id, user_id, session_id, at.isoformat(timespec="microseconds")))

    def forget_session(self, guild_id: str, user_id: str, session_id: str) -> None:
        self._write("forgetting a user's session",
                    "DELETE FROM chat_user_sessions WHERE guild_id=? AND user_id=? AND session_id=?",
                    (guild_id, user_id, session_id))

    def sessions_of(self, guild_id: str, user_id: str, *, limit: int = 25) -> list[UserSession]:
        rows = self._read("listing a user's sessions",
                          "SELECT session_id, updated_at FROM chat_user_sessions WHERE guild_id=? AND user_id=?"
                          " ORDER BY updated_at DESC, session_id LIMIT ?", (guild_id, user_id, limit))
        return [UserSession(sid, datetime.fromisoformat(at)) for sid, at in rows]

    def latest_session(self, guild_id: str, user_id: str) -> str | None:
        found = self.sessions_of(guild_id, user_id, limit=1)
        return found[0].session_id if found else None

    def prune_unlinked(self) -> int:
        """Forget user and message rows of sessions that are gone (no session row, no PR link); returns how many."""
        gone = ("session_id NOT IN (SELECT id FROM chat_sessions) AND session_id NOT IN "
                "(SELECT session_id FROM chat_pr_links)")
        return (self._write("forgetting sessions that are gone", f"DELETE FROM chat_user_sessions WHERE {gone}")
                + self._write("forgetting messages of sessions that are gone", f"DELETE FROM chat_message_refs WHERE {gone}"))

    # --- proof of control for a first /cloud-init ---------------------------
    def put_claim(self, guild_id: str, repo: str, user_id: str, code: str, expires_at: datetime) -> Claim:
        claim = Claim(guild_id, repo, user_id, code_hash(code), expires_at)
        self._write("recording a repo claim",
                    "INSERT INTO chat_claims (guild_id, repo, user_id, code_hash, expires_at) VALUES (?,?,?,?,?)"
                    " ON CONFLICT (guild_id, repo) DO UPDATE SET user_id=excluded.user_id, code_hash=excluded.code_hash,"
                    " expires_at=excluded.expires_at",
                    (guild_id, repo, user_id, claim.code_hash, expires_at.isoformat()))
        return claim

    def claim(self, guild_id: str, repo: str) -> Claim | None:
        rows = self._read("reading a repo claim",
                          "SELECT guild_id, repo, user_id, code_hash, expires_at FROM chat_claims WHERE guild_id=? AND repo=?",
                          (guild_id, repo))
        if not rows:
            return None
        g, r, u, h, at = rows[0]
        return Claim(g, r, u, h, datetime.fromisoformat(at))

    def drop_claim(self, guild_id: str, repo: str) -> None:
        self._write("removing a repo claim", "DELETE FROM chat_claims WHERE guild_id=? AND repo=?", (guild_id, repo))

    # --- sealed session blobs behind short recovery codes --------------------
    def put_blob(self, blob_id: str, guild_id: str, user_id: str, sealed: str, expires_at: datetime) -> None:
        self._write("keeping a recovery blob",
                    "INSERT INTO chat_recovery_blobs (id, guild_id, user_id, sealed, expires_at) VALUES (?,?,?,?,?)",
                    (blob_id, guild_id, user_id, sealed, expires_at.isoformat()))

    def blob(self, blob_id: str) -> tuple[str, str, str, datetime] | None:
        """(guild, user, sealed text, expiry) of a recovery blob."""
        rows = self._read("reading a recovery blob",
                          "SELECT guild_id, user_id, sealed, expires_at FROM chat_recovery_blobs WHERE id=?", (blob_id,))
        if not rows:
            return None
        g, u, sealed, at = rows[0]
        return g, u, sealed, datetime.fromisoformat(at)

    def prune_blobs(self, now: datetime) -> int:
        return self._write("pruning recovery blobs", "DELETE FROM chat_recovery_blobs WHERE expires_at < ?", (now.isoformat(),))

    # --- one-time import of the registry file older versions kept apart ------
    def import_legacy(self, path: Path) -> int:
        """Copy the rows of a pre-migration-4 ``chatops.sqlite3`` once; returns how many servers came."""
        import sqlite3

        if not path.exists():
            return 0
        with translate(f"importing the old chat registry {path}"):
            old = sqlite3.connect(str(path))
            try:
                tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                # The pre-migration-4 file, or a file of its own opened with GuildRegistry(path) (new names).
                prefix = "" if "guilds" in tables else "chat_"

                def rows(table: str) -> list[tuple[Any, ...]]:
                    name = prefix + table
                    return old.execute(f"SELECT * FROM {name}").fetchall() if name in tables else []

                guilds, links, users, refs = rows("guilds"), rows("pr_links"), rows("user_sessions"), rows("message_refs")
            finally:
                old.close()
        inserts = [("INSERT INTO chat_guilds VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING", guilds),
                   ("INSERT INTO chat_pr_links VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING", [r[:5] for r in links]),
                   ("INSERT INTO chat_user_sessions VALUES (?,?,?,?) ON CONFLICT DO NOTHING", users),
                   ("INSERT INTO chat_message_refs VALUES (?,?) ON CONFLICT DO NOTHING",
                    refs + [(r[3], r[5]) for r in links if len(r) > 5 and r[5]])]
        with self._db.write(f"importing the old chat registry {path}") as conn:
            for sql, rows_ in inserts:
                for row in rows_:  # one by one: the PostgreSQL connection has no executemany
                    conn.execute(sql, tuple(row))
        path.rename(path.with_name(path.name + ".imported"))
        return len(guilds)

    def close(self) -> None:
        """Closes only a registry opened on a path of its own; the store closes its pool."""
        if self._owned:
            self._db.close()


_GUILD_COLUMNS = "guild_id, repo, target, region, admin_channel, connected_by, connected_at"
_PR_COLUMNS = "repo, pr_number, guild_id, session_id, lobby"


def _guild(row: tuple[Any, ...]) -> GuildLink:
    guild_id, repo, target, region, admin_channel, by, at = row
    return GuildLink(guild_id, repo, target, region, admin_channel, by, datetime.fromisoformat(at))


__all__ = ["LEGACY_FILE", "Claim", "GuildLink", "GuildRegistry", "PrLink", "UserSession", "code_hash"]
