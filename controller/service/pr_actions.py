"""What is done to a session's open PR from chat: approve, merge, close, plan again.

Each asks the pipeline through the gateway, which decides with the same
gate as a PR comment would; the lobby is saved with what was asked and
re-rendered. Who may: an admin of the project approves and merges; the
requester or an admin closes; anyone who may deploy to the project asks
for a new plan (the pipeline's trust rules decide whether it runs).
"""

from __future__ import annotations

from ..errors import ForgeError
from ..repo_config import Role
from . import lobby as lobby_mod
from .context import Actor, Caller, ServiceContext
from .lobby import Lobby, LobbyStatus
from .refusals import Refused, answering
from .replies import RefusalKind, Reply


class PrActions:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def _lobby_as(self, caller: Caller, session_id: str, needed: Role, doing: str) -> tuple[Actor, Lobby]:
        """The caller, the session's lobby, and the check that they hold ``needed`` on its project."""
        actor = await self.ctx.actor(caller)
        lobby = self.ctx.load_lobby(caller, session_id)
        self.ctx.require(actor, lobby.project, needed, doing)
        return actor, lobby

    @answering
    async def approve(self, caller: Caller, session_id: str) -> Reply:
        actor, lobby = await self._lobby_as(caller, session_id, Role.ADMIN, "approving an apply")
        if lobby.pr_number is None or lobby.status not in (LobbyStatus.PLAN_READY, LobbyStatus.PLAN_FAILED, LobbyStatus.PLANNING):
            raise Refused(RefusalKind.INVALID, f"Session {session_id} has no plan to approve ({lobby.status.value}).")
        if lobby.plan is None or lobby.status != LobbyStatus.PLAN_READY:
            raise Refused(RefusalKind.STALE_PLAN, f"PR #{lobby.pr_number} has no finished plan yet; wait for it.")
        pr = await self.ctx.io(self.ctx.forge.get_pull_request, lobby.repo, lobby.pr_number)
        if pr.state != "open":
            raise Refused(RefusalKind.INVALID, f"PR #{pr.number} is {'merged' if pr.merged else 'closed'}.")
        if pr.head_sha != lobby.plan.head_sha:
            raise Refused(RefusalKind.STALE_PLAN, f"PR #{pr.number} changed after it was planned "
                          f"(planned {lobby.plan.head_sha[:8]}, now {pr.head_sha[:8]}); a new plan is on its way.")
        if not lobby.plan.policy_passed:
            raise Refused(RefusalKind.POLICY_DENIED, f"The plan of PR #{pr.number} did not pass policy; see the PR comment.")
        lock = await self.ctx.io(self.ctx.store.get_lock, lobby.repo, lobby.project)
        if lock is not None and lock.pr_number != lobby.pr_number:
            raise Refused(RefusalKind.LOCKED, f"Project {lobby.project} is locked by PR #{lock.pr_number}"
                          + (f" ({lock.user})" if lock.user else "") + ".",
                          hint="wait for it to finish, or an admin runs `/cloud-unlock`")
        decision = await self.ctx.gateway.request_apply(lobby.repo, lobby.pr_number, lobby.project, actor.github)
        if not decision.accepted:
            raise Refused(RefusalKind.APPLY_REFUSED, "\n".join(f"- {r}" for r in decision.refusals) or "the pipeline refused")
        lobby.progress = f"apply requested by {actor.member.name}"
        self.ctx.save_lobby(lobby)
        return lobby_mod.render(lobby, lobby_mod.Assessment())

    @answering
    async def merge(self, caller: Caller, session_id: str) -> Reply:
        """Merge the lobby's PR: after its apply (automerge off), or as the approval of an apply_on: merge project."""
        actor, lobby = await self._lobby_as(caller, session_id, Role.ADMIN, "merging a pull request")
        if lobby.pr_number is None or lobby.merged:
            raise Refused(RefusalKind.INVALID, f"Session {session_id} has no unmerged pull request ({lobby.status.value}).")
        before_apply = lobby.status != LobbyStatus.APPLIED
        if before_apply and (lobby.apply_on != "merge" or not lobby_mod.plan_ready(lobby)):
            raise Refused(RefusalKind.STALE_PLAN if lobby.apply_on == "merge" else RefusalKind.INVALID,
                          f"PR #{lobby.pr_number} is not ready to merge: "
                          + ("its plan is not ready, fresh and passing policy." if lobby.apply_on == "merge"
                             else "it applies on approval; approve it first, then merge."))
        pr = await self.ctx.io(self.ctx.forge.get_pull_request, lobby.repo, lobby.pr_number)
        if pr.state != "open":
            raise Refused(RefusalKind.INVALID, f"PR #{pr.number} is {'merged' if pr.merged else 'closed'}.")
        expected = lobby.plan.head_sha if lobby.plan is not None else pr.head_sha
        if pr.head_sha != expected:
            raise Refused(RefusalKind.STALE_PLAN, f"PR #{pr.number} changed after it was planned "
                          f"(planned {expected[:8]}, now {pr.head_sha[:8]}); wait for the new plan.")
        try:
            sha = await self.ctx.gateway.merge_pull_request(lobby.repo, lobby.pr_number, actor.github, head_sha=pr.head_sha)
        except ForgeError as exc:
            raise Refused(RefusalKind.FAILED, f"merging PR #{pr.number}: {exc}", hint=exc.hint) from exc
        lobby.merged, lobby.merge_sha = True, sha or None
        lobby.progress = "merged; applying" if before_apply else ""
        self.ctx.save_lobby(lobby)
        return lobby_mod.render(lobby, lobby_mod.Assessment())

    @answering
    async def close_pr(self, caller: Caller, session_id: str) -> Reply:
        actor = await self.ctx.actor(caller)
        lobby = self.ctx.load_lobby(caller, session_id)
        if lobby.user_id != caller.user_id:
            self.ctx.require(actor, lobby.project, Role.ADMIN, "closing someone else's pull request")
        if lobby.pr_number is None or lobby.status not in lobby_mod.PR_OPEN:
            raise Refused(RefusalKind.INVALID, f"Session {session_id} has no open pull request ({lobby.status.value}).")
        await self.ctx.gateway.close_pull_request(lobby.repo, lobby.pr_number, actor.github)
        partly_applied = lobby.status == LobbyStatus.APPLY_FAILED  # what applied before the failure is live
        lobby.status = LobbyStatus.CLOSED
        lobby.result = f"closed by {actor.member.name}; " + (
            "what the failed apply created stays live: the pull request says what, and whether the lock is kept"
            if partly_applied else "locks released")
        self.ctx.save_lobby(lobby)
        return lobby_mod.render(lobby, lobby_mod.Assessment())

    @answering
    async def plan_again(self, caller: Caller, session_id: str) -> Reply:
        """Plan the PR again: after the lock it waited for was released, or after a failed plan."""
        actor, lobby = await self._lobby_as(caller, session_id, Role.USER, "planning a pull request")
        if lobby.pr_number is None or lobby.merged or lobby.status not in (LobbyStatus.PLANNING, LobbyStatus.PLAN_FAILED):
            raise Refused(RefusalKind.INVALID, f"Session {session_id} has nothing to plan again ({lobby.status.value}).")
        lock = await self.ctx.io(self.ctx.store.get_lock, lobby.repo, lobby.project)
        if lock is not None and lock.pr_number != lobby.pr_number:
            raise Refused(RefusalKind.LOCKED, f"Project {lobby.project} is locked by PR #{lock.pr_number}"
                          + (f" ({lock.user})" if lock.user else "") + "; a plan now would wait again.",
                          hint="wait for that PR to be merged or closed, or an admin runs `/cloud-unlock`")
        planned = await self.ctx.gateway.plan(lobby.repo, lobby.pr_number, lobby.project, actor.github)
        if lobby.project not in planned:
            raise Refused(RefusalKind.FAILED, f"The pipeline did not queue a plan of {lobby.project} for PR "
                          f"#{lobby.pr_number}; the PR's comments say why.")
        lobby.replan, lobby.waiting_on = False, None
        lobby.status, lobby.progress = LobbyStatus.PLANNING, f"plan requested by {actor.member.name}"
        self.ctx.save_lobby(lobby)
        return lobby_mod.render(lobby, lobby_mod.Assessment())
