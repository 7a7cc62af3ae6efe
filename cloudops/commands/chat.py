"""`cloudops chat`: the chat commands in this terminal (no Discord needed), over the same service."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any
from collections.abc import Callable

CONSOLE_GUILD = "console"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user-id", default=os.environ.get("CLOUDOPS_CHAT_USER", ""),
                        help="your `discord:` id in cloudops.yaml (default: $CLOUDOPS_CHAT_USER)")
    parser.add_argument("--name", default=os.environ.get("USER", ""), help="the name shown for you")
    parser.add_argument("--repo", help="connect the console to this infra repo (owner/name) before starting")
    parser.add_argument("--wiring", help="build the service with PATH.py:FUNCTION or MODULE:FUNCTION (demos, tests)")
    parser.add_argument("--embedded", action="store_true",
                        help="start the local forge, an infra repo from the template and the controller, and chat "
                             "with them (you are alice, an admin of the template's `example` project)")
    parser.add_argument("--data-dir", type=Path, help="with --embedded: keep everything here (default: $CLOUDOPS_DATA_DIR, else a temporary dir)")


def _factory(spec: str) -> Callable[..., Any]:
    target, _, func = spec.rpartition(":")
    if target.endswith(".py"):
        module_spec = importlib.util.spec_from_file_location(Path(target).stem, target)
        assert module_spec and module_spec.loader
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, func)  # type: ignore[no-any-return]


async def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.console.app import ChatConsole, ConsolePresenter
    from controller.service import wiring
    from controller.service.context import Caller
    from controller.service.events import LobbyEvents
    from controller.settings import Settings

    if args.embedded:
        return await _run_embedded(args)
    if not args.user_id:
        print("cloudops chat: say who you are with --user-id (your `discord:` id in cloudops.yaml) "
              "or CLOUDOPS_CHAT_USER", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    wired = _factory(args.wiring)(settings) if args.wiring else wiring.build(settings, forge=wiring.forge_from_env())
    console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    for note in wired.notes:
        console.print(f"[dim]note: {note}[/dim]")
    cleanup = wired.start_housekeeping()
    try:
        if args.repo:
            from controller.store import utc_now

            wired.registry.connect(CONSOLE_GUILD, args.repo, by=args.user_id, at=utc_now())
        presenter = ConsolePresenter(console, prompt_line(console))
        LobbyEvents(wired.registry, presenter, repos=wired.chatops.ctx.repos).attach(wired.bus)
        chat = ChatConsole(wired.chatops, Caller(CONSOLE_GUILD, args.user_id, args.name), console, presenter, sys.stdin)
        return await chat.loop()
    finally:
        if cleanup is not None:
            cleanup.cancel()
        wired.close()


def prompt_line(console: Any) -> Any:
    """Read with readline (output drawn above the prompt) when both ends are a terminal; else plain lines."""
    from bot.console.prompt import PromptLine

    return PromptLine(sys.stdin, console.file, interactive=sys.stdin.isatty() and sys.stdout.isatty())


# alice's `discord:` id in repo_template/cloudops.yaml: the embedded console speaks as her.
TEMPLATE_ADMIN_DISCORD_ID = "112233445566778899"


def embedded_data_dir(args: argparse.Namespace, env: dict[str, str] | os._Environ[str]) -> Path | None:
    """--data-dir, else CLOUDOPS_DATA_DIR, else None (a temporary directory, gone when the console ends)."""
    if args.data_dir:
        return Path(args.data_dir).expanduser()
    configured = env.get("CLOUDOPS_DATA_DIR")
    return Path(configured).expanduser() if configured else None


async def _run_embedded(args: argparse.Namespace) -> int:
    import tempfile

    from rich.console import Console

    from bot.console.app import ChatConsole, ConsolePresenter
    from cloudops.embedded import embedded
    from controller.service.context import Caller
    from controller.service.events import LobbyEvents
    from controller.store import utc_now

    console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    user_id = args.user_id or TEMPLATE_ADMIN_DISCORD_ID
    with tempfile.TemporaryDirectory(prefix="cloudops-chat-") as tmp:
        data_dir = embedded_data_dir(args, os.environ) or Path(tmp)
        async with embedded(data_dir) as world:
            wired = world.assembly.chat
            link = wired.registry.guild(CONSOLE_GUILD)
            if link is None or link.repo != world.full_name:  # a restart keeps the link (and its settings)
                wired.registry.connect(CONSOLE_GUILD, world.full_name, by=user_id, at=utc_now())
            console.print(f"[dim]embedded: forge {world.forge.api_url} · repo {world.full_name} · "
                          f"controller {world.app.webhook_url} · data {data_dir}[/dim]")
            for note in wired.notes:
                console.print(f"[dim]note: {note}[/dim]")
            presenter = ConsolePresenter(console, prompt_line(console))
            LobbyEvents(wired.registry, presenter, repos=wired.chatops.ctx.repos).attach(wired.bus)
            chat = ChatConsole(wired.chatops, Caller(CONSOLE_GUILD, user_id, args.name or "alice"), console,
                               presenter, sys.stdin)
            return await chat.loop()
