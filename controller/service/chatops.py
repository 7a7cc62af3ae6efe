"""``ChatOps``: the one object front ends hold, and ``run`` to call a command by name.

Front ends parse their own input (app command options, a typed console
line) into ``(command name, option values)`` and call :meth:`ChatOps.run`;
components (buttons, selects, modals) go to :meth:`ChatOps.click` and
:meth:`ChatOps.submit`. Every path answers with a ``Reply``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog.specs import Target
from ..repo_config import Role
from . import assess, bulk
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


class ChatOps:
    def __init__(self, ctx: ServiceContext, *, pricer: assess.Pricer | None = None, policy: assess.PolicyCheck | None = None,
                 save_credentials: CredentialSaver | None = None, scaffold: Scaffolder | None = None,
                 recovery: RecoveryCodes | None = None) -> None:
        self.ctx = ctx
        self.deploy = DeployService(ctx, pricer=pricer, policy=policy)
        self.queries = QueryService(ctx, pricer=pricer, recovery=recovery)
        self.admin = AdminService(ctx, save_credentials=save_credentials, scaffold=scaffold)

    async def run(self, caller: Caller, command: str, options: Mapping[str, Any], *, upload: Upload | None = None,
                  secret: str | None = None) -> Reply:
        """Run ``command`` (``cloud-…``) with typed option values."""
        o = dict(options)
        d, q, a = self.deploy, self.queries, self.admin
        table = {
            "cloud-deploy": lambda: d.open(caller, o["project"], (upload.filename, upload.content) if upload else None),
            "cloud-list": lambda: self._list(caller, o["project"], o.get("resource")),
            "cloud-projects": lambda: q.projects(caller),
            "cloud-quota": lambda: q.quota(caller, o["project"]),
            "cloud-status": lambda: q.status(caller, o.get("project")),
            "cloud-cancel": lambda: q.cancel(caller, int(o["pr"]), o.get("project")),
            "cloud-history": lambda: q.history(caller, o["project"]),
            "cloud-rollback": lambda: q.rollback(caller, o["project"], to_sha=o.get("to_sha"), pr=o.get("pr")),
            "cloud-cost": lambda: q.cost(caller, o["project"]),
            "cloud-recover-session": lambda: q.recover(caller, o.get("code")),
            "cloud-template": lambda: self.template(caller, o.get("format") or "yaml"),
            "cloud-create-project": lambda: a.create_project(caller, o["name"], o["target"], o["region"], o["reason"], o.get("budget")),
            "cloud-grant": lambda: a.grant(caller, o["member"], o["project"], o["role"], o["duration"], o["reason"]),
            "cloud-revoke": lambda: a.revoke(caller, o["member"], o["project"], o["reason"]),
            "cloud-set-quota": lambda: a.set_quota(caller, o["project"], o["kind"], _number(o["limit"], int), o["reason"]),
            "cloud-set-budget": lambda: a.set_budget(caller, o["project"], _number(o["usd"], float), o["reason"]),
            "cloud-admin-list": lambda: a.list_all(caller),
            "cloud-admin-cancel": lambda: a.cancel_any(caller, int(o["pr"]), o.get("project")),
            "cloud-unlock": lambda: a.unlock(caller, o["project"]),
            "cloud-stats": lambda: a.stats(caller),
            "cloud-credentials": lambda: a.set_credentials(caller, o["kind"], secret or "", o.get("project")),
            "cloud-init": lambda: a.init(caller, o["repo"], target=o.get("target"), region=o.get("region"),
                                         admin_channel=o.get("admin_channel")),
        }
        route = table.get(command)
        if route is None:
            return Refused(RefusalKind.INVALID, f"unknown command /{command}").reply()
        try:
            return await route()
        except KeyError as exc:
            return Refused(RefusalKind.INVALID, f"/{command} needs the option {exc.args[0]}").reply()
        except Refused as exc:
            return exc.reply()

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
