"""`cloudops history PROJECT`: merged PRs, who approved, each apply and its result."""

from __future__ import annotations

import argparse
import asyncio
import json

from rich.console import Console
from rich.table import Table

from controller.app import open_context
from controller.bus import EventBus
from controller.pipeline import rollback
from cloudops.commands._context import add_repo_arguments, load, repo_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project")
    add_repo_arguments(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")


async def run(args: argparse.Namespace) -> int:
    config = load(args)
    repo = repo_of(args, config)
    context, _ = await asyncio.to_thread(open_context, config, EventBus())
    entries = await rollback.history(context, repo, args.project)
    if args.format == "json":
        print(json.dumps([e.to_json() for e in entries], indent=2))
        return 0
    table = Table(title=f"{repo} · project {args.project}")
    for column in ("merged", "PR", "title", "author", "approved by", "applies"):
        table.add_column(column)
    for e in entries:
        applies = ", ".join(f"{a.status}" + (f" by {a.actor}" if a.actor else "") for a in e.applies) or "—"
        table.add_row(e.committed_at[:19], f"#{e.pr_number}" if e.pr_number else e.merge_sha[:12], e.title,
                      e.author or "—", ", ".join(e.approvers) or "—", applies)
    Console().print(table)
    return 0
