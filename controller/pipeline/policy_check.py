"""The planner's policy layer: Rego policies from the default branch, never the PR.

The built-in library plus the infra repo's own ``policies/`` (read at the
default branch's tip, like ``cloudops.yaml``), evaluated against the plan
with the actor, the project's config, its current usage (resources already
on the default branch) and the cost. A PR opened by the bot on a
``cloudops/<member>/…`` branch acts for that member: the person who asked in
chat is the actor, not the bot.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..policy import inputs as policy_inputs
from ..policy import protection
from ..policy.engine import PolicyEngine, check_plan
from ..policy.library import load_library
from ..policy.result import PolicyResult
from ..terraform.plan import Action, Plan
from .planner import PlanRequest, PolicyVerdict
from .repo_source import RepoSource
from .rules import RulesLoader

log = logging.getLogger(__name__)

_BOT_BRANCH = re.compile(r"^cloudops/(?P<member>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})/")


@dataclass(frozen=True)
class _Base:
    """The default branch at one commit: its policies and the project's current files."""

    sha: str
    root: Path
    engine: PolicyEngine


class RegoPolicyCheck:
    def __init__(self, sources: dict[str, RepoSource], default_branches: dict[str, str], rules: RulesLoader,
                 cache_dir: Path, *, bot_login: str) -> None:
        self.sources = sources
        self.default_branches = default_branches
        self.rules = rules
        self.cache_dir = cache_dir
        self.bot_login = bot_login
        self._bases: dict[str, _Base] = {}

    async def evaluate(self, plan: Plan, request: PlanRequest, cost: Any = None) -> PolicyVerdict:
        rules = await self.rules(request.repo)  # fetches the default branch when it moved
        base = await asyncio.to_thread(self._base, request.repo)
        config = rules.config
        if config is None or request.project not in config.projects:
            # Fail closed: an undeclared project is not planned (the dispatcher says so); should one get here,
            # it must not pass with no policy at all.
            return PolicyVerdict(passed=False, summary="project not declared in cloudops.yaml", overridable=False,
                                 markdown=f"**Denied:** `{request.project}` is not a project of cloudops.yaml on the "
                                          "default branch, so no policy set applies; declare it first.")
        result = await asyncio.to_thread(self._check, plan, request, base, config, cost)
        return PolicyVerdict(passed=result.passed, markdown=result.to_markdown(), summary=result.summary(),
                             overridable=result.overridable,
                             violations=tuple(v.as_dict() for v in (*result.denies, *result.warns)))

    def _check(self, plan: Plan, request: PlanRequest, base: _Base, config: Any, cost: Any) -> PolicyResult:
        project_dir = base.root / "projects" / request.project
        usage = existing_usage(plan)
        estimate = getattr(cost, "estimate", None)
        cost_in = policy_inputs.cost_input(estimate, request.project, request.budget_monthly_usd) if estimate else None
        protected = protection.protected_addresses(project_dir) if project_dir.is_dir() else []
        return check_plan(plan, config=config, project=request.project, actor=self.actor(config, request),
                          usage=usage, cost=cost_in, protected=protected, engine=base.engine)

    def actor(self, config: Any, request: PlanRequest) -> policy_inputs.Actor:
        match = _BOT_BRANCH.match(request.head_ref or "")
        if request.author.lower() == self.bot_login.lower() and match:
            # The bot opened it for someone: a member name (chat) or a GitHub login (rollback by an admin).
            who = match.group("member")
            member = who if who in config.members else getattr(config.member_by(github=who), "name", None)
            if member is not None:
                return policy_inputs.actor_for(config, request.project, member=member)
        return policy_inputs.actor_for(config, request.project, github=request.author)

    def _base(self, repo: str) -> _Base:
        source = self.sources[repo]
        sha = source.resolve(self.default_branches[repo])
        cached = self._bases.get(repo)
        if cached is not None and cached.sha == sha:
            return cached
        root = self.cache_dir / repo.replace("/", "__") / sha
        if not root.exists():
            # Two plans of one PR build the same base at once: each in its own directory, first rename wins.
            tmp = root.with_name(f"{sha}.{uuid.uuid4().hex[:8]}.tmp")
            source.export_tree(sha, "", tmp)
            try:
                tmp.rename(root)
            except OSError:
                if not root.is_dir():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        engine = PolicyEngine(load_library(root / "policies"))
        base = _Base(sha, root, engine)
        self._bases[repo] = base
        return base


_EXISTING = {Action.NOOP, Action.UPDATE, Action.DELETE, Action.REPLACE, Action.FORGET}


def existing_usage(plan: Plan) -> dict[str, int]:
    """Objects of each kind that exist now (in the state the plan was made from).

    The quota policy adds the plan's creates and subtracts its deletes, so the
    base must be what exists, not what the default branch declares: resources
    declared but never applied show up as creates and would be counted twice.
    Everything in the repo is in the plan (the PR head contains the default
    branch), so every resource of the repo is counted exactly once.
    """
    kinds = policy_inputs.catalog_input()["kinds"]
    counts: dict[str, int] = {}
    for rc in plan.resource_changes:
        if rc.is_data or rc.deposed or rc.action not in _EXISTING:
            continue
        kind = _kind_of(rc, kinds)
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _kind_of(rc: Any, kinds: dict[str, str]) -> str | None:
    if rc.type == "null_resource":
        for values in (rc.after, rc.before):
            triggers: Any = values.get("triggers") if hasattr(values, "get") else None
            kind = triggers.get("cloudops_kind") if hasattr(triggers, "get") else None
            if isinstance(kind, str):
                return kind
        return None
    return kinds.get(rc.type)


def override_key(project: str, plan_run_id: str) -> str:
    return f"policy-override:{project}:{plan_run_id}"


def override_comment(project: str, plan_run_id: str, admin: str, verdict_markdown: str) -> str:
    return (
        f"### Policies of project `{project}` overridden by @{admin}\n\n"
        f"The denials below were accepted for plan run `{plan_run_id}` only; a new plan is checked again.\n\n"
        f"{verdict_markdown}\n"
    )
