"""Admin use cases: projects, grants, quotas, budgets (as PRs to cloudops.yaml), and operations.

Config changes are never written in place: each becomes a commit on
``cloudops/<admin>/config-<id>``, authored as the admin, with the reason in
the message, and a PR, so the change is reviewed, planned and kept in git
like any other. Operations (unlock, cancel any, stats, list all) act on the
runtime store and the pipeline of the guild's repo only.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from collections.abc import Callable
from typing import Any, TypeVar

from .. import gitops
from .. import access
from .. import repo_config
from ..catalog.offerings import offerings
from ..catalog.specs import Kind, Target
from ..errors import CloudOpsError, ConfigError
from ..repo_config import Role
from . import config_edit
from .connect import ConnectService
from .context import Actor, Caller, ServiceContext
from .refusals import Refused, answering
from .replies import Field, RefusalKind, Reply, info, success

CredentialSaver = Callable[[str, str, str, str | None], str]  # (guild, kind, secret text, project) -> fingerprint
Scaffolder = Callable[[], dict[str, str]]  # path -> text of a new infra repo


def stats_fields(runs: list[Any], lobbies: list[dict[str, Any]], projects: int, members: int) -> tuple[Field, ...]:
    """Run counts, apply success rate, who asks most, what is asked for most (pure)."""
    by = Counter(f"{r.kind.value} {r.status.value}" for r in runs)
    finished = [r for r in runs if r.kind.value == "apply" and r.status.value in ("succeeded", "failed", "timed_out", "interrupted")]
    ok = sum(1 for r in finished if r.status.value == "succeeded")
    rate = f"{ok / len(finished):.0%} of {len(finished)} finished applies succeeded" if finished else "no finished applies yet"
    users = Counter(str(l.get("member", "?")) for l in lobbies)
    kinds = Counter(str(r.get("kind", "?")) for l in lobbies for r in l.get("resources", []))
    top = lambda c: "\n".join(f"{k}: {v}" for k, v in c.most_common(5)) or "none"  # noqa: E731
    return (
        Field("Runs", "\n".join(f"{k}: {v}" for k, v in sorted(by.items())) or "none", inline=True),
        Field("Apply success rate", rate, inline=True),
        Field("Chat requests", "\n".join(f"{k}: {v}" for k, v in sorted(Counter(l.get("status", "?") for l in lobbies).items()))
              or "none", inline=True),
        Field("Top requesters", top(users), inline=True),
        Field("Top kinds", top(kinds), inline=True),
        Field("Projects · members", f"{projects} · {members}", inline=True),
    )


def find_member(config: repo_config.RepoConfig, member: str) -> repo_config.Member:
    """A member by name (the console) or by chat id (a Discord user picker gives the id, or ``<@id>``)."""
    found = config.members.get(member) or config.member_by(discord=member.strip().strip("<@!>"))
    if found is not None:
        return found
    chat_id = member.strip().strip("<@!>")
    if chat_id.isdigit():
        raise Refused(RefusalKind.NOT_FOUND, f"The chat user {chat_id} is not a member in cloudops.yaml.",
                      hint=f'add them under `members` with `discord: "{chat_id}"` (a PR to cloudops.yaml), then grant')
    raise Refused(RefusalKind.NOT_FOUND, f"{member!r} is not a member in cloudops.yaml.",
                  hint="`members` in cloudops.yaml lists who can be granted a role")


V = TypeVar("V")
W = TypeVar("W")


def _checked(check: Callable[[V], W], value: V) -> W:
    """A bound from ``config_edit`` (finite, in range) applied to what was typed; a breach is the refusal."""
    try:
        return check(value)
    except ValueError as exc:
        raise Refused(RefusalKind.INVALID, str(exc)) from None


def target_role_covers(config: repo_config.RepoConfig, member: str, project: str, role: Role, now: Any) -> bool:
    """True when ``member`` (a name or a chat id) already holds ``role`` or stronger on ``project``."""
    found = config.members.get(member) or config.member_by(discord=member.strip("<@!>"))
    return access.holds(config, found, project, role, now)


class AdminService:
    def __init__(self, ctx: ServiceContext, *, save_credentials: CredentialSaver | None = None,
                 scaffold: Scaffolder | None = None) -> None:
        self.ctx = ctx
        self.save_credentials = save_credentials
        self.scaffold = scaffold

    # --- cloudops.yaml through a PR -----------------------------------------
    async def _config_pr(self, actor: Actor, summary: str, reason: str, edit: Callable[[str], str]) -> Reply:
        if not reason.strip():
            raise Refused(RefusalKind.INVALID, "Give a reason: it goes into the commit message and the PR.")
        repo = actor.repo
        text = await self.ctx.io(self.ctx.repos.file_text, repo, repo_config.FILENAME)
        if text is None:
            raise Refused(RefusalKind.NOT_FOUND, f"{repo} has no {repo_config.FILENAME}.", hint="run `/cloud-init` to scaffold it")
        try:
            new_text = edit(text)
        except (ValueError, KeyError, ConfigError) as exc:
            raise Refused(RefusalKind.INVALID, f"{summary}: {exc}") from exc
        branch = f"cloudops/{actor.member.name}/config-{secrets.token_hex(3)}"
        message = f"cloudops.yaml: {summary}\n\nReason: {reason.strip()}\nRequested in chat by {actor.member.name}."

        def push() -> Any:
            change = gitops.ProposedChange(
                branch=branch, base=self.ctx.repos.default_branch(repo), files={repo_config.FILENAME: new_text},
                message=message, author=actor.author, title=f"cloudops.yaml: {summary}",
                body=f"{summary}.\n\n**Reason:** {reason.strip()}\n\nRequested in chat by **{actor.member.name}**. "
                     "Takes effect when merged.")
            with self.ctx.repo_lock(repo):
                return gitops.propose(self.ctx.forge, repo, change, self.ctx.workdir_for(repo)).pull

        pr = await self.ctx.io(push)
        return success(f"PR #{pr.number}: {summary}", f"Takes effect when merged: {pr.html_url}",
                       fields=(Field("Reason", reason.strip()),))

    @answering
    async def create_project(self, caller: Caller, name: str, target: str, region: str, reason: str,
                             budget: float | None = None) -> Reply:
        actor = await self.ctx.actor(caller)
        self.ctx.require_global_admin(actor, "creating a project")
        try:
            chosen = Target(target)
        except ValueError:
            raise Refused(RefusalKind.INVALID, f"`target` = {target!r}: must be one of {', '.join(t.value for t in Target)}") from None
        if region not in offerings(chosen).regions:
            raise Refused(RefusalKind.INVALID, f"`region` = {region!r}: must be one of the {chosen.value} regions: "
                          + ", ".join(offerings(chosen).regions))
        return await self._config_pr(actor, f"create project {name} ({chosen.value}/{region})", reason,
                                     lambda t: config_edit.create_project(t, name, chosen, region, budget))

    @answering
    async def grant(self, caller: Caller, member: str, project: str, role: str, duration: str, reason: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "granting roles")
        try:
            chosen, delta = Role(role), config_edit.parse_duration(duration)
        except ValueError as exc:
            raise Refused(RefusalKind.INVALID, f"`role`/`duration`: {exc}") from None
        target = find_member(actor.config, member)
        if target_role_covers(actor.config, target.name, config.name, chosen, self.ctx.clock()):
            raise Refused(RefusalKind.INVALID, f"{target.name} already holds {chosen.value} or more on {config.name}; "
                          "a grant only adds a stronger role")
        # The clock starts at the merge (the controller then writes expires_at), not now: a review takes time.
        return await self._config_pr(actor, f"grant {target.name} {chosen.value} on {config.name} for "
                                     f"{config_edit.format_duration(delta)} from the merge", reason,
                                     lambda t: config_edit.grant(t, target.name, config.name, chosen, delta, reason.strip()))

    @answering
    async def revoke(self, caller: Caller, member: str, project: str, reason: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "revoking grants")
        target = find_member(actor.config, member)
        if not any(g.member == target.name and g.project == config.name for g in actor.config.grants):
            raise Refused(RefusalKind.NOT_FOUND, f"{target.name} has no grant on {config.name}.")
        return await self._config_pr(actor, f"revoke the grants of {target.name} on {config.name}", reason,
                                     lambda t: config_edit.revoke(t, target.name, config.name)[0])

    @answering
    async def set_quota(self, caller: Caller, project: str, kind: str, limit: int, reason: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "setting quotas")
        try:
            chosen = Kind(kind)
        except ValueError:
            raise Refused(RefusalKind.INVALID, f"`kind` = {kind!r}: must be one of {', '.join(k.value for k in Kind)}") from None
        limit = _checked(config_edit.check_quota, limit)
        return await self._config_pr(actor, f"quota of {chosen.value} in {config.name}: {limit}", reason,
                                     lambda t: config_edit.set_quota(t, config.name, chosen, limit))

    @answering
    async def set_budget(self, caller: Caller, project: str, usd: float, reason: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "setting budgets")
        usd = _checked(config_edit.check_budget, usd)
        return await self._config_pr(actor, f"budget of {config.name}: ${usd:,.2f}/mo", reason,
                                     lambda t: config_edit.set_budget(t, config.name, usd))

    @answering
    async def set_budget_alert(self, caller: Caller, project: str, percents: str, reason: str) -> Reply:
        """The percents of the budget at which plans and applies alert (``budget_alerts``), by a PR."""
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "setting budget alerts")
        chosen = _checked(config_edit.check_alerts, percents)
        listed = ", ".join(f"{p}%" for p in chosen)
        reply = await self._config_pr(actor, f"budget alerts of {config.name} at {listed}", reason,
                                      lambda t: config_edit.set_budget_alerts(t, config.name, chosen))
        if config.budget_monthly_usd is None:
            reply = replace(reply, description=reply.description + f"\n{config.name} has no budget yet: alerts start once "
                            "`/cloud-set-budget` sets one.")
        return reply

    # --- operations ------------------------------------------------------------
    @answering
    async def list_all(self, caller: Caller) -> Reply:
        actor = await self.ctx.actor(caller)
        self.ctx.require_global_admin(actor, "listing everything")
        locks = await self.ctx.io(self.ctx.store.list_locks, repo=actor.repo)
        runs = [r for r in await self.ctx.io(self.ctx.store.list_in_flight_runs) if r.repo == actor.repo]
        links = self.ctx.registry.pr_links(caller.guild_id)
        return info(f"Everything in {actor.repo}", fields=(
            Field("Locks", "\n".join(f"{l.project}: PR #{l.pr_number} ({l.user or '?'})" for l in locks) or "none"),
            Field("Runs in flight", "\n".join(f"`{r.id[:8]}` {r.kind.value} {r.project} PR #{r.pr_number} {r.status.value}"
                                              for r in runs) or "none"),
            Field("Chat requests", "\n".join(f"PR #{l.pr_number} {l.lobby.get('project')} by {l.lobby.get('member')} — "
                                             f"{l.lobby.get('status')}" for l in links[-20:]) or "none"),
        ))

    @answering
    async def cancel_any(self, caller: Caller, pr: int, project: str | None = None) -> Reply:
        actor = await self.ctx.actor(caller)
        self.ctx.require_global_admin(actor, "cancelling any run")
        cancelled = await self.ctx.gateway.cancel(actor.repo, pr, project, actor.github)
        return success("Cancelled", f"PR #{pr}: {', '.join(cancelled)}") if cancelled else info(
            "Nothing to cancel", f"PR #{pr} has no queued or running run.")

    @answering
    async def unlock(self, caller: Caller, project: str) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.ADMIN, "unlocking")
        removed = await self.ctx.io(self.ctx.store.unlock, actor.repo, config.name, None)
        if removed is None:
            return info("Not locked", f"Project {config.name} has no lock.")
        return success("Unlocked", f"Project {config.name} was locked by PR #{removed.pr_number}; the lock is released.")

    @answering
    async def stats(self, caller: Caller) -> Reply:
        actor = await self.ctx.actor(caller)
        self.ctx.require_global_admin(actor, "reading stats")
        runs = await self.ctx.io(self.ctx.store.list_runs, repo=actor.repo, limit=1000)
        links = self.ctx.registry.pr_links(caller.guild_id)
        return info(f"Stats of {actor.repo}", f"{len(runs)} recent runs" + (" (the newest 1,000)" if len(runs) == 1000 else ""),
                    fields=stats_fields(runs, [l.lobby for l in links], len(actor.config.projects), len(actor.config.members)))

    async def _may_set_credentials(self, caller: Caller, project: str | None) -> None:
        actor = await self.ctx.actor(caller)
        if project:
            self.ctx.require(actor, project, Role.ADMIN, "setting cloud credentials")
        else:
            self.ctx.require_global_admin(actor, "setting cloud credentials")
        if self.save_credentials is None:
            raise Refused(RefusalKind.UNAVAILABLE, "The credentials vault has no master key in this controller; "
                          "nothing was stored.", hint="set CLOUDOPS_MASTER_KEY_FILE (`cloudops keys generate`) and restart")

    @answering
    async def credentials_form(self, caller: Caller, project: str | None = None) -> Reply:
        """May the caller open the secret form at all? Asked before the form opens, so no one types a secret in vain."""
        await self._may_set_credentials(caller, project)
        return info("Credentials", "Type them in the form.", ephemeral=True)

    @answering
    async def set_credentials(self, caller: Caller, kind: str, secret_text: str, project: str | None = None) -> Reply:
        """Store cloud credentials for the guild; the secret is never echoed, only a fingerprint."""
        await self._may_set_credentials(caller, project)
        try:
            fingerprint = await self.ctx.io(self.save_credentials, caller.guild_id, kind, secret_text, project)
        except (ValueError, CloudOpsError) as exc:  # the vault's messages never quote the secret
            raise Refused(RefusalKind.INVALID, f"The {kind} credentials were not accepted: {exc}") from None
        return success("Credentials stored", f"{kind} credentials for {project or 'every project'} are stored encrypted "
                       f"(fingerprint {fingerprint}).", ephemeral=True)

    @answering
    async def init(self, caller: Caller, repo: str, *, target: str | None = None, region: str | None = None,
                   admin_channel: str | None = None) -> Reply:
        """Connect this guild to ``repo``: see ``connect`` for who may, and the proof it takes."""
        return await ConnectService(self.ctx, self.scaffold).init(caller, repo, target=target, region=region,
                                                                  admin_channel=admin_channel)
