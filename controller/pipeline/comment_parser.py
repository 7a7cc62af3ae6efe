"""Parse `cloudops …` PR comments into values (pure).

A comment is one of three things: a ``Command`` to run, a ``Reply`` (the
comment was meant for us but is malformed: tell the author what was
understood and the usage), or ``Ignore`` (not for us, or written by the bot
itself). Only the first non-empty line is read, like Atlantis, so a command
can be followed by an explanation.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from ..repo_config import is_project_name

KEYWORD = "cloudops"


class Verb(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    UNLOCK = "unlock"
    CANCEL = "cancel"
    APPROVE_POLICIES = "approve_policies"
    HELP = "help"


# Verbs that accept `-p PROJECT`.
_TAKES_PROJECT = {Verb.PLAN, Verb.APPLY, Verb.APPROVE_POLICIES, Verb.CANCEL}

USAGE = """\
Usage: cloudops <command> [-p PROJECT]

  cloudops plan [-p PROJECT]        plan every project this PR touches, or one
  cloudops apply [-p PROJECT]       apply the saved plan (when the repo applies on approval)
  cloudops unlock                   release this PR's project locks
  cloudops cancel [-p PROJECT]      stop a running plan or apply
  cloudops approve_policies [-p PROJECT]   admins: override failed policies, recorded here
  cloudops help                     this text"""


@dataclass(frozen=True)
class Command:
    verb: Verb
    project: str | None = None


@dataclass(frozen=True)
class Reply:
    """The comment addressed us but could not be understood."""

    problem: str
    understood: str

    def render(self) -> str:
        return f"**cloudops** could not run `{self.understood}`: {self.problem}\n\n```\n{USAGE}\n```"


@dataclass(frozen=True)
class Ignore:
    reason: str


ParseResult = Command | Reply | Ignore


def parse_comment(body: str, *, author: str = "", bot_login: str = "") -> ParseResult:
    """Turn a comment body into a Command, a Reply or Ignore."""
    if bot_login and author.lower() == bot_login.lower():
        return Ignore("comment written by the bot itself")
    first = next((line.strip() for line in (body or "").splitlines() if line.strip()), "")
    words = first.split(maxsplit=1)
    if not words or words[0].lower() not in (KEYWORD, f"/{KEYWORD}", f"@{KEYWORD}"):
        return Ignore("not a cloudops command")
    rest = words[1] if len(words) > 1 else ""
    try:
        args = shlex.split(rest)
    except ValueError as exc:
        return Reply(problem=f"the arguments cannot be split ({exc})", understood=first[:100])
    if not args:
        return Reply(problem="no command given", understood=KEYWORD)
    verb_word, flags = args[0].lower(), args[1:]
    try:
        verb = Verb(verb_word)
    except ValueError:
        return Reply(problem=f"unknown command {verb_word!r}", understood=f"{KEYWORD} {verb_word}"[:100])
    return _parse_flags(verb, flags)


def _parse_flags(verb: Verb, flags: list[str]) -> ParseResult:
    project: str | None = None
    understood = f"{KEYWORD} {verb.value}"
    index = 0
    while index < len(flags):
        flag = flags[index]
        if flag in ("-p", "--project") and verb in _TAKES_PROJECT:
            if index + 1 >= len(flags):
                return Reply(problem=f"{flag} needs a project name", understood=understood)
            value = flags[index + 1]
            index += 2
        elif flag.startswith("--project=") and verb in _TAKES_PROJECT:
            value = flag.split("=", 1)[1]
            index += 1
        else:
            return Reply(problem=f"unexpected argument {flag[:40]!r} for `{verb.value}`", understood=understood)
        if project is not None:
            return Reply(problem="give -p only once", understood=understood)
        if not is_project_name(value):
            return Reply(
                problem=f"{value[:40]!r} is not a project name (a lowercase letter, then lowercase letters, digits and -)",
                understood=understood,
            )
        project = value
    return Command(verb=verb, project=project)
