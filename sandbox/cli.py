"""`cloudops forge serve`: run the local GitHub-compatible forge on its own.

It prints the API base URL, the owner account and token, and the git URL
form, one `key: value` per line, so a script can start it and read where to
talk to; then it serves until SIGINT/SIGTERM and shuts down cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from controller.settings import Settings

from .forge import DEFAULT_OWNER, LocalForge


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="forge_command", metavar="ACTION")
    sub.required = True
    serve = sub.add_parser("serve", help="serve the REST API, git over HTTP and webhooks",
                           description="Serve the local forge until interrupted.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help="where repositories and forge.sqlite3 live (default: <CLOUDOPS_DATA_DIR>/forge)")
    serve.add_argument("--token", default=None,
                       help="the owner account's API token (default: the one stored, or a new one)")
    serve.add_argument("--owner", default=DEFAULT_OWNER, help=f"the owner account's login (default {DEFAULT_OWNER})")
    serve.add_argument("--oauth-app", metavar="CALLBACK_URL", default=None,
                       help="register an OAuth app with this callback (e.g. http://127.0.0.1:8080/login/oauth/callback) "
                            "and print its client id and secret, for the dashboard's sign-in")


async def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or Settings.from_env().data_dir / "forge"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with LocalForge(data_dir, host=args.host, port=args.port, owner_login=args.owner,
                          owner_token=args.token) as forge:
        print(f"api: {forge.api_url}", flush=True)
        print(f"owner: {forge.owner_login}", flush=True)
        if args.token is None:
            print(f"token: {forge.owner_token}", flush=True)
        print(f"git: {forge.git_url('<owner>', '<repo>', 'TOKEN')}", flush=True)
        print(f"data-dir: {Path(data_dir).resolve()}", flush=True)
        if args.oauth_app:
            client_id, secret = forge.add_oauth_app("Cloud ChatOps dashboard", args.oauth_app)
            print(f"oauth-client-id: {client_id}", flush=True)
            print(f"oauth-client-secret: {secret}", flush=True)
        await stop.wait()
    return 0
