"""The in-process job queue: ordering per key, parallelism, timeouts, cancel."""

from __future__ import annotations

import asyncio

import pytest

from controller.pipeline.jobs import InProcessJobQueue, JobState


async def test_jobs_with_one_key_run_in_submission_order_one_at_a_time() -> None:
    queue = InProcessJobQueue(workers=4)
    trace: list[str] = []

    async def work(payload: dict) -> None:
        trace.append(f"start {payload['n']}")
        await asyncio.sleep(0.01)
        trace.append(f"end {payload['n']}")

    queue.register("plan", work)
    for n in range(3):
        await queue.submit("plan", {"n": n}, key="acme/infra:web", timeout=5)
    await queue.drain()
    assert trace == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]


async def test_jobs_with_different_keys_run_in_parallel_up_to_the_pool_size() -> None:
    queue = InProcessJobQueue(workers=2)
    active = 0
    peak = 0
    release = asyncio.Event()

    async def work(payload: dict) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await release.wait()
        active -= 1

    queue.register("plan", work)
    handles = [await queue.submit("plan", {}, key=f"repo:{n}", timeout=5) for n in range(4)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert peak == 2
    release.set()
    await queue.drain()
    assert peak == 2
    assert [h.state for h in handles] == [JobState.SUCCEEDED] * 4


async def test_a_job_over_its_timeout_is_cancelled_and_reported() -> None:
    queue = InProcessJobQueue()
    cancelled = asyncio.Event()
    reported: list[dict] = []

    async def hang(payload: dict) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def on_timeout(payload: dict) -> None:
        reported.append(payload)

    queue.register("plan", hang, on_timeout=on_timeout)
    handle = await queue.submit("plan", {"pr": 7}, key="k", timeout=0.05)
    assert await handle.wait() is JobState.TIMED_OUT
    assert cancelled.is_set()
    assert reported == [{"pr": 7}]
    assert "timed out" in handle.error


async def test_the_next_job_of_a_key_runs_after_a_timeout() -> None:
    queue = InProcessJobQueue()
    ran: list[str] = []

    async def work(payload: dict) -> None:
        if payload["hang"]:
            await asyncio.Event().wait()
        ran.append("second")

    queue.register("plan", work)
    first = await queue.submit("plan", {"hang": True}, key="k", timeout=0.05)
    second = await queue.submit("plan", {"hang": False}, key="k", timeout=5)
    await queue.drain()
    assert (first.state, second.state) == (JobState.TIMED_OUT, JobState.SUCCEEDED)
    assert ran == ["second"]


async def test_cancel_stops_the_running_job_and_drops_queued_ones() -> None:
    queue = InProcessJobQueue()
    started = asyncio.Event()
    ran: list[int] = []

    async def work(payload: dict) -> None:
        ran.append(payload["n"])
        started.set()
        await asyncio.Event().wait()

    queue.register("apply", work)
    running = await queue.submit("apply", {"n": 1}, key="k", timeout=5)
    queued = await queue.submit("apply", {"n": 2}, key="k", timeout=5)
    await started.wait()
    assert queue.running("k") is running
    assert await queue.cancel("k") is True
    await queue.drain()
    assert running.state is JobState.CANCELLED
    assert queued.state is JobState.CANCELLED
    assert ran == [1]
    assert await queue.cancel("k") is False


async def test_a_failing_job_is_recorded_and_does_not_stop_the_queue() -> None:
    queue = InProcessJobQueue()

    async def work(payload: dict) -> None:
        if payload["fail"]:
            raise RuntimeError("boom")

    queue.register("plan", work)
    bad = await queue.submit("plan", {"fail": True}, key="k", timeout=5)
    good = await queue.submit("plan", {"fail": False}, key="k", timeout=5)
    await queue.drain()
    assert (bad.state, bad.error) == (JobState.FAILED, "boom")
    assert good.state is JobState.SUCCEEDED


async def test_payloads_must_survive_json_like_on_a_distributed_queue() -> None:
    queue = InProcessJobQueue()
    queue.register("plan", lambda payload: asyncio.sleep(0))
    with pytest.raises(TypeError):
        await queue.submit("plan", {"not json": object()}, key="k", timeout=5)
    with pytest.raises(KeyError, match="no handler"):
        await queue.submit("apply", {}, key="k", timeout=5)
