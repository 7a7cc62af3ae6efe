"""``/cloud-init``: connect a chat server to an infra repo, only for someone who controls both.

Who may do it:

* re-running it on a connected server (to change target, region, admin channel, or to move to
  another repo) needs an admin of every project in the current repo's ``cloudops.yaml``;
* connecting a repo to a server (the first time, or a move) needs proof of control of that
  repo: its ``cloudops.yaml`` on the default branch names the caller's chat id as an admin of
  every project (only someone who can write the default branch can put it there), or — for an
  empty repo — a one-time code the bot hands out is committed to ``.cloudops-claim`` on the
  default branch within an hour.

So a viewer cannot redirect a server's alerts, and a server cannot claim a repo the bot's token
happens to see and lock its real owners out. One repo serves one server.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from .. import gitops
from .. import access
from ..catalog.offerings import offerings
from ..catalog.specs import Target
from ..errors import ConfigError, ForgeError
from ..forge.base import Author
from ..store.guilds import code_hash
from .context import Caller, ServiceContext
from .refusals import Refused
from .replies import RefusalKind, Reply, success

CLAIM_FILE = ".cloudops-claim"
CLAIM_TTL = dt.timedelta(hours=1)


class ConnectService:
    def __init__(self, ctx: ServiceContext, scaffold: Any = None) -> None:
        self.ctx = ctx
        self.scaffold = scaffold

    async def init(self, caller: Caller, repo: str, *, target: str | None = None, region: str | None = None,
                   admin_channel: str | None = None) -> Reply:
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise Refused(RefusalKind.INVALID, f"`repo` = {repo!r}: write it as owner/name")
        _check_target(target, region)
        other = self.ctx.registry.guild_of_repo(repo)
        if other is not None and other.guild_id != caller.guild_id:
            raise Refused(RefusalKind.NOT_ALLOWED, f"{repo} is already connected to another server; one repo serves one server.")
        current = self.ctx.registry.guild(caller.guild_id)
        if current is not None:
            actor = await self.ctx.actor(caller)
            doing = "changing this server's connection" if current.repo == repo else f"moving this server from {current.repo} to {repo}"
            self.ctx.require_global_admin(actor, doing)
        try:
            info = await self.ctx.io(self.ctx.forge.get_repo, repo)
        except ForgeError as exc:
            raise Refused(RefusalKind.NOT_FOUND, f"checking access to {repo}: {exc}", hint=exc.hint) from exc
        has_config = await self.ctx.io(self.ctx.repos.has_config, repo)
        if current is None or current.repo != repo:
            proof = await self._proof(caller, repo, has_config)
            if proof is not None:
                return proof
        self.ctx.registry.connect(caller.guild_id, repo, by=caller.user_id, at=self.ctx.clock(), target=target,
                                  region=region, admin_channel=admin_channel)
        self.ctx.registry.drop_claim(caller.guild_id, repo)
        notes = [f"This server now drives **{repo}** (default branch {info.default_branch})."]
        if not has_config:
            notes.append(await self._scaffold(caller, repo, info.default_branch))
        notes.append(await self._register_webhook(repo))
        return success("Connected", "\n".join(notes), ephemeral=True)

    async def _proof(self, caller: Caller, repo: str, has_config: bool) -> Reply | None:
        """None when the caller has shown control of ``repo``; else the reply that says how to."""
        if has_config:
            try:
                config = await self.ctx.io(self.ctx.repos.config, repo)
            except ConfigError as exc:
                raise Refused(RefusalKind.FAILED, f"reading cloudops.yaml of {repo}: {exc}", hint=exc.hint) from exc
            member = config.member_by(discord=caller.user_id)
            if not access.is_global_admin(member):
                raise Refused(RefusalKind.NOT_ALLOWED,
                              f"Connecting {repo} needs an admin of every project in its cloudops.yaml; your chat account "
                              f"({caller.user_id}) is " + (f"{member.name}, {member.role.value}" if member else "not listed") + ".",
                              hint=f"on the default branch, give your member entry `role: admin` and "
                                   f"`discord: \"{caller.user_id}\"`, then run `/cloud-init` again")
            return None
        claim = self.ctx.registry.claim(caller.guild_id, repo)
        now = self.ctx.clock()
        if claim is not None and claim.user_id == caller.user_id and claim.expires_at > now:
            await self.ctx.io(self.ctx.repos.invalidate, repo)  # the commit was just pushed: read it fresh
            committed = await self.ctx.io(self.ctx.repos.file_text, repo, CLAIM_FILE)
            if committed is not None and hmac.compare_digest(code_hash(committed), claim.code_hash):
                return None
        code = "cloudops-claim-" + secrets.token_hex(8)
        self.ctx.registry.put_claim(caller.guild_id, repo, caller.user_id, code, now + CLAIM_TTL)
        return Reply(title="Prove you control the repo", ephemeral=True,
                     description=f"{repo} has no cloudops.yaml yet, so nothing in it says who its admins are. "
                                 f"Commit a file `{CLAIM_FILE}` containing only\n`{code}`\nto its default branch, then run "
                                 f"`/cloud-init repo:{repo}` again within {int(CLAIM_TTL.total_seconds() // 60)} minutes. "
                                 "Nothing was connected.")

    async def _register_webhook(self, repo: str) -> str:
        target = self.ctx.webhook
        if target is None:
            return ("Webhook: register `<controller>/webhooks/github` on the repo (JSON; pull_request, "
                    "pull_request_review, issue_comment and push events) with the controller's webhook secret.")
        try:
            hook_id, created = await self.ctx.io(self.ctx.forge.ensure_webhook, repo, target.url, target.secret,
                                                 target.events)
        except ForgeError as exc:
            return f"Webhook: could not register it ({exc}); register `{target.url}` on the repo by hand."
        return f"Webhook {'registered' if created else 'updated'} (id {hook_id}): the controller hears this repo now."

    async def _scaffold(self, caller: Caller, repo: str, base: str) -> str:
        if self.scaffold is None:
            return f"{repo} has no cloudops.yaml and no template is available here; add one by hand."
        files = self.scaffold()
        branch = f"cloudops/init-{secrets.token_hex(3)}"

        def push() -> Any:
            change = gitops.ProposedChange(
                branch=branch, base=base, files=files, title="Scaffold cloudops.yaml and projects/",
                message=f"Scaffold the infra repo\n\nRequested in chat by {caller.user_id}.",
                author=Author(name="cloudops", email="cloudops@users.noreply.github.com"),
                body=f"Created by /cloud-init. Edit `members` (add your Discord ids; yours is `{caller.user_id}`), "
                     f"then merge. `{CLAIM_FILE}` may be deleted once this is merged.")
            with self.ctx.repo_lock(repo):
                return gitops.propose(self.ctx.forge, repo, change, self.ctx.workdir_for(repo)).pull

        pr = await self.ctx.io(push)
        return f"{repo} was empty: PR #{pr.number} scaffolds it ({pr.html_url}); add yourself under `members` and merge it."


def _check_target(target: str | None, region: str | None) -> None:
    if target is None:
        return
    try:
        Target(target)
    except ValueError:
        raise Refused(RefusalKind.INVALID, f"`target` = {target!r}: must be one of {', '.join(t.value for t in Target)}") from None
    if region is not None and region not in offerings(target).regions:
        raise Refused(RefusalKind.INVALID, f"`region` = {region!r}: not a {target} region")


__all__ = ["CLAIM_FILE", "ConnectService"]
