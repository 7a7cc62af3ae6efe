"""What a dashboard page and a /metrics scrape cost next to the store reads they need.

Over a real SQLite store with N runs (default 5,000 in one repo), side by side
in one run: the store read alone (``list_runs``, 500 newest), the runs page
(the same read, the role check, the filter and the Jinja2 render of 500 rows,
through aiohttp), a /metrics scrape (store reads for in-flight runs, locks and
cost per project over the newest 2,000 runs, then the text format), and one
apply-progress event reaching 50 watching browsers (journal write + fan-out).
Prints medians and ratios to the store read; no target is asserted.

Run: .venv/bin/python benchmarks/bench_dashboard.py [RUNS]
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from controller.bus import EventBus
from controller.dashboard import DashboardConfig, build, install, sessions
from controller.pipeline import notices
from controller.pipeline.leaks import LeakGuard
from controller.pipeline.rules import rules_from_config
from controller.repo_config import loads
from controller.store import RunKind, RunStatus, SqliteStore

REPO = "acme/infra"
CONFIG = "version: 1\nprojects:\n" + "".join(f"  p{i}: {{target: local, region: local-1, budget_monthly_usd: 50}}\n"
                                             for i in range(20)) + "members:\n  ada: {role: admin, github: ada}\n"


def fill(store: SqliteStore, n: int) -> None:
    for i in range(n):
        kind = RunKind.APPLY if i % 3 == 0 else RunKind.PLAN
        run = store.create_run(repo=REPO, project=f"p{i % 20}", head_sha=f"{i:040x}", kind=kind, pr_number=i % 300,
                               trigger="comment", actor="ada")
        store.update_run_status(run.id, RunStatus.RUNNING)
        store.update_run_status(run.id, RunStatus.SUCCEEDED, summary={"monthly_after": float(i % 40), "add": 1})


async def median(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        store = SqliteStore(data / "store.sqlite3")
        fill(store, n)
        rules = rules_from_config(loads(CONFIG))

        async def rules_of(repo: str):
            return rules

        bus = EventBus()
        dashboard = build(DashboardConfig(), api_url="https://api.github.com", repos=(REPO,), store=store,
                          context=None, rules=rules_of, bus=bus, guard=LeakGuard(lambda: ["a-vault-secret"]),
                          data_dir=data, queue_depth=lambda: 0)
        app = web.Application()
        install(app, dashboard)
        server = TestServer(app)
        await server.start_server()
        session = sessions.signed_in(sessions.fresh(time.time(), 1), "ada", "oauth", time.time(), 1)
        cookie = {sessions.COOKIE: sessions.seal(session, dashboard.key)}
        async with aiohttp.ClientSession(cookies=cookie) as http:
            async def read() -> None:
                await asyncio.to_thread(store.list_runs, repo=REPO, limit=500)

            async def page() -> None:
                async with http.get(server.make_url("/runs")) as response:
                    assert response.status == 200
                    await response.read()

            async def scrape() -> None:
                async with http.get(server.make_url("/metrics")) as response:
                    assert response.status == 200
                    await response.read()

            steps = itertools.count()
            queues = []
            for _ in range(50):
                cm = dashboard.live.watch("run-x")
                queues.append((cm, await cm.__aenter__()))

            async def event() -> None:
                await bus.publish(notices.ApplyProgress(repo=REPO, project="p0", pr_number=1, head_sha="a" * 40,
                                                        run_id="run-x", completed=next(steps), total=10**9,
                                                        percent=10, current="Creating x…", rendered="", elapsed_seconds=1))
                for _, q in queues:
                    q.get_nowait()

            await page()
            base = await median(read, 15)
            results = {"store read (500 runs)": base, "runs page (500 rows)": await median(page, 15),
                       "/metrics scrape": await median(scrape, 15), "progress event → 50 browsers": await median(event, 50)}
        await server.close()
        dashboard.close()
        store.close()
    print(f"{n} runs in the store")
    for name, seconds in results.items():
        print(f"  {name:32s} {seconds * 1000:8.1f} ms   ×{seconds / base:5.1f} of the store read")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
