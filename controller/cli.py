"""The `cloudops` command line: one subcommand per module.

Each entry of ``COMMANDS`` names a module with ``add_arguments(parser)`` and
``run(args) -> int``. The modules stay thin: they parse arguments, call the
library and print. A ``CloudOpsError`` becomes a clear message and exit 2.

Only the chosen command's module is imported (``cloudops --help`` imports
none), so `cloudops cost` or `cloudops policy check` do not pay for the
whole controller.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import CloudOpsError

# name -> (module, one-line help). Keep sorted by name.
COMMANDS: dict[str, tuple[str, str]] = {
    "apply-local": ("controller.commands.apply_local", "init, plan and apply a project directory with live progress"),
    "bot": ("controller.commands.bot", "run the Discord bot (needs DISCORD_TOKEN; otherwise use `cloudops chat`)"),
    "chat": ("controller.commands.chat", "the chat commands in this terminal, over the same service as the Discord bot"),
    "cost": ("controller.commands.cost", "price a terraform plan document (monthly before, after, change)"),
    "credentials": ("controller.commands.credentials", "store, list or delete a guild's cloud credentials (never shown)"),
    "demo": ("controller.commands.demo", "run the whole product on the embedded default: PR, plan, apply, rollback"),
    "doctor": ("controller.commands.doctor", "check terraform, the provider mirror, git and the data dir"),
    "forge": ("sandbox.cli", "run the local GitHub-compatible forge"),
    "grants": ("controller.commands.grants_cmd", "prune expired grants from cloudops.yaml with a commit"),
    "history": ("controller.commands.history", "merged PRs, approvals and applies of a project"),
    "init-repo": ("controller.commands.init_repo", "scaffold a new infrastructure repo from the template"),
    "inventory": ("controller.commands.inventory", "list the resources of a repo's projects and their counts per kind"),
    "keys": ("controller.commands.keys", "show, generate or rotate the vault's master key"),
    "locks": ("controller.commands.locks", "list project locks and their age; --release frees one"),
    "policy": ("controller.commands.policy", "check a plan document against the Rego policies; run policy tests"),
    "rollback": ("controller.commands.rollback_cmd", "open a revert PR of a project's merged change"),
    "serve": ("controller.commands.serve", "run the controller: webhook server and workers"),
    "worker": ("controller.commands.worker", "run plan and apply jobs from the shared queue (CLOUDOPS_DATABASE_URL)"),
}


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option), if any."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(load: str | Sequence[str] | None = "all") -> argparse.ArgumentParser:
    """The parser; only the commands in ``load`` get their full arguments (and their module imported)."""
    wanted = set(COMMANDS) if load == "all" else ({load} if isinstance(load, str) else set(load or ()))
    parser = argparse.ArgumentParser(prog="cloudops", description="Cloud ChatOps: GitOps for Terraform, driven by pull requests and chat.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in sorted(COMMANDS.items()):
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name in wanted:
            module = importlib.import_module(module_name)
            module.add_arguments(command_parser)
            command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(chosen_command(words))
    args = parser.parse_args(words)
    import logging  # after parsing: `--help` and usage errors never pay for it

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result = args._run(args)
        if hasattr(result, "__await__"):
            import asyncio

            result = asyncio.run(result)
        return int(result or 0)
    except CloudOpsError as exc:
        print(f"cloudops {args.command}: {exc.user_message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cloudops {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
