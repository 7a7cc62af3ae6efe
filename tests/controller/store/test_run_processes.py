"""Run processes and consumed plans: what a restart needs to adopt a run, and why a plan applies once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from controller.store import RunKind, RunStatus, SqliteStore, migrations


def _apply_of(store: SqliteStore) -> tuple[str, str]:
    plan = store.create_run(repo="acme/infra", project="web", head_sha="c0ffee", kind=RunKind.PLAN, pr_number=7)
    apply = store.create_run(repo="acme/infra", project="web", head_sha="c0ffee", kind=RunKind.APPLY, pr_number=7)
    return plan.id, apply.id


def test_the_run_dir_and_plan_are_recorded_before_the_pid_and_all_read_back(store: SqliteStore) -> None:
    plan_id, apply_id = _apply_of(store)
    before = store.record_process(apply_id, run_dir="/data/runs/x", plan_run_id=plan_id)
    assert (before.run_dir, before.plan_run_id, before.pid) == ("/data/runs/x", plan_id, None)
    store.record_process(apply_id, pid=4242)
    run = store.get_run(apply_id)
    assert (run.run_dir, run.plan_run_id, run.pid) == ("/data/runs/x", plan_id, 4242)


def test_in_flight_runs_carry_their_process(store: SqliteStore) -> None:
    plan_id, apply_id = _apply_of(store)
    store.update_run_status(apply_id, RunStatus.RUNNING)
    store.record_process(apply_id, run_dir="/d", plan_run_id=plan_id, pid=99)
    [flying] = [r for r in store.list_in_flight_runs() if r.id == apply_id]
    assert flying.pid == 99 and flying.run_dir == "/d"


def test_a_plan_is_consumed_once(store: SqliteStore) -> None:
    plan_id, apply_id = _apply_of(store)
    assert store.plan_consumer(plan_id) is None
    assert store.consume_plan(plan_id, apply_run_id=apply_id) is True
    assert store.consume_plan(plan_id, apply_run_id="another-apply") is False
    assert store.plan_consumer(plan_id) == apply_id


def test_racing_consumers_from_two_store_objects_get_exactly_one_yes(db_path: Path, store: SqliteStore) -> None:
    plan_id, _ = _apply_of(store)
    answers: list[bool] = []
    barrier = threading.Barrier(8)

    def consume(i: int) -> None:
        with SqliteStore(db_path) as other:
            barrier.wait()
            answers.append(other.consume_plan(plan_id, apply_run_id=f"apply-{i}"))

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [False] * 7 + [True]


def test_a_version_2_file_gains_the_process_columns_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    from datetime import UTC, datetime

    migrations.migrate(conn, now=datetime.now(UTC), where=str(path), target=2)
    conn.execute(
        "INSERT INTO runs (id, repo, project, pr_number, head_sha, kind, status, created_at) "
        "VALUES ('r1', 'acme/infra', 'web', 3, 'abc', 'plan', 'succeeded', '2024-01-01T00:00:00.000000+00:00')"
    )
    conn.close()
    with SqliteStore(path) as store:
        run = store.get_run("r1")
        assert run is not None and run.pid is None and run.run_dir is None and run.plan_run_id is None
        assert store.consume_plan("r1", apply_run_id="a1")
