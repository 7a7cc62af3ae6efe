"""The runs table's queries (runs, their processes, plan consumption), mixed into ``SqliteStore``.

Kept apart from the locks, sessions and deliveries so each reads as one idea; the connection pool
and the clock are the store's (``_db``, ``_now``). Each write is one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..errors import StoreError
from . import sqlite_rows as rows
from . import transitions
from .records import IN_FLIGHT_STATUSES, Run, RunKind, RunStatus
from .sqlite_conn import ConnectionPool

_IN_FLIGHT_WHERE = "status IN ({})".format(", ".join(sorted(f"'{s.value}'" for s in IN_FLIGHT_STATUSES)))


class RunQueries:
    """Runs: created queued, moved through ``transitions``, finished once."""

    _db: ConnectionPool  # the store's pool and clock
    _now: Callable[[], datetime]

    def create_run(
        self,
        *,
        repo: str,
        project: str,
        head_sha: str,
        kind: RunKind,
        pr_number: int | None = None,
        trigger: str = "",
        actor: str | None = None,
    ) -> Run:
        run = Run(
            id=str(uuid.uuid4()), repo=repo, project=project, pr_number=pr_number, head_sha=head_sha,
            kind=RunKind(kind), status=RunStatus.QUEUED, created_at=self._now(), trigger=trigger, actor=actor,
        )
        with self._db.write(f"recording a {run.kind.value} run of {repo}/{project}") as conn:
            conn.execute(
                f"INSERT INTO runs ({rows.RUN_COLUMNS}) VALUES ({', '.join('?' * rows.RUN_COLUMN_COUNT)})", rows.run_params(run)
            )
        return run

    def update_run_status(
        self,
        run_id: str,
        status: RunStatus,
        *,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
        plan_file: str | None = None,
    ) -> Run:
        status = RunStatus(status)
        with self._db.write(f"updating run {run_id}") as conn:
            run = self._run_in(conn, run_id)
            if run is None:
                raise StoreError(f"updating run {run_id}: no such run")
            transitions.check_transition(run.status, status, run_id=run_id)
            now = self._now()
            updated = replace(
                run,
                status=status,
                started_at=run.started_at or (now if status is RunStatus.RUNNING else None),
                finished_at=now if transitions.is_terminal(status) else run.finished_at,
                summary=run.summary if summary is None else dict(summary),
                error=run.error if error is None else error,
                plan_file=run.plan_file if plan_file is None else plan_file,
            )
            self._save_run_progress(conn, updated)
        return updated

    def get_run(self, run_id: str) -> Run | None:
        with self._db.read(f"reading run {run_id}") as conn:
            return self._run_in(conn, run_id)

    def list_runs(
        self,
        *,
        repo: str | None = None,
        project: str | None = None,
        pr_number: int | None = None,
        limit: int = 100,
    ) -> list[Run]:
        filters = {"repo": repo, "project": project, "pr_number": pr_number}
        used = {k: v for k, v in filters.items() if v is not None}
        where = " AND ".join(f"{k} = ?" for k in used) or "1 = 1"
        with self._db.read("listing runs") as conn:
            found = conn.execute(
                f"SELECT {rows.RUN_COLUMNS} FROM runs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",
                (*used.values(), limit),
            )
            return [rows.run(r) for r in found]

    def list_in_flight_runs(self) -> list[Run]:
        with self._db.read("listing in-flight runs") as conn:
            found = conn.execute(
                f"SELECT {rows.RUN_COLUMNS} FROM runs WHERE {_IN_FLIGHT_WHERE} ORDER BY created_at, id"
            )
            return [rows.run(r) for r in found]

    def interrupt_in_flight_runs(self, *, reason: str) -> list[Run]:
        interrupted: list[Run] = []
        with self._db.write("marking in-flight runs interrupted") as conn:
            found = conn.execute(
                f"SELECT {rows.RUN_COLUMNS} FROM runs WHERE {_IN_FLIGHT_WHERE} ORDER BY created_at, id"
            ).fetchall()
            now = self._now()
            for run in map(rows.run, found):
                transitions.check_transition(run.status, RunStatus.INTERRUPTED, run_id=run.id)
                done = replace(run, status=RunStatus.INTERRUPTED, finished_at=now, error=reason)
                self._save_run_progress(conn, done)
                interrupted.append(done)
        return interrupted

    def record_process(
        self,
        run_id: str,
        *,
        run_dir: str | None = None,
        plan_run_id: str | None = None,
        pid: int | None = None,
    ) -> Run:
        with self._db.write(f"recording the process of run {run_id}") as conn:
            run = self._run_in(conn, run_id)
            if run is None:
                raise StoreError(f"recording the process of run {run_id}: no such run")
            updated = replace(
                run,
                run_dir=run.run_dir if run_dir is None else run_dir,
                plan_run_id=run.plan_run_id if plan_run_id is None else plan_run_id,
                pid=run.pid if pid is None else pid,
            )
            conn.execute(
                "UPDATE runs SET run_dir = ?, plan_run_id = ?, pid = ? WHERE id = ?",
                (updated.run_dir, updated.plan_run_id, updated.pid, run_id),
            )
        return updated

    def consume_plan(self, plan_run_id: str, *, apply_run_id: str) -> bool:
        with self._db.statement(f"consuming plan {plan_run_id}") as conn:
            return conn.execute(
                "INSERT INTO plan_consumptions (plan_run_id, apply_run_id, consumed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (plan_run_id) DO NOTHING",
                (plan_run_id, apply_run_id, rows.ts(self._now())),
            ).rowcount == 1

    def plan_consumer(self, plan_run_id: str) -> str | None:
        with self._db.read(f"reading who consumed plan {plan_run_id}") as conn:
            row = conn.execute(
                "SELECT apply_run_id FROM plan_consumptions WHERE plan_run_id = ?", (plan_run_id,)
            ).fetchone()
            return row[0] if row else None

    @staticmethod
    def _run_in(conn: sqlite3.Connection, run_id: str) -> Run | None:
        row = conn.execute(f"SELECT {rows.RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return rows.run(row) if row else None

    @staticmethod
    def _save_run_progress(conn: sqlite3.Connection, run: Run) -> None:
        conn.execute(
            "UPDATE runs SET status = ?, started_at = ?, finished_at = ?, summary = ?, "
            "error = ?, plan_file = ? WHERE id = ?",
            (
                run.status.value, rows.ts_or_none(run.started_at), rows.ts_or_none(run.finished_at),
                rows.to_json(run.summary), run.error, run.plan_file, run.id,
            ),
        )
