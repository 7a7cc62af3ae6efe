"""``/metrics`` in Prometheus' text format (``prometheus-client``).

Two kinds of figures, each honest about where it comes from:

* measured as it happens, from bus events and the webhook middleware
  (counters and histograms that start at zero when the process starts, as
  Prometheus expects): runs finished by kind and outcome, plan and apply
  durations, how long a PR waited for a project lock held by another PR,
  webhook response time;
* read at scrape time from the store and the job queue: jobs waiting for a
  worker, runs in flight, how long each lock has been held, and each
  project's monthly cost after its last priced apply beside its budget. A
  project that was never priced has no cost sample (unknown, not zero).

Each ``ControllerApp`` has its own registry, so several in one process
(the tests) never mix their numbers.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..bus import EventBus
from ..pipeline import notices
from ..store import RunKind, RunStatus
from . import queries

DURATION_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600)
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LOCK_BUCKETS = (1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 7 * 24 * 3600)


class Metrics:
    def __init__(self, *, store: Callable[[], object | None], repos: Iterable[str],
                 queue_depth: Callable[[], int | None], budgets: Callable[[], Mapping[tuple[str, str], float]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._store, self._repos, self._queue_depth, self._budgets = store, tuple(repos), queue_depth, budgets
        self._clock = clock
        self.runs = Counter("cloudops_runs_finished", "Plan and apply runs finished since start, by kind and outcome",
                            ["kind", "outcome"], registry=self.registry)
        self.plan_seconds = Histogram("cloudops_plan_duration_seconds", "Wall time of a plan run",
                                      ["repo", "project"], buckets=DURATION_BUCKETS, registry=self.registry)
        self.apply_seconds = Histogram("cloudops_apply_duration_seconds", "Wall time of an apply run",
                                       ["repo", "project"], buckets=DURATION_BUCKETS, registry=self.registry)
        self.lock_wait = Histogram("cloudops_lock_wait_seconds",
                                   "From a PR's plan refused by another PR's lock to its next plan starting",
                                   ["repo", "project"], buckets=LOCK_BUCKETS, registry=self.registry)
        self.webhook_seconds = Histogram("cloudops_webhook_response_seconds",
                                         "Time from a webhook request to the controller's answer",
                                         ["event", "status"], buckets=WEBHOOK_BUCKETS, registry=self.registry)
        self.registry.register(_StoreCollector(self))
        self._started: dict[str, tuple[float, str, str]] = {}
        self._waiting: dict[tuple[str, str, int | None], float] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    # --- events ---------------------------------------------------------------
    def attach(self, bus: EventBus) -> None:
        self._unsubscribe = [
            bus.subscribe(notices.PlanStarted, self._on_started),
            bus.subscribe(notices.ApplyStarted, self._on_started),
            bus.subscribe(notices.PlanReady, lambda e: self._on_finished(e, "plan", "succeeded")),
            bus.subscribe(notices.PlanFailed,
                          lambda e: self._on_finished(e, "plan", "timed_out" if e.timed_out else "failed")),
            bus.subscribe(notices.LockContended, self._on_contended),
            bus.subscribe(notices.ApplyFinished, lambda e: self._on_finished(
                e, "apply", "succeeded" if e.succeeded else ("cancelled" if e.cancelled else "failed"))),
        ]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _on_started(self, event: notices.PipelineEvent) -> None:
        self._started[event.run_id] = (self._clock(), event.repo, event.project)
        waited = self._waiting.pop((event.repo, event.project, event.pr_number), None)
        if waited is not None and isinstance(event, notices.PlanStarted):
            self.lock_wait.labels(event.repo, event.project).observe(self._clock() - waited)

    def _on_contended(self, event: notices.LockContended) -> None:
        self.runs.labels("plan", "locked").inc()
        self._waiting.setdefault((event.repo, event.project, event.pr_number), self._clock())

    def _on_finished(self, event: notices.PipelineEvent, kind: str, outcome: str) -> None:
        self.runs.labels(kind, outcome).inc()
        started = self._started.pop(event.run_id, None)
        if started is not None:
            histogram = self.plan_seconds if kind == "plan" else self.apply_seconds
            histogram.labels(event.repo, event.project).observe(self._clock() - started[0])

    # --- webhook latency ---------------------------------------------------------
    def webhook_middleware(self, path: str) -> web.middleware:  # type: ignore[valid-type]
        @web.middleware
        async def timed(request: web.Request, handler) -> web.StreamResponse:
            if request.path != path:
                return await handler(request)
            began = self._clock()
            status = 500
            try:
                response = await handler(request)
                status = response.status
                return response
            except web.HTTPException as exc:
                status = exc.status
                raise
            finally:
                event = request.headers.get("X-GitHub-Event", "")[:40] or "unknown"
                self.webhook_seconds.labels(event if event.replace("_", "").isalnum() else "invalid",
                                            str(status)).observe(self._clock() - began)

        return timed

    # --- the endpoint ------------------------------------------------------------
    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _StoreCollector:
    """Figures read at scrape time (the store is the truth; nothing to keep in step)."""

    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics

    def describe(self):
        return []

    def collect(self):
        store = self.m._store()
        depth = GaugeMetricFamily("cloudops_queue_depth", "Plan and apply jobs waiting for a free worker")
        value = self.m._queue_depth()
        if value is not None:
            depth.add_metric([], value)
        yield depth
        if store is None:
            return
        in_flight = GaugeMetricFamily("cloudops_runs_in_flight", "Runs recorded as queued or running", labels=["kind", "status"])
        counts: dict[tuple[str, str], int] = {(k.value, s.value): 0 for k in RunKind for s in (RunStatus.QUEUED, RunStatus.RUNNING)}
        for run in store.list_in_flight_runs():
            counts[(run.kind.value, run.status.value)] += 1
        for (kind, status), n in sorted(counts.items()):
            in_flight.add_metric([kind, status], n)
        yield in_flight
        now = datetime.now(UTC)
        held = GaugeMetricFamily("cloudops_lock_held_seconds", "How long each project lock has been held",
                                 labels=["repo", "project", "pr"])
        for lock in store.list_locks():
            held.add_metric([lock.repo, lock.project, str(lock.pr_number)], lock.age(now).total_seconds())
        yield held
        cost = GaugeMetricFamily("cloudops_project_monthly_cost_usd",
                                 "Monthly cost of a project after its last priced apply (absent: never priced)",
                                 labels=["repo", "project"])
        for repo in self.m._repos:
            runs = store.list_runs(repo=repo, limit=2000)
            for _, project in queries.projects_of(runs):
                value = queries.current_cost(runs, project)
                if value is not None:
                    cost.add_metric([repo, project], value)
        yield cost
        budget = GaugeMetricFamily("cloudops_project_budget_monthly_usd", "budget_monthly_usd from cloudops.yaml",
                                   labels=["repo", "project"])
        for (repo, project), value in sorted(self.m._budgets().items()):
            budget.add_metric([repo, project], value)
        yield budget


def refusal(request: web.Request, token: str | None) -> web.Response | None:
    """401 unless the scrape carries the configured bearer token (None when no token is configured)."""
    if not token:
        return None
    given = request.headers.get("Authorization", "")
    if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return None
    return web.Response(status=401, text="metrics: send Authorization: Bearer <CLOUDOPS_METRICS_TOKEN>\n",
                        headers={"WWW-Authenticate": "Bearer"})


async def respond(metrics: Metrics) -> web.Response:
    body = await asyncio.to_thread(metrics.exposition)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
