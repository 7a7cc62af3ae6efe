"""The pipeline's rules for a repository, read from its default branch.

``cloudops.yaml`` is loaded from the default branch at its current tip, never
from the pull request being planned, so a PR cannot loosen its own rules.
The strict loader (``controller.repo_config``) does the parsing; this module
only picks what the pipeline needs and caches it per default-branch commit.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import access
from ..repo_config import ApplyOn, RepoConfig, Role, loads
from ..errors import ConfigError
from .comment_parser import Verb
from .repo_source import CONFIG_FILE, RepoSource


# A PR the bot opened from chat names the member who asked, in its body (``service.deploy``).
REQUESTER_MARKER = re.compile(r"<!-- cloudops-requested-by: ([A-Za-z0-9_.-]{1,64}) -->")


@dataclass(frozen=True)
class RepoRules:
    """What the pipeline needs from a repo's cloudops.yaml (default branch)."""

    config: RepoConfig | None = None
    default_apply_on: ApplyOn = ApplyOn.APPROVE
    # Drafts are "not ready": planning them would take locks others need.
    plan_drafts: bool = False
    admins: frozenset[str] = field(default_factory=frozenset)  # GitHub logins, lower-case

    def apply_on_for(self, project: str) -> ApplyOn:
        if self.config and project in self.config.projects:
            return self.config.projects[project].apply_on
        return self.default_apply_on

    def budget_for(self, project: str) -> float | None:
        if self.config and project in self.config.projects:
            return self.config.projects[project].budget_monthly_usd
        return None

    def allows_nonsensitive(self, project: str) -> bool:
        return bool(self.config and project in self.config.projects and self.config.projects[project].allow_nonsensitive)

    def may_plan(self, login: str, project: str) -> bool:
        """Members with at least the user role on ``project`` (grants included) may have it planned."""
        return access.holds(self.config, access.github_member(self.config, login), project, Role.USER)

    def allowed_approvers(self, project: str) -> frozenset[str]:
        """GitHub logins (lower-case) whose approval counts: admins of the project, grants included."""
        return access.approver_logins(self.config, project)

    def requester(self, pr_author: str, body: str, bot_login: str) -> str:
        """Who a PR is on behalf of, for self-approval: the chat member behind a bot-opened PR.

        Only a PR opened by the bot is read this way (its body is the bot's); the member's
        GitHub login is taken from ``cloudops.yaml``. Otherwise the author. (Rollback PRs,
        also the bot's, carry no marker: who may approve a rollback is left as it was.)"""
        if not bot_login or pr_author.lower() != bot_login.lower() or self.config is None:
            return pr_author
        match = REQUESTER_MARKER.search(body or "")
        member = self.config.members.get(match.group(1)) if match else None
        return member.github if member is not None and member.github else pr_author

    def is_admin(self, login: str) -> bool:
        return login.lower() in self.admins

    def role_on(self, login: str, project: str) -> Role | None:
        """The strongest role the GitHub user holds on ``project`` now (grants included), or None."""
        return access.role_on(self.config, access.github_member(self.config, login), project)

    def role_name(self, login: str, project: str) -> str | None:
        role = self.role_on(login, project)
        return role.value if role else None

    def is_member(self, login: str) -> bool:
        return access.github_member(self.config, login) is not None

    def may_command(self, login: str, verb: Verb, project: str) -> bool:
        """Whether a comment command by ``login`` may act on ``project`` (``COMMAND_ROLES``)."""
        needed = COMMAND_ROLES.get(verb)
        if needed is None:
            return True
        role = self.role_on(login, project)
        return role is not None and role.allows(needed)

    def may_override_own(self, project: str) -> bool:
        project_config = self.config.projects.get(project) if self.config else None
        return bool(project_config and project_config.allow_self_policy_override)


# The least role each comment command needs on the project it acts on; `help` needs none.
COMMAND_ROLES: dict[Verb, Role] = {
    Verb.PLAN: Role.USER,
    Verb.APPLY: Role.USER,
    Verb.CANCEL: Role.USER,
    Verb.UNLOCK: Role.USER,
    Verb.APPROVE_POLICIES: Role.ADMIN,
}


def rules_from_config(config: RepoConfig) -> RepoRules:
    return RepoRules(config=config, admins=access.global_admin_logins(config), plan_drafts=config.plan_drafts)


class RulesLoader:
    """``await loader(repo)`` → the rules on the default branch's tip, cached per commit."""

    def __init__(self, sources: dict[str, RepoSource], default_branches: dict[str, str], *,
                 max_age: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.sources = sources
        self.default_branches = default_branches
        self.max_age = max_age
        self.clock = clock
        self._cache: dict[tuple[str, str], RepoRules] = {}
        self._fetched_at: dict[str, float] = {}

    def invalidate(self, repo: str) -> None:
        """The default branch moved (a push webhook): fetch before the next read."""
        self._fetched_at.pop(repo, None)

    async def __call__(self, repo: str) -> RepoRules:
        source = self.sources[repo]
        branch = self.default_branches[repo]
        # A push to the default branch invalidates at once; the age limit covers a lost webhook.
        fetched = self._fetched_at.get(repo)
        if fetched is None or self.clock() - fetched > self.max_age:
            await asyncio.to_thread(source.refresh)
            self._fetched_at[repo] = self.clock()
        sha = await asyncio.to_thread(source.resolve, branch)
        cached = self._cache.get((repo, sha))
        if cached is not None:
            return cached
        text = await asyncio.to_thread(source.read_file, sha, CONFIG_FILE)
        if text is None:
            raise ConfigError(
                f"reading {repo}: there is no {CONFIG_FILE} on {branch}",
                hint="scaffold the repository with `cloudops init-repo` and merge it to the default branch",
            )
        rules = rules_from_config(loads(text, source=f"{repo}@{branch}:{CONFIG_FILE}"))
        self._cache[(repo, sha)] = rules
        return rules
