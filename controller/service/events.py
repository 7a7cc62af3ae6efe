"""Pipeline events to lobby updates: the one subscriber every front end shares.

The pipeline publishes ``PlanStarted`` … ``ApplyFinished`` on the bus; this
subscriber finds the lobby of the event's PR (through the registry), moves
its state on, saves it, and asks the front end's ``Presenter`` to edit the
lobby message, the apply-progress message (throttled) or to alert the admins
(the admin channel, or each admin directly when there is none: :mod:`.alerts`
decides). Front ends implement ``Presenter``; nothing here knows Discord.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from ..bus import EventBus
from ..errors import CloudOpsError
from ..pipeline import notices
from ..repo_config import RepoConfig
from ..store import utc_now
from . import alerts
from . import lobby as lobby_mod
from .alerts import AlertTarget
from .guilds import GuildLink, GuildRegistry, PrLink
from .lobby import Lobby, LobbyStatus, PlanInfo
from .replies import Colour, Field, Reply
from .throttle import EditThrottle

log = logging.getLogger(__name__)
MessageRef = dict[str, str]


class Presenter(Protocol):
    async def show(self, ref: MessageRef, reply: Reply) -> None:
        """Replace the lobby message's content with ``reply``."""
        ...

    async def progress(self, ref: MessageRef, reply: Reply, *, final: bool) -> None:
        """Post or edit the apply-progress message (a thread on the lobby message)."""
        ...

    async def alert(self, target: AlertTarget, reply: Reply) -> None:
        """Post to the admin channel of ``target``, or to each of its ``direct`` recipients (budget alerts,
        failed applies, drift, rollbacks)."""
        ...


class ConfigReader(Protocol):
    def config(self, repo: str) -> RepoConfig: ...


def bar(percent: int, width: int = 20) -> str:
    filled = max(0, min(width, round(percent * width / 100)))
    return "█" * filled + "░" * (width - filled)


def progress_reply(lobby: Lobby, event: notices.ApplyProgress | notices.ApplyStarted | notices.ApplyFinished) -> Reply:
    """The apply-progress message: bar, current action, k/n, elapsed; or the result."""
    title = f"Apply of {lobby.project} — PR #{lobby.pr_number}"
    if isinstance(event, notices.ApplyStarted):
        return Reply(title=title, description=f"{bar(0)} 0/{event.total}\nstarted by {event.actor}", colour=Colour.PROGRESS)
    if isinstance(event, notices.ApplyProgress):
        return Reply(title=title, colour=Colour.PROGRESS,
                     description=f"{bar(event.percent)} {event.percent}%\n{event.current}\n"
                                 f"{event.completed}/{event.total} · {event.elapsed_seconds:.0f}s elapsed")
    ok = event.succeeded
    fields = tuple(Field(k, str(v)[:1024], inline=True) for k, v in list(event.outputs.items())[:20])
    if event.failed_resources:
        fields += (Field("Failed", "\n".join(event.failed_resources)[:1024]),)
    status = "cancelled" if event.cancelled else ("succeeded" if ok else "failed")
    return Reply(title=f"{title}: {status}", description=f"{bar(100 if ok else 0)}\n{event.summary}",
                 colour=Colour.SUCCESS if ok else Colour.ERROR, fields=fields)


def live_after_close(event: notices.ClosedWithLiveResources) -> str:
    """What a PR closed unmerged after its apply left live, and the ways to end it (as the PR comment says)."""
    p, n = event.project, event.pr_number
    listed = ", ".join(event.resources[:10]) + (f" and {len(event.resources) - 10} more" if len(event.resources) > 10 else "")
    live = (f"Live but not on the default branch: {listed}." if event.resources
            else "Applied resources are live (the apply recorded no list; see the PR's apply comment).")
    if event.lock_kept:
        lock = (f"The lock of {p} is kept, so no other plan destroys them by surprise. Reopen PR #{n} and merge it, "
                f"or `/cloud-rollback project:{p} pr:{n}` to remove them, or an admin runs `/cloud-unlock "
                f"project:{p}` once they are dealt with.")
    else:
        lock = (f"The lock of {p} was released: the next plan of {p} shows them as destroys. Reopen PR #{n} and "
                "merge it to keep them.")
    return f"PR #{n} was applied, then closed without merging. {live} {lock}"


class LobbyEvents:
    """Subscribe with :meth:`attach`; each handler is safe to call for PRs not opened from chat."""

    def __init__(self, registry: GuildRegistry, presenter: Presenter, *, throttle: EditThrottle | None = None,
                 on_saved: Callable[[Lobby], None] | None = None, repos: ConfigReader | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.registry = registry
        self.presenter = presenter
        self.throttle = throttle or EditThrottle()
        self.on_saved = on_saved  # e.g. refresh the idle-expiring session copy
        self.repos = repos  # cloudops.yaml, to find the admins when a server has no admin channel
        self.clock = clock

    async def _alert(self, guild: GuildLink | None, project: str | None, reply: Reply) -> None:
        """To the admin channel, else to the project's admins directly; never raises into the pipeline."""
        if guild is None:
            return
        config = None
        if not guild.admin_channel and self.repos is not None:
            try:
                config = await asyncio.to_thread(self.repos.config, guild.repo)
            except CloudOpsError as exc:
                log.warning("reading cloudops.yaml of %s to find its admins: %s", guild.repo, exc)
        chosen = alerts.target(guild.guild_id, guild.admin_channel, config, project, self.clock())
        if chosen.channel is None and not chosen.direct:
            log.info("no admin channel and no admin to tell for guild %s: %s", guild.guild_id, reply.title)
        elif chosen.left_out:
            log.info("alert %r went to %d admins directly; %d more were left out", reply.title, len(chosen.direct),
                     chosen.left_out)
        await self.presenter.alert(chosen, reply)

    def attach(self, bus: EventBus) -> Callable[[], None]:
        offs = [bus.subscribe(notices.PipelineEvent, self.on_pipeline_event), bus.subscribe(notices.RollbackOpened, self.on_rollback),
                bus.subscribe(notices.PullRequestClosed, self.on_closed),
                bus.subscribe(notices.ClosedWithLiveResources, self.on_closed_with_live_resources),
                bus.subscribe(notices.BudgetAlert, self.on_budget_alert), bus.subscribe(notices.DriftFound, self.on_drift)]

        def detach() -> None:
            for off in offs:
                off()

        return detach

    def _link(self, repo: str, pr_number: int | None) -> PrLink | None:
        return self.registry.pr_link(repo, pr_number) if pr_number is not None else None

    async def on_pipeline_event(self, event: notices.PipelineEvent) -> None:
        link = self._link(event.repo, event.pr_number)
        if link is None:
            return
        lobby = Lobby.from_state(link.lobby)
        ref = link.message_ref
        if isinstance(event, notices.ApplyProgress):
            key = f"{link.session_id}:{event.run_id}"
            if ref is not None and self.throttle.allow(key):
                await self.presenter.progress(ref, progress_reply(lobby, event), final=False)
            return  # progress does not change the saved lobby: no write per event
        changed = self._apply(lobby, event)
        if not changed:
            return
        self.registry.save_pr_lobby(link.session_id, lobby.to_state())
        if self.on_saved is not None:
            self.on_saved(lobby)
        if ref is not None:
            await self.presenter.show(ref, lobby_mod.render(lobby, lobby_mod.Assessment()))
            if isinstance(event, (notices.ApplyStarted, notices.ApplyFinished)):
                final = isinstance(event, notices.ApplyFinished)
                if final:
                    self.throttle.allow(f"{link.session_id}:{event.run_id}", final=True)
                await self.presenter.progress(ref, progress_reply(lobby, event), final=final)
        if isinstance(event, notices.ApplyFinished) and not event.succeeded and not event.cancelled:
            await self._alert(self.registry.guild(link.guild_id), lobby.project,
                              Reply(title=f"Apply failed: {lobby.project} PR #{lobby.pr_number}",
                                    description=event.summary, colour=Colour.ERROR,
                                    fields=(Field("Requested by", lobby.member),)))

    async def on_closed(self, event: notices.PullRequestClosed) -> None:
        """Merged: the lobby says so (and what now exists); closed unmerged: the session ends, no stale lines.
        Either way, lobbies that waited for this PR's lock hear that it is free."""
        await self._unblock(event)
        link = self._link(event.repo, event.pr_number)
        if link is None:
            return
        lobby = Lobby.from_state(link.lobby)
        lobby.merged, lobby.merge_sha = event.merged, event.merge_sha or lobby.merge_sha
        if event.merged:
            if lobby.project in event.applying:
                lobby.progress = "merged; applying"
            elif lobby.status == LobbyStatus.APPLIED:
                lobby.progress = ""
        else:
            kept = lobby.project in event.kept
            lobby.status = LobbyStatus.CLOSED
            lobby.progress = lobby.progress if kept else ""  # kept: says what is live (on_closed_with_live_resources)
            lock = ("lock kept: its applied resources are live" if kept else
                    "lock released" if lobby.project in event.released else "no lock held")
            lobby.result = "closed without merging" + (f" by {event.actor}" if event.actor else "") + f"; {lock}"
        self.registry.save_pr_lobby(link.session_id, lobby.to_state())
        if self.on_saved is not None:
            self.on_saved(lobby)
        if link.message_ref is not None:
            await self.presenter.show(link.message_ref, lobby_mod.render(lobby, lobby_mod.Assessment()))

    async def on_closed_with_live_resources(self, event: notices.ClosedWithLiveResources) -> None:
        """Closed unmerged after an apply: the admin channel and the lobby hear what is live and what to do."""
        told = live_after_close(event)
        await self._alert(self.registry.guild_of_repo(event.repo), event.project, Reply(
            title=f"Closed with live resources: {event.project} PR #{event.pr_number}", description=told,
            colour=Colour.WARNING))
        link = self._link(event.repo, event.pr_number)
        if link is None:
            return
        lobby = Lobby.from_state(link.lobby)
        if lobby.project != event.project:
            return
        lobby.status, lobby.progress = LobbyStatus.CLOSED, told[:1000]
        self.registry.save_pr_lobby(link.session_id, lobby.to_state())
        if self.on_saved is not None:
            self.on_saved(lobby)
        if link.message_ref is not None:
            await self.presenter.show(link.message_ref, lobby_mod.render(lobby, lobby_mod.Assessment()))

    async def _unblock(self, event: notices.PullRequestClosed) -> None:
        """Lobbies whose plan waited for a lock this PR released: no stale "waiting" line, a way to plan again."""
        guild = self.registry.guild_of_repo(event.repo)
        if guild is None or not event.released:
            return
        how = "merged" if event.merged else "closed"
        for link in self.registry.pr_links(guild.guild_id):
            if link.repo != event.repo or link.lobby.get("waiting_on") != event.pr_number:
                continue
            lobby = Lobby.from_state(link.lobby)
            if lobby.project not in event.released or lobby.status in lobby_mod.FINISHED:
                continue
            lobby.waiting_on, lobby.replan = None, True
            lobby.progress = f"PR #{event.pr_number} was {how} and {lobby.project} is unlocked: press Plan again"
            self.registry.save_pr_lobby(link.session_id, lobby.to_state())
            if self.on_saved is not None:
                self.on_saved(lobby)
            if link.message_ref is not None:
                await self.presenter.show(link.message_ref, lobby_mod.render(lobby, lobby_mod.Assessment()))

    @staticmethod
    def _apply(lobby: Lobby, event: notices.PipelineEvent) -> bool:
        """Move the lobby on for one event; False when the event is about another project/commit."""
        if event.project != lobby.project:
            return False
        if isinstance(event, notices.PlanStarted):
            if event.head_sha != lobby.head_sha:
                lobby.head_sha = event.head_sha
            lobby.status, lobby.progress, lobby.result = LobbyStatus.PLANNING, "", ""
            lobby.waiting_on, lobby.replan = None, False
        elif isinstance(event, notices.PlanReady):
            lobby.head_sha = lobby.head_sha or event.head_sha
            lobby.plan = PlanInfo(event.run_id, event.head_sha, event.add, event.change, event.destroy,
                                  event.has_changes, event.policy_passed, event.cost_summary)
            lobby.status = LobbyStatus.PLAN_READY
        elif isinstance(event, notices.PlanFailed):
            lobby.status, lobby.result = LobbyStatus.PLAN_FAILED, event.message[:1000]
        elif isinstance(event, notices.LockContended):
            lobby.progress = f"waiting: project locked by PR #{event.holder_pr}" + (f" ({event.holder_user})" if event.holder_user else "")
            lobby.waiting_on, lobby.replan = event.holder_pr, False
        elif isinstance(event, notices.ApplyStarted):
            lobby.status, lobby.progress = LobbyStatus.APPLYING, f"applying (started by {event.actor})"
        elif isinstance(event, notices.ApplyFinished):
            if lobby.status == LobbyStatus.CLOSED:
                return False  # a late event of a PR closed meanwhile
            lobby.status = LobbyStatus.APPLIED if event.succeeded else LobbyStatus.APPLY_FAILED
            lobby.progress, lobby.result = "", ("cancelled: " if event.cancelled else "") + event.summary
        else:
            return False
        return True

    async def on_budget_alert(self, event: notices.BudgetAlert) -> None:
        """Budget thresholds go to the server's admin channel (once per crossing: the pipeline dedupes)."""
        verb = "would cross" if event.projected else "crossed"
        where = f" (PR #{event.pr_number})" if event.pr_number else ""
        await self._alert(self.registry.guild_of_repo(event.repo), event.project, Reply(
            title=f"Budget: {event.project} {verb} {event.threshold:.0%}{where}",
            description=f"${event.monthly_cost:,.2f} a month of a ${event.budget:,.2f} budget"
                        + (" if the pull request is applied" if event.projected else " after the apply"),
            colour=Colour.ERROR if event.threshold >= 1 else Colour.WARNING))

    async def on_drift(self, event: notices.DriftFound) -> None:
        listed = ", ".join(event.resources[:10]) + (" …" if len(event.resources) > 10 else "")
        await self._alert(self.registry.guild_of_repo(event.repo), event.project, Reply(
            title=f"Drift: {event.project} differs from {event.head_sha[:12]}", colour=Colour.WARNING,
            description=f"{event.summary}\n{listed}\nSomething was applied but not merged, or changed outside "
                        "terraform: open a PR to bring the code in line, or roll back."))

    async def on_rollback(self, event: notices.RollbackOpened) -> None:
        await self._alert(self.registry.guild_of_repo(event.repo), event.project, Reply(
            title=f"Rollback opened: {event.project}", colour=Colour.WARNING,
            description=f"PR #{event.pr_number} reverts " + (f"PR #{event.reverted_pr}" if event.reverted_pr else "a change")
                        + f": {event.url}"))
