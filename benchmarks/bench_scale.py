"""Scale-out, measured side by side in one run on PostgreSQL.

1. PRs planned per minute with 1, 2 and 4 `cloudops worker`s behind one
   `cloudops serve --role web` (real processes, real terraform, the local
   forge), each PR on its own project so the lanes do not serialize them;
   the ratio to one worker. On a 2-core machine terraform itself is the
   bound, so expect the ratio to flatten past 2 workers.
2. Webhook ack latency with the database store: signed `ping`s (recorded
   and answered, no job) sent to the web replica, p50 / p99 (target p99
   <= 20 ms).

Run: .venv/bin/python benchmarks/bench_scale.py [--prs 20] [--workers 1,2,4] [--deliveries 300] [--ack-only]
Needs PostgreSQL (127.0.0.1:5432, CLOUDOPS_TEST_DATABASE_URL, or Debian's binaries for a private one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import textwrap
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controller.webhooks import signature  # noqa: E402
from tests.e2e.harness import VERSIONS, WEBHOOK_SECRET, make_infra_repo, null_resources, register_hook, start_forge  # noqa: E402
from tests.e2e.replicas import Fleet, Process, wait_until  # noqa: E402
from tests.support import postgres  # noqa: E402


def _config(projects: list[str]) -> str:
    entries = "".join(f"  {p}:\n    target: local\n    region: local-1\n    apply_on: approve\n" for p in projects)
    return "version: 1\nprojects:\n" + entries + textwrap.dedent("""\
        members:
          admin:
            role: admin
            github: cloudops-admin
        """)


def plans_per_minute(prs: int, workers: int, root: Path) -> float:
    url = postgres.fresh_schema_url()
    projects = [f"p{i}" for i in range(prs)]
    try:
        with start_forge(root / "forge") as forge:
            files = {"cloudops.yaml": _config(projects)}
            for p in projects:
                files[f"projects/{p}/versions.tf"] = VERSIONS
                files[f"projects/{p}/main.tf"] = null_resources(f"{p}_base")
            bench = make_infra_repo(forge, root, files)
            fleet = Fleet(forge=forge, full_name=bench.full_name, database_url=url, root=root / "fleet", webs=1,
                          workers=workers)
            try:
                register_hook(bench, fleet.webs[0].url)
                branches = [bench.push_branch(f"c{i}", f"C{i}", files={f"projects/{p}/x.tf": null_resources(f"{p}_x")})
                            for i, p in enumerate(projects)]
                del branches
                started = time.monotonic()
                numbers = [bench.repo.create_pull(title=f"C{i}", body="", head=f"c{i}", base="main").number
                           for i in range(prs)]
                wait_until(lambda: all(bench.comments_with(n, f"plan:{p}") for n, p in zip(numbers, projects)),
                           timeout=60 * prs, what="every plan comment")
                elapsed = time.monotonic() - started
            finally:
                fleet.stop()
    finally:
        postgres.drop_schema(url)
    return prs / elapsed * 60


def ack_latencies(deliveries: int, root: Path, *, database: bool) -> list[float]:
    """Ack times of one `serve` on PostgreSQL (``database``) or on its SQLite file, same deliveries."""
    url = postgres.fresh_schema_url()
    try:
        with start_forge(root / "forge") as forge:
            bench = make_infra_repo(forge, root)
            if database:
                fleet = Fleet(forge=forge, full_name=bench.full_name, database_url=url, root=root / "fleet", webs=1,
                              workers=0)
                process = fleet.webs[0]
            else:
                env = {k: v for k, v in Fleet.environment(forge, bench.full_name, url).items()
                       if k != "CLOUDOPS_DATABASE_URL"}
                process = Process(["serve", "--no-bot"], env, root / "single")
                fleet = None
            try:
                target = process.url
                times = []
                for _ in range(deliveries):
                    now = datetime.now(UTC).isoformat()  # inside the replay window
                    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1,
                                       "hook": {"updated_at": now, "created_at": now}}).encode()
                    sig = signature.sign(WEBHOOK_SECRET, body)
                    request = urllib.request.Request(target, data=body, method="POST", headers={
                        "Content-Type": "application/json", "X-GitHub-Event": "ping",
                        "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": sig})
                    t0 = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        answer.read()
                    times.append((time.perf_counter() - t0) * 1000)
                return times
            finally:
                (fleet.stop() if fleet else process.stop())
    finally:
        postgres.drop_schema(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prs", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--ack-only", action="store_true", help="measure only the webhook ack latency")
    args = parser.parse_args()
    counts = [] if args.ack_only else [int(x) for x in args.workers.split(",")]
    rates: dict[int, float] = {}
    for n in counts:
        with tempfile.TemporaryDirectory(prefix=f"bench-scale-{n}-") as tmp:
            rates[n] = plans_per_minute(args.prs, n, Path(tmp))
        print(f"{n} worker(s): {rates[n]:.1f} PRs planned per minute"
              f"  (ratio to {counts[0]}: {rates[n] / rates[counts[0]]:.2f})", flush=True)
    figures = {}
    for database in (False, True):
        with tempfile.TemporaryDirectory(prefix="bench-scale-ack-") as tmp:
            times = ack_latencies(args.deliveries, Path(tmp), database=database)
        figures[database] = (statistics.median(times), statistics.quantiles(times, n=100)[98])
    (s50, s99), (p50, p99) = figures[False], figures[True]
    print(f"webhook ack over {args.deliveries} deliveries: SQLite p50 {s50:.1f} ms p99 {s99:.1f} ms; "
          f"PostgreSQL p50 {p50:.1f} ms p99 {p99:.1f} ms (ratio p99 {p99 / s99:.2f}; "
          f"target p99 <= 20 ms: {'met' if p99 <= 20 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
