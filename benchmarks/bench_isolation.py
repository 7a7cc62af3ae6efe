"""What plan isolation costs: terraform under bubblewrap vs unconfined, and the plan guard.

In one run, alternating each round: init + plan + apply of a project of N
null resources through ``TerraformRunner`` (a) with the sandbox the host
offers and (b) with none. Then the plan guard (python-hcl2 + the call
scanner + path checks) on a project of N resources that each read a file
through ``file("${path.module}/…")``, against python-hcl2 parsing alone.

    .venv/bin/python benchmarks/bench_isolation.py [--resources 50] [--rounds 5]

Targets: sandboxed / unconfined <= 1.15; guard / hcl2 parse alone <= 2.0.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hcl2  # noqa: E402

from controller.pipeline.plan_guard import check_project  # noqa: E402
from controller.settings import Settings  # noqa: E402
from controller.terraform.runner import TerraformRunner  # noqa: E402
from controller.terraform.sandbox import NO_SANDBOX  # noqa: E402
from controller.terraform.toolchain import resolve_toolchain  # noqa: E402

SANDBOX_TARGET = 1.15
GUARD_TARGET = 2.0
VERSIONS = 'terraform {\n  required_providers {\n    null = { source = "hashicorp/null", version = "2.1.2" }\n  }\n}\n'


def project_text(resources: int, *, reads: bool) -> str:
    body = [VERSIONS]
    for index in range(resources):
        value = f'filemd5("${{path.module}}/files/f{index}.txt")' if reads else f'"r{index:03d}"'
        body.append(f'resource "null_resource" "r{index:03d}" {{\n  triggers = {{\n    name = "r{index:03d}"\n'
                    f'    digest = {value}\n  }}\n}}\n')
    return "\n".join(body)


async def one_round(runner: TerraformRunner, root: Path, text: str) -> float:
    workdir = Path(tempfile.mkdtemp(dir=root))
    (workdir / "main.tf").write_text(text)
    started = time.perf_counter()
    await runner.init(workdir)
    plan = await runner.plan(workdir, workdir / "bench.tfplan")
    await runner.apply(workdir, plan.plan_file)
    elapsed = time.perf_counter() - started
    shutil.rmtree(workdir)
    return elapsed


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-isolation-") as tmp:
        root = Path(tmp)
        settings = Settings.from_env()
        settings = dataclasses.replace(settings, data_dir=root / "data") if "CLOUDOPS_DATA_DIR" not in __import__("os").environ else settings
        toolchain = resolve_toolchain(settings)
        if not toolchain.sandbox.active:
            print(f"no sandbox on this host ({toolchain.sandbox.reason}); nothing to compare")
            return 1
        confined = TerraformRunner(toolchain, settings)
        open_ = TerraformRunner(dataclasses.replace(toolchain, sandbox=NO_SANDBOX), settings)
        text = project_text(args.resources, reads=False)
        times: dict[str, list[float]] = {"sandboxed": [], "unconfined": []}
        for index in range(args.rounds):
            order = [("sandboxed", confined), ("unconfined", open_)]
            for name, runner in order if index % 2 == 0 else reversed(order):
                times[name].append(await one_round(runner, root, text))
        sandboxed, unconfined = statistics.median(times["sandboxed"]), statistics.median(times["unconfined"])
        ratio = sandboxed / unconfined
        print(f"init+plan+apply of {args.resources} resources, median of {args.rounds}: "
              f"sandboxed {sandboxed:.2f}s, unconfined {unconfined:.2f}s, ratio {ratio:.2f} (target <= {SANDBOX_TARGET})")

    guarded = {"main.tf": project_text(args.resources * 4, reads=True)}
    parse, guard = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        hcl2.loads(guarded["main.tf"])
        parse.append(time.perf_counter() - started)
        started = time.perf_counter()
        findings = check_project(guarded)
        guard.append(time.perf_counter() - started)
        assert findings == [], findings
    guard_ratio = statistics.median(guard) / statistics.median(parse)
    print(f"plan guard on {args.resources * 4} resources with file reads: {statistics.median(guard) * 1000:.0f} ms, "
          f"python-hcl2 alone {statistics.median(parse) * 1000:.0f} ms, ratio {guard_ratio:.2f} (target <= {GUARD_TARGET})")
    return 0 if ratio <= SANDBOX_TARGET and guard_ratio <= GUARD_TARGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
