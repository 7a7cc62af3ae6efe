"""The procrastinate job queue on a real PostgreSQL: lanes, roles, timeouts, cancel, dead workers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from controller.pipeline.distributed_jobs import ProcrastinateJobQueue
from controller.pipeline.jobs import JobState
from controller.store.postgres import parse_url
from tests.support import postgres

pytestmark = pytest.mark.slow


@pytest.fixture
def queue_url() -> Any:
    url = postgres.fresh_schema_url()
    yield url
    postgres.drop_schema(url)


def _queue(url: str, **kwargs: Any) -> ProcrastinateJobQueue:
    target = parse_url(url)
    return ProcrastinateJobQueue(target.conninfo, schema=target.schema, heartbeat_interval=0.5, **kwargs)


@pytest.fixture
async def queue(queue_url: str) -> AsyncIterator[ProcrastinateJobQueue]:
    q = _queue(queue_url, role="all", workers=3)
    yield q
    await q.close()


async def _wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_a_submitted_job_runs_once_with_its_payload(queue: ProcrastinateJobQueue) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    queue.register("plan", handler)
    await queue.open()
    await queue.submit("plan", {"repo": "acme/infra", "pr_number": 7}, key="acme/infra:web", timeout=30)
    await queue.drain()
    assert seen == [{"repo": "acme/infra", "pr_number": 7}]


async def test_jobs_of_one_project_run_one_at_a_time_in_order_and_others_beside_them(
    queue: ProcrastinateJobQueue,
) -> None:
    events: list[tuple[str, str, int]] = []

    async def handler(payload: dict[str, Any]) -> None:
        events.append(("start", payload["key"], payload["n"]))
        await asyncio.sleep(0.3)
        events.append(("end", payload["key"], payload["n"]))

    queue.register("plan", handler)
    await queue.open()
    for n in range(3):
        await queue.submit("plan", {"key": "a", "n": n}, key="r:a", timeout=30)
    await queue.submit("plan", {"key": "b", "n": 0}, key="r:b", timeout=30)
    await queue.drain()

    lane_a = [(kind, n) for kind, key, n in events if key == "a"]
    assert lane_a == [("start", 0), ("end", 0), ("start", 1), ("end", 1), ("start", 2), ("end", 2)]
    first_b = events.index(("start", "b", 0))
    last_a = events.index(("end", "a", 2))
    assert first_b < last_a  # the other project did not wait for lane a


async def test_a_web_replica_submits_and_a_separate_worker_runs_each_job_exactly_once(queue_url: str) -> None:
    ran: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload["n"])

    web = _queue(queue_url, role="web")
    workers = [_queue(queue_url, role="worker", workers=2, name=f"w{i}") for i in range(2)]
    for q in (web, *workers):
        q.register("plan", handler)
    try:
        for q in (web, *workers):
            await q.open()
        for n in range(12):
            await web.submit("plan", {"n": n}, key=f"r:p{n % 4}", timeout=30)
        await web.drain()
    finally:
        for q in (web, *workers):
            await q.close()
    assert sorted(ran) == list(range(12))


async def test_a_job_past_its_timeout_is_cancelled_and_reported(queue: ProcrastinateJobQueue) -> None:
    timed_out: list[dict[str, Any]] = []
    handles: list[Any] = []

    async def slow(payload: dict[str, Any]) -> None:
        handles.append(queue.running("r:slow"))
        await asyncio.sleep(30)

    async def on_timeout(payload: dict[str, Any]) -> None:
        timed_out.append(payload)

    queue.register("apply", slow, on_timeout=on_timeout)
    await queue.open()
    await queue.submit("apply", {"pr_number": 3}, key="r:slow", timeout=0.5)
    await queue.drain()
    assert timed_out == [{"pr_number": 3}]
    assert handles and handles[0].state is JobState.TIMED_OUT


async def test_cancel_from_another_replica_aborts_the_running_job(queue_url: str) -> None:
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def long_apply(payload: dict[str, Any]) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    worker = _queue(queue_url, role="worker")
    web = _queue(queue_url, role="web")
    for q in (worker, web):
        q.register("apply", long_apply)
    try:
        await worker.open()
        await web.open()
        await web.submit("apply", {"pr_number": 1}, key="r:web", timeout=120)
        await asyncio.wait_for(started.wait(), 20)
        assert (await web.running_anywhere("r:web")) == {"pr_number": 1}
        assert await web.cancel("r:web") is True
        await asyncio.wait_for(web.drain(), 20)
    finally:
        await worker.close()
        await web.close()
    assert cancelled == [True]


_DOOMED_WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from controller.pipeline.distributed_jobs import ProcrastinateJobQueue
    from controller.store.postgres import parse_url

    async def main():
        target = parse_url(sys.argv[1])
        q = ProcrastinateJobQueue(target.conninfo, schema=target.schema, role="worker", heartbeat_interval=0.5)
        async def apply(payload):
            print("running", flush=True)
            await asyncio.sleep(600)
        q.register("apply", apply)
        await q.open()
        await asyncio.sleep(600)

    asyncio.run(main())
    """
)


async def test_a_killed_workers_job_is_reported_once_by_a_survivor_and_its_lane_freed(queue_url: str) -> None:
    reported: list[dict[str, Any]] = []
    later: list[int] = []

    async def apply(payload: dict[str, Any]) -> None:
        later.append(payload["n"])

    async def on_stalled(payload: dict[str, Any]) -> None:
        reported.append(payload)

    web = _queue(queue_url, role="web")
    web.register("apply", apply)
    await web.open()
    doomed = subprocess.Popen([sys.executable, "-c", _DOOMED_WORKER, queue_url], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    survivor = _queue(queue_url, role="worker", stalled_after=2.0)
    try:
        await web.submit("apply", {"n": 1, "pr_number": 5}, key="r:db", timeout=600)
        assert doomed.stdout is not None
        line = await asyncio.to_thread(doomed.stdout.readline)
        assert line.strip() == "running"
        await web.submit("apply", {"n": 2}, key="r:db", timeout=600)  # waits behind the doomed job
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        survivor.register("apply", apply)
        survivor.on_stalled(on_stalled)
        await survivor.open()
        await asyncio.wait_for(web.drain(), 30)
    finally:
        if doomed.poll() is None:
            doomed.kill()
        await survivor.close()
        await web.close()
    assert reported == [{"n": 1, "pr_number": 5}]
    assert later == [2]  # the lane was freed and the next job ran on the survivor


async def test_jobs_of_a_lane_are_seen_from_another_replica_running_then_queued(queue_url: str) -> None:
    """An apply asked for on one replica must see a re-plan that another replica queued or a worker runs."""
    release = asyncio.Event()

    async def slow(payload: dict[str, Any]) -> None:
        await release.wait()

    worker, web = _queue(queue_url, role="all", workers=1), _queue(queue_url, role="web")
    for q in (worker, web):
        q.register("plan", slow)
    await worker.open()
    await web.open()
    try:
        await web.submit("plan", {"pr_number": 1, "head_sha": "a"}, key="acme/infra:web", timeout=30)
        await web.submit("plan", {"pr_number": 1, "head_sha": "b"}, key="acme/infra:web", timeout=30)
        await web.submit("plan", {"pr_number": 2}, key="acme/infra:db", timeout=30)
        await _wait_for(lambda: worker.running("acme/infra:web") is not None or worker.running("acme/infra:db") is not None)
        await asyncio.sleep(0.5)
        jobs = await web.jobs_of("acme/infra:web")
        assert [(j.kind, j.payload.get("head_sha")) for j in jobs] == [("plan", "a"), ("plan", "b")]
        assert {j.state for j in jobs} <= {JobState.RUNNING, JobState.QUEUED} and jobs[1].state is JobState.QUEUED
        assert await web.jobs_of("acme/infra:api") == []
    finally:
        release.set()
        await worker.drain()
        await worker.close()
        await web.close()
