"""``ChatOps``: the one object front ends hold, and ``run`` to call a command by name.

Front ends parse their own input (app command options, a typed console
line) into ``(command name, option values)`` and call :meth:`ChatOps.run`;
components (buttons, selects, modals) go to :meth:`ChatOps.click` and
:meth:`ChatOps.submit`. Every path answers with a ``Reply``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog.offerings import offerings
from ..catalog.specs import Target
from ..repo_config import Role
from . import assess, bulk
from .commands import Command
from .admin import AdminService, CredentialSaver, Scaffolder
from .context import Caller, ServiceContext
from .deploy import DeployService
from .queries import QueryService, RecoveryCodes
from .refusals import Refused, answering
from .replies import Attachment, RefusalKind, Reply, info, parse_component_id


def _number(value: Any, kind: type) -> Any:
    """An option typed as text (the console) becomes a number, or a clear refusal."""
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise Refused(RefusalKind.INVALID, f"{value!r} is not a {'whole number' if kind is int else 'number'}") from None


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class _Call:
    """One command as a front end asked for it."""

    caller: Caller
    o: dict[str, Any]  # option values by name
    upload: Upload | None
    secret: str | None


class ChatOps:
    def __init__(self, ctx: ServiceContext, *, pricer: assess.Pricer | None = None, policy: assess.PolicyCheck | None = None,
                 save_credentials: CredentialSaver | None = None, scaffold: Scaffolder | None = None,
                 recovery: RecoveryCodes | None = None) -> None:
        self.ctx = ctx
        self.deploy = DeployService(ctx, pricer=pricer, policy=policy)
        self.queries = QueryService(ctx, pricer=pricer, recovery=recovery)
        self.admin = AdminService(ctx, save_credentials=save_credentials, scaffold=scaffold)
        self._handlers = self._handlers_by_command()

    async def run(self, caller: Caller, command: str, options: Mapping[str, Any], *, upload: Upload | None = None,
                  secret: str | None = None) -> Reply:
        """Run ``command`` (``cloud-…``) with typed option values."""
        try:
            name = Command(command)
        except ValueError:
            return Refused(RefusalKind.INVALID, f"unknown command /{command}").reply()
        try:
            return await self._handlers[name](_Call(caller, dict(options), upload, secret))
        except KeyError as exc:
            return Refused(RefusalKind.INVALID, f"/{command} needs the option {exc.args[0]}").reply()
        except Refused as exc:
            return exc.reply()

    def _handlers_by_command(self) -> dict[Command, Callable[[_Call], Awaitable[Reply]]]:
        return {
            Command.DEPLOY: self._deploy, Command.LIST: self._list_command, Command.PROJECTS: self._projects,
            Command.QUOTA: self._quota, Command.STATUS: self._status, Command.CANCEL: self._cancel,
            Command.HISTORY: self._history, Command.ROLLBACK: self._rollback, Command.COST: self._cost,
            Command.RECOVER_SESSION: self._recover, Command.TEMPLATE: self._template,
            Command.CREATE_PROJECT: self._create_project, Command.GRANT: self._grant, Command.REVOKE: self._revoke,
            Command.SET_QUOTA: self._set_quota, Command.SET_BUDGET: self._set_budget,
            Command.SET_BUDGET_ALERT: self._set_budget_alert, Command.ADMIN_LIST: self._admin_list,
            Command.ADMIN_CANCEL: self._admin_cancel, Command.UNLOCK: self._unlock, Command.STATS: self._stats,
            Command.CREDENTIALS: self._credentials, Command.INIT: self._init,
        }

    # --- one handler per command: options → the use case ------------------------
    async def _deploy(self, c: _Call) -> Reply:
        upload = (c.upload.filename, c.upload.content) if c.upload else None
        return await self.deploy.open(c.caller, c.o["project"], upload)

    async def _list_command(self, c: _Call) -> Reply:
        return await self._list(c.caller, c.o["project"], c.o.get("resource"))

    async def _projects(self, c: _Call) -> Reply:
        return await self.queries.projects(c.caller)

    async def _quota(self, c: _Call) -> Reply:
        return await self.queries.quota(c.caller, c.o["project"])

    async def _status(self, c: _Call) -> Reply:
        return await self.queries.status(c.caller, c.o.get("project"))

    async def _cancel(self, c: _Call) -> Reply:
        return await self.queries.cancel(c.caller, _number(c.o["pr"], int), c.o.get("project"))

    async def _history(self, c: _Call) -> Reply:
        return await self.queries.history(c.caller, c.o["project"])

    async def _rollback(self, c: _Call) -> Reply:
        return await self.queries.rollback(c.caller, c.o["project"], to_sha=c.o.get("to_sha"), pr=c.o.get("pr"))

    async def _cost(self, c: _Call) -> Reply:
        return await self.queries.cost(c.caller, c.o["project"])

    async def _recover(self, c: _Call) -> Reply:
        return await self.queries.recover(c.caller, c.o.get("code"))

    async def _template(self, c: _Call) -> Reply:
        return await self.template(c.caller, c.o.get("format") or "yaml")

    async def _create_project(self, c: _Call) -> Reply:
        o = c.o
        return await self.admin.create_project(c.caller, o["name"], o["target"], o["region"], o["reason"], o.get("budget"))

    async def _grant(self, c: _Call) -> Reply:
        o = c.o
        return await self.admin.grant(c.caller, o["member"], o["project"], o["role"], o["duration"], o["reason"])

    async def _revoke(self, c: _Call) -> Reply:
        return await self.admin.revoke(c.caller, c.o["member"], c.o["project"], c.o["reason"])

    async def _set_quota(self, c: _Call) -> Reply:
        o = c.o
        return await self.admin.set_quota(c.caller, o["project"], o["kind"], _number(o["limit"], int), o["reason"])

    async def _set_budget(self, c: _Call) -> Reply:
        return await self.admin.set_budget(c.caller, c.o["project"], _number(c.o["usd"], float), c.o["reason"])

    async def _set_budget_alert(self, c: _Call) -> Reply:
        return await self.admin.set_budget_alert(c.caller, c.o["project"], str(c.o["percents"]), c.o["reason"])

    async def _admin_list(self, c: _Call) -> Reply:
        return await self.admin.list_all(c.caller)

    async def _admin_cancel(self, c: _Call) -> Reply:
        return await self.admin.cancel_any(c.caller, _number(c.o["pr"], int), c.o.get("project"))

    async def _unlock(self, c: _Call) -> Reply:
        return await self.admin.unlock(c.caller, c.o["project"])

    async def _stats(self, c: _Call) -> Reply:
        return await self.admin.stats(c.caller)

    async def _credentials(self, c: _Call) -> Reply:
        return await self.admin.set_credentials(c.caller, c.o["kind"], c.secret or "", c.o.get("project"))

    async def _init(self, c: _Call) -> Reply:
        o = c.o
        return await self.admin.init(c.caller, o["repo"], target=o.get("target"), region=o.get("region"),
                                     admin_channel=o.get("admin_channel"))

    async def click(self, caller: Caller, custom_id: str, values: Sequence[str] = ()) -> Reply:
        parsed = parse_component_id(custom_id)
        if parsed is not None and parsed[0] == "recover-pick":
            return await self.queries.recover(caller, session_id=values[0] if values else "")
        return await self.deploy.click(caller, custom_id, values)

    async def submit(self, caller: Caller, form_id: str, values: Mapping[str, str]) -> Reply:
        """A modal was submitted: ``cloudops:form:<session>:<kind>`` adds a resource."""
        parsed = parse_component_id(form_id)
        if parsed is None or parsed[0] != "form":
            return Refused(RefusalKind.INVALID, f"{form_id!r} is not a cloudops form").reply()
        _, sid, kind = parsed
        return await self.deploy.add(caller, sid, kind, values)

    @answering
    async def _list(self, caller: Caller, project: str, resource: str | None) -> Reply:
        reply = await self.queries.list(caller, project)
        if not resource or reply.refused:
            return reply
        lines = [line for line in reply.description.splitlines() if resource in line]
        return info(reply.title + f" · {resource}", "\n".join(lines) or f"No resource matching {resource!r}.")

    @answering
    async def template(self, caller: Caller, fmt: str) -> Reply:
        link = self.ctx.registry.guild(caller.guild_id)
        target = Target(link.target) if link and link.target else Target.LOCAL
        if fmt == "csv":
            text, name = bulk.template_csv(target), "cloudops-resources.csv"
        elif fmt == "yaml":
            text, name = bulk.template_yaml(target), "cloudops-resources.yaml"
        else:
            raise Refused(RefusalKind.INVALID, f"`format` = {fmt!r}: must be yaml or csv")
        return Reply(title="Bulk request template", ephemeral=True,
                     description=f"Fill in {name} and attach it to `/cloud-deploy project:<name> file:<it>`. "
                                 f"Values shown are {target.value} examples.",
                     attachments=(Attachment(name, text.encode()),))

    # --- autocomplete ---------------------------------------------------------
    async def complete_projects(self, caller: Caller, current: str) -> list[str]:
        """Projects the caller has a role on, filtered by what is typed; never raises."""
        try:
            actor = await self.ctx.actor(caller)
        except Refused:
            return []
        now = self.ctx.clock()
        names = [n for n in sorted(actor.config.projects) if actor.role(n, now) is not None]
        return [n for n in names if current.lower() in n.lower()][:25]

    async def complete_regions(self, caller: Caller, target: str | None, current: str) -> list[str]:
        """Regions of ``target`` (as typed in the same command), else of the server's default target; never raises."""
        link = self.ctx.registry.guild(caller.guild_id)
        chosen = target or (link.target if link else None) or Target.LOCAL.value
        try:
            regions = offerings(Target(chosen)).regions
        except ValueError:
            return []
        typed = current.strip().lower()
        return [r for r in regions if typed in r.lower()][:25]

    async def complete_resources(self, caller: Caller, project: str | None, current: str) -> list[str]:
        try:
            actor = await self.ctx.actor(caller)
            if not project or actor.role(project, self.ctx.clock()) is None or project not in actor.config.projects:
                return []
            inventory = await self.ctx.io(self.ctx.repos.inventory, actor.repo, project)
        except Refused:
            return []
        names = [r.address for r in inventory.resources]
        return [n for n in names if current.lower() in n.lower()][:25]

    async def is_admin(self, caller: Caller, project: str | None = None) -> bool:
        try:
            actor = await self.ctx.actor(caller)
        except Refused:
            return False
        if project is None:
            return actor.is_global_admin()
        return actor.holds(project, Role.ADMIN, self.ctx.clock())
