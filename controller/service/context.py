"""What every use case needs: the collaborators, who is asking, and may they.

``ServiceContext`` holds the I/O collaborators (store, forge, repo view,
registry, pipeline gateway); :meth:`ServiceContext.actor` resolves a chat
user to a ``cloudops.yaml`` member of the guild's repo, and
:meth:`ServiceContext.require` checks a role on a project (grants included)
or refuses with a reason that names the role needed and the role held.
Blocking calls (git, the forge, SQLite) run in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .. import access
from ..errors import ConfigError
from ..forge.base import Author, Forge
from ..repo_config import Member, ProjectConfig, RepoConfig, Role
from ..store import RuntimeStore, utc_now
from .gateway import PipelineGateway
from .guilds import GuildLink, GuildRegistry
from .lobby import Lobby
from .refusals import Refused
from .replies import RefusalKind
from .repos import RepoView

T = TypeVar("T")
IDLE_TIMEOUT = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Caller:
    """Who clicked or typed: ids as the chat platform gives them."""

    guild_id: str
    user_id: str
    display_name: str = ""


@dataclass(frozen=True)
class Actor:
    caller: Caller
    link: GuildLink
    config: RepoConfig
    member: Member

    @property
    def repo(self) -> str:
        return self.link.repo

    @property
    def github(self) -> str:
        return self.member.github or self.member.name

    @property
    def author(self) -> Author:
        return Author(name=self.member.name, email=f"{self.github}@users.noreply.github.com")

    def role(self, project: str, now: dt.datetime) -> Role | None:
        return access.role_on(self.config, self.member, project, now)

    def holds(self, project: str, needed: Role, now: dt.datetime) -> bool:
        return access.holds(self.config, self.member, project, needed, now)

    def is_global_admin(self) -> bool:
        return access.is_global_admin(self.member)


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str = field(repr=False)
    events: tuple[str, ...] = ("pull_request", "pull_request_review", "issue_comment", "push", "merge_group")


@dataclass
class ServiceContext:
    store: RuntimeStore
    forge: Forge
    repos: RepoView
    registry: GuildRegistry
    gateway: PipelineGateway
    workdir: Path
    clock: Callable[[], dt.datetime] = utc_now
    idle_timeout: dt.timedelta = IDLE_TIMEOUT
    # Where the controller receives webhooks, so /cloud-init can register them (None: tell the admin).
    webhook: WebhookTarget | None = None
    _repo_locks: dict[str, threading.Lock] = field(default_factory=dict)

    async def io(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(func, *args, **kwargs)

    def repo_lock(self, repo: str) -> threading.Lock:
        """One writer per working copy: commits of two sessions must not interleave."""
        return self._repo_locks.setdefault(repo, threading.Lock())

    def workdir_for(self, repo: str) -> Path:
        owner, name = repo.split("/", 1)
        return self.workdir / owner / name

    # --- who is asking ------------------------------------------------------
    def link(self, caller: Caller) -> GuildLink:
        link = self.registry.guild(caller.guild_id)
        if link is None:
            raise Refused(RefusalKind.NOT_CONNECTED, "This server is not connected to an infrastructure repo yet.",
                          hint="an administrator runs `/cloud-init repo:<owner/name>` first")
        return link

    async def actor(self, caller: Caller) -> Actor:
        link = self.link(caller)
        try:
            config = await self.io(self.repos.config, link.repo)
        except ConfigError as exc:
            raise Refused(RefusalKind.FAILED, f"reading cloudops.yaml of {link.repo}: {exc}", hint=exc.hint) from exc
        member = config.member_by(discord=caller.user_id)
        if member is None:
            raise Refused(RefusalKind.NOT_ALLOWED,
                          f"Your chat account ({caller.user_id}) is not a member in cloudops.yaml of {link.repo}.",
                          hint=f"ask an admin to add `discord: \"{caller.user_id}\"` to your entry under `members`")
        return Actor(caller, link, config, member)

    def project(self, actor: Actor, project: str | None) -> ProjectConfig:
        if not project:
            raise Refused(RefusalKind.INVALID, "Name a project.", hint="`/cloud-projects` lists them")
        found = actor.config.projects.get(project)
        if found is None:
            known = ", ".join(sorted(actor.config.projects)) or "none"
            raise Refused(RefusalKind.UNKNOWN_PROJECT, f"There is no project {project!r} in {actor.repo} (known: {known}).",
                          hint="`/cloud-projects` lists the projects of this server")
        return found

    def require(self, actor: Actor, project: str | None, needed: Role, doing: str) -> ProjectConfig:
        """The project config, if ``actor`` holds at least ``needed`` on it now."""
        config = self.project(actor, project)
        if not actor.holds(config.name, needed, self.clock()):
            held = actor.role(config.name, self.clock())
            held_text = f"you are {held.value}" if held else "you have no role"
            raise Refused(RefusalKind.NOT_ALLOWED,
                          f"{doing.capitalize()} in project {config.name!r} needs the {needed.value} role; {held_text} there.",
                          hint="an admin can give you a time-limited grant with `/cloud-grant`")
        return config

    def require_global_admin(self, actor: Actor, doing: str) -> None:
        if not actor.is_global_admin():
            raise Refused(RefusalKind.NOT_ALLOWED,
                          f"{doing.capitalize()} needs an admin of every project (role admin without a project list); "
                          f"{actor.member.name} is {actor.member.role.value}"
                          + (f" on {', '.join(actor.member.projects)}" if actor.member.projects else "") + ".")

    # --- sessions -------------------------------------------------------------
    def load_lobby(self, caller: Caller, session_id: str) -> Lobby:
        """The caller's guild's lobby: once a PR is open the registry copy rules (events move it), else the session."""
        link = self.registry.pr_link_by_session(session_id)
        state: dict[str, Any] | None = link.lobby if link is not None else None
        if state is None:
            session = self.store.get_session(session_id)
            state = session.state if session is not None else None
        if state is None or state.get("guild_id") != caller.guild_id:
            minutes = int(self.idle_timeout.total_seconds() // 60)
            raise Refused(RefusalKind.SESSION_EXPIRED,
                          f"Session {session_id} has expired (idle for more than {minutes} minutes) or does not exist.",
                          hint="start again with `/cloud-deploy`, or try `/cloud-recover-session`")
        return Lobby.from_state(state)

    def save_lobby(self, lobby: Lobby) -> None:
        state = lobby.to_state()
        self.store.put_session(lobby.id, guild_id=lobby.guild_id, user_id=lobby.user_id, project=lobby.project,
                               state=state, idle_timeout=self.idle_timeout)
        if lobby.pr_number is not None:
            self.registry.save_pr_lobby(lobby.id, state)
        self.registry.remember_session(lobby.guild_id, lobby.user_id, lobby.id, self.clock())
