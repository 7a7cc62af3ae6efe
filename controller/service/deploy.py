"""The deploy session use cases: open, add, remove, open the PR, cancel (the PR's own: ``pr_actions``).

Each method takes the ``Caller`` and a session id, loads the lobby of the
caller's guild, checks the caller may act, changes the lobby and answers
with its rendering. Opening the PR renders the catalog's Terraform into
``projects/<p>/<kind>-<name>.tf`` on ``cloudops/<member>/<session>``,
authored as the requester, and links the PR to the session so pipeline
events find their message. Approving, merging, closing and planning again
(:mod:`.pr_actions`) ask the pipeline through the gateway.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .. import gitops
from ..catalog import hcl
from ..catalog import render as catalog_render
from ..catalog.reader import ProjectInventory
from ..catalog.specs import Kind, NetworkSpec, ResourceSpec, resource_filename
from ..repo_config import ProjectConfig, Role
from . import assess, bulk, forms, lobby as lobby_mod
from .context import Actor, Caller, ServiceContext
from .lobby import Draft, Lobby, LobbyStatus
from .pr_actions import PrActions
from .refusals import Refused, answering
from .replies import Button, ButtonStyle, RefusalKind, Reply, component_id, parse_component_id


class DeployService:
    def __init__(self, ctx: ServiceContext, *, pricer: assess.Pricer | None = None,
                 policy: assess.PolicyCheck | None = None) -> None:
        self.ctx = ctx
        self.pricer = pricer
        self.policy = policy
        self.pr = PrActions(ctx)  # what is done to the session's PR once it is open

    # --- helpers ------------------------------------------------------------
    async def _inventory(self, actor: Actor, project: str) -> ProjectInventory:
        return await self.ctx.io(self.ctx.repos.inventory, actor.repo, project)

    def _repo_networks(self, repo: str, inventory: ProjectInventory, project: str) -> dict[str, NetworkSpec]:
        """The networks already on the default branch, so a VM or cluster may use them (and only them or the session's)."""
        files = {}
        for res in inventory.resources:
            if res.kind == Kind.NETWORK and res.managed and res.file not in files:
                text = self.ctx.repos.file_text(repo, f"projects/{project}/{res.file}")
                if text is not None:
                    files[res.file] = text
        return {s.name: s for s in catalog_render.read_specs(files) if isinstance(s, NetworkSpec)} if files else {}

    async def _networks(self, actor: Actor, lobby: Lobby, inventory: ProjectInventory) -> dict[str, NetworkSpec]:
        return await self.ctx.io(self._repo_networks, actor.repo, inventory, lobby.project)

    def _specs(self, lobby: Lobby, base: dict[str, NetworkSpec]) -> list[ResourceSpec]:
        """Every draft as a spec, references checked against ``base`` (the repo's networks) and the session's."""
        networks = dict(base)
        specs: list[ResourceSpec] = []
        problems: list[str] = []
        for draft in sorted(lobby.resources, key=lambda d: d.kind != Kind.NETWORK):
            spec, found = forms.build_spec(draft.kind, forms.from_json(draft.kind, draft.values), project=lobby.project,
                                           target=lobby.target, region=lobby.region, requested_by=lobby.member,
                                           networks=networks)
            if spec is None:
                problems.append(f"{draft.key}:\n" + _lines(found, "  "))
                continue
            if isinstance(spec, NetworkSpec):
                networks[spec.name] = spec
            specs.append(spec)
        if problems:
            raise Refused(RefusalKind.INVALID, "Fix these before opening a pull request (remove or re-add them):\n"
                          + "\n".join(problems), title="Invalid resources")
        return specs

    async def _render(self, actor: Actor, lobby: Lobby) -> Reply:
        project = actor.config.projects.get(lobby.project)
        if project is None or lobby.status != LobbyStatus.DRAFT:
            return lobby_mod.render(lobby, lobby_mod.Assessment())
        inventory = await self._inventory(actor, lobby.project)
        try:
            specs = self._specs(lobby, await self._networks(actor, lobby, inventory))
        except Refused as refused:  # still show the lobby, so the person can remove what is wrong
            return lobby_mod.render(lobby, lobby_mod.Assessment(problems=(refused.message,)))
        found = assess.assess(lobby, specs, project, actor.config, inventory,
                              pricer=self.pricer, policy=self.policy, actor=actor.github)
        return lobby_mod.render(lobby, found)

    async def _own_lobby(self, caller: Caller, session_id: str) -> tuple[Actor, Lobby]:
        actor = await self.ctx.actor(caller)
        lobby = self.ctx.load_lobby(caller, session_id)
        if lobby.user_id != caller.user_id:
            raise Refused(RefusalKind.NOT_ALLOWED, f"Session {session_id} belongs to {lobby.member}; only they can change it.",
                          hint="start your own with `/cloud-deploy`")
        if lobby.status != LobbyStatus.DRAFT:
            raise Refused(RefusalKind.INVALID, f"Session {session_id} already has PR #{lobby.pr_number}; it cannot change now.",
                          hint="push to the PR's branch, or close it and start again")
        self.ctx.require(actor, lobby.project, Role.USER, "deploying")
        return actor, lobby

    # --- use cases ------------------------------------------------------------
    @answering
    async def open(self, caller: Caller, project: str, attachment: tuple[str, bytes] | None = None) -> Reply:
        actor = await self.ctx.actor(caller)
        config = self.ctx.require(actor, project, Role.USER, "deploying")
        lobby = Lobby(id=secrets.token_hex(4), guild_id=caller.guild_id, user_id=caller.user_id, member=actor.member.name,
                      repo=actor.repo, project=config.name, target=config.target, region=config.region)
        if attachment is not None:
            inventory = await self._inventory(actor, config.name)
            base = await self._networks(actor, lobby, inventory)
            lobby.resources = self._bulk(lobby, config, inventory, *attachment, base)
        others = list(self.ctx.registry.sessions_of(caller.guild_id, caller.user_id))
        self.ctx.save_lobby(lobby)
        reply = await self._render(actor, lobby)
        drafts = [u for u in others if self.ctx.store.get_session(u.session_id) is not None
                  and self.ctx.registry.pr_link_by_session(u.session_id) is None]
        if drafts:  # an earlier draft is kept, not orphaned: say where it is
            reply = replace(reply, description=reply.description + f"\nYou have {len(drafts)} other draft(s): "
                            "`/cloud-recover-session` lists them.")
        return reply

    def _bulk(self, lobby: Lobby, config: ProjectConfig, inventory: ProjectInventory, filename: str,
              content: bytes, base: dict[str, NetworkSpec]) -> list[Draft]:
        rows, problems = bulk.parse_rows(filename, content)
        drafts: list[Draft] = []
        networks: dict[str, NetworkSpec] = dict(base)
        for row in sorted(rows, key=lambda r: r.kind != Kind.NETWORK):
            values, spec, found = forms.check(row.kind, row.values, project=config.name, target=config.target,
                                              region=config.region, requested_by=lobby.member, networks=networks)
            if found:
                problems.append(f"row {row.number} ({row.kind.value} {row.values.get('name', '?')}):\n" + _lines(found, "  "))
                continue
            assert spec is not None
            clash = _clash(spec, drafts, inventory)
            if clash:
                problems.append(f"row {row.number}: {clash}")
                continue
            if isinstance(spec, NetworkSpec):
                networks[spec.name] = spec
            drafts.append(Draft(row.kind, forms.to_json(values)))
        over = assess.quota_problems(config, assess.usage(inventory), [d.kind for d in drafts])
        if over and not problems:
            raise Refused(RefusalKind.QUOTA_EXCEEDED, f"{filename} asks for more than project {config.name} allows:\n"
                          + "\n".join(over), hint="ask an admin to raise the quota with `/cloud-set-quota`")
        if problems:
            raise Refused(RefusalKind.INVALID, f"{filename}: nothing was added; fix these rows and attach it again:\n"
                          + "\n".join(problems), title="Invalid rows")
        return sorted(drafts, key=lambda d: rows_order(d, rows))

    @answering
    async def show(self, caller: Caller, session_id: str) -> Reply:
        actor = await self.ctx.actor(caller)
        lobby = self.ctx.load_lobby(caller, session_id)
        if lobby.status == LobbyStatus.DRAFT:
            self.ctx.store.touch_session(session_id)
        return await self._render(actor, lobby)

    @answering
    async def start_add(self, caller: Caller, session_id: str) -> Reply:
        await self._own_lobby(caller, session_id)
        return Reply(title="Add a resource", description="Choose the kind; a form opens.", ephemeral=True,
                     selects=(lobby_mod.kind_select(session_id),))

    @answering
    async def add(self, caller: Caller, session_id: str, kind: str, raw: Mapping[str, Any]) -> Reply:
        actor, lobby = await self._own_lobby(caller, session_id)
        chosen = Kind(kind)
        inventory = await self._inventory(actor, lobby.project)
        base = await self._networks(actor, lobby, inventory)
        nets = {**base, **{s.name: s for s in self._specs(lobby, base) if isinstance(s, NetworkSpec)}}
        # Every problem in one pass: conversions, catalog rules, references and the name's clash.
        values, spec, found = forms.check(chosen, raw, project=lobby.project, target=lobby.target, region=lobby.region,
                                          requested_by=lobby.member, networks=nets)
        name = values.get("name")
        if isinstance(name, str) and not any(f == "name" for f, _, _ in found):
            clash = _name_clash(chosen, lobby.project, name, lobby.resources, inventory)
            if clash:
                found.insert(0, ("name", name, clash))
        if found:
            lobby.last_attempt[chosen.value] = {k: v for k, v in raw.items() if isinstance(v, str)}
            self.ctx.save_lobby(lobby)
            retry = Button(component_id("retry", session_id, chosen.value), "Fix and try again", ButtonStyle.PRIMARY)
            return replace(Refused(RefusalKind.INVALID, f"The {chosen.value} was not added:\n" + _lines(found),
                                   title=f"Invalid {chosen.value}").reply(), buttons=(retry,))
        assert spec is not None
        project = self.ctx.project(actor, lobby.project)
        over = assess.quota_problems(project, assess.usage(inventory), [d.kind for d in lobby.resources] + [chosen])
        if over:
            raise Refused(RefusalKind.QUOTA_EXCEEDED, f"Adding {spec.kind.value} {spec.name} would exceed the quota of "
                          f"project {project.name}:\n" + "\n".join(over),
                          hint="remove something, or ask an admin to raise it with `/cloud-set-quota`")
        lobby.resources.append(Draft(chosen, forms.to_json(values)))
        lobby.last_attempt.pop(chosen.value, None)
        self.ctx.save_lobby(lobby)
        return await self._render(actor, lobby)

    @answering
    async def start_remove(self, caller: Caller, session_id: str, page: int = 0) -> Reply:
        _, lobby = await self._own_lobby(caller, session_id)
        if not lobby.resources:
            raise Refused(RefusalKind.INVALID, "The session has no resources to remove.")
        per_page = lobby_mod.SELECT_OPTIONS * lobby_mod.REMOVE_SELECTS
        total = lobby_mod.pages(len(lobby.resources), per_page)
        page = max(0, min(page, total - 1))
        nav = tuple(Button(component_id("remove", session_id, str(p)), label, ButtonStyle.SECONDARY)
                    for p, label in ((page - 1, "Previous"), (page + 1, "Next")) if 0 <= p < total)
        return Reply(title="Remove a resource" + (f" — page {page + 1}/{total}" if total > 1 else ""), ephemeral=True,
                     selects=lobby_mod.remove_selects(lobby, page), buttons=nav)

    @answering
    async def resources(self, caller: Caller, session_id: str, page: int) -> Reply:
        actor = await self.ctx.actor(caller)
        lobby = self.ctx.load_lobby(caller, session_id)
        self.ctx.require(actor, lobby.project, Role.VIEWER, "reading a session")
        return lobby_mod.resources_page(lobby, lobby_mod.Assessment(), page)

    @answering
    async def quick_form(self, caller: Caller, session_id: str, kind: str, *, retry: bool = False) -> Reply:
        """The resource form without any forge or git I/O (Discord wants a modal within three seconds).

        Only the session store is read; the role and the values are checked when the form comes back."""
        lobby = self.ctx.load_lobby(caller, session_id)
        if lobby.user_id != caller.user_id:
            raise Refused(RefusalKind.NOT_ALLOWED, f"Session {session_id} belongs to {lobby.member}; only they can change it.",
                          hint="start your own with `/cloud-deploy`")
        if lobby.status != LobbyStatus.DRAFT:
            raise Refused(RefusalKind.INVALID, f"Session {session_id} already has PR #{lobby.pr_number}; it cannot change now.")
        try:
            chosen = Kind(kind)
        except ValueError:
            raise Refused(RefusalKind.INVALID, f"{kind!r} is not a kind (choose one of {', '.join(k.value for k in Kind)}).") from None
        defaults = lobby.last_attempt.get(chosen.value) if retry else None
        form = forms.form_for(chosen, lobby.target, session_id, defaults)
        return Reply(title=form.title, form=form, ephemeral=True)

    @answering
    async def remove(self, caller: Caller, session_id: str, key: str) -> Reply:
        actor, lobby = await self._own_lobby(caller, session_id)
        draft = lobby.draft(key)
        if draft is None:
            raise Refused(RefusalKind.NOT_FOUND, f"Session {session_id} has no resource {key!r} "
                          f"(it has: {', '.join(d.key for d in lobby.resources) or 'none'}).")
        lobby.resources.remove(draft)
        self.ctx.save_lobby(lobby)
        return await self._render(actor, lobby)

    @answering
    async def cancel(self, caller: Caller, session_id: str) -> Reply:
        actor, lobby = await self._own_lobby(caller, session_id)
        lobby.status = LobbyStatus.CANCELLED
        self.ctx.store.delete_session(session_id)
        self.ctx.registry.forget_session(lobby.guild_id, lobby.user_id, session_id)
        return lobby_mod.render(lobby, lobby_mod.Assessment())

    @answering
    async def open_pr(self, caller: Caller, session_id: str) -> Reply:
        actor, lobby = await self._own_lobby(caller, session_id)
        if not lobby.resources:
            raise Refused(RefusalKind.INVALID, "Add at least one resource before opening a pull request.")
        project = self.ctx.project(actor, lobby.project)
        inventory = await self._inventory(actor, lobby.project)
        specs = self._specs(lobby, await self._networks(actor, lobby, inventory))
        found = assess.assess(lobby, specs, project, actor.config, inventory, pricer=self.pricer, policy=self.policy,
                              actor=actor.github)
        if found.quota_problems:
            raise Refused(RefusalKind.QUOTA_EXCEEDED, "\n".join(found.quota_problems),
                          hint="remove something, or ask an admin to raise it with `/cloud-set-quota`")
        if found.policy_passed is False:
            raise Refused(RefusalKind.POLICY_DENIED, "\n".join(found.policy_lines) or "the pre-flight policy check failed")
        files = await self.ctx.io(self._files, actor, lobby, specs, inventory)
        lobby.branch = f"cloudops/{lobby.member}/{lobby.id}"
        pr, sha = await self.ctx.io(self._push, actor, lobby, files)
        lobby.status = LobbyStatus.PLANNING
        lobby.pr_number, lobby.pr_url, lobby.head_sha = pr.number, pr.html_url, sha
        lobby.assessment = found.to_state()
        lobby.rendered = sum(len(list(hcl.resources(hcl.loads(text)))) for text in files.values())
        lobby.apply_on, lobby.automerge = project.apply_on.value, project.automerge
        self.ctx.registry.link_pr(lobby.repo, pr.number, lobby.guild_id, lobby.id, lobby.to_state())
        self.ctx.save_lobby(lobby)
        return lobby_mod.render(lobby, found)

    def _files(self, actor: Actor, lobby: Lobby, specs: Sequence[ResourceSpec], inventory: ProjectInventory) -> dict[str, str]:
        base = f"projects/{lobby.project}"
        files = {f"{base}/{name}": text for name, text in (catalog_render.render_resource(s) for s in specs)}
        for name, text in catalog_render.project_files(lobby.project, lobby.target, lobby.region).items():
            if self.ctx.repos.file_text(actor.repo, f"{base}/{name}") is None:
                files[f"{base}/{name}"] = text
        for path in files:
            if path.rsplit("/", 1)[1] in {r.file for r in inventory.resources}:
                raise Refused(RefusalKind.INVALID, f"{path} already exists on the default branch; choose another name.")
        return files

    def _push(self, actor: Actor, lobby: Lobby, files: dict[str, str]) -> tuple[Any, str]:
        forge, repo, branch = self.ctx.forge, actor.repo, lobby.branch
        assert branch is not None
        base = self.ctx.repos.default_branch(repo)
        listing = "\n".join(f"- {d.kind.value} `{d.name}`: {lobby_mod.describe(d)}" for d in lobby.resources)
        message = f"{lobby.project}: add {', '.join(d.key for d in lobby.resources)}\n\nRequested in chat by {lobby.member} (session {lobby.id})."
        body = (f"Requested in chat by **{lobby.member}** for project `{lobby.project}` "
                f"({lobby.target.value}/{lobby.region}).\n\n{listing}\n\n<!-- cloudops-session: {lobby.id} -->\n"
                # Read by the apply gate: the member is this PR's author for self-approval.
                f"<!-- cloudops-requested-by: {lobby.member} -->")
        change = gitops.ProposedChange(
            branch=branch, base=base, files=files, message=message, author=actor.author, body=body,
            title=f"[{lobby.project}] {message.splitlines()[0].split(': ', 1)[1]}")
        with self.ctx.repo_lock(repo):
            # Resumable: a retry after a failure finds its open PR, or its branch, and goes on from there.
            proposal = gitops.propose(forge, repo, change, self.ctx.workdir_for(repo), resumable=True)
        return proposal.pull, proposal.sha

    def attach_message(self, session_id: str, ref: dict[str, str]) -> None:
        """The front end says where the lobby is shown, so events can edit it."""
        self.ctx.registry.set_message_ref(session_id, ref)

    async def click(self, caller: Caller, custom_id: str, values: Sequence[str] = ()) -> Reply:
        """Route a button or select id (``cloudops:<action>:<session>[:<extra>]``)."""
        parsed = parse_component_id(custom_id)
        if parsed is None:
            return Refused(RefusalKind.INVALID, f"{custom_id!r} is not a cloudops control.").reply()
        action, sid, extra = parsed
        routes = {
            "add": lambda: self.start_add(caller, sid),
            "remove": lambda: self.start_remove(caller, sid, _page(extra)),
            "remove-pick": lambda: self.remove(caller, sid, values[0] if values else ""),
            "resources": lambda: self.resources(caller, sid, _page(extra)),
            "kind": lambda: self.quick_form(caller, sid, values[0] if values else ""),
            "retry": lambda: self.quick_form(caller, sid, extra, retry=True),
            "open-pr": lambda: self.open_pr(caller, sid),
            "approve": lambda: self.pr.approve(caller, sid),
            "close-pr": lambda: self.pr.close_pr(caller, sid),
            "merge": lambda: self.pr.merge(caller, sid),
            "plan": lambda: self.pr.plan_again(caller, sid),
            "cancel": lambda: self.cancel(caller, sid),
            "show": lambda: self.show(caller, sid),
        }
        route = routes.get(action)
        if route is None:
            return Refused(RefusalKind.INVALID, f"unknown action {action!r}").reply()
        return await route()


def _page(extra: str) -> int:
    return int(extra) if extra.isdigit() and len(extra) < 6 else 0


def rows_order(draft: Draft, rows: Sequence[bulk.Row]) -> int:
    """Keep the file's order (networks were validated first only for references)."""
    for row in rows:
        if row.kind == draft.kind and str(row.values.get("name")) == draft.name:
            return row.number
    return 0


def _clash(spec: ResourceSpec, drafts: Sequence[Draft], inventory: ProjectInventory) -> str | None:
    return _name_clash(spec.kind, spec.project, spec.name, drafts, inventory)


def _name_clash(kind: Kind, project: str, name: str, drafts: Sequence[Draft], inventory: ProjectInventory) -> str | None:
    if any(d.key == f"{kind.value}-{name}" for d in drafts):
        return f"the session already has a {kind.value} named {name!r}"
    filename = resource_filename(kind, name)
    if filename in {r.file for r in inventory.resources}:
        return f"project {project} already has {filename} on the default branch; choose another name"
    return None


def _lines(found: Sequence[tuple[str, object, str]], indent: str = "") -> str:
    return "\n".join(f"{indent}`{field}` = {value!r}: {rule}" for field, value, rule in found)


__all__ = ["DeployService"]
