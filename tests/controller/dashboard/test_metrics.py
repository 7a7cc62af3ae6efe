"""Metrics measured from bus events, with an injected clock."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from controller.bus import EventBus
from controller.dashboard.metrics import Metrics
from controller.pipeline import notices


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ids(run_id: str, pr: int = 1) -> dict:
    return {"repo": "acme/infra", "project": "web", "pr_number": pr, "head_sha": "a" * 40, "run_id": run_id}


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return None


async def test_durations_outcomes_and_lock_waits_come_from_events() -> None:
    clock, bus = Clock(), EventBus()
    metrics = Metrics(store=lambda: None, repos=(), queue_depth=lambda: 3, budgets=dict, clock=clock)
    metrics.attach(bus)
    await bus.publish(notices.LockContended(**ids("r0", pr=2), holder_pr=1, holder_user="ada"))
    clock.now += 100
    await bus.publish(notices.LockContended(**ids("r1", pr=2), holder_pr=1, holder_user="ada"))  # still waiting
    clock.now += 200
    await bus.publish(notices.PlanStarted(**ids("r2", pr=2)))
    clock.now += 12
    await bus.publish(notices.PlanReady(**ids("r2", pr=2), add=1, change=0, destroy=0, has_changes=True, policy_passed=True))
    await bus.publish(notices.ApplyStarted(**ids("r3", pr=2), actor="ada", total=1))
    clock.now += 40
    await bus.publish(notices.ApplyFinished(**ids("r3", pr=2), succeeded=False, summary="", rendered="", cancelled=True))
    labels = {"repo": "acme/infra", "project": "web"}
    assert sample(metrics, "cloudops_lock_wait_seconds_sum", **labels) == 300  # from the first refusal
    assert sample(metrics, "cloudops_lock_wait_seconds_count", **labels) == 1
    assert sample(metrics, "cloudops_plan_duration_seconds_sum", **labels) == 12
    assert sample(metrics, "cloudops_apply_duration_seconds_sum", **labels) == 40
    assert sample(metrics, "cloudops_runs_finished_total", kind="plan", outcome="locked") == 2
    assert sample(metrics, "cloudops_runs_finished_total", kind="apply", outcome="cancelled") == 1
    assert sample(metrics, "cloudops_queue_depth") == 3
