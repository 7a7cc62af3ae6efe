"""The dashboard's pages: runs, one run (with its live log), locks, projects, policy, drift.

Views only: each fetches (store calls on worker threads), asks ``queries``
and ``access`` what to show, and renders a template. The one action, unlock,
is in ``actions``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime

from aiohttp import web

from ..errors import CloudOpsError
from ..pipeline import rollback
from ..pipeline.policy_check import override_key
from ..store import Run, RunKind, RunStatus
from . import queries
from .chart import cost_chart
from .live import DONE
from .webapp import dash_of, redirect, refuse, render, require_access

log = logging.getLogger(__name__)

_OVERRIDDEN_BY = re.compile(r"overridden by @([A-Za-z0-9-]+)")
MAX_RUNS = 500


def pr_url(request: web.Request, repo: str, number: int | None) -> str | None:
    return f"{dash_of(request).web_url}/{repo}/pull/{number}" if number is not None else None


async def _visible_runs(request: web.Request, *, repo: str | None = None, project: str | None = None,
                        pr_number: int | None = None, limit: int = MAX_RUNS) -> list[Run]:
    dash, access = dash_of(request), require_access(request)
    repos = [repo] if repo else access.visible_repos()
    runs: list[Run] = []
    for name in repos:
        if name not in dash.repos:
            continue
        runs += await asyncio.to_thread(dash.store.list_runs, repo=name, project=project or None,
                                        pr_number=pr_number, limit=limit)
    return sorted((r for r in runs if access.may_read(r.repo, r.project)), key=lambda r: r.created_at, reverse=True)


async def index(request: web.Request) -> web.Response:
    return redirect("/runs", status=302)


async def runs_page(request: web.Request) -> web.Response:
    wanted = queries.RunFilter.from_query(dict(request.query))
    problems = wanted.errors()
    runs = [] if problems else await _visible_runs(request, repo=wanted.repo or None, project=wanted.project or None,
                                                   pr_number=wanted.pr_number())
    shown = wanted.apply(runs)
    now = datetime.now(UTC)
    rows = [{"run": r, "phase": queries.phase_of(r), "duration": queries.duration(r, now),
             "pr_url": pr_url(request, r.repo, r.pr_number)} for r in shown]
    return render(request, "runs.html", rows=rows, filter=wanted, problems=problems, phases=queries.PHASES,
                  outcomes=queries.OUTCOMES, kinds=[k.value for k in RunKind],
                  projects=sorted({r.project for r in runs}))


async def _run_or_404(request: web.Request) -> Run:
    dash, access = dash_of(request), require_access(request)
    run = await asyncio.to_thread(dash.store.get_run, request.match_info["run_id"])
    if run is None or run.repo not in dash.repos or not access.may_read(run.repo, run.project):
        # The same answer for "no such run" and "not yours": ids are not probed.
        raise web.HTTPNotFound(text="no such run")
    return run


def _progress_of(run: Run, lines: list) -> int:
    if run.kind is RunKind.APPLY and run.status is RunStatus.SUCCEEDED:
        return 100
    return lines[-1].percent if lines else 0


async def run_page(request: web.Request) -> web.Response:
    try:
        run = await _run_or_404(request)
    except web.HTTPNotFound:
        return refuse(request, 404, "There is no such run (or you may not see it).")
    dash = dash_of(request)
    lines = await asyncio.to_thread(dash.journal.log_of, run.id)
    plan_run = None
    if run.kind is RunKind.APPLY and run.summary.get("plan_run_id"):
        plan_run = await asyncio.to_thread(dash.store.get_run, run.summary["plan_run_id"])
    applies = []
    if run.kind is RunKind.PLAN:
        siblings = await asyncio.to_thread(dash.store.list_runs, repo=run.repo, project=run.project,
                                           pr_number=run.pr_number, limit=200)
        applies = [r for r in siblings if r.kind is RunKind.APPLY and r.summary.get("plan_run_id") == run.id]
    return render(request, "run.html", run=run, lines=lines, percent=_progress_of(run, lines),
                  live=run.in_flight and run.kind is RunKind.APPLY, pr_url=pr_url(request, run.repo, run.pr_number),
                  duration=queries.duration(run, datetime.now(UTC)), plan_run=plan_run, applies=applies,
                  summary_json=json.dumps(run.summary, indent=2, sort_keys=True, default=str))


async def run_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the run's log lines after Last-Event-ID, then live ones, then ``done``."""
    run = await _run_or_404(request)
    dash = dash_of(request)
    after = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
    last = int(after) if after.isdigit() else 0
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)

    async def send(event: str, data: dict, event_id: int | None = None) -> None:
        text = json.dumps(dash.guard.redact_data(data))
        head = f"id: {event_id}\n" if event_id is not None else ""
        await response.write(f"{head}event: {event}\ndata: {text}\n\n".encode())

    try:
        await _stream(dash, run, response, send, last)
    except ConnectionResetError:  # the browser left (closed the tab, navigated away)
        pass
    return response


async def _stream(dash, run: Run, response: web.StreamResponse, send, last: int) -> None:
    async with dash.live.watch(run.id) as queue:
        for line in await asyncio.to_thread(dash.journal.log_of, run.id, after=last):
            await send("progress", line.to_json(), line.seq)
            last = line.seq
        current = await asyncio.to_thread(dash.store.get_run, run.id)
        while current is not None and current.in_flight:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=15)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                current = await asyncio.to_thread(dash.store.get_run, run.id)
                continue
            if item == DONE:
                break
            if item.seq > last:
                await send("progress", item.to_json(), item.seq)
                last = item.seq
        for line in await asyncio.to_thread(dash.journal.log_of, run.id, after=last):
            await send("progress", line.to_json(), line.seq)
        final = await asyncio.to_thread(dash.store.get_run, run.id)
        status = final.status.value if final else "unknown"
        took = queries.duration(final, datetime.now(UTC)) if final else None
        await send("done", {"status": status, "percent": 100 if status == "succeeded" else None,
                            "finished_at": f"{final.finished_at:%Y-%m-%d %H:%M:%S} UTC" if final and final.finished_at else None,
                            "took_seconds": round(took, 1) if took is not None else None})


async def locks_page(request: web.Request) -> web.Response:
    dash, access = dash_of(request), require_access(request)
    locks = [lock for lock in await asyncio.to_thread(dash.store.list_locks)
             if lock.repo in dash.repos and access.may_read(lock.repo, lock.project)]
    now = datetime.now(UTC)
    rows = [{"lock": lock, "age": lock.age(now).total_seconds(), "pr_url": pr_url(request, lock.repo, lock.pr_number),
             "may_unlock": access.may_unlock(lock.repo, lock.project),
             "why_not": access.refusal(lock.repo, lock.project, "unlock")} for lock in locks]
    audit = [e for e in await asyncio.to_thread(dash.journal.audit_log, 50) if access.may_read(e.repo, e.project)]
    return render(request, "locks.html", rows=rows, audit=audit, unlocked=request.query.get("unlocked", ""),
                  told=request.query.get("told") != "no")


async def _budgets(request: web.Request) -> dict[tuple[str, str], float | None]:
    access = require_access(request)
    out: dict[tuple[str, str], float | None] = {}
    for repo in access.visible_repos():
        config = access.configs.get(repo)
        for name, project in (config.projects.items() if config else ()):
            if access.may_read(repo, name):
                out[(repo, name)] = project.budget_monthly_usd
    return out


async def projects_page(request: web.Request) -> web.Response:
    dash = dash_of(request)
    budgets = await _budgets(request)
    runs = await _visible_runs(request, limit=2000)
    locks = {(lock.repo, lock.project): lock for lock in await asyncio.to_thread(dash.store.list_locks)}
    drift = {(d.repo, d.project): d for d in await asyncio.to_thread(dash.journal.drift)}
    names = sorted(set(budgets) | set(queries.projects_of(runs)))
    rows = []
    for repo, project in names:
        mine = [r for r in runs if r.repo == repo and r.project == project]
        cost = queries.current_cost(mine, project)
        budget = budgets.get((repo, project))
        rows.append({"repo": repo, "project": project, "cost": cost, "budget": budget,
                     "used": (cost / budget * 100) if cost is not None and budget else None,
                     "planned": queries.latest_planned_cost(mine, project), "lock": locks.get((repo, project)),
                     "drift": drift.get((repo, project)), "runs": len(mine),
                     "chart": cost_chart(queries.cost_series(mine, project), budget, now=datetime.now(UTC),
                                         title=f"Monthly cost of {project}")})
    return render(request, "projects.html", rows=rows)


async def project_page(request: web.Request) -> web.Response:
    dash, access = dash_of(request), require_access(request)
    repo = f"{request.match_info['owner']}/{request.match_info['name']}"
    project = request.match_info["project"]
    if repo not in dash.repos or not access.may_read(repo, project):
        return refuse(request, 404, f"There is no project {project} in {repo} (or you may not see it).")
    runs = await _visible_runs(request, repo=repo, project=project, limit=1000)
    budget = (await _budgets(request)).get((repo, project))
    history_error = None
    try:
        history = await rollback.history(dash.context, repo, project)
    except CloudOpsError as exc:
        history, history_error = [], str(exc)
    series = queries.cost_series(runs, project)
    drift = next((d for d in await asyncio.to_thread(dash.journal.drift) if (d.repo, d.project) == (repo, project)), None)
    lock = await asyncio.to_thread(dash.store.get_lock, repo, project)
    return render(request, "project.html", repo=repo, project=project, runs=runs[:50], history=history,
                  history_error=history_error, budget=budget, series=series, lock=lock, drift=drift,
                  cost=queries.current_cost(runs, project), verdicts=queries.policy_verdicts(runs)[:20],
                  chart=cost_chart(series, budget, now=datetime.now(UTC), title=f"Monthly cost of {project}"),
                  pr_url=lambda n: pr_url(request, repo, n))


async def policy_page(request: web.Request) -> web.Response:
    dash = dash_of(request)
    verdicts = queries.policy_verdicts(await _visible_runs(request, limit=1000))[:100]
    overrides: dict[str, str] = {}
    own = getattr(dash.context.forge, "own_comment", None)
    for v in [v for v in verdicts if v.checked and not v.passed and v.run.pr_number is not None][:30]:
        try:
            body = await asyncio.to_thread(own, v.run.repo, v.run.pr_number, override_key(v.run.project, v.run.id)) if own else None
        except CloudOpsError as exc:
            log.warning("dashboard: reading overrides of %s#%s: %s", v.run.repo, v.run.pr_number, exc)
            body = None
        if body:
            match = _OVERRIDDEN_BY.search(body)
            overrides[v.run.id] = match.group(1) if match else "an admin"
    rows = [{"v": v, "overridden_by": overrides.get(v.run.id), "pr_url": pr_url(request, v.run.repo, v.run.pr_number)}
            for v in verdicts]
    return render(request, "policy.html", rows=rows)


async def drift_page(request: web.Request) -> web.Response:
    dash, access = dash_of(request), require_access(request)
    findings = [d for d in await asyncio.to_thread(dash.journal.drift) if d.repo in dash.repos
                and access.may_read(d.repo, d.project)]
    return render(request, "drift.html", findings=[{"d": d, "at": datetime.fromtimestamp(d.found_at, UTC)}
                                                  for d in findings])
