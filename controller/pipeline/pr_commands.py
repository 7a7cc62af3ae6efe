"""One handler per comment command: `cloudops plan|apply|unlock|cancel|approve_policies|help`.

A command typed in a PR comment and the same command pressed as a check run's button arrive here
parsed (``comment_parser.Command``) and pass the same checks: every verb but `help` needs a member
of the default branch's ``cloudops.yaml`` (``rules.is_member``) holding the role ``COMMAND_ROLES``
names on each project it acts on. A refusal is always a reply, never silence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..store import RunKind, RunStatus
from . import comment_parser, comments, policy_check
from .comment_parser import Verb
from .comments import OverrideRefusal
from .planner import policy_status_context
from .rules import RepoRules

if TYPE_CHECKING:
    from ..store import Run
    from .dispatcher import Pipeline


@dataclass(frozen=True)
class Asked:
    """Who asked what, where, and where the answer goes."""

    repo: str
    number: int
    actor: str
    key: str  # the reply comment's marker key
    trigger: str  # "comment", or "check_run" for a button
    project: str | None
    rules: RepoRules


class CommentCommands:
    def __init__(self, pipeline: Pipeline) -> None:
        self.p = pipeline
        self._handlers: dict[Verb, Callable[[Asked], Awaitable[None]]] = {
            Verb.PLAN: self.plan,
            Verb.APPLY: self.apply,
            Verb.UNLOCK: self.unlock,
            Verb.CANCEL: self.cancel,
            Verb.APPROVE_POLICIES: self.approve_policies,
        }

    async def run(self, parsed: comment_parser.Command, repo: str, number: int, author: str, key: str, *,
                  trigger: str = "comment") -> None:
        if parsed.verb is Verb.HELP:
            await self.p.reply(repo, number, key, comments.help_comment(comment_parser.USAGE))
            return
        rules = await self.p.rules(repo)
        if not rules.is_member(author):
            await self.p.reply(repo, number, key, comments.command_refused_comment(
                author, parsed.verb.value, comments.not_a_member(author)))
            return
        await self._handlers[parsed.verb](Asked(repo, number, author, key, trigger, parsed.project, rules))

    async def plan(self, asked: Asked) -> None:
        await self.p.plan_pull_request(asked.repo, asked.number, trigger=asked.trigger, actor=asked.actor,
                                       only=asked.project, rules=asked.rules, vouched_by=asked.actor,
                                       reply_key=asked.key)

    async def apply(self, asked: Asked) -> None:
        await self.p.request_apply(asked.repo, asked.number, asked.project, asked.actor, trigger=asked.trigger)

    async def approve_policies(self, asked: Asked) -> None:
        """An admin accepts soft policy denials of the current plan; the bot's comment is the record."""
        repo, number, actor, rules = asked.repo, asked.number, asked.actor, asked.rules
        runs = await asyncio.to_thread(self.p.ctx.store.list_runs, repo=repo, pr_number=number, limit=500)
        latest: dict[str, Run] = {}
        for run in runs:  # newest first
            if run.kind is RunKind.PLAN and run.status is RunStatus.SUCCEEDED and run.project not in latest:
                latest[run.project] = run
        pull = await asyncio.to_thread(self.p.ctx.forge.get_pull_request, repo, number)
        for name in [asked.project] if asked.project else sorted(latest):
            found = latest.get(name)
            why = _override_refusal(rules, actor, name, pull.author, found)
            if found is None or why is not None:
                await self.p.reply(repo, number, f"{asked.key}:{name}", comments.override_refused_comment(
                    actor, name, why or OverrideRefusal.NO_PLAN))
                continue
            run = found
            await self.p.reply(repo, number, policy_check.override_key(name, run.id), policy_check.override_comment(
                name, run.id, actor, "Overridden soft denials apply to this plan only."))
            await asyncio.to_thread(self.p.ctx.forge.set_status, repo, run.head_sha, "success",
                                    policy_status_context(name), f"overridden by @{actor}")

    async def unlock(self, asked: Asked) -> None:
        repo, number, actor, rules = asked.repo, asked.number, asked.actor, asked.rules
        pull = await asyncio.to_thread(self.p.ctx.forge.get_pull_request, repo, number)
        if actor != pull.author and not rules.is_admin(actor):
            await self.p.reply(repo, number, asked.key, comments.unlock_not_allowed_comment(actor, pull.author))
            return
        if not rules.is_admin(actor):
            held = [lock.project for lock in await asyncio.to_thread(self.p.ctx.store.list_locks, repo=repo)
                    if lock.pr_number == number]
            barred = [p for p in held if not rules.may_command(actor, Verb.UNLOCK, p)]
            if barred:
                why = "; ".join(comments.lacks_role(p, "user", rules.role_name(actor, p)) for p in barred)
                await self.p.reply(repo, number, asked.key, comments.command_refused_comment(actor, "unlock", why))
                return
        released = await asyncio.to_thread(self.p.ctx.store.unlock_all_for_pr, repo, number)
        await self.p.reply(repo, number, asked.key,
                           comments.unlocked_comment(sorted(lock.project for lock in released), actor))

    async def cancel(self, asked: Asked) -> None:
        repo, number, actor, rules = asked.repo, asked.number, asked.actor, asked.rules
        runs = await asyncio.to_thread(self.p.ctx.store.list_runs, repo=repo, pr_number=number, limit=200)
        names = [asked.project] if asked.project else sorted({r.project for r in runs})
        barred = [n for n in names if not rules.may_command(actor, Verb.CANCEL, n)]
        if barred:
            why = "; ".join(comments.lacks_role(n, "user", rules.role_name(actor, n)) for n in barred)
            await self.p.reply(repo, number, f"{asked.key}:refused", comments.command_refused_comment(actor, "cancel", why))
        cancelled = [c for n in names if n not in barred for c in await self.p.cancel_runs(repo, number, n)]
        if barred and not cancelled:
            return
        if not cancelled:
            await self.p.reply(repo, number, asked.key, comments.nothing_running_comment(actor))
            return
        for name in cancelled:
            await self.p.reply(repo, number, f"{asked.key}:{name}", comments.cancelled_comment(name, "run", actor))


def _override_refusal(rules: RepoRules, actor: str, project: str, author: str, run: Run | None) -> OverrideRefusal | None:
    """Why ``actor`` may not override ``project``'s denials on this PR now, or None (pure)."""
    if not (rules.is_admin(actor) or actor.lower() in rules.allowed_approvers(project)):
        return OverrideRefusal.NOT_ADMIN
    if actor.lower() == author.lower() and not rules.may_override_own(project):
        return OverrideRefusal.OWN_PULL_REQUEST
    if run is None:
        return OverrideRefusal.NO_PLAN
    if run.summary.get("policy_passed", True):
        return OverrideRefusal.PASSED
    if not run.summary.get("policy_overridable"):
        return OverrideRefusal.HARD
    return None


__all__ = ["Asked", "CommentCommands"]
