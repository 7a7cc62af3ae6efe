"""`cloudops serve`: the long-running controller (webhook server + workers)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from .. import serve_config
from ..app import ControllerApp


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="controller config file (see controller/serve_config.py); "
                        "without it, CLOUDOPS_* and GITHUB_* environment variables are used")


async def run(args: argparse.Namespace) -> int:
    config = serve_config.load(args.config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with ControllerApp(config) as app:
        print(f"cloudops controller listening: {app.webhook_url}", flush=True)
        print(f"repositories: {', '.join(config.repos)} · data dir: {config.settings.data_dir}", flush=True)
        await stop.wait()
        print("stopping: running jobs are interrupted gracefully", flush=True)
    return 0
