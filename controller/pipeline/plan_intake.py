"""From a pull request to plan jobs: which projects, whether they may run unvouched, and the requests.

A plan runs code from the PR (providers, data sources), so a project is planned on its own only when
every commit since the last trusted point was pushed by the bot or by members allowed to plan it
(``trust.verdict``); otherwise a member vouches for it by commenting `cloudops plan`. Projects not
declared in ``cloudops.yaml`` on the default branch are never planned (no policy, budget or role
would apply, yet terraform would get the guild's credentials).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from ..forge.base import PullRequest
from ..repo_config import ApplyOn
from . import comments, status_sync, statuses, trust
from .planner import PlanRequest
from .repo_source import projects_touched
from .rules import RepoRules

if TYPE_CHECKING:
    from .dispatcher import Pipeline

log = logging.getLogger(__name__)

PLAN_JOB = "plan"
# A synchronize delivery without `before`: recorded so that the trust chain breaks there (fail closed).
UNKNOWN_BEFORE = "unknown"


def plan_requests(pull: PullRequest, projects: list[str], rules: RepoRules, *, repo: str, trigger: str, actor: str,
                  config_changed: bool) -> list[PlanRequest]:
    """One request per project to plan, carrying what the planner needs from the rules (pure)."""
    return [PlanRequest(
        repo=repo, pr_number=pull.number, head_sha=pull.head_sha, project=project, author=pull.author,
        trigger=trigger, actor=actor, apply_on=rules.apply_on_for(project), config_changed=config_changed,
        all_projects=tuple(projects), budget_monthly_usd=rules.budget_for(project), head_ref=pull.head_ref,
        allow_nonsensitive=rules.allows_nonsensitive(project),
    ) for project in projects]


def to_payload(request: PlanRequest) -> dict[str, Any]:
    data = dataclasses.asdict(request)
    data["apply_on"] = request.apply_on.value
    data["all_projects"] = list(request.all_projects)
    return data


def from_payload(payload: dict[str, Any]) -> PlanRequest:
    data = dict(payload)
    data["apply_on"] = ApplyOn(data["apply_on"])
    data["all_projects"] = tuple(data["all_projects"])
    return PlanRequest(**data)


class PlanIntake:
    """Enqueues the plans a PR asks for; the pipeline's context, queue and replies are shared."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.p = pipeline

    async def plan(self, repo: str, number: int, *, trigger: str, actor: str, rules: RepoRules | None = None,
                   only: str | None = None, vouched_by: str | None, reply_key: str | None = None) -> list[str]:
        """Enqueue a plan of every project the PR touches (or just ``only``); return the projects.

        ``vouched_by`` is the member who commented `cloudops plan`; ``reply_key`` answers that comment
        for the projects they may not plan."""
        ctx = self.p.ctx
        rules = rules or await self.p.rules(repo)
        pull = await asyncio.to_thread(ctx.forge.get_pull_request, repo, number)
        projects, config_changed = await self._touched(repo, pull, only, trigger)
        if not projects:
            return []
        projects = await self._declared_only(repo, number, pull, projects, rules)
        if not projects:
            await asyncio.to_thread(ctx.forge.set_status, repo, pull.head_sha, "failure", "cloudops/plan",
                                    "changed projects are not declared in cloudops.yaml")
            return []
        projects = await self._trusted_only(repo, pull, projects, rules, vouched_by, reply_key)
        for request in plan_requests(pull, projects, rules, repo=repo, trigger=trigger, actor=actor,
                                     config_changed=config_changed):
            await self.p.queue.submit(PLAN_JOB, to_payload(request), key=f"{repo}:{request.project}",
                                      timeout=self.p.job_timeout)
        return projects

    async def _touched(self, repo: str, pull: PullRequest, only: str | None, trigger: str) -> tuple[list[str], bool]:
        """The projects the PR changes (or ``only``), and whether it changes the repo's config."""
        source = self.p.ctx.sources[repo]
        # The rules loader has just fetched the base; fetch again only for a head we lack.
        await asyncio.to_thread(source.ensure, pull.head_sha)
        changed = await asyncio.to_thread(source.changed_paths, pull.base_ref, pull.head_sha)
        projects, config_changed = projects_touched(changed)
        if only is not None:
            if only not in projects and only not in await asyncio.to_thread(source.list_projects, pull.head_sha):
                await self.p.reply(repo, pull.number, f"reply:{trigger}:{pull.head_sha[:12]}",
                                   comments.no_such_project_comment(only))
                return [], config_changed
            projects = [only]
        if not projects:
            await asyncio.to_thread(self.p.ctx.forge.set_status, repo, pull.head_sha, "success", "cloudops/plan",
                                    "no projects changed")
        return projects, config_changed

    async def _declared_only(self, repo: str, number: int, pull: PullRequest, projects: list[str],
                             rules: RepoRules) -> list[str]:
        """Projects declared in cloudops.yaml (default branch); the others are told why they are not planned."""
        declared = set(rules.config.projects) if rules.config else set()
        for project in (p for p in projects if p not in declared):
            log.info("%s#%s: projects/%s is not declared in cloudops.yaml; not planned", repo, number, project)
            await self.p.reply(repo, number, comments.plan_key(project),
                               comments.plan_undeclared_comment(project, pull.base_ref))
            await asyncio.to_thread(self.p.ctx.forge.set_status, repo, pull.head_sha, "failure",
                                    statuses.project_context("plan", project), "not declared in cloudops.yaml")
        return [p for p in projects if p in declared]

    async def _trusted_only(self, repo: str, pull: PullRequest, projects: list[str], rules: RepoRules,
                            vouched_by: str | None, reply_key: str | None) -> list[str]:
        """The projects that may be planned now; the others are held with a comment and a pending status."""
        ctx, number = self.p.ctx, pull.number
        pushes = await asyncio.to_thread(ctx.store.list_pushes, repo, number)
        if vouched_by and any(rules.may_plan(vouched_by, p) for p in projects):
            await asyncio.to_thread(ctx.store.record_push, repo, number, before=None, after=pull.head_sha,
                                    pusher=vouched_by)
        allowed, held, refused = [], [], []
        for project in projects:
            if vouched_by and rules.may_plan(vouched_by, project):
                allowed.append(project)
                continue
            verdict = self._trust(rules, project, pull, pushes)
            if verdict.trusted:
                allowed.append(project)
            else:
                held.append((project, verdict))
                if vouched_by:
                    refused.append(project)
        for project, verdict in held:
            await self.p.reply(repo, number, comments.plan_key(project),
                               comments.plan_held_comment(project, pull.author, verdict.reason()))
            await asyncio.to_thread(ctx.forge.set_status, repo, pull.head_sha, "pending",
                                    statuses.project_context("plan", project),
                                    "waiting for a member to comment `cloudops plan`")
        if refused and reply_key and vouched_by:
            why = "; ".join(comments.lacks_role(p, "user", rules.role_name(vouched_by, p)) for p in refused)
            await self.p.reply(repo, number, reply_key, comments.command_refused_comment(vouched_by, "plan", why))
        if held:
            await status_sync.publish(ctx, repo, number, rules=rules)
        return allowed

    def _trust(self, rules: RepoRules, project: str, pull: PullRequest, pushes: list[Any]) -> trust.Verdict:
        """Whether the PR's head may be planned without a vouch: its pushers, or (no records) its author."""
        bot = self.p.bot_login.lower()

        def is_trusted(login: str) -> bool:
            return login.lower() == bot or rules.may_plan(login, project)

        if pushes:
            return trust.verdict(pushes, pull.head_sha, is_trusted)
        # A PR older than the push records: the author decides, as before they were kept.
        return trust.TRUSTED if is_trusted(pull.author) else trust.Verdict(False, untrusted_pusher=pull.author)


__all__ = ["PLAN_JOB", "UNKNOWN_BEFORE", "PlanIntake", "from_payload", "plan_requests", "to_payload"]
