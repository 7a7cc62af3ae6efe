"""The chat command table: names, options and descriptions, shared by every front end.

Pure data plus a parser for the console's typed form
(``/cloud-deploy project:web file:./req.yaml``). The Discord cogs declare the
same commands with discord.py decorators; a test checks both agree, so a
command added in one place and not the other fails the build.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import ServiceError
from .config_edit import MAX_BUDGET_USD, MAX_QUOTA


class OptionType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    ATTACHMENT = "attachment"
    CHANNEL = "channel"
    USER = "user"  # a member picker on Discord; typed as a member name or a chat id in the console


@dataclass(frozen=True)
class OptionSpec:
    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None  # "project" | "resource" | "region"
    # Bounds of a number, the same in every front end (Discord's option range, the console's parser).
    min_value: float | None = None
    max_value: float | None = None


class Command(StrEnum):
    """Every chat command by name: one spelling for the service, the console and the Discord cogs."""

    DEPLOY = "cloud-deploy"
    LIST = "cloud-list"
    PROJECTS = "cloud-projects"
    QUOTA = "cloud-quota"
    STATUS = "cloud-status"
    CANCEL = "cloud-cancel"
    HISTORY = "cloud-history"
    ROLLBACK = "cloud-rollback"
    COST = "cloud-cost"
    RECOVER_SESSION = "cloud-recover-session"
    TEMPLATE = "cloud-template"
    CREATE_PROJECT = "cloud-create-project"
    GRANT = "cloud-grant"
    REVOKE = "cloud-revoke"
    SET_QUOTA = "cloud-set-quota"
    SET_BUDGET = "cloud-set-budget"
    SET_BUDGET_ALERT = "cloud-set-budget-alert"
    ADMIN_LIST = "cloud-admin-list"
    ADMIN_CANCEL = "cloud-admin-cancel"
    UNLOCK = "cloud-unlock"
    STATS = "cloud-stats"
    CREDENTIALS = "cloud-credentials"
    INIT = "cloud-init"


@dataclass(frozen=True)
class CommandSpec:
    name: Command
    description: str
    options: tuple[OptionSpec, ...] = ()
    admin: bool = False


def _o(name: str, description: str, type_: OptionType = OptionType.STRING, *, required: bool = True,
       choices: tuple[str, ...] = (), autocomplete: str | None = None, bounds: tuple[float, float] | None = None) -> OptionSpec:
    low, high = bounds if bounds is not None else (None, None)
    return OptionSpec(name, description, type_, required, choices, autocomplete, low, high)


PROJECT = _o("project", "The project (from cloudops.yaml)", autocomplete="project")
OPT_PROJECT = _o("project", "Limit to one project", required=False, autocomplete="project")
REASON = _o("reason", "Why: goes into the commit message and the PR")
PR = _o("pr", "The pull request number", OptionType.INTEGER)
KINDS = ("vm", "database", "network", "bucket", "cluster")
TARGETS = ("local", "gcp", "aws", "azure")
ROLES = ("viewer", "user", "admin")
MEMBER = _o("member", "The member (someone named in cloudops.yaml)", OptionType.USER)
BUDGET_BOUNDS = (0.0, MAX_BUDGET_USD)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(Command.DEPLOY, "Open a deployment session for a project",
                (PROJECT, _o("file", "A YAML/CSV file of resources (see /cloud-template)", OptionType.ATTACHMENT, required=False))),
    CommandSpec(Command.LIST, "List the resources of a project",
                (PROJECT, _o("resource", "Show only this resource", required=False, autocomplete="resource"))),
    CommandSpec(Command.PROJECTS, "List the projects you can see"),
    CommandSpec(Command.QUOTA, "Show a project's usage against its quotas", (PROJECT,)),
    CommandSpec(Command.STATUS, "Show locks, recent runs and your open requests", (OPT_PROJECT,)),
    CommandSpec(Command.CANCEL, "Cancel the queued or running plan/apply of your pull request", (PR, OPT_PROJECT)),
    CommandSpec(Command.HISTORY, "Show the changes and applies of a project", (PROJECT,)),
    CommandSpec(Command.ROLLBACK, "Open a pull request that reverts a change",
                (PROJECT, _o("pr", "The merged pull request to revert", OptionType.INTEGER, required=False),
                 _o("to_sha", "Or: the commit to go back to", required=False))),
    CommandSpec(Command.COST, "Show a project's monthly cost and budget", (PROJECT,)),
    CommandSpec(Command.RECOVER_SESSION, "Bring back your deployment sessions (the newest, and a list of the others)",
                (_o("code", "A recovery code the bot gave you", required=False),)),
    CommandSpec(Command.TEMPLATE, "Get a YAML or CSV template for bulk requests",
                (_o("format", "yaml or csv", required=False, choices=("yaml", "csv")),)),
    CommandSpec(Command.CREATE_PROJECT, "Create a project (opens a PR to cloudops.yaml)",
                (_o("name", "Lowercase project name"), _o("target", "Where it deploys", choices=TARGETS),
                 _o("region", "A region of the target", autocomplete="region"), REASON,
                 _o("budget", "Monthly budget in USD", OptionType.NUMBER, required=False, bounds=BUDGET_BOUNDS)), admin=True),
    CommandSpec(Command.GRANT, "Give a member a time-limited role on a project, from when the PR merges",
                (MEMBER, PROJECT, _o("role", "The role", choices=ROLES),
                 _o("duration", "How long, counted from the merge: 90m, 8h, 3d, 2w"), REASON), admin=True),
    CommandSpec(Command.REVOKE, "Remove a member's grants on a project",
                (MEMBER, PROJECT, REASON), admin=True),
    CommandSpec(Command.SET_QUOTA, "Set how many resources of a kind a project may have",
                (PROJECT, _o("kind", "Resource kind", choices=KINDS),
                 _o("limit", "Most resources", OptionType.INTEGER, bounds=(0, MAX_QUOTA)), REASON),
                admin=True),
    CommandSpec(Command.SET_BUDGET, "Set a project's monthly budget",
                (PROJECT, _o("usd", "Monthly budget in USD", OptionType.NUMBER, bounds=BUDGET_BOUNDS), REASON), admin=True),
    CommandSpec(Command.SET_BUDGET_ALERT, "Set at which percents of its budget a project alerts",
                (PROJECT, _o("percents", "Percents of the budget, like 80,100 (1 to 5, each 1-1000)"), REASON), admin=True),
    CommandSpec(Command.ADMIN_LIST, "List all locks, runs and chat requests", admin=True),
    CommandSpec(Command.ADMIN_CANCEL, "Cancel any pull request's runs", (PR, OPT_PROJECT), admin=True),
    CommandSpec(Command.UNLOCK, "Release a project's lock", (PROJECT,), admin=True),
    CommandSpec(Command.STATS, "Runs and requests at a glance", admin=True),
    CommandSpec(Command.CREDENTIALS, "Store cloud credentials (asked in a private form)",
                (_o("kind", "Credential kind", choices=("gcp", "aws", "azure")), OPT_PROJECT), admin=True),
    CommandSpec(Command.INIT, "Connect this server to an infrastructure repo",
                (_o("repo", "owner/name"), _o("target", "Default target", required=False, choices=TARGETS),
                 _o("region", "Default region", required=False, autocomplete="region"),
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
        _check_bounds(spec, option, values[name], raw)
    missing = [o.name for o in spec.options if o.required and o.name not in values]
    if missing:
        raise ParseError(f"{spec.name}: missing {', '.join(missing)}")
    return spec, values


def _check_bounds(spec: CommandSpec, option: OptionSpec, value: Any, raw: str) -> None:
    """The option's range, as Discord enforces it before a command ever runs."""
    if not isinstance(value, (int, float)):
        return
    low, high = option.min_value, option.max_value
    if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
        span = f"from {_num(low)} to {_num(high)}" if low is not None and high is not None else "a finite number"
        raise ParseError(f"{spec.name}: {option.name} must be {span}, not {raw!r}")


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
