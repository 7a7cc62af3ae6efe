"""Project locks: one PR at a time, atomic across store objects and processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from controller.errors import LockLost, StoreError
from controller.store import LockAttempt, RunKind, SqliteStore, open_store

if TYPE_CHECKING:
    from .conftest import FakeClock

REPO = "acme/infra"


def test_the_first_pr_takes_a_free_lock(store: SqliteStore, clock: FakeClock) -> None:
    attempt = store.try_lock(REPO, "web", pr_number=1, user="alice")
    assert attempt.acquired and attempt.held_by_other is None
    assert attempt.lock.pr_number == 1 and attempt.lock.user == "alice"
    assert attempt.lock.acquired_at == clock.now
    assert store.get_lock(REPO, "web") == attempt.lock


def test_a_second_pr_is_told_which_pr_holds_the_lock(store: SqliteStore) -> None:
    store.try_lock(REPO, "web", pr_number=1, user="alice")
    attempt = store.try_lock(REPO, "web", pr_number=2, user="bob")
    assert not attempt.acquired
    assert attempt.held_by_other is not None
    assert attempt.held_by_other.pr_number == 1
    assert attempt.held_by_other.user == "alice"
    assert store.get_lock(REPO, "web").pr_number == 1  # type: ignore[union-attr]


def test_locks_are_per_project_and_per_repo(store: SqliteStore) -> None:
    assert store.try_lock(REPO, "web", pr_number=1).acquired
    assert store.try_lock(REPO, "db", pr_number=2).acquired
    assert store.try_lock("acme/other", "web", pr_number=3).acquired


def test_the_same_pr_locking_again_succeeds_keeps_the_time_and_adopts_the_new_run(
    store: SqliteStore, clock: FakeClock
) -> None:
    first_run = store.create_run(repo=REPO, project="web", head_sha="a1", kind=RunKind.PLAN, pr_number=1)
    first = store.try_lock(REPO, "web", pr_number=1, user="alice", run_id=first_run.id)
    clock.advance(minutes=3)
    second_run = store.create_run(repo=REPO, project="web", head_sha="b2", kind=RunKind.PLAN, pr_number=1)
    again = store.try_lock(REPO, "web", pr_number=1, run_id=second_run.id)
    assert again.acquired
    assert again.lock.acquired_at == first.lock.acquired_at
    assert again.lock.run_id == second_run.id
    assert again.lock.user == "alice"
    assert store.get_lock(REPO, "web") == again.lock


def test_a_lock_naming_an_unknown_run_is_refused_because_foreign_keys_are_on(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="locking acme/infra/web for PR #1"):
        store.try_lock(REPO, "web", pr_number=1, run_id="not-a-run")
    assert store.get_lock(REPO, "web") is None


def test_another_pr_cannot_unlock_but_the_holder_and_a_force_unlock_can(store: SqliteStore) -> None:
    store.try_lock(REPO, "web", pr_number=1)
    assert store.unlock(REPO, "web", pr_number=2) is None
    assert store.get_lock(REPO, "web") is not None
    removed = store.unlock(REPO, "web", pr_number=1)
    assert removed is not None and removed.pr_number == 1
    assert store.get_lock(REPO, "web") is None

    store.try_lock(REPO, "web", pr_number=3)
    assert store.unlock(REPO, "web").pr_number == 3  # type: ignore[union-attr]
    assert store.try_lock(REPO, "web", pr_number=4).acquired


def test_unlocking_a_free_project_returns_none(store: SqliteStore) -> None:
    assert store.unlock(REPO, "web") is None


def test_closing_a_pr_releases_all_its_locks_in_that_repo_only(store: SqliteStore) -> None:
    store.try_lock(REPO, "web", pr_number=5)
    store.try_lock(REPO, "db", pr_number=5)
    store.try_lock(REPO, "dns", pr_number=6)
    store.try_lock("acme/other", "web", pr_number=5)
    removed = store.unlock_all_for_pr(REPO, 5)
    assert sorted(lock.project for lock in removed) == ["db", "web"]
    assert [(lock.repo, lock.project) for lock in store.list_locks()] == [(REPO, "dns"), ("acme/other", "web")]


def test_listed_locks_show_their_age(store: SqliteStore, clock: FakeClock) -> None:
    store.try_lock(REPO, "web", pr_number=1)
    clock.advance(hours=2)
    store.try_lock(REPO, "db", pr_number=2)
    clock.advance(minutes=30)
    locks = store.list_locks(repo=REPO)
    assert [lock.project for lock in locks] == ["web", "db"]
    assert [lock.age(clock.now) for lock in locks] == [timedelta(hours=2, minutes=30), timedelta(minutes=30)]


def test_require_lock_returns_the_prs_lock_or_raises_lock_lost(store: SqliteStore) -> None:
    store.try_lock(REPO, "web", pr_number=1)
    assert store.require_lock(REPO, "web", pr_number=1).pr_number == 1
    with pytest.raises(LockLost, match="PR #1 holds it now"):
        store.require_lock(REPO, "web", pr_number=2)
    store.unlock(REPO, "web")
    with pytest.raises(LockLost, match="nobody holds it now"):
        store.require_lock(REPO, "web", pr_number=1)


def test_a_lock_survives_closing_and_reopening_the_store(store_url: str, clock: FakeClock) -> None:
    with open_store(store_url, clock=clock) as before:
        taken = before.try_lock(REPO, "web", pr_number=9, user="carol").lock
    with open_store(store_url, clock=clock) as after:
        assert after.get_lock(REPO, "web") == taken
        assert after.try_lock(REPO, "web", pr_number=10).held_by_other == taken


@pytest.mark.parametrize("round_", range(5))
def test_prs_racing_through_two_store_objects_get_exactly_one_lock(
    store_url: str, clock: FakeClock, round_: int
) -> None:
    stores = [open_store(store_url, clock=clock), open_store(store_url, clock=clock)]
    contenders = 8
    barrier = threading.Barrier(contenders)
    results: dict[int, LockAttempt] = {}
    errors: list[BaseException] = []

    def contend(pr: int) -> None:
        store = stores[pr % 2]
        barrier.wait()
        try:
            results[pr] = store.try_lock(REPO, f"web-{round_}", pr_number=pr)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(pr,)) for pr in range(1, contenders + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()

    assert errors == []
    winners = [pr for pr, attempt in results.items() if attempt.acquired]
    assert len(winners) == 1
    for pr, attempt in results.items():
        if pr != winners[0]:
            assert attempt.held_by_other is not None
            assert attempt.held_by_other.pr_number == winners[0]


_CONTENDER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from controller.store import open_store

    url, pr = sys.argv[1], int(sys.argv[2])
    store = open_store(url)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent releases every contender at once
    attempt = store.try_lock("acme/infra", "web", pr_number=pr)
    holder = attempt.held_by_other.pr_number if attempt.held_by_other else None
    print(json.dumps({"pr": pr, "acquired": attempt.acquired, "holder": holder}), flush=True)
    store.close()
    """
)


def test_separate_processes_racing_for_one_lock_get_exactly_one_winner(store_url: str, clock: FakeClock) -> None:
    open_store(store_url, clock=clock).close()  # migrate once, so the race is about the lock
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONTENDER, store_url, str(pr)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for pr in range(1, 5)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))

    winners = [o["pr"] for o in outcomes if o["acquired"]]
    assert len(winners) == 1
    assert all(o["holder"] == winners[0] for o in outcomes if not o["acquired"])
    with open_store(store_url, clock=clock) as store:
        assert store.get_lock(REPO, "web").pr_number == winners[0]  # type: ignore[union-attr]


def test_each_fencing_token_is_higher_than_any_before_and_only_the_newest_passes(store: SqliteStore) -> None:
    first = store.take_fence(REPO, "web", holder="run-1")
    second = store.take_fence(REPO, "web", holder="run-2")
    assert second == first + 1 and store.take_fence(REPO, "db", holder="run-3") == 1  # one counter per lane
    store.require_fence(REPO, "web", second, holder="run-2")
    with pytest.raises(LockLost, match=r"fencing token 1 is stale \(run run-2 took token 2\)"):
        store.require_fence(REPO, "web", first, holder="run-1")
    with pytest.raises(LockLost, match="no run holds it"):
        store.require_fence(REPO, "api", 1, holder="run-9")


def test_fencing_tokens_taken_at_once_by_many_threads_are_all_different(store: SqliteStore) -> None:
    taken: list[int] = []
    guard = threading.Lock()

    def take(i: int) -> None:
        token = store.take_fence(REPO, "web", holder=f"run-{i}")
        with guard:
            taken.append(token)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == list(range(1, 17))
