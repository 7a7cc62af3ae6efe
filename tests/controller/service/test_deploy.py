"""The deploy session: open, add, remove, open the PR, and every refusal on the way."""

from __future__ import annotations

from pathlib import Path

from controller.service.chatops import ChatOps, Upload
from controller.service.context import Caller, ServiceContext
from controller.service.lobby import LobbyStatus
from controller.service.replies import RefusalKind, Reply
from controller.store import SqliteStore

from .doubles import RecordingForge

VM = {"name": "api", "size": "small", "disk_gb": "30"}


def session_of(reply: Reply) -> str:
    assert reply.session
    return reply.session


async def opened(chatops: ChatOps, caller: Caller, project: str = "web") -> str:
    reply = await chatops.run(caller, "cloud-deploy", {"project": project})
    assert reply.refused is None, reply.description
    return session_of(reply)


async def test_a_user_opens_an_empty_lobby_with_add_enabled_and_open_pr_disabled(chatops: ChatOps, user: Caller) -> None:
    reply = await chatops.run(user, "cloud-deploy", {"project": "web"})
    assert reply.title == "Deploy to web"
    assert not reply.button("add").disabled
    assert reply.button("remove").disabled and reply.button("open-pr").disabled
    assert "policy not checked" in " ".join(f.value for f in reply.fields)


async def test_a_server_without_a_repo_is_told_to_run_cloud_init(chatops: ChatOps) -> None:
    reply = await chatops.run(Caller("other-guild", "111"), "cloud-deploy", {"project": "web"})
    assert reply.refused == RefusalKind.NOT_CONNECTED and "/cloud-init" in reply.description


async def test_a_person_missing_from_cloudops_yaml_is_not_allowed(chatops: ChatOps, stranger: Caller) -> None:
    reply = await chatops.run(stranger, "cloud-deploy", {"project": "web"})
    assert reply.refused == RefusalKind.NOT_ALLOWED and "999" in reply.description and reply.ephemeral


async def test_an_unknown_project_is_named_with_the_known_ones(chatops: ChatOps, user: Caller) -> None:
    reply = await chatops.run(user, "cloud-deploy", {"project": "nope"})
    assert reply.refused == RefusalKind.UNKNOWN_PROJECT and "data, web" in reply.description


async def test_a_viewer_may_not_deploy_and_is_told_the_role_needed(chatops: ChatOps, viewer: Caller) -> None:
    reply = await chatops.run(viewer, "cloud-deploy", {"project": "web"})
    assert reply.refused == RefusalKind.NOT_ALLOWED
    assert "needs the user role; you are viewer" in reply.description


async def test_an_active_grant_lets_a_viewer_deploy(chatops: ChatOps, viewer: Caller) -> None:
    assert (await chatops.run(viewer, "cloud-deploy", {"project": "data"})).refused is None


async def test_the_kind_select_opens_the_kind_specific_form(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.click(user, f"cloudops:kind:{sid}", ["database"])
    assert reply.form is not None and [i.id for i in reply.form.inputs] == ["name", "engine", "version", "tier", "storage_gb"]
    assert reply.form.id == f"cloudops:form:{sid}:database"


async def test_adding_a_valid_vm_lists_it_and_enables_open_pr(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    assert reply.refused is None
    assert any(f.name == "vm · api" and "size=small" in f.value for f in reply.fields)
    assert not reply.button("open-pr").disabled and not reply.button("remove").disabled


async def test_an_invalid_value_names_the_field_and_rule_and_offers_a_prefilled_retry(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {"name": "api", "size": "huge", "disk_gb": "lots"})
    assert reply.refused == RefusalKind.INVALID
    assert "`size` = 'huge'" not in reply.description or "machine types" in reply.description
    assert "`disk_gb` = 'lots': must be a whole number" in reply.description
    retry = reply.button("retry")
    form = await chatops.click(user, retry.id)
    assert form.form is not None and {i.id: i.default for i in form.form.inputs}["size"] == "huge"


async def test_the_first_pass_names_every_problem_of_the_form_at_once(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm",
                                 {"name": "web", "size": "huge", "disk_gb": "lots", "network": "ghost"})
    lines = reply.description.splitlines()[1:]
    assert reply.refused == RefusalKind.INVALID and len(lines) == 4, reply.description
    # in the form's order: the name's clash, the catalog's rule, the conversion, the reference
    assert lines[0].startswith("`name` = 'web'") and "vm-web.tf" in lines[0]
    assert lines[1].startswith("`size` = 'huge': must be one of the local machine types")
    assert lines[2] == "`disk_gb` = 'lots': must be a whole number"
    assert lines[3].startswith("`network` = 'ghost'")


async def test_a_missing_required_field_does_not_hide_the_others(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:database", {"engine": "oracle", "version": "1", "tier": "x"})
    assert "`name` = None: is required" in reply.description and "`engine` = 'oracle'" in reply.description
    assert "do not make a database" not in reply.description


async def test_a_catalog_rule_is_reported_with_its_field(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {"name": "api", "size": "huge"})
    assert "`size` = 'huge': must be one of the local machine types" in reply.description


async def test_a_name_already_in_the_repo_is_refused(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {"name": "web", "size": "small"})
    assert reply.refused == RefusalKind.INVALID and "vm-web.tf already exists" in reply.description.replace("has vm-web.tf", "vm-web.tf already exists")


async def test_the_quota_counts_the_repo_and_the_session(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    assert (await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)).refused is None
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {"name": "api2", "size": "small"})
    assert reply.refused == RefusalKind.QUOTA_EXCEEDED
    assert "vm: 1 in the repo + 2 here > quota 2" in reply.description


async def test_a_quota_of_zero_refuses_the_first_cluster(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:cluster", {"name": "k8s", "node_size": "medium"})
    assert reply.refused == RefusalKind.QUOTA_EXCEEDED


async def test_remove_takes_the_resource_out(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    picker = await chatops.click(user, f"cloudops:remove:{sid}")
    assert [o.value for o in picker.selects[0].options] == ["vm-api"]
    reply = await chatops.click(user, f"cloudops:remove-pick:{sid}", ["vm-api"])
    assert reply.button("open-pr").disabled


async def test_someone_else_cannot_change_my_session(chatops: ChatOps, user: Caller, admin: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(admin, f"cloudops:form:{sid}:vm", VM)
    assert reply.refused == RefusalKind.NOT_ALLOWED and "belongs to bob" in reply.description


async def test_another_guild_cannot_see_the_session(chatops: ChatOps, ctx: ServiceContext, user: Caller, clock,
                                                    repo_dir: Path) -> None:
    sid = await opened(chatops, user)
    ctx.registry.connect("g2", "acme/other", by="1", at=clock())
    ctx.repos.roots["acme/other"] = repo_dir  # the same person is a member there too
    reply = await chatops.click(Caller("g2", user.user_id), f"cloudops:show:{sid}")
    assert reply.refused == RefusalKind.SESSION_EXPIRED


async def test_a_session_idle_for_more_than_30_minutes_has_expired(chatops: ChatOps, user: Caller, clock) -> None:
    sid = await opened(chatops, user)
    clock.advance(minutes=29)
    assert (await chatops.click(user, f"cloudops:show:{sid}")).refused is None  # and this touches it
    clock.advance(minutes=29)
    assert (await chatops.click(user, f"cloudops:show:{sid}")).refused is None
    clock.advance(minutes=31)
    reply = await chatops.click(user, f"cloudops:add:{sid}")
    assert reply.refused == RefusalKind.SESSION_EXPIRED and "/cloud-recover-session" in reply.description


async def test_the_session_survives_a_restart(ctx: ServiceContext, tmp_path: Path, user: Caller, clock) -> None:
    sid = await opened(ChatOps(ctx), user)
    await ChatOps(ctx).submit(user, f"cloudops:form:{sid}:vm", VM)
    ctx.store.close()
    ctx.registry.close()
    ctx.store = SqliteStore(tmp_path / "store.sqlite3", clock=clock)
    ctx.registry = ctx.store.guilds
    reply = await ChatOps(ctx).click(user, f"cloudops:show:{sid}")
    assert any(f.name == "vm · api" for f in reply.fields)


async def test_recover_brings_back_an_expired_session(chatops: ChatOps, user: Caller, clock) -> None:
    sid = await opened(chatops, user)
    clock.advance(minutes=45)
    reply = await chatops.run(user, "cloud-recover-session", {})
    assert reply.refused is None and reply.description.startswith("Recovered") and sid in reply.footer
    assert (await chatops.click(user, f"cloudops:show:{sid}")).refused is None


async def test_recover_without_a_session_says_so(chatops: ChatOps, user: Caller) -> None:
    assert (await chatops.run(user, "cloud-recover-session", {})).refused == RefusalKind.NOT_FOUND


async def test_cancel_ends_the_session(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.click(user, f"cloudops:cancel:{sid}")
    assert reply.buttons == () and "cancelled" in reply.description
    assert (await chatops.click(user, f"cloudops:show:{sid}")).refused == RefusalKind.SESSION_EXPIRED


async def test_open_pr_commits_rendered_terraform_as_the_requester_and_links_the_pr(
        chatops: ChatOps, ctx: ServiceContext, user: Caller, forge: RecordingForge) -> None:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    await chatops.submit(user, f"cloudops:form:{sid}:bucket", {"name": "logs", "storage_class": "standard", "versioning": "no"})
    reply = await chatops.click(user, f"cloudops:open-pr:{sid}")
    assert reply.refused is None, reply.description
    commit = forge.commits[0]
    assert commit["branch"] == f"cloudops/bob/{sid}"
    assert set(commit["files"]) == {"projects/web/vm-api.tf", "projects/web/bucket-logs.tf"}
    assert 'resource "null_resource" "vm_api"' in commit["files"]["projects/web/vm-api.tf"]
    assert commit["author"].name == "bob" and commit["author"].email == "bob@users.noreply.github.com"
    assert "Requested in chat by bob" in commit["message"]
    assert reply.title == "Deploy to web — PR #1" and "planning" in reply.description
    assert reply.button("approve") is None and not reply.button("close-pr").disabled  # no approve while it plans
    assert reply.button("link").url == "https://forge/acme/infra/pull/1"
    link = ctx.registry.pr_link("acme/infra", 1)
    assert link is not None and link.session_id == sid and link.lobby["status"] == LobbyStatus.PLANNING


async def test_a_new_project_gets_its_provider_file_too(chatops: ChatOps, admin: Caller, forge: RecordingForge) -> None:
    sid = await opened(chatops, admin, "data")
    await chatops.submit(admin, f"cloudops:form:{sid}:bucket", {"name": "raw", "storage_class": "standard"})
    await chatops.click(admin, f"cloudops:open-pr:{sid}")
    assert set(forge.commits[0]["files"]) == {"projects/data/bucket-raw.tf", "projects/data/versions.tf"}


async def test_an_empty_session_cannot_open_a_pr(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    assert (await chatops.click(user, f"cloudops:open-pr:{sid}")).refused == RefusalKind.INVALID


async def test_a_session_with_a_pr_cannot_change(chatops: ChatOps, user: Caller) -> None:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    await chatops.click(user, f"cloudops:open-pr:{sid}")
    reply = await chatops.submit(user, f"cloudops:form:{sid}:bucket", {"name": "x", "storage_class": "standard"})
    assert reply.refused == RefusalKind.INVALID and "PR #1" in reply.description


async def test_a_yaml_file_fills_the_session(chatops: ChatOps, user: Caller) -> None:
    content = b"resources:\n  - {kind: vm, name: api, size: small}\n  - {kind: bucket, name: logs, storage_class: standard}\n"
    reply = await chatops.run(user, "cloud-deploy", {"project": "web"}, upload=Upload("req.yaml", content))
    assert [f.name for f in reply.fields][:2] == ["vm · api", "bucket · logs"]


async def test_every_bad_row_is_named_and_nothing_is_added(chatops: ChatOps, user: Caller) -> None:
    content = b"kind,name,size,storage_class\nvm,api,huge,\nbucket,logs,,standard\nrocket,x,,\n"
    reply = await chatops.run(user, "cloud-deploy", {"project": "web"}, upload=Upload("req.csv", content))
    assert reply.refused == RefusalKind.INVALID
    assert "row 2 (vm api)" in reply.description and "`size` = 'huge'" in reply.description
    assert "row 4: `kind` = 'rocket'" in reply.description and "row 3" not in reply.description


async def test_a_file_over_quota_is_refused_as_quota(chatops: ChatOps, user: Caller) -> None:
    content = b"- {kind: vm, name: a, size: small}\n- {kind: vm, name: b, size: small}\n"
    reply = await chatops.run(user, "cloud-deploy", {"project": "web"}, upload=Upload("req.yml", content))
    assert reply.refused == RefusalKind.QUOTA_EXCEEDED


async def test_the_template_is_a_file_that_deploys_cleanly(chatops: ChatOps, admin: Caller) -> None:
    template = await chatops.run(admin, "cloud-template", {"format": "yaml"})
    (attachment,) = template.attachments
    reply = await chatops.run(admin, "cloud-deploy", {"project": "data"}, upload=Upload(attachment.filename, attachment.content))
    assert reply.refused is None, reply.description
    csv_template = (await chatops.run(admin, "cloud-template", {"format": "csv"})).attachments[0]
    reply = await chatops.run(admin, "cloud-deploy", {"project": "data"}, upload=Upload(csv_template.filename, csv_template.content))
    assert reply.refused is None, reply.description


async def test_with_the_preflight_pricer_each_resource_and_the_total_are_priced(ctx: ServiceContext, user: Caller) -> None:
    from controller.service.pricing import preflight_pricer

    chatops = ChatOps(ctx, pricer=preflight_pricer)
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    fields = {f.name: f.value for f in reply.fields}
    assert "/mo" in fields["vm · api"] and "cost not estimated" not in fields["vm · api"]
    assert fields["Monthly cost"].startswith("$") and "budget $50.00/mo" in fields["Monthly cost"]


def network_in_repo(repo_dir: Path, name: str = "main") -> None:
    from controller.catalog.render import render_resource
    from controller.catalog.specs import NetworkSpec, SubnetSpec, Target

    spec = NetworkSpec(name=name, project="web", target=Target.LOCAL, region="local-1", requested_by="alice",
                       cidr="10.20.0.0/16", subnets=(SubnetSpec(name="app", cidr="10.20.1.0/24"),))
    filename, text = render_resource(spec)
    (repo_dir / "projects" / "web" / filename).write_text(text)


async def test_a_vm_on_a_network_missing_from_the_repo_and_the_session_is_refused_before_the_pr(
        chatops: ChatOps, user: Caller, forge) -> None:
    sid = await opened(chatops, user)
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {**VM, "network": "mian", "subnet": "app"})
    assert reply.refused == RefusalKind.INVALID and "`network` = 'mian': no network of this name" in reply.description
    assert (await chatops.click(user, f"cloudops:open-pr:{sid}")).refused is not None and forge.commits == []


async def test_a_vm_may_use_a_network_already_in_the_repo_and_its_subnets(chatops: ChatOps, user: Caller, repo_dir: Path) -> None:
    network_in_repo(repo_dir)
    sid = await opened(chatops, user)
    wrong = await chatops.submit(user, f"cloudops:form:{sid}:vm", {**VM, "network": "main", "subnet": "db"})
    assert wrong.refused == RefusalKind.INVALID and "has no such subnet (it has: app)" in wrong.description
    reply = await chatops.submit(user, f"cloudops:form:{sid}:vm", {**VM, "network": "main", "subnet": "app"})
    assert reply.refused is None and not reply.button("open-pr").disabled


async def test_removing_the_network_a_vm_uses_blocks_the_pr_and_says_why(chatops: ChatOps, user: Caller, forge) -> None:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:network", {"name": "main", "cidr": "10.20.0.0/16", "subnets": "app=10.20.1.0/24"})
    added = await chatops.submit(user, f"cloudops:form:{sid}:vm", {**VM, "network": "main", "subnet": "app"})
    assert added.refused is None
    shown = await chatops.click(user, f"cloudops:remove-pick:{sid}", ["network-main"])
    problem = next(f.value for f in shown.fields if f.name == "Fix before opening a PR")
    assert "vm-api" in problem and "no network of this name" in problem and shown.button("open-pr").disabled
    refused = await chatops.click(user, f"cloudops:open-pr:{sid}")
    assert refused.refused == RefusalKind.INVALID and forge.commits == []
