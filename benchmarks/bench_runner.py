"""TerraformRunner overhead against the raw terraform CLI.

Generates a project of N null resources and, in one run, times
init + plan + apply (a) through ``subprocess.run`` of the terraform CLI and
(b) through ``TerraformRunner`` (parsing every event, calling a listener).
Both use the same binary, provider mirror and environment. The order
alternates each round; the medians and their ratio are printed.

    .venv/bin/python benchmarks/bench_runner.py [--resources 50] [--rounds 5]

Target: runner / raw <= 1.10.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from controller.settings import Settings  # noqa: E402
from controller.terraform import environment  # noqa: E402
from controller.terraform.runner import TerraformRunner  # noqa: E402
from controller.terraform.toolchain import Toolchain, resolve_toolchain  # noqa: E402
from controller.terraform.workspace import home_for  # noqa: E402

TARGET = 1.10


def write_project(directory: Path, resources: int) -> None:
    directory.mkdir(parents=True)
    blocks = [
        'terraform {\n  required_providers {\n    null = {\n      source  = "hashicorp/null"\n'
        '      version = "2.1.2"\n    }\n  }\n}\n'
    ]
    for index in range(resources):
        blocks.append(
            f'resource "null_resource" "r{index:03d}" {{\n'
            f'  triggers = {{\n    name = "r{index:03d}"\n    size = "small"\n  }}\n}}\n'
        )
    (directory / "main.tf").write_text("\n".join(blocks))


def raw_cli(toolchain: Toolchain, workdir: Path) -> float:
    """init + plan + apply with subprocess.run, output captured but not read further."""
    env = environment.build_env(os.environ, home=home_for(workdir), cli_config=toolchain.cli_config)
    binary = str(toolchain.binary)
    started = time.perf_counter()
    for args in (
        ["init", "-input=false", "-no-color"],
        ["plan", "-json", "-input=false", "-detailed-exitcode", "-out=bench.tfplan"],
        ["apply", "-json", "-input=false", "bench.tfplan"],
    ):
        done = subprocess.run([binary, *args], cwd=workdir, env=env, capture_output=True, check=False)
        if done.returncode not in (0, 2):
            raise SystemExit(f"raw terraform {args[0]} failed: {done.stderr.decode()[-2000:]}")
    return time.perf_counter() - started


def through_runner(runner: TerraformRunner, workdir: Path) -> float:
    """init + plan + apply through the runner, with a listener on every event."""
    seen: list[str] = []

    async def run() -> float:
        started = time.perf_counter()
        await runner.init(workdir)
        await runner.plan(workdir, workdir / "bench.tfplan", on_event=lambda e: seen.append(e.type))
        await runner.apply(workdir, workdir / "bench.tfplan", on_event=lambda e: seen.append(e.type))
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    assert seen.count("apply_complete") > 0, "the runner saw no apply events"
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cloudops-bench-") as scratch:
        root = Path(scratch)
        settings = Settings.from_env({**os.environ, "CLOUDOPS_DATA_DIR": os.environ.get("CLOUDOPS_DATA_DIR", str(root / "data"))})
        toolchain = resolve_toolchain(settings)
        runner = TerraformRunner(toolchain, settings)
        template = root / "template"
        write_project(template, args.resources)
        print(f"terraform {toolchain.version} at {toolchain.binary}; {args.resources} null resources; {args.rounds} rounds")

        raw_times: list[float] = []
        runner_times: list[float] = []
        for round_no in range(args.rounds):
            order = ("raw", "runner") if round_no % 2 == 0 else ("runner", "raw")
            for kind in order:
                workdir = root / f"{kind}-{round_no}"
                shutil.copytree(template, workdir)
                if kind == "raw":
                    raw_times.append(raw_cli(toolchain, workdir))
                else:
                    runner_times.append(through_runner(runner, workdir))
                shutil.rmtree(workdir)
            print(f"  round {round_no + 1}: raw {raw_times[-1]:.3f}s  runner {runner_times[-1]:.3f}s  (order: {' then '.join(order)})")

    raw = statistics.median(raw_times)
    ran = statistics.median(runner_times)
    ratio = ran / raw
    print(f"raw terraform CLI  init+plan+apply: median {raw:.3f}s")
    print(f"TerraformRunner    init+plan+apply: median {ran:.3f}s")
    print(f"ratio runner/raw: {ratio:.3f} (target <= {TARGET:.2f}) {'OK' if ratio <= TARGET else 'OVER TARGET'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
