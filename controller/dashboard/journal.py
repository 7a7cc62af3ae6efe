"""What the dashboard remembers beyond the runtime store: apply logs, drift findings, its audit trail.

The pipeline tells these only as bus events (``ApplyProgress``, ``DriftFound``),
so the dashboard writes them down as they happen, in its own SQLite file
beside the store (``<data dir>/dashboard.sqlite3``): a run page still shows its
log after a restart, drift stays visible until the next check, and every
action taken in the browser (an unlock) is recorded with who and when.
Text arrives already redacted by the bus; it is redacted again on render.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import data_dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS apply_log (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL, percent INTEGER NOT NULL,
    completed INTEGER NOT NULL, total INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS drift (
    repo TEXT NOT NULL, project TEXT NOT NULL, head_sha TEXT NOT NULL, summary TEXT NOT NULL,
    resources TEXT NOT NULL, found_at REAL NOT NULL, PRIMARY KEY (repo, project));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    repo TEXT NOT NULL, project TEXT NOT NULL, detail TEXT NOT NULL);
"""


@dataclass(frozen=True)
class LogLine:
    seq: int
    at: float
    percent: int
    completed: int
    total: int
    line: str

    def to_json(self) -> dict:
        return {"seq": self.seq, "at": self.at, "percent": self.percent, "completed": self.completed,
                "total": self.total, "line": self.line}


@dataclass(frozen=True)
class DriftFinding:
    repo: str
    project: str
    head_sha: str
    summary: str
    resources: tuple[str, ...]
    found_at: float


@dataclass(frozen=True)
class AuditEntry:
    at: float
    actor: str
    action: str
    repo: str
    project: str
    detail: str


class Journal:
    def __init__(self, path: Path, *, clock=time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data_dir.make_private(path)  # the data dir's SQLite files are 0600 (SECURITY.md)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=15)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._clock = clock

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- apply logs ------------------------------------------------------------
    def append_log(self, run_id: str, *, percent: int, completed: int, total: int, line: str) -> LogLine:
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM apply_log WHERE run_id = ?", (run_id,)).fetchone()
            entry = LogLine(int(row[0]), self._clock(), percent, completed, total, line)
            self._db.execute("INSERT INTO apply_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (run_id, entry.seq, entry.at, percent, completed, total, line))
        return entry

    def log_of(self, run_id: str, *, after: int = 0) -> list[LogLine]:
        with self._lock:
            rows = self._db.execute("SELECT seq, at, percent, completed, total, line FROM apply_log "
                                    "WHERE run_id = ? AND seq > ? ORDER BY seq", (run_id, after)).fetchall()
        return [LogLine(*r) for r in rows]

    # --- drift -----------------------------------------------------------------
    def record_drift(self, repo: str, project: str, head_sha: str, summary: str, resources: tuple[str, ...]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO drift VALUES (?, ?, ?, ?, ?, ?)",
                             (repo, project, head_sha, summary, json.dumps(list(resources)), self._clock()))

    def clear_drift(self, repo: str, project: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM drift WHERE repo = ? AND project = ?", (repo, project))

    def drift(self) -> list[DriftFinding]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM drift ORDER BY found_at DESC").fetchall()
        return [DriftFinding(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5]) for r in rows]

    # --- audit -----------------------------------------------------------------
    def audit(self, actor: str, action: str, repo: str, project: str, detail: str) -> AuditEntry:
        entry = AuditEntry(self._clock(), actor, action, repo, project, detail)
        with self._lock:
            self._db.execute("INSERT INTO audit (at, actor, action, repo, project, detail) VALUES (?, ?, ?, ?, ?, ?)",
                             (entry.at, actor, action, repo, project, detail))
        return entry

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        with self._lock:
            rows = self._db.execute("SELECT at, actor, action, repo, project, detail FROM audit "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(*r) for r in rows]
