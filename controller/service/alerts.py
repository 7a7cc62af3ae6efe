"""Who reads an alert (budget crossed, apply failed, drift, rollback opened): the service decides.

Pure. A server with an admin channel gets the alert there, once. Without
one, the alert goes to each admin of the project directly (a DM on Discord),
as the seed bot did: the members of ``cloudops.yaml`` who hold the admin role
on that project now (grants included) and have a chat id. At most
``MAX_DIRECT`` people, in name order, so a large admin list cannot turn one
alert into a flood; who was left out is logged by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..repo_config import RepoConfig, Role

MAX_DIRECT = 10


@dataclass(frozen=True)
class AlertTarget:
    """Where one alert goes: ``channel`` when the server has an admin channel, else ``direct`` (chat user ids)."""

    guild_id: str
    channel: str | None
    direct: tuple[str, ...] = ()
    left_out: int = 0  # admins beyond MAX_DIRECT


def project_admins(config: RepoConfig, project: str | None, now: dt.datetime) -> list[str]:
    """Chat ids of the admins of ``project`` now (of every project, for a server-wide alert), by member name."""
    found: list[str] = []
    for name in sorted(config.members):
        member = config.members[name]
        if not member.discord:
            continue
        if project is None or project not in config.projects:
            holds = member.role == Role.ADMIN and not member.projects
        else:
            role = config.role_of(name, project, now)
            holds = role is not None and role.allows(Role.ADMIN)
        if holds and member.discord not in found:
            found.append(member.discord)
    return found


def target(guild_id: str, channel: str | None, config: RepoConfig | None, project: str | None,
           now: dt.datetime) -> AlertTarget:
    """The channel if there is one; else the project's admins (none when the config cannot be read)."""
    if channel:
        return AlertTarget(guild_id, channel)
    admins = project_admins(config, project, now) if config is not None else []
    return AlertTarget(guild_id, None, tuple(admins[:MAX_DIRECT]), max(0, len(admins) - MAX_DIRECT))
