"""Runs: recording, moving through their life cycle, and finding them again."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from controller.errors import StoreError
from controller.store import Run, RunKind, RunStatus, SqliteStore, transitions

if TYPE_CHECKING:
    from .conftest import FakeClock


def _plan(store: SqliteStore, *, project: str = "web", pr: int | None = 7, repo: str = "acme/infra") -> Run:
    return store.create_run(repo=repo, project=project, head_sha="c0ffee", kind=RunKind.PLAN, pr_number=pr)


def test_a_created_run_is_queued_and_reads_back_field_for_field(store: SqliteStore, clock: FakeClock) -> None:
    run = store.create_run(
        repo="acme/infra", project="web", head_sha="c0ffee", kind=RunKind.DESTROY_PLAN,
        pr_number=12, trigger="comment", actor="alice",
    )
    assert run.status is RunStatus.QUEUED
    assert run.created_at == clock.now
    assert len(run.id) == 36
    assert store.get_run(run.id) == run


def test_a_run_without_a_pull_request_is_allowed(store: SqliteStore) -> None:
    run = _plan(store, pr=None)
    assert store.get_run(run.id).pr_number is None  # type: ignore[union-attr]


def test_an_unknown_run_reads_as_none(store: SqliteStore) -> None:
    assert store.get_run("no-such-run") is None


def test_starting_and_finishing_a_run_stamps_times_and_keeps_its_results(
    store: SqliteStore, clock: FakeClock
) -> None:
    run = _plan(store)
    started_at = clock.advance(seconds=3)
    running = store.update_run_status(run.id, RunStatus.RUNNING)
    assert running.started_at == started_at and running.finished_at is None
    finished_at = clock.advance(seconds=40)
    done = store.update_run_status(
        run.id, RunStatus.SUCCEEDED, summary={"add": 2, "change": 0, "remove": 1}, plan_file="/runs/x/plan.tfplan"
    )
    assert done.started_at == started_at and done.finished_at == finished_at
    assert store.get_run(run.id) == done
    assert done.summary == {"add": 2, "change": 0, "remove": 1}
    assert done.plan_file == "/runs/x/plan.tfplan"


def test_a_failed_run_keeps_its_error_text(store: SqliteStore) -> None:
    run = _plan(store)
    store.update_run_status(run.id, RunStatus.RUNNING)
    store.update_run_status(run.id, RunStatus.FAILED, error="null_resource.a: local-exec exited 1")
    assert store.get_run(run.id).error == "null_resource.a: local-exec exited 1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], RunStatus.SUCCEEDED),  # queued cannot succeed without running
        ([RunStatus.RUNNING], RunStatus.QUEUED),
        ([RunStatus.RUNNING], RunStatus.RUNNING),
        ([RunStatus.RUNNING, RunStatus.SUCCEEDED], RunStatus.RUNNING),
        ([RunStatus.RUNNING, RunStatus.FAILED], RunStatus.SUCCEEDED),
        ([RunStatus.CANCELLED], RunStatus.RUNNING),
        ([RunStatus.INTERRUPTED], RunStatus.QUEUED),
    ],
)
def test_an_invalid_status_change_raises_naming_both_statuses_and_changes_nothing(
    store: SqliteStore, path: list[RunStatus], refused: RunStatus
) -> None:
    run = _plan(store)
    for status in path:
        run = store.update_run_status(run.id, status)
    with pytest.raises(StoreError) as caught:
        store.update_run_status(run.id, refused, error="should not be stored")
    assert f"{run.status.value} -> {refused.value}" in str(caught.value)
    assert run.id in str(caught.value)
    assert store.get_run(run.id) == run


def test_updating_an_unknown_run_is_a_store_error(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="no such run"):
        store.update_run_status("missing", RunStatus.RUNNING)


def test_runs_are_listed_newest_first_and_filtered(store: SqliteStore, clock: FakeClock) -> None:
    first = _plan(store, project="web", pr=1)
    clock.advance(seconds=1)
    second = _plan(store, project="db", pr=1)
    clock.advance(seconds=1)
    third = _plan(store, project="web", pr=2)
    clock.advance(seconds=1)
    other_repo = _plan(store, project="web", pr=1, repo="acme/other")

    assert [r.id for r in store.list_runs(repo="acme/infra")] == [third.id, second.id, first.id]
    assert [r.id for r in store.list_runs(repo="acme/infra", project="web")] == [third.id, first.id]
    assert [r.id for r in store.list_runs(repo="acme/infra", pr_number=1)] == [second.id, first.id]
    assert [r.id for r in store.list_runs(limit=2)] == [other_repo.id, third.id]


def test_in_flight_runs_are_the_queued_and_running_ones(store: SqliteStore, clock: FakeClock) -> None:
    queued = _plan(store)
    clock.advance(seconds=1)
    running = store.update_run_status(_plan(store).id, RunStatus.RUNNING)
    done = _plan(store)
    store.update_run_status(done.id, RunStatus.CANCELLED)
    assert [r.id for r in store.list_in_flight_runs()] == [queued.id, running.id]
    assert all(r.in_flight for r in store.list_in_flight_runs())


def test_at_start_up_in_flight_runs_are_marked_interrupted_with_the_reason(
    store: SqliteStore, clock: FakeClock
) -> None:
    queued = _plan(store)
    running = store.update_run_status(_plan(store).id, RunStatus.RUNNING)
    finished = _plan(store)
    store.update_run_status(finished.id, RunStatus.RUNNING)
    store.update_run_status(finished.id, RunStatus.SUCCEEDED)
    restart = clock.advance(minutes=5)

    interrupted = store.interrupt_in_flight_runs(reason="controller restarted")

    assert {r.id for r in interrupted} == {queued.id, running.id}
    for run in interrupted:
        stored = store.get_run(run.id)
        assert stored is not None
        assert stored.status is RunStatus.INTERRUPTED
        assert stored.finished_at == restart
        assert stored.error == "controller restarted"
    assert store.list_in_flight_runs() == []
    assert store.get_run(finished.id).status is RunStatus.SUCCEEDED  # type: ignore[union-attr]


def test_every_status_is_either_final_or_has_somewhere_to_go() -> None:
    assert set(transitions.ALLOWED) == set(RunStatus)
    finals = {s for s in RunStatus if transitions.is_terminal(s)}
    assert finals == {
        RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.INTERRUPTED, RunStatus.TIMED_OUT,
    }
    for successors in transitions.ALLOWED.values():
        assert RunStatus.QUEUED not in successors


def test_check_transition_explains_a_final_status() -> None:
    with pytest.raises(StoreError, match=r"succeeded -> running is not allowed \(succeeded is final\)"):
        transitions.check_transition(RunStatus.SUCCEEDED, RunStatus.RUNNING)
    transitions.check_transition(RunStatus.RUNNING, RunStatus.TIMED_OUT)
