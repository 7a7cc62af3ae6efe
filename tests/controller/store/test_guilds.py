"""The chat's tables in the runtime store: servers, lobbies, a user's sessions, claims, recovery blobs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from controller.store import open_store

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_the_sqlite_store_carries_the_guild_tables_on_its_own_file(tmp_path: Path) -> None:
    with open_store(tmp_path / "store.sqlite3") as store:
        store.guilds.connect("g1", "acme/infra", by="u1", at=T0, target="local", region="local-1")
        store.guilds.link_pr("acme/infra", 7, "g1", "s1", {"project": "web"})
        store.guilds.set_message_ref("s1", {"channel": "c", "message": "m"})
    with open_store(tmp_path / "store.sqlite3") as again:  # another process sees the same rows
        assert again.guilds.guild_of_repo("acme/infra").guild_id == "g1"
        link = again.guilds.pr_link("acme/infra", 7)
        assert link.session_id == "s1" and link.lobby == {"project": "web"} and link.message_ref == {"channel": "c", "message": "m"}
    tables = {r[0] for r in sqlite3.connect(tmp_path / "store.sqlite3").execute("SELECT name FROM sqlite_master")}
    assert {"chat_guilds", "chat_pr_links", "chat_user_sessions", "chat_claims", "chat_recovery_blobs", "runs"} <= tables


def test_every_session_of_a_user_is_listed_newest_first(store) -> None:
    if True:  # every backend (the store fixture)
        for i, sid in enumerate(["a", "b", "c"]):
            store.guilds.remember_session("g", "u", sid, T0 + timedelta(minutes=i))
        store.guilds.remember_session("g", "u", "a", T0 + timedelta(hours=1))  # touched again: newest
        store.guilds.forget_session("g", "u", "b")
        assert [s.session_id for s in store.guilds.sessions_of("g", "u")] == ["a", "c"]
        assert store.guilds.latest_session("g", "u") == "a" and store.guilds.sessions_of("g", "other") == []


def test_a_claim_keeps_only_a_hash_of_its_code(store) -> None:
    if True:
        claim = store.guilds.put_claim("g", "acme/infra", "u", "CODE-123", T0)
        assert "CODE-123" not in claim.code_hash and store.guilds.claim("g", "acme/infra") == claim
        store.guilds.drop_claim("g", "acme/infra")
        assert store.guilds.claim("g", "acme/infra") is None


def test_a_registry_file_from_before_the_migration_is_imported_once(tmp_path: Path, store) -> None:
    legacy = tmp_path / "chatops.sqlite3"
    db = sqlite3.connect(legacy)
    db.executescript("""
        CREATE TABLE guilds (guild_id TEXT PRIMARY KEY, repo TEXT NOT NULL UNIQUE, target TEXT, region TEXT,
            admin_channel TEXT, connected_by TEXT NOT NULL, connected_at TEXT NOT NULL);
        CREATE TABLE pr_links (repo TEXT NOT NULL, pr_number INTEGER NOT NULL, guild_id TEXT NOT NULL,
            session_id TEXT NOT NULL UNIQUE, lobby TEXT NOT NULL, message_ref TEXT, PRIMARY KEY (repo, pr_number));
        CREATE TABLE user_sessions (guild_id TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
            updated_at TEXT NOT NULL, PRIMARY KEY (guild_id, user_id));
        CREATE TABLE message_refs (session_id TEXT PRIMARY KEY, message_ref TEXT NOT NULL);
    """)
    db.execute("INSERT INTO guilds VALUES ('g1','acme/infra',NULL,NULL,'#ops','u1',?)", (T0.isoformat(),))
    db.execute("INSERT INTO pr_links VALUES ('acme/infra',3,'g1','s9','{\"project\": \"web\"}','{\"m\": \"1\"}')")
    db.execute("INSERT INTO user_sessions VALUES ('g1','u1','s9',?)", (T0.isoformat(),))
    db.commit()
    db.close()
    if True:  # into every backend
        assert store.guilds.import_legacy(legacy) == 1
        assert store.guilds.import_legacy(legacy) == 0  # renamed aside: not imported twice
        assert store.guilds.guild("g1").admin_channel == "#ops"
        assert store.guilds.pr_link("acme/infra", 3).message_ref == {"m": "1"}
        assert store.guilds.latest_session("g1", "u1") == "s9"
    assert not legacy.exists() and (tmp_path / "chatops.sqlite3.imported").exists()


def test_servers_and_lobbies_round_trip_on_every_backend(store) -> None:
    store.guilds.connect("g1", "acme/infra", by="u1", at=T0, admin_channel="#ops")
    store.guilds.connect("g1", "acme/infra", by="u1", at=T0, admin_channel="#alerts")  # an upsert, not a second row
    store.guilds.link_pr("acme/infra", 7, "g1", "s1", {"project": "web"})
    store.guilds.save_pr_lobby("s1", {"project": "web", "status": "applied"})
    assert [g.admin_channel for g in store.guilds.guilds()] == ["#alerts"]
    assert store.guilds.pr_link_by_session("s1").lobby["status"] == "applied"
    assert [l.pr_number for l in store.guilds.pr_links("g1")] == [7]
