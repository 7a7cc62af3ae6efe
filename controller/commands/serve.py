"""`cloudops serve`: the long-running controller (webhook server + workers).

With DISCORD_TOKEN set, the Discord bot runs in the same process, on the
same event bus, store and pipeline gateway (``assembly.assemble``), so plan
and apply events reach the chat as they happen.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
from pathlib import Path

from .. import serve_config
from ..assembly import Assembly, assemble
from ..errors import ConfigError
from ..service.context import WebhookTarget
from ..webhooks.receiver import PATH as WEBHOOK_PATH

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="controller config file (see controller/serve_config.py); "
                        "without it, CLOUDOPS_* and GITHUB_* environment variables are used")
    parser.add_argument("--no-bot", action="store_true", help="do not start the Discord bot even if DISCORD_TOKEN is set")
    parser.add_argument("--role", choices=("all", "web"), default="all",
                        help="with CLOUDOPS_DATABASE_URL: `web` only receives webhooks and enqueues jobs for "
                             "`cloudops worker`s; `all` (the default) also runs them")


async def _run_bot(assembly: Assembly, token: str) -> None:
    from bot.discord.app import CloudOpsBot

    for note in assembly.notes:
        log.warning("discord bot: %s", note)
    bot = CloudOpsBot(assembly.chatops, assembly.bus)
    async with bot:
        await bot.start(token)


def _webhook_target(webhook_secret: str) -> WebhookTarget | None:
    public = os.environ.get("CLOUDOPS_PUBLIC_URL", "").rstrip("/")
    return WebhookTarget(f"{public}{WEBHOOK_PATH}", webhook_secret) if public else None


async def run(args: argparse.Namespace, *, role: str | None = None) -> int:
    config = serve_config.load(args.config)
    role = role or getattr(args, "role", "all")
    if role != "all":
        if not config.settings.database_url:
            raise ConfigError(f"running as a {role}: several processes need a shared store and queue",
                              hint="set CLOUDOPS_DATABASE_URL=postgresql://… (see README: Running several replicas)")
        config = dataclasses.replace(config, role=role)
    # Everything the controller writes (store, run dirs, plan files, repos) is its own to read.
    os.umask(0o077)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    token = None if args.no_bot else os.environ.get("DISCORD_TOKEN")
    async with assemble(config, webhook=_webhook_target(config.webhook_secret)) as assembly:
        app = assembly.app
        print(f"cloudops controller listening: {app.webhook_url}", flush=True)
        print(f"dashboard: {config.dashboard.public_url or app.base_url}/runs · metrics: {app.base_url}/metrics", flush=True)
        print(f"repositories: {', '.join(config.repos)} · data dir: {config.settings.data_dir} · role: {config.role}"
              f" · store: {'PostgreSQL' if config.settings.database_url else 'SQLite'}", flush=True)
        bot_task = asyncio.create_task(_run_bot(assembly, token)) if token else None
        if bot_task is None:
            print("discord bot: not started (no DISCORD_TOKEN); `cloudops chat` offers the same commands", flush=True)
        waiters = [asyncio.create_task(stop.wait())] + ([bot_task] if bot_task else [])
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if bot_task is not None and bot_task in done and bot_task.exception() is not None:
            log.error("discord bot stopped: %s", bot_task.exception())
        print("stopping: running jobs are interrupted gracefully", flush=True)
        for task in waiters:
            task.cancel()
    return 0
