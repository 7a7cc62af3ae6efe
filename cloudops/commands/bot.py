"""`cloudops bot`: run the Discord front end (needs DISCORD_TOKEN; otherwise use `cloudops chat`)."""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-sync", action="store_true", help="do not sync slash commands with Discord at start")


async def run(args: argparse.Namespace) -> int:
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("cloudops bot: DISCORD_TOKEN is not set, so there is no Discord bot to run.\n"
              "Use `cloudops chat` for the same commands in this terminal.", file=sys.stderr)
        return 2
    from bot.discord.app import CloudOpsBot
    from controller.service import wiring
    from controller.settings import Settings

    wired = wiring.build(Settings.from_env(), forge=wiring.forge_from_env())
    for note in wired.notes:
        print(f"cloudops bot: {note}", file=sys.stderr)
    bot = CloudOpsBot(wired.chatops, wired.bus, sync=not args.no_sync)
    cleanup = wired.start_housekeeping()
    try:
        async with bot:
            await bot.start(token)
    finally:
        if cleanup is not None:
            cleanup.cancel()
        wired.close()
    return 0
