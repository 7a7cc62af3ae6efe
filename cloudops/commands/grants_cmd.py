"""`cloudops grants prune`: commit cloudops.yaml without its expired grants (the controller also does this hourly)."""

from __future__ import annotations

import argparse
import asyncio

from controller.app import open_context
from controller.bus import EventBus
from controller.pipeline import grants
from cloudops.commands._context import add_repo_arguments, load, repo_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    prune = sub.add_parser("prune", help="commit cloudops.yaml without its expired grants")
    add_repo_arguments(prune)


async def run(args: argparse.Namespace) -> int:
    config = load(args)
    repo = repo_of(args, config)
    context, _ = await asyncio.to_thread(open_context, config, EventBus())
    sha = await grants.prune(context, repo)
    print(f"pruned expired grants in {repo}: commit {sha[:12]}" if sha else f"no expired grants in {repo}")
    return 0
