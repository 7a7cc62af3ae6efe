"""Who may see and do what on the dashboard, from each repo's ``cloudops.yaml``.

Pure. Roles come from the default branch's ``cloudops.yaml`` (the same rules
the pipeline uses): a signed-in GitHub login maps to a member through its
``github`` field; ``role_of`` (grants included) gives the role on a project.
Any role lets a person read that project's runs, locks, cost and history;
only ``admin`` may act (unlock). The admin token is an admin everywhere.
Someone who is not a member of a repository sees nothing of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..repo_config import RepoConfig, Role

ADMIN_TOKEN_LOGIN = "admin-token"


@dataclass(frozen=True)
class Access:
    """What one signed-in person holds, per repository."""

    login: str
    via: str  # "oauth" | "token"
    configs: Mapping[str, RepoConfig | None]  # repo → its rules (None: unreadable right now)
    now: dt.datetime | None = None

    @property
    def is_token_admin(self) -> bool:
        return self.via == "token"

    def role(self, repo: str, project: str) -> Role | None:
        if self.is_token_admin:
            return Role.ADMIN
        config = self.configs.get(repo)
        if config is None:
            return None
        member = config.member_by(github=self.login)
        return config.role_of(member.name, project, self.now) if member else None

    def repo_role(self, repo: str) -> Role | None:
        """The strongest role on any project of ``repo`` (what the header shows)."""
        if self.is_token_admin:
            return Role.ADMIN
        config = self.configs.get(repo)
        if config is None:
            return None
        roles = [r for p in config.projects if (r := self.role(repo, p)) is not None]
        member = config.member_by(github=self.login)
        if member is not None and not member.projects:
            roles.append(member.role)
        return max(roles, key=[Role.VIEWER, Role.USER, Role.ADMIN].index) if roles else None

    def may_read(self, repo: str, project: str) -> bool:
        return self.role(repo, project) is not None

    def may_unlock(self, repo: str, project: str) -> bool:
        role = self.role(repo, project)
        return role is not None and role.allows(Role.ADMIN)

    def visible_repos(self) -> list[str]:
        return sorted(r for r in self.configs if self.repo_role(r) is not None)

    def refusal(self, repo: str, project: str, action: str) -> str:
        """Why ``action`` is refused, in words the person can act on."""
        role = self.role(repo, project)
        if role is None:
            return (f"@{self.login} is not a member of {repo} for project `{project}`; "
                    f"an admin can add you under `members` in its cloudops.yaml")
        return (f"@{self.login} is a {role.value} of project `{project}` in {repo}; only admins may {action} "
                f"(roles come from cloudops.yaml on the default branch)")
