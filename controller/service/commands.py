"""The chat command table: names, options and descriptions, shared by every front end.

Pure data plus a parser for the console's typed form
(``/cloud-deploy project:web file:./req.yaml``). The Discord cogs declare the
same commands with discord.py decorators; a test checks both agree, so a
command added in one place and not the other fails the build.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import ServiceError


class OptionType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    ATTACHMENT = "attachment"
    CHANNEL = "channel"


@dataclass(frozen=True)
class OptionSpec:
    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None  # "project" | "resource"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()
    admin: bool = False


def _o(name: str, description: str, type_: OptionType = OptionType.STRING, *, required: bool = True,
       choices: tuple[str, ...] = (), autocomplete: str | None = None) -> OptionSpec:
    return OptionSpec(name, description, type_, required, choices, autocomplete)


PROJECT = _o("project", "The project (from cloudops.yaml)", autocomplete="project")
OPT_PROJECT = _o("project", "Limit to one project", required=False, autocomplete="project")
REASON = _o("reason", "Why: goes into the commit message and the PR")
PR = _o("pr", "The pull request number", OptionType.INTEGER)
KINDS = ("vm", "database", "network", "bucket", "cluster")
TARGETS = ("local", "gcp", "aws", "azure")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("cloud-deploy", "Open a deployment session for a project",
                (PROJECT, _o("file", "A YAML/CSV file of resources (see /cloud-template)", OptionType.ATTACHMENT, required=False))),
    CommandSpec("cloud-list", "List the resources of a project",
                (PROJECT, _o("resource", "Show only this resource", required=False, autocomplete="resource"))),
    CommandSpec("cloud-projects", "List the projects you can see"),
    CommandSpec("cloud-quota", "Show a project's usage against its quotas", (PROJECT,)),
    CommandSpec("cloud-status", "Show locks, recent runs and your open requests", (OPT_PROJECT,)),
    CommandSpec("cloud-cancel", "Cancel the queued or running plan/apply of your pull request", (PR, OPT_PROJECT)),
    CommandSpec("cloud-history", "Show the changes and applies of a project", (PROJECT,)),
    CommandSpec("cloud-rollback", "Open a pull request that reverts a change",
                (PROJECT, _o("pr", "The merged pull request to revert", OptionType.INTEGER, required=False),
                 _o("to_sha", "Or: the commit to go back to", required=False))),
    CommandSpec("cloud-cost", "Show a project's monthly cost and budget", (PROJECT,)),
    CommandSpec("cloud-recover-session", "Bring back your deployment sessions (the newest, and a list of the others)",
                (_o("code", "A recovery code the bot gave you", required=False),)),
    CommandSpec("cloud-template", "Get a YAML or CSV template for bulk requests",
                (_o("format", "yaml or csv", required=False, choices=("yaml", "csv")),)),
    CommandSpec("cloud-create-project", "Create a project (opens a PR to cloudops.yaml)",
                (_o("name", "Lowercase project name"), _o("target", "Where it deploys", choices=TARGETS),
                 _o("region", "A region of the target"), REASON,
                 _o("budget", "Monthly budget in USD", OptionType.NUMBER, required=False)), admin=True),
    CommandSpec("cloud-grant", "Give a member a time-limited role on a project",
                (_o("member", "Member name in cloudops.yaml"), PROJECT, _o("role", "The role", choices=("user", "admin")),
                 _o("duration", "How long: 90m, 8h, 3d, 2w"), REASON), admin=True),
    CommandSpec("cloud-revoke", "Remove a member's grants on a project",
                (_o("member", "Member name in cloudops.yaml"), PROJECT, REASON), admin=True),
    CommandSpec("cloud-set-quota", "Set how many resources of a kind a project may have",
                (PROJECT, _o("kind", "Resource kind", choices=KINDS), _o("limit", "Most resources", OptionType.INTEGER), REASON),
                admin=True),
    CommandSpec("cloud-set-budget", "Set a project's monthly budget",
                (PROJECT, _o("usd", "Monthly budget in USD", OptionType.NUMBER), REASON), admin=True),
    CommandSpec("cloud-admin-list", "List all locks, runs and chat requests", admin=True),
    CommandSpec("cloud-admin-cancel", "Cancel any pull request's runs", (PR, OPT_PROJECT), admin=True),
    CommandSpec("cloud-unlock", "Release a project's lock", (PROJECT,), admin=True),
    CommandSpec("cloud-stats", "Runs and requests at a glance", admin=True),
    CommandSpec("cloud-credentials", "Store cloud credentials (asked in a private form)",
                (_o("kind", "Credential kind", choices=("gcp", "aws", "azure")), OPT_PROJECT), admin=True),
    CommandSpec("cloud-init", "Connect this server to an infrastructure repo",
                (_o("repo", "owner/name"), _o("target", "Default target", required=False, choices=TARGETS),
                 _o("region", "Default region", required=False),
                 _o("admin_channel", "Channel for alerts", OptionType.CHANNEL, required=False)), admin=True),
)
BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}


class ParseError(ServiceError):
    pass


def parse(line: str) -> tuple[CommandSpec, dict[str, Any]]:
    """``/cloud-deploy project:web`` → (spec, {"project": "web"}); values typed per option."""
    try:
        words = shlex.split(line.strip())
    except ValueError as exc:
        raise ParseError(f"reading the command: {exc}") from None
    if not words or not words[0].startswith("/"):
        raise ParseError("commands start with / (try /help)")
    spec = BY_NAME.get(words[0][1:])
    if spec is None:
        raise ParseError(f"unknown command {words[0]} (try /help)")
    options = {o.name: o for o in spec.options}
    values: dict[str, Any] = {}
    for word in words[1:]:
        name, sep, raw = word.partition(":")
        if not sep or name not in options:
            raise ParseError(f"{spec.name}: {word!r} is not name:value with a name of "
                             f"{', '.join(options) or '(no options)'}")
        option = options[name]
        if option.choices and raw not in option.choices:
            raise ParseError(f"{spec.name}: {name} must be one of {', '.join(option.choices)}")
        try:
            values[name] = int(raw) if option.type == OptionType.INTEGER else float(raw) if option.type == OptionType.NUMBER else raw
        except ValueError:
            raise ParseError(f"{spec.name}: {name} must be a number, not {raw!r}") from None
    missing = [o.name for o in spec.options if o.required and o.name not in values]
    if missing:
        raise ParseError(f"{spec.name}: missing {', '.join(missing)}")
    return spec, values
