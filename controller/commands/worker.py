"""`cloudops worker`: runs plan and apply jobs from the shared queue (needs CLOUDOPS_DATABASE_URL).

A worker is `cloudops serve` without the chat bot whose queue only takes
jobs: it rebuilds each workspace from git, so any worker can run any
project's job. Start as many as the machine's cores allow; `cloudops serve
--role web` replicas receive the webhooks.
"""

from __future__ import annotations

import argparse

from . import serve


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=serve.Path, help="controller config file (as for `cloudops serve`)")


async def run(args: argparse.Namespace) -> int:
    args.no_bot = True
    return await serve.run(args, role="worker")
