"""The forge's SQLite store: accounts, repositories and everything GitHub keeps
beside git (pull requests, comments, reviews, statuses, hooks, deliveries).

Git objects and refs live in the bare repositories; this file holds only the
rows that make them a forge. Rows come back as plain dicts so that the pure
payload builders can shape them without knowing SQL. Every write commits at
once: the forge must survive a restart at any moment.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

Row = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT, email TEXT,
    site_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
CREATE TABLE IF NOT EXISTS repos (
    id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
    description TEXT, private INTEGER NOT NULL DEFAULT 0, default_branch TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, pushed_at TEXT,
    UNIQUE (owner_id, name));
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), number INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL, body TEXT,
    state TEXT NOT NULL DEFAULT 'open', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    closed_at TEXT, UNIQUE (repo_id, number));
CREATE TABLE IF NOT EXISTS pulls (
    id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL UNIQUE REFERENCES issues(id),
    head_ref TEXT NOT NULL, head_sha TEXT NOT NULL, base_ref TEXT NOT NULL, base_sha TEXT NOT NULL,
    merged_at TEXT, merged_by_id INTEGER, merge_commit_sha TEXT, draft INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL REFERENCES issues(id),
    user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY, pull_id INTEGER NOT NULL REFERENCES pulls(id),
    user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL, state TEXT NOT NULL,
    commit_id TEXT, submitted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS review_comments (
    id INTEGER PRIMARY KEY, pull_id INTEGER NOT NULL REFERENCES pulls(id),
    review_id INTEGER NOT NULL REFERENCES reviews(id), user_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL, path TEXT NOT NULL, commit_id TEXT NOT NULL, diff_hunk TEXT NOT NULL,
    line INTEGER NOT NULL, side TEXT NOT NULL, start_line INTEGER, start_side TEXT, position INTEGER NOT NULL,
    in_reply_to_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statuses (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), sha TEXT NOT NULL,
    state TEXT NOT NULL, target_url TEXT, description TEXT, context TEXT NOT NULL,
    creator_id INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hooks (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), active INTEGER NOT NULL,
    events TEXT NOT NULL, config TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    last_code INTEGER, last_status TEXT, last_message TEXT);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, hook_id INTEGER NOT NULL, guid TEXT NOT NULL,
    delivered_at TEXT NOT NULL, redelivery INTEGER NOT NULL, duration REAL NOT NULL,
    status TEXT NOT NULL, status_code INTEGER NOT NULL, event TEXT NOT NULL, action TEXT,
    repository_id INTEGER, request_headers TEXT NOT NULL, request_payload TEXT NOT NULL,
    response_headers TEXT, response_body TEXT);
CREATE TABLE IF NOT EXISTS reactions (
    id INTEGER PRIMARY KEY, subject TEXT NOT NULL, subject_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id), content TEXT NOT NULL, created_at TEXT NOT NULL,
    UNIQUE (subject, subject_id, user_id, content));
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), name TEXT NOT NULL,
    color TEXT NOT NULL, description TEXT, UNIQUE (repo_id, name));
CREATE TABLE IF NOT EXISTS issue_labels (
    issue_id INTEGER NOT NULL REFERENCES issues(id), label_id INTEGER NOT NULL REFERENCES labels(id),
    PRIMARY KEY (issue_id, label_id));
CREATE TABLE IF NOT EXISTS apps (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id), bot_user_id INTEGER NOT NULL REFERENCES users(id),
    public_key TEXT NOT NULL, webhook_url TEXT, webhook_secret TEXT, events TEXT NOT NULL,
    permissions TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS installations (
    id INTEGER PRIMARY KEY, app_id INTEGER NOT NULL REFERENCES apps(id),
    account_id INTEGER NOT NULL REFERENCES users(id), repository_selection TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, suspended_at TEXT, UNIQUE (app_id, account_id));
CREATE TABLE IF NOT EXISTS installation_repos (
    installation_id INTEGER NOT NULL REFERENCES installations(id), repo_id INTEGER NOT NULL REFERENCES repos(id),
    PRIMARY KEY (installation_id, repo_id));
CREATE TABLE IF NOT EXISTS installation_tokens (
    token TEXT PRIMARY KEY, installation_id INTEGER NOT NULL REFERENCES installations(id),
    expires_at TEXT NOT NULL, repo_ids TEXT);
CREATE TABLE IF NOT EXISTS check_suites (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), app_id INTEGER NOT NULL,
    head_sha TEXT NOT NULL, head_branch TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (repo_id, app_id, head_sha));
CREATE TABLE IF NOT EXISTS check_runs (
    id INTEGER PRIMARY KEY, suite_id INTEGER NOT NULL REFERENCES check_suites(id),
    repo_id INTEGER NOT NULL REFERENCES repos(id), app_id INTEGER NOT NULL, head_sha TEXT NOT NULL,
    name TEXT NOT NULL, external_id TEXT, details_url TEXT, status TEXT NOT NULL, conclusion TEXT,
    started_at TEXT NOT NULL, completed_at TEXT, output_title TEXT, output_summary TEXT, output_text TEXT,
    actions TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS check_annotations (
    id INTEGER PRIMARY KEY, check_run_id INTEGER NOT NULL REFERENCES check_runs(id), path TEXT NOT NULL,
    start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, start_column INTEGER, end_column INTEGER,
    annotation_level TEXT NOT NULL, title TEXT, message TEXT NOT NULL, raw_details TEXT);
CREATE TABLE IF NOT EXISTS merge_queue (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id),
    pull_id INTEGER NOT NULL REFERENCES pulls(id), base_ref TEXT NOT NULL, state TEXT NOT NULL,
    group_ref TEXT, group_sha TEXT, parent_sha TEXT, required TEXT NOT NULL, enqueued_by_id INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS check_runs_by_sha ON check_runs (repo_id, head_sha);
CREATE TABLE IF NOT EXISTS oauth_apps (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, name TEXT NOT NULL,
    callback_url TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id),
    redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, expires_at REAL NOT NULL, used INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS statuses_by_sha ON statuses (repo_id, sha);
CREATE INDEX IF NOT EXISTS deliveries_by_hook ON deliveries (hook_id);
"""

# Columns added after a table first shipped: (table, column, definition). A data
# dir written by an older forge gains them on open, so it still survives an upgrade.
_ADDED_COLUMNS = [("pulls", "draft", "INTEGER NOT NULL DEFAULT 0"), ("users", "type", "TEXT NOT NULL DEFAULT 'User'")]


def now() -> str:
    """GitHub's timestamp form: ISO 8601, UTC, second precision, 'Z'."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """One SQLite file, used from the event loop and from git worker threads.

    A single connection guarded by a lock keeps writes serialised; the forge
    is small and local, so this is simpler than a pool and never deadlocks.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        self._db.executescript(_SCHEMA)
        self._add_missing_columns()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _add_missing_columns(self) -> None:
        with self._lock:
            for table, column, definition in _ADDED_COLUMNS:
                have = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    # -- primitives -------------------------------------------------------
    def all(self, sql: str, *params: Any) -> list[Row]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, params).fetchall()]

    def one(self, sql: str, *params: Any) -> Row | None:
        rows = self.all(sql, *params)
        return rows[0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic read-check-write (e.g. spending a one-time code)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def insert(self, table: str, **values: Any) -> int:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._lock:
            cur = self._db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values()))
            return int(cur.lastrowid or 0)

    def update(self, table: str, row_id: int, **values: Any) -> None:
        if not values:
            return
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row_id))

    def delete(self, table: str, row_id: int) -> None:
        with self._lock:
            self._db.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))

    # -- accounts ---------------------------------------------------------
    def ensure_user(self, login: str, *, name: str | None = None, email: str | None = None, site_admin: bool = False,
                    kind: str = "User") -> Row:
        """Create the account if it does not exist yet; return it either way (`kind`: User or Bot)."""
        user = self.user_by_login(login)
        if user is None:
            self.insert("users", login=login, name=name or login, email=email or f"{login}@users.noreply.localforge",
                        site_admin=int(site_admin), created_at=now(), type=kind)
            user = self.user_by_login(login)
        assert user is not None
        return user

    def add_token(self, token: str, user_id: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO tokens (token, user_id) VALUES (?, ?)", (token, user_id))

    def user_by_token(self, token: str) -> Row | None:
        return self.one("SELECT users.* FROM users JOIN tokens ON tokens.user_id = users.id WHERE tokens.token = ?", token)

    def user_by_login(self, login: str) -> Row | None:
        return self.one("SELECT * FROM users WHERE login = ? COLLATE NOCASE", login)

    def user(self, user_id: int) -> Row:
        row = self.one("SELECT * FROM users WHERE id = ?", user_id)
        assert row is not None, f"user {user_id} vanished"
        return row

    # -- repositories -----------------------------------------------------
    def repo(self, owner: str, name: str) -> Row | None:
        return self.one(
            "SELECT repos.*, users.login AS owner_login FROM repos JOIN users ON users.id = repos.owner_id "
            "WHERE users.login = ? COLLATE NOCASE AND repos.name = ? COLLATE NOCASE", owner, name)

    def repo_by_id(self, repo_id: int) -> Row:
        row = self.one("SELECT repos.*, users.login AS owner_login FROM repos JOIN users ON users.id = repos.owner_id "
                       "WHERE repos.id = ?", repo_id)
        assert row is not None, f"repository {repo_id} vanished"
        return row

    # -- issues and pull requests -----------------------------------------
    def next_issue_number(self, repo_id: int) -> int:
        row = self.one("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM issues WHERE repo_id = ?", repo_id)
        return int(row["n"]) if row else 1

    _PULL = ("SELECT pulls.*, issues.repo_id, issues.number, issues.user_id, issues.title, issues.body, "
             "issues.state, issues.created_at, issues.updated_at, issues.closed_at "
             "FROM pulls JOIN issues ON issues.id = pulls.issue_id ")

    def pull(self, repo_id: int, number: int) -> Row | None:
        return self.one(self._PULL + "WHERE issues.repo_id = ? AND issues.number = ?", repo_id, number)

    def pull_by_id(self, pull_id: int) -> Row:
        row = self.one(self._PULL + "WHERE pulls.id = ?", pull_id)
        assert row is not None, f"pull request {pull_id} vanished"
        return row

    def pulls(self, repo_id: int, state: str = "open") -> list[Row]:
        if state == "all":
            return self.all(self._PULL + "WHERE issues.repo_id = ? ORDER BY issues.number DESC", repo_id)
        return self.all(self._PULL + "WHERE issues.repo_id = ? AND issues.state = ? ORDER BY issues.number DESC",
                        repo_id, state)

    def issue(self, repo_id: int, number: int) -> Row | None:
        return self.one("SELECT * FROM issues WHERE repo_id = ? AND number = ?", repo_id, number)

    def comment_count(self, issue_id: int) -> int:
        row = self.one("SELECT COUNT(*) AS n FROM comments WHERE issue_id = ?", issue_id)
        return int(row["n"]) if row else 0

    def review_comment_count(self, pull_id: int) -> int:
        """Review comments others can see (a pending review's stay its author's)."""
        row = self.one("SELECT COUNT(*) AS n FROM review_comments JOIN reviews ON reviews.id = review_comments.review_id "
                       "WHERE review_comments.pull_id = ? AND reviews.state != 'PENDING'", pull_id)
        return int(row["n"]) if row else 0

    # -- statuses -----------------------------------------------------------
    def statuses(self, repo_id: int, sha: str) -> list[Row]:
        """Newest first, as GitHub lists them."""
        return self.all("SELECT * FROM statuses WHERE repo_id = ? AND sha = ? ORDER BY id DESC", repo_id, sha)

    # -- hooks ----------------------------------------------------------------
    def hooks(self, repo_id: int) -> list[Row]:
        return [_decode_hook(r) for r in self.all("SELECT * FROM hooks WHERE repo_id = ? ORDER BY id", repo_id)]

    def hook(self, repo_id: int, hook_id: int) -> Row | None:
        row = self.one("SELECT * FROM hooks WHERE repo_id = ? AND id = ?", repo_id, hook_id)
        return _decode_hook(row) if row else None

    def delivery(self, hook_id: int, delivery_id: int) -> Row | None:
        return self.one("SELECT * FROM deliveries WHERE hook_id = ? AND id = ?", hook_id, delivery_id)

    def deliveries(self, hook_id: int) -> list[Row]:
        return self.all("SELECT * FROM deliveries WHERE hook_id = ? ORDER BY id DESC", hook_id)


def _decode_hook(row: Row) -> Row:
    row = dict(row)
    row["events"] = json.loads(row["events"])
    row["config"] = json.loads(row["config"])
    return row
