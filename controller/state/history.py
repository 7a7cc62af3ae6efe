"""A project's state history: the commits of the state branch that touched it.

Why here: every save of a project's state is one commit on the state
branch, so that branch's log *is* the apply log. The commit message is
written by ``state_message`` and read back by ``parse_message`` — one format,
both directions. Subject for people, trailers for machines::

    state: web after apply of PR #12 at abc1234 (run r-42)

    Cloudops-Project: web
    Cloudops-Action: apply
    Cloudops-PR: 12
    Cloudops-Head: abc1234…(full sha)
    Cloudops-Run: r-42
    Cloudops-Actor: alice

A message without trailers (written by hand, or in the subject's shape only)
is still parsed from its subject. ``parse_log`` and the message functions are
pure; ``read_history`` is the thin git reader over a local clone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from ..forge.errors import translating

STATE_FILE_NAME = "terraform.tfstate.enc"
_FIELD_SEP = "\x1f"
_RECORD_SEP = "\x1e"
_LOG_FORMAT = f"%H{_FIELD_SEP}%cI{_FIELD_SEP}%an{_FIELD_SEP}%ae{_FIELD_SEP}%B{_RECORD_SEP}"
_SUBJECT = re.compile(
    r"^state: (?P<project>\S+) after (?P<action>[\w-]+)"
    r"(?: of PR #(?P<pr>\d+))?(?: at (?P<sha>[0-9a-f]{4,40}))?(?: \(run (?P<run>[^)\s]+)\))?"
)
_TRAILER = re.compile(r"^Cloudops-(?P<name>[A-Za-z]+): (?P<value>.+)$")


def state_path(project: str) -> str:
    """Where a project's encrypted state lives on the state branch."""
    return f"projects/{project}/{STATE_FILE_NAME}"


@dataclass(frozen=True)
class StateMessage:
    project: str | None
    action: str | None = None
    pr_number: int | None = None
    head_sha: str | None = None
    run_id: str | None = None
    actor: str | None = None


def state_message(
    project: str,
    *,
    action: str = "apply",
    pr_number: int | None = None,
    head_sha: str | None = None,
    run_id: str | None = None,
    actor: str | None = None,
) -> str:
    """The commit message for one save: a readable subject plus exact trailers."""
    subject = f"state: {project} after {action}"
    if pr_number is not None:
        subject += f" of PR #{pr_number}"
    if head_sha:
        subject += f" at {head_sha[:7]}"
    if run_id:
        subject += f" (run {run_id})"
    trailers = [f"Cloudops-Project: {project}", f"Cloudops-Action: {action}"]
    if pr_number is not None:
        trailers.append(f"Cloudops-PR: {pr_number}")
    if head_sha:
        trailers.append(f"Cloudops-Head: {head_sha}")
    if run_id:
        trailers.append(f"Cloudops-Run: {run_id}")
    if actor:
        trailers.append(f"Cloudops-Actor: {actor}")
    return subject + "\n\n" + "\n".join(trailers) + "\n"


def parse_message(message: str) -> StateMessage:
    """What a state commit message says; fields it does not state are None."""
    lines = message.strip().splitlines()
    fields: dict[str, str] = {}
    subject = _SUBJECT.match(lines[0]) if lines else None
    if subject:
        for name in ("project", "action", "pr", "sha", "run"):
            if subject.group(name):
                fields[name] = subject.group(name)
    trailer_names = {"project": "project", "action": "action", "pr": "pr", "head": "sha", "run": "run", "actor": "actor"}
    for line in lines[1:]:
        match = _TRAILER.match(line.strip())
        if match and match.group("name").lower() in trailer_names:
            fields[trailer_names[match.group("name").lower()]] = match.group("value").strip()
    pr = fields.get("pr")
    return StateMessage(
        project=fields.get("project"),
        action=fields.get("action"),
        pr_number=int(pr) if pr and pr.isdigit() else None,
        head_sha=fields.get("sha"),
        run_id=fields.get("run"),
        actor=fields.get("actor"),
    )


@dataclass(frozen=True)
class StateCommit:
    """One save of one project's state, newest first in a history."""

    sha: str
    committed_at: datetime
    author_name: str
    author_email: str
    subject: str
    message: str
    details: StateMessage


def parse_log(text: str) -> list[StateCommit]:
    """Commits from ``git log --format=`` output in ``_LOG_FORMAT``."""
    commits = []
    for record in text.split(_RECORD_SEP):
        record = record.strip("\n")
        if not record.strip():
            continue
        sha, date, name, email, message = record.split(_FIELD_SEP, 4)
        message = message.strip()
        commits.append(
            StateCommit(
                sha=sha.strip(),
                committed_at=datetime.fromisoformat(date),
                author_name=name,
                author_email=email,
                subject=message.splitlines()[0] if message else "",
                message=message,
                details=parse_message(message),
            )
        )
    return commits


def read_history(clone: Path, ref: str, project: str, *, limit: int | None = None) -> list[StateCommit]:
    """The commits of ``ref`` in the local ``clone`` that changed ``project``'s state, newest first.

    An unknown ``ref`` (no state branch yet) is an empty history.
    """
    repo = git.Repo(clone)
    with translating(f"reading the state history of {project}"):
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
        except git.GitCommandError:
            return []
        args = [f"--format={_LOG_FORMAT}"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        return parse_log(repo.git.log(*args, ref, "--", state_path(project)))
