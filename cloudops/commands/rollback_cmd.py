"""`cloudops rollback PROJECT (--pr N | --to SHA)`: open a revert PR that goes through the pipeline."""

from __future__ import annotations

import argparse
import asyncio

from controller.app import open_context
from controller.bus import EventBus
from controller.pipeline import rollback
from cloudops.commands._context import add_repo_arguments, load, repo_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--pr", type=int, help="revert the merge of this pull request")
    which.add_argument("--to", metavar="SHA", help="revert every merge that changed the project after this commit")
    parser.add_argument("--as", dest="actor", default="cloudops-cli", help="who asks (named in the revert PR)")
    add_repo_arguments(parser)


async def run(args: argparse.Namespace) -> int:
    config = load(args)
    repo = repo_of(args, config)
    context, _ = await asyncio.to_thread(open_context, config, EventBus())
    result = await rollback.rollback(context, repo, args.project, actor=args.actor, to_sha=args.to, pr=args.pr)
    reverted = ", ".join(f"#{n}" for n in result.reverted_prs) or ", ".join(s[:12] for s in result.reverted)
    print(f"opened #{result.pr_number} reverting {reverted}: {result.url}")
    print("its plan shows what will be destroyed or changed; approve or merge it to apply.")
    return 0
