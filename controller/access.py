"""Who may do what, for every front door (pure, no I/O).

One set of rules over a repository's ``cloudops.yaml``, read by the PR
pipeline (GitHub logins), the chat service (chat ids) and the dashboard:

- A member's role on a project is the strongest of their own role (when
  their ``projects`` list is empty or names the project) and every grant
  active *now* (``RepoConfig.role_of``). Roles are ordered viewer < user < admin.
- A **global admin** is an admin whose entry names no projects: they may act on
  every project and on the repo's settings (connecting a chat server,
  creating projects, cancelling anyone's run, reading stats).
- An approval counts only from an admin of the project (grants included).

Callers ask these functions instead of comparing roles themselves, so a rule
changes in one place.
"""

from __future__ import annotations

import datetime as dt

from .repo_config import Member, RepoConfig, Role


def role_on(config: RepoConfig | None, member: Member | None, project: str,
            now: dt.datetime | None = None) -> Role | None:
    """The strongest role ``member`` holds on ``project`` now, or None (not a member, nothing granted)."""
    if config is None or member is None:
        return None
    return config.role_of(member.name, project, now)


def holds(config: RepoConfig | None, member: Member | None, project: str, needed: Role,
          now: dt.datetime | None = None) -> bool:
    """Whether ``member`` holds ``needed`` (or stronger) on ``project`` now."""
    role = role_on(config, member, project, now)
    return role is not None and role.allows(needed)


def is_global_admin(member: Member | None) -> bool:
    return member is not None and member.role is Role.ADMIN and not member.projects


def github_member(config: RepoConfig | None, login: str) -> Member | None:
    return config.member_by(github=login) if config is not None and login else None


def global_admin_logins(config: RepoConfig) -> frozenset[str]:
    """GitHub logins (lower-case) of the global admins."""
    return frozenset(m.github.lower() for m in config.members.values() if m.github and is_global_admin(m))


def approver_logins(config: RepoConfig | None, project: str, now: dt.datetime | None = None) -> frozenset[str]:
    """GitHub logins (lower-case) whose approval counts on ``project``: its admins, grants included."""
    if config is None:
        return frozenset()
    return frozenset(m.github.lower() for m in config.members.values()
                     if m.github and role_on(config, m, project, now) is Role.ADMIN)


__all__ = ["approver_logins", "github_member", "global_admin_logins", "holds", "is_global_admin", "role_on"]
