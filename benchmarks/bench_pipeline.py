"""Pipeline benchmarks, measured side by side in one run.

1. Webhook acknowledgement latency: 500 signed deliveries to the real
   receiver (real SQLite dedupe, the dispatcher only records), p50 / p99.
2. Webhook → plan comment, divided by raw `terraform init + plan` of the same
   project files, over several rounds (target ratio <= 1.3).

Run: .venv/bin/python benchmarks/bench_pipeline.py [--deliveries 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controller.app import ControllerApp
from controller.assembly import assemble  # noqa: E402
from controller.pipeline import notices  # noqa: E402
from controller.settings import Settings  # noqa: E402
from controller.store import open_store  # noqa: E402
from controller.terraform.toolchain import resolve_toolchain  # noqa: E402
from controller.terraform.environment import build_env  # noqa: E402
from controller.webhooks import receiver as rx  # noqa: E402
from controller.webhooks import signature  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    VERSIONS, controller_config, make_infra_repo, null_resources, register_hook, start_forge,
)

PAYLOAD = ROOT / "tests" / "fixtures" / "webhooks" / "pull_request.opened.0.json"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def ack_latency(deliveries: int, workdir: Path) -> list[float]:
    secret = "bench-secret"
    body = json.dumps(json.loads(PAYLOAD.read_text())).encode()
    received: list[str] = []

    async def dispatch(_routed, delivery_id: str) -> None:
        received.append(delivery_id)

    payload = json.loads(PAYLOAD.read_text())
    happened = datetime.fromisoformat(payload["pull_request"]["updated_at"].replace("Z", "+00:00"))
    with open_store(workdir / "store.sqlite3") as store:
        # GitHub's example is from 2019: the receiver's replay window is judged at that moment.
        receiver = rx.WebhookReceiver(rx.ReceiverConfig(secret=secret), store, dispatch,
                                      clock=lambda: happened + timedelta(seconds=1))
        app = rx.make_app(receiver)
        runner = aiohttp.web.AppRunner(app, access_log=None)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}{rx.PATH}"
        timings = []
        async with aiohttp.ClientSession() as session:
            for _ in range(deliveries):
                headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": str(uuid.uuid4()),
                           "X-Hub-Signature-256": signature.sign(secret, body), "Content-Type": "application/json"}
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    assert response.status == 202, response.status
                timings.append(time.perf_counter() - start)
        await runner.cleanup()
        await receiver.close()  # its status updates finish before the store closes
    assert len(received) == deliveries
    return timings


def raw_init_plan(project_files: dict[str, str], workdir: Path, settings: Settings) -> float:
    toolchain = resolve_toolchain(settings)
    workdir.mkdir(parents=True)
    for name, text in project_files.items():
        (workdir / name).write_text(text)
    home = workdir / ".home"
    home.mkdir()
    env = build_env(dict(__import__("os").environ), home=home, cli_config=toolchain.cli_config)
    start = time.perf_counter()
    for args in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=p.tfplan"]):
        subprocess.run([str(toolchain.binary), *args], cwd=workdir, env=env, check=True, capture_output=True)
    init_plan = time.perf_counter() - start
    # Every tool that comments a plan reads it back; this is the floor for a plan comment.
    subprocess.run([str(toolchain.binary), "show", "-json", "p.tfplan"], cwd=workdir, env=env, check=True, capture_output=True)
    return init_plan, time.perf_counter() - start


async def pipeline_round(forge, bench, app: ControllerApp, project: str, n: int) -> float:
    ready = asyncio.Event()
    unsubscribe = app.bus.subscribe(notices.PlanReady, lambda e: ready.set() if e.project == project else None)
    files = {f"projects/{project}/main.tf": null_resources(*(f"r{n}_{i}" for i in range(5)))}
    await asyncio.to_thread(bench.push_branch, f"bench-{n}", f"bench {n}", files=files)
    start = time.perf_counter()
    number = await asyncio.to_thread(lambda: bench.repo.create_pull(title=f"bench {n}", body="", head=f"bench-{n}", base="main").number)
    await asyncio.wait_for(ready.wait(), 120)
    elapsed = time.perf_counter() - start
    unsubscribe()
    await asyncio.to_thread(lambda: bench.repo.get_pull(number).edit(state="closed"))
    await asyncio.to_thread(forge.run, forge.forge.drain_webhooks())
    await app.settle()
    return elapsed


async def webhook_to_comment(rounds: int, workdir: Path) -> tuple[list[float], list[tuple[float, float]]]:
    settings = Settings.from_env()
    pipeline_times: list[float] = []
    raw_times: list[tuple[float, float]] = []
    with start_forge(workdir / "forge") as forge:
        bench = make_infra_repo(forge, workdir)
        config = controller_config(forge, workdir / "controller", bench.full_name)
        async with assemble(config) as assembled:
            app = assembled.app
            register_hook(bench, app.webhook_url)
            for n in range(rounds):
                files = {"versions.tf": VERSIONS, "main.tf": null_resources(*(f"r{n}_{i}" for i in range(5)))}
                # Alternate the order so neither side always runs on a warm cache.
                if n % 2:
                    raw_times.append(await asyncio.to_thread(raw_init_plan, files, workdir / f"raw-{n}", settings))
                    pipeline_times.append(await pipeline_round(forge, bench, app, "web", n))
                else:
                    pipeline_times.append(await pipeline_round(forge, bench, app, "web", n))
                    raw_times.append(await asyncio.to_thread(raw_init_plan, files, workdir / f"raw-{n}", settings))
    return pipeline_times, raw_times


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cloudops-bench-") as tmp:
        timings = await ack_latency(args.deliveries, Path(tmp))
        print(f"webhook acknowledgement over {len(timings)} signed deliveries: "
              f"p50 {percentile(timings, 50) * 1000:.1f} ms, p99 {percentile(timings, 99) * 1000:.1f} ms")
        pipeline_times, raw_times = await webhook_to_comment(args.rounds, Path(tmp))
    pipe = statistics.median(pipeline_times)
    raw = statistics.median(t[0] for t in raw_times)
    raw_show = statistics.median(t[1] for t in raw_times)
    print(f"webhook → plan comment: median {pipe:.2f}s over {len(pipeline_times)} rounds {[round(t, 2) for t in pipeline_times]}")
    print(f"raw terraform init+plan: median {raw:.2f}s; init+plan+show -json: median {raw_show:.2f}s")
    ratio = pipe / raw
    print(f"ratio pipeline/raw init+plan: {ratio:.2f} (target <= 1.3) {'OK' if ratio <= 1.3 else 'OVER TARGET'}")
    print(f"ratio pipeline/raw init+plan+show: {pipe / raw_show:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
