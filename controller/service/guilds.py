"""Which infra repo each chat server drives, and which PR belongs to which lobby.

Why its own small SQLite file: the runtime store has no table for these and
belongs to another team; this registry is the service layer's own state. It
is what makes guilds isolated: every use case starts from the caller's guild
and only ever sees that guild's repo. One repo serves one guild.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import data_dir
from ..errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS guilds (
    guild_id TEXT PRIMARY KEY, repo TEXT NOT NULL UNIQUE, target TEXT, region TEXT,
    admin_channel TEXT, connected_by TEXT NOT NULL, connected_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pr_links (
    repo TEXT NOT NULL, pr_number INTEGER NOT NULL, guild_id TEXT NOT NULL, session_id TEXT NOT NULL UNIQUE,
    lobby TEXT NOT NULL, message_ref TEXT, PRIMARY KEY (repo, pr_number));
CREATE TABLE IF NOT EXISTS user_sessions (
    guild_id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id));
CREATE TABLE IF NOT EXISTS message_refs (
    session_id TEXT PRIMARY KEY, message_ref TEXT NOT NULL);
"""


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


class GuildRegistry:
    """Thread-safe; one connection guarded by a lock (calls are tiny)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            data_dir.make_private(path)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"opening the chat registry {path}: {exc}") from exc

    def _run(self, action: str, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{action}: {exc}") from exc

    # --- guilds ------------------------------------------------------------
    def connect(self, guild_id: str, repo: str, *, by: str, at: datetime, target: str | None = None,
                region: str | None = None, admin_channel: str | None = None) -> GuildLink:
        self._run("connecting a server to a repo",
                  "INSERT INTO guilds VALUES (?,?,?,?,?,?,?) ON CONFLICT(guild_id) DO UPDATE SET repo=excluded.repo,"
                  " target=excluded.target, region=excluded.region, admin_channel=excluded.admin_channel,"
                  " connected_by=excluded.connected_by, connected_at=excluded.connected_at",
                  (guild_id, repo, target, region, admin_channel, by, at.isoformat()))
        link = self.guild(guild_id)
        assert link is not None
        return link

    def guild(self, guild_id: str) -> GuildLink | None:
        rows = self._run("reading a server's repo", "SELECT * FROM guilds WHERE guild_id=?", (guild_id,))
        return _guild(rows[0]) if rows else None

    def guild_of_repo(self, repo: str) -> GuildLink | None:
        rows = self._run("reading a repo's server", "SELECT * FROM guilds WHERE repo=?", (repo,))
        return _guild(rows[0]) if rows else None

    def guilds(self) -> list[GuildLink]:
        return [_guild(r) for r in self._run("listing servers", "SELECT * FROM guilds ORDER BY guild_id")]

    # --- lobbies with a pull request ----------------------------------------
    def link_pr(self, repo: str, pr_number: int, guild_id: str, session_id: str, lobby: dict[str, Any]) -> None:
        self._run("linking a pull request to its session",
                  "INSERT INTO pr_links (repo, pr_number, guild_id, session_id, lobby) VALUES (?,?,?,?,?)"
                  " ON CONFLICT(repo, pr_number) DO UPDATE SET lobby=excluded.lobby",
                  (repo, pr_number, guild_id, session_id, json.dumps(lobby)))

    def save_pr_lobby(self, session_id: str, lobby: dict[str, Any]) -> None:
        self._run("saving a session", "UPDATE pr_links SET lobby=? WHERE session_id=?", (json.dumps(lobby), session_id))

    def pr_link(self, repo: str, pr_number: int) -> PrLink | None:
        rows = self._run("reading a pull request's session", "SELECT * FROM pr_links WHERE repo=? AND pr_number=?",
                         (repo, pr_number))
        return self._pr(rows[0]) if rows else None

    def pr_link_by_session(self, session_id: str) -> PrLink | None:
        rows = self._run("reading a session", "SELECT * FROM pr_links WHERE session_id=?", (session_id,))
        return self._pr(rows[0]) if rows else None

    def pr_links(self, guild_id: str) -> list[PrLink]:
        rows = self._run("listing sessions", "SELECT * FROM pr_links WHERE guild_id=? ORDER BY pr_number", (guild_id,))
        return [self._pr(r) for r in rows]

    def _pr(self, row: tuple[Any, ...]) -> PrLink:
        repo, number, guild_id, session_id, lobby, _ = row
        return PrLink(repo, int(number), guild_id, session_id, json.loads(lobby), self.message_ref(session_id))

    # --- where a lobby is shown ---------------------------------------------
    def set_message_ref(self, session_id: str, ref: dict[str, str]) -> None:
        self._run("remembering a session's message",
                  "INSERT INTO message_refs VALUES (?,?) ON CONFLICT(session_id) DO UPDATE SET message_ref=excluded.message_ref",
                  (session_id, json.dumps(ref)))

    def message_ref(self, session_id: str) -> dict[str, str] | None:
        rows = self._run("reading a session's message", "SELECT message_ref FROM message_refs WHERE session_id=?", (session_id,))
        return json.loads(rows[0][0]) if rows else None

    # --- a user's latest session (for /cloud-recover-session) ----------------
    def remember_session(self, guild_id: str, user_id: str, session_id: str, at: datetime) -> None:
        self._run("remembering a user's session",
                  "INSERT INTO user_sessions VALUES (?,?,?,?) ON CONFLICT(guild_id, user_id) DO UPDATE SET"
                  " session_id=excluded.session_id, updated_at=excluded.updated_at",
                  (guild_id, user_id, session_id, at.isoformat()))

    def latest_session(self, guild_id: str, user_id: str) -> str | None:
        rows = self._run("reading a user's session", "SELECT session_id FROM user_sessions WHERE guild_id=? AND user_id=?",
                         (guild_id, user_id))
        return rows[0][0] if rows else None

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _guild(row: tuple[Any, ...]) -> GuildLink:
    guild_id, repo, target, region, admin_channel, by, at = row
    return GuildLink(guild_id, repo, target, region, admin_channel, by, datetime.fromisoformat(at))
