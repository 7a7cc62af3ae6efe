"""Read-mostly use cases: projects, list, quota, status, history, cost; and cancel, rollback, recover.

Everything is scoped to the caller's guild: the repo comes from the guild
link, never from the request, so one server cannot name another's repo.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from ..errors import CloudOpsError

from ..catalog.specs import Kind
from ..repo_config import Role
from . import assess, lobby as lobby_mod
from .context import Caller, ServiceContext
from .lobby import Lobby, LobbyStatus
from .refusals import Refused, answering
from .replies import Colour, Field, RefusalKind, Reply, info, success

MAX_FIELDS = 25


class RecoveryCodes(Protocol):
    """Seals a session for one user (``controller.secrets.recovery`` behind it)."""

    def seal(self, state: dict[str, Any], user_id: str) -> str: ...

    def open(self, code: str, user_id: str) -> dict[str, Any]: ...


class QueryService:
    def __init__(self, ctx: ServiceContext, *, pricer: assess.Pricer | None = None,
                 recovery: RecoveryCodes | None = None) -> None:
        self.ctx = ctx
        self.pricer = pricer
        self.recovery = recovery

    @answering
    async def projects(self, caller: Caller) -> Reply:
        actor = await self.ctx.actor(caller)
        now = self.ctx.clock()
        fields = []
        for name, project in sorted(actor.config.projects.items()):
            role = actor.role(name, now)
            if role is None:
                continue
            budget = f" · budget ${project.budget_monthly_usd:,.2f}/mo" if project.budget_monthly_usd is not None else ""
            fields.append(Field(name, f"{project.target.value}/{project.region}{budget}\nyour role: {role.value}", inline=True))
        if not fields:
            return info("Projects", f"You have no role on any project of {actor.repo}.")
        return info(f"Projects of {actor.repo}", fields=tuple(fields[:MAX_FIELDS]))

    @answering
    async def list(self, caller: Caller, project: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.VIEWER, "listing resources")
        inventory = await self.ctx.io(self.ctx.repos.inventory, actor.repo, config.name)
        lines = []
        for res in inventory.resources:
            kind = res.kind.value if res.kind else res.resource_type
            count = "" if res.instances == 1 else f" ×{res.instances if res.instances is not None else '?'}"
            managed = "" if res.managed else " (hand-written)"
            lines.append(f"`{res.address}` — {kind}{count}{managed} · {res.file}")
        for problem in inventory.problems:
            lines.append(f"⚠ {problem}")
        return info(f"Resources of {config.name}", "\n".join(lines[:60]) or "No resources yet.")

    @answering
    async def quota(self, caller: Caller, project: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.VIEWER, "reading quotas")
        inventory = await self.ctx.io(self.ctx.repos.inventory, actor.repo, config.name)
        counts = inventory.counts()
        fields = []
        for kind in Kind:
            used = counts.get(kind.value)
            limit = config.quotas.get(kind)
            used_text = str(used) if used else "0"
            fields.append(Field(kind.value, f"{used_text} / {limit if limit is not None else 'no limit'}", inline=True))
        if "unknown" in counts:
            fields.append(Field("modules", f"{counts['unknown']} (not counted per kind)", inline=True))
        budget = f"budget ${config.budget_monthly_usd:,.2f}/mo" if config.budget_monthly_usd is not None else "no budget set"
        return info(f"Quota of {config.name}", budget, fields=tuple(fields))

    @answering
    async def status(self, caller: Caller, project: str | None = None) -> Reply:
        actor = await self.ctx.actor(caller)
        if project:
            self.ctx.require(actor, project, Role.VIEWER, "reading status")
        locks = [l for l in await self.ctx.io(self.ctx.store.list_locks, repo=actor.repo) if not project or l.project == project]
        runs = await self.ctx.io(self.ctx.store.list_runs, repo=actor.repo, project=project, limit=10)
        fields = [Field("Locks", "\n".join(f"{l.project}: PR #{l.pr_number}" + (f" ({l.user})" if l.user else "")
                                          for l in locks) or "none", inline=True)]
        run_lines = [f"`{r.id[:8]}` {r.kind.value} {r.project} PR #{r.pr_number} — {r.status.value}" for r in runs]
        fields.append(Field("Recent runs", "\n".join(run_lines) or "none"))
        mine = [l for l in self.ctx.registry.pr_links(caller.guild_id)
                if l.lobby.get("user_id") == caller.user_id and l.lobby.get("status") not in {s.value for s in lobby_mod.FINISHED}]
        if mine:
            fields.append(Field("Your open requests", "\n".join(
                f"PR #{l.pr_number} {l.lobby['project']} — {l.lobby['status']} (session {l.session_id})" for l in mine)))
        return info(f"Status of {project or actor.repo}", fields=tuple(fields))

    @answering
    async def history(self, caller: Caller, project: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.VIEWER, "reading history")
        entries = await self.ctx.gateway.history(actor.repo, config.name)
        fields = []
        for entry in entries[:MAX_FIELDS]:
            applies = ", ".join(f"{a.status}" + (f" by {a.actor}" if a.actor else "")
                                + (f" {a.finished_at:%Y-%m-%d %H:%M}" if a.finished_at else "") for a in entry.applies)
            fields.append(Field(f"PR #{entry.pr_number} {entry.title}"[:256],
                                f"merged by {entry.merged_by or '—'} · approved by {', '.join(entry.approvers) or '—'}"
                                f"\napplies: {applies or 'none'}"))
        return info(f"History of {config.name}", "" if fields else "No changes yet.", fields=tuple(fields))

    @answering
    async def rollback(self, caller: Caller, project: str, *, to_sha: str | None = None, pr: int | None = None) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "rolling back")
        if (to_sha is None) == (pr is None):
            raise Refused(RefusalKind.INVALID, "Name exactly one of `pr` (the change to revert) or `to_sha`.")
        result = await self.ctx.gateway.rollback(actor.repo, config.name, to_sha=to_sha, pr=pr, actor_github=actor.github)
        return success("Rollback opened", f"PR #{result.pr_number} reverts it and goes through plan and approval: {result.url}")

    @answering
    async def cancel(self, caller: Caller, pr: int, project: str | None = None, *, any_pr: bool = False) -> Reply:
        actor = await self.ctx.actor(caller)
        link = self.ctx.registry.pr_link(actor.repo, pr)
        owner = link is not None and link.lobby.get("user_id") == caller.user_id
        if any_pr:
            self.ctx.require_global_admin(actor, "cancelling any run")
        else:
            target = project or (link.lobby["project"] if link else None)
            if target is None:
                raise Refused(RefusalKind.NOT_FOUND, f"PR #{pr} was not opened from this server; name its project.")
            self.ctx.require(actor, target, Role.USER if owner else Role.ADMIN, "cancelling " + ("your run" if owner else "another person's run"))
        cancelled = await self.ctx.gateway.cancel(actor.repo, pr, project, actor.github)
        if not cancelled:
            return info("Nothing to cancel", f"PR #{pr} has no queued or running run" + (f" in {project}" if project else "") + ".")
        return success("Cancelled", f"PR #{pr}: {', '.join(cancelled)}", ephemeral=True)

    @answering
    async def cost(self, caller: Caller, project: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.VIEWER, "reading costs")
        budget = f"${config.budget_monthly_usd:,.2f}/mo" if config.budget_monthly_usd is not None else "none"
        runs = await self.ctx.io(self.ctx.store.list_runs, repo=actor.repo, project=config.name, limit=20)
        latest = next((r for r in runs if r.summary.get("cost_summary")), None)
        fields = [Field("Budget", budget, inline=True)]
        if latest is not None:
            fields.append(Field(f"Latest plan (PR #{latest.pr_number})", str(latest.summary["cost_summary"])))
        if self.pricer is None:
            fields.append(Field("Current monthly cost", "not estimated: pre-flight pricing is not available yet"))
        else:
            from ..catalog import render as catalog_render

            files = {}
            inventory = await self.ctx.io(self.ctx.repos.inventory, actor.repo, config.name)
            for res in inventory.resources:
                text = await self.ctx.io(self.ctx.repos.file_text, actor.repo, f"projects/{config.name}/{res.file}")
                if text is not None and res.managed:
                    files[res.file] = text
            view = self.pricer(catalog_render.read_specs(files), config)
            fields.append(Field("Current monthly cost", (view.total or "not estimated") + (f"\n{view.note}" if view.note else "")))
            fields += [Field(k, v, inline=True) for k, v in list(view.per_resource.items())[:20]]
        return info(f"Cost of {config.name}", fields=tuple(fields))

    @answering
    async def recover(self, caller: Caller, code: str | None = None, session_id: str | None = None) -> Reply:
        """Bring back the caller's newest session (or ``session_id``, or one sealed in a code); list the others."""
        await self.ctx.actor(caller)
        if code:
            return self._from_code(caller, code)
        found = await self.ctx.io(self._recoverable, caller)
        if not found:
            raise Refused(RefusalKind.NOT_FOUND, "You have no session to recover on this server.",
                          hint="start one with `/cloud-deploy`")
        chosen = next((lobby for lobby in found if lobby.id == session_id), None) if session_id else found[0]
        if chosen is None:
            raise Refused(RefusalKind.NOT_FOUND, f"Session {session_id} is not one of your sessions on this server.")
        self.ctx.save_lobby(chosen)  # a fresh idle timeout (and the newest of the list now)
        return self._recovered(chosen, [lobby for lobby in found if lobby.id != chosen.id])

    def _recoverable(self, caller: Caller) -> builtins.list[Lobby]:
        """The caller's drafts (live or expired but kept) and open PR sessions, newest first."""
        expired = {s.id: s for s in self.ctx.store.list_expired_sessions()
                   if s.guild_id == caller.guild_id and s.user_id == caller.user_id}
        out: list[Lobby] = []
        for known in self.ctx.registry.sessions_of(caller.guild_id, caller.user_id):
            link = self.ctx.registry.pr_link_by_session(known.session_id)
            session = self.ctx.store.get_session(known.session_id) or expired.get(known.session_id)
            state = link.lobby if link is not None else (session.state if session is not None else None)
            if state is None or state.get("guild_id") != caller.guild_id:
                continue
            lobby = Lobby.from_state(state)
            if lobby.status not in lobby_mod.FINISHED:
                out.append(lobby)
        return out

    def _recovered(self, lobby: Lobby, others: Sequence[Lobby] = ()) -> Reply:
        reply = lobby_mod.render(lobby, lobby_mod.Assessment())
        note = ""
        if self.recovery is not None and lobby.status == LobbyStatus.DRAFT:
            note = (f"Recovery code for session {lobby.id} (valid 24 h, only for you): "
                    f"`{self.recovery.seal(lobby.to_state(), lobby.user_id)}`")
        fields, selects = reply.fields, reply.selects
        if others:
            listed = [f"`{o.id}` {o.project}: {len(o.resources)} resource(s), {o.status.value}"
                      + (f", PR #{o.pr_number}" if o.pr_number else "") for o in others[:10]]
            fields += (Field("Your other sessions", "\n".join(listed)
                             + (f"\n… and {len(others) - 10} more" if len(others) > 10 else "")),)
            selects += (lobby_mod.sessions_select(lobby.id, list(others)),)
        return Reply(title=reply.title, description="Recovered. " + reply.description, fields=fields,
                     colour=reply.colour if reply.colour != Colour.INFO else Colour.SUCCESS, buttons=reply.buttons,
                     selects=selects, footer=reply.footer, session=reply.session, private_note=note)

    def _from_code(self, caller: Caller, code: str) -> Reply:
        if self.recovery is None:
            raise Refused(RefusalKind.UNAVAILABLE, "Recovery codes need the vault's master key, which this controller does not have.")
        try:
            state = self.recovery.open(code.strip(), caller.user_id)
            lobby = Lobby.from_state(state)
        except CloudOpsError as exc:
            raise Refused(RefusalKind.INVALID, str(exc), hint=exc.hint) from None
        except (KeyError, TypeError, ValueError):
            raise Refused(RefusalKind.INVALID, "The recovery code does not hold a session.") from None
        if lobby.guild_id != caller.guild_id or lobby.user_id != caller.user_id:
            raise Refused(RefusalKind.NOT_ALLOWED, "This recovery code belongs to another server or person.")
        if lobby.status != LobbyStatus.DRAFT:
            raise Refused(RefusalKind.INVALID, f"Session {lobby.id} already has PR #{lobby.pr_number}; use /cloud-status.")
        self.ctx.save_lobby(lobby)
        return self._recovered(lobby)

    def counts(self, guild_id: str) -> Counter[str]:
        return Counter(l.lobby.get("status", "?") for l in self.ctx.registry.pr_links(guild_id))
