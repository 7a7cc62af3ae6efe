"""Admin use cases: cloudops.yaml changes as PRs authored by the admin, operations, /cloud-init."""

from __future__ import annotations

import datetime as dt

import difflib

import yaml

from controller import repo_config
from controller.catalog.specs import Kind
from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext
from controller.service.replies import RefusalKind

import pytest

from .conftest import GUILD
from .doubles import ADMIN_ID, STRANGER_ID, USER_ID, VIEWER_ID, RecordingForge

REASON = {"reason": "incident 42"}


def committed_config(forge: RecordingForge) -> repo_config.RepoConfig:
    return repo_config.loads(forge.commits[-1]["files"]["cloudops.yaml"])


async def test_create_project_opens_a_pr_authored_by_the_admin_with_the_reason(chatops, admin, forge) -> None:
    reply = await chatops.run(admin, "cloud-create-project", {"name": "shop", "target": "local", "region": "local-1",
                                                              "budget": 20.0, **REASON})
    assert reply.refused is None and reply.title.startswith("PR #1")
    commit = forge.commits[-1]
    assert commit["author"].name == "alice" and "Reason: incident 42" in commit["message"]
    assert commit["branch"].startswith("cloudops/alice/config-")
    assert committed_config(forge).projects["shop"].budget_monthly_usd == 20.0


async def test_create_project_needs_an_admin_of_every_project(chatops, user) -> None:
    reply = await chatops.run(user, "cloud-create-project", {"name": "shop", "target": "local", "region": "local-1", **REASON})
    assert reply.refused == RefusalKind.NOT_ALLOWED


async def test_create_project_refuses_a_region_of_another_target(chatops, admin) -> None:
    reply = await chatops.run(admin, "cloud-create-project", {"name": "shop", "target": "gcp", "region": "local-1", **REASON})
    assert reply.refused == RefusalKind.INVALID and "`region`" in reply.description


async def test_an_existing_project_name_is_refused(chatops, admin) -> None:
    reply = await chatops.run(admin, "cloud-create-project", {"name": "web", "target": "local", "region": "local-1", **REASON})
    assert reply.refused == RefusalKind.INVALID and "already exists" in reply.description


async def test_a_grant_is_pending_with_its_duration_counted_from_the_merge(chatops, admin, forge, clock) -> None:
    reply = await chatops.run(admin, "cloud-grant", {"member": "bob", "project": "data", "role": "admin", "duration": "8h", **REASON})
    assert reply.refused is None, reply.description
    assert reply.title == "PR #1: grant bob admin on data for 8h from the merge"
    grant = committed_config(forge).grants[-1]
    assert (grant.member, grant.project, grant.role.value, grant.reason) == ("bob", "data", "admin", "incident 42")
    assert grant.pending and grant.duration == dt.timedelta(hours=8) and grant.expires_at is None


async def test_a_bad_duration_is_refused(chatops, admin) -> None:
    reply = await chatops.run(admin, "cloud-grant", {"member": "bob", "project": "data", "role": "admin", "duration": "forever", **REASON})
    assert reply.refused == RefusalKind.INVALID and "90m, 8h, 3d or 2w" in reply.description


async def test_a_user_cannot_grant(chatops, user) -> None:
    reply = await chatops.run(user, "cloud-grant", {"member": "bob", "project": "web", "role": "admin", "duration": "1h", **REASON})
    assert reply.refused == RefusalKind.NOT_ALLOWED


async def test_a_config_change_needs_a_reason(chatops, admin) -> None:
    reply = await chatops.run(admin, "cloud-set-budget", {"project": "web", "usd": 10.0, "reason": " "})
    assert reply.refused == RefusalKind.INVALID and "reason" in reply.description


async def test_revoke_removes_the_grants(chatops, admin, forge) -> None:
    reply = await chatops.run(admin, "cloud-revoke", {"member": "carol", "project": "data", **REASON})
    assert reply.refused is None and committed_config(forge).grants == ()


async def test_revoke_without_a_grant_says_so(chatops, admin) -> None:
    assert (await chatops.run(admin, "cloud-revoke", {"member": "bob", "project": "web", **REASON})).refused == RefusalKind.NOT_FOUND


async def test_set_quota_and_budget_change_the_file(chatops, admin, forge) -> None:
    await chatops.run(admin, "cloud-set-quota", {"project": "web", "kind": "cluster", "limit": 2, **REASON})
    assert committed_config(forge).projects["web"].quotas[Kind.CLUSTER] == 2
    data = yaml.safe_load(forge.commits[-1]["files"]["cloudops.yaml"])
    assert data["projects"]["web"]["quotas"]["cluster"] == 2
    await chatops.run(admin, "cloud-set-budget", {"project": "web", "usd": 75.5, **REASON})
    assert committed_config(forge).projects["web"].budget_monthly_usd == 75.5


async def test_unlock_releases_any_lock(chatops, ctx: ServiceContext, admin, user) -> None:
    ctx.store.try_lock("acme/infra", "web", pr_number=9)
    assert (await chatops.run(user, "cloud-unlock", {"project": "web"})).refused == RefusalKind.NOT_ALLOWED
    assert "PR #9" in (await chatops.run(admin, "cloud-unlock", {"project": "web"})).description
    assert ctx.store.get_lock("acme/infra", "web") is None


async def test_admin_list_stats_and_cancel_any(chatops, admin, user, gateway) -> None:
    assert (await chatops.run(admin, "cloud-admin-list", {})).refused is None
    assert (await chatops.run(admin, "cloud-stats", {})).refused is None
    assert (await chatops.run(user, "cloud-stats", {})).refused == RefusalKind.NOT_ALLOWED
    reply = await chatops.run(admin, "cloud-admin-cancel", {"pr": 4})
    assert reply.refused is None and gateway.calls[-1] == ("cancel", ("acme/infra", 4, None, "alice"))


async def test_credentials_without_a_vault_store_nothing_and_never_echo(chatops, admin) -> None:
    reply = await chatops.run(admin, "cloud-credentials", {"kind": "aws"}, secret="AKIA-SECRET-VALUE")
    assert reply.refused == RefusalKind.UNAVAILABLE and "SECRET" not in reply.description


async def test_credentials_are_stored_through_the_saver_and_only_a_fingerprint_is_shown(ctx, admin) -> None:
    saved = []
    chatops = ChatOps(ctx, save_credentials=lambda g, k, s, p: saved.append((g, k, s, p)) or "fp:1234")
    reply = await chatops.run(admin, "cloud-credentials", {"kind": "aws"}, secret="AKIA-SECRET-VALUE")
    assert saved == [("g1", "aws", "AKIA-SECRET-VALUE", None)]
    assert "fp:1234" in reply.description and "SECRET" not in reply.description and reply.ephemeral


async def test_init_connects_a_new_guild_for_an_admin_named_in_the_repos_config(chatops, ctx: ServiceContext, forge) -> None:
    ctx.repos.roots["acme/two"] = ctx.repos.roots["acme/infra"]
    forge.repos.add("acme/two")
    reply = await chatops.run(Caller("g2", ADMIN_ID), "cloud-init", {"repo": "acme/two", "target": "local", "region": "local-1"})
    assert reply.refused is None and ctx.registry.guild("g2").repo == "acme/two"


@pytest.mark.parametrize("who", [VIEWER_ID, USER_ID, STRANGER_ID], ids=["viewer", "user", "stranger"])
async def test_a_first_init_is_refused_to_anyone_the_repo_does_not_name_as_admin(chatops, ctx, forge, who) -> None:
    ctx.repos.roots["acme/two"] = ctx.repos.roots["acme/infra"]
    forge.repos.add("acme/two")
    reply = await chatops.run(Caller("g2", who), "cloud-init", {"repo": "acme/two"})
    assert reply.refused == RefusalKind.NOT_ALLOWED and "needs an admin of every project" in reply.description
    assert ctx.registry.guild("g2") is None


@pytest.mark.parametrize("who", [VIEWER_ID, STRANGER_ID], ids=["viewer", "stranger"])
async def test_re_running_init_on_a_connected_server_is_refused_to_a_viewer_or_a_stranger(chatops, ctx, who) -> None:
    reply = await chatops.run(Caller(GUILD, who), "cloud-init", {"repo": "acme/infra", "admin_channel": "#mine",
                                                                "target": "local", "region": "local-1"})
    assert reply.refused == RefusalKind.NOT_ALLOWED
    assert ctx.registry.guild(GUILD).admin_channel is None  # nothing redirected


async def test_an_admin_may_change_the_admin_channel(chatops, ctx, admin) -> None:
    reply = await chatops.run(admin, "cloud-init", {"repo": "acme/infra", "admin_channel": "#ops"})
    assert reply.refused is None and ctx.registry.guild(GUILD).admin_channel == "#ops"


async def test_init_refuses_a_repo_of_another_guild(chatops, forge) -> None:
    reply = await chatops.run(Caller("g2", "555"), "cloud-init", {"repo": "acme/infra"})
    assert reply.refused == RefusalKind.NOT_ALLOWED and "another server" in reply.description


async def test_init_names_a_repo_it_cannot_reach(chatops) -> None:
    reply = await chatops.run(Caller("g3", "555"), "cloud-init", {"repo": "acme/missing"})
    assert reply.refused == RefusalKind.NOT_FOUND


async def test_an_empty_repo_is_connected_after_its_one_time_code_is_committed_then_scaffolded(ctx, forge, tmp_path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    ctx.repos.roots["acme/empty"] = empty
    forge.repos.add("acme/empty")
    chatops = ChatOps(ctx, scaffold=lambda: {"cloudops.yaml": "version: 1\nprojects: {}\n"})
    asked = await chatops.run(Caller("g4", "555"), "cloud-init", {"repo": "acme/empty"})
    code = next(w.strip("`") for w in asked.description.split() if w.strip("`").startswith("cloudops-claim-"))
    assert asked.title == "Prove you control the repo" and ctx.registry.guild("g4") is None and forge.commits == []

    (empty / ".cloudops-claim").write_text("cloudops-claim-0000000000000000\n")  # a wrong code
    assert (await chatops.run(Caller("g4", "555"), "cloud-init", {"repo": "acme/empty"})).title == "Prove you control the repo"
    code = next(w.strip("`") for w in (await chatops.run(Caller("g4", "555"), "cloud-init", {"repo": "acme/empty"}))
                .description.split() if w.strip("`").startswith("cloudops-claim-"))
    (empty / ".cloudops-claim").write_text(code + "\n")
    other = await chatops.run(Caller("g4", "666"), "cloud-init", {"repo": "acme/empty"})  # someone else's code
    assert other.title == "Prove you control the repo" and ctx.registry.guild("g4") is None
    code = next(w.strip("`") for w in (await chatops.run(Caller("g4", "555"), "cloud-init", {"repo": "acme/empty"}))
                .description.split() if w.strip("`").startswith("cloudops-claim-"))
    (empty / ".cloudops-claim").write_text(code + "\n")
    reply = await chatops.run(Caller("g4", "555"), "cloud-init", {"repo": "acme/empty"})
    assert "PR #1 scaffolds it" in reply.description and forge.commits[-1]["files"] == {"cloudops.yaml": "version: 1\nprojects: {}\n"}
    assert ctx.registry.guild("g4").repo == "acme/empty"


async def test_moving_a_guild_to_another_repo_needs_a_global_admin(chatops, ctx, user, forge) -> None:
    forge.repos.add("acme/two")
    assert (await chatops.run(user, "cloud-init", {"repo": "acme/two"})).refused == RefusalKind.NOT_ALLOWED


async def test_a_quota_change_pr_is_a_one_line_diff_with_the_comments_kept(chatops, admin, forge, repo_dir) -> None:
    before = (repo_dir / "cloudops.yaml").read_text()
    reply = await chatops.run(admin, "cloud-set-quota", {"project": "web", "kind": "vm", "limit": "3", **REASON})
    assert reply.refused is None
    after = forge.commits[-1]["files"]["cloudops.yaml"]
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ["-    quotas: {vm: 2, database: 1, network: 1, bucket: 5, cluster: 0}",
                    "+    quotas: {vm: 3, database: 1, network: 1, bucket: 5, cluster: 0}"]
    assert after.startswith("# cloudops.yaml for the service tests")


@pytest.mark.parametrize("command,options", [
    ("cloud-set-budget", {"project": "web", "usd": "nan"}),
    ("cloud-set-budget", {"project": "web", "usd": "1e12"}),
    ("cloud-set-budget", {"project": "web", "usd": "1e308"}),
    ("cloud-set-quota", {"project": "web", "kind": "vm", "limit": "100000"}),
    ("cloud-set-quota", {"project": "web", "kind": "vm", "limit": "two"}),
])
async def test_numbers_out_of_bounds_are_refused_and_nothing_is_committed(chatops, admin, forge, command, options) -> None:
    reply = await chatops.run(admin, command, {**options, **REASON})
    assert reply.refused == RefusalKind.INVALID and forge.commits == []


async def test_viewer_can_be_granted_to_someone_without_a_role_there(chatops, admin, forge) -> None:
    reply = await chatops.run(admin, "cloud-grant", {"member": "bob", "project": "data", "role": "viewer",
                                                     "duration": "8h", **REASON})
    assert reply.refused is None and committed_config(forge).grants[-1].role.value == "viewer"


async def test_a_grant_that_adds_nothing_is_refused(chatops, admin, forge) -> None:
    reply = await chatops.run(admin, "cloud-grant", {"member": "carol", "project": "web", "role": "viewer",
                                                     "duration": "8h", **REASON})
    assert reply.refused == RefusalKind.INVALID and "already holds" in reply.description and forge.commits == []


def test_stats_give_the_apply_success_rate_top_requesters_and_kinds() -> None:
    from types import SimpleNamespace as Run

    from controller.service.admin import stats_fields

    def run(kind: str, status: str) -> Run:
        return Run(kind=Run(value=kind), status=Run(value=status))

    runs = [run("apply", "succeeded"), run("apply", "succeeded"), run("apply", "failed"), run("apply", "running"),
            run("plan", "succeeded")]
    lobbies = [{"member": "bob", "status": "applied", "resources": [{"kind": "vm"}, {"kind": "vm"}]},
               {"member": "bob", "status": "closed", "resources": [{"kind": "bucket"}]},
               {"member": "carol", "status": "applied", "resources": [{"kind": "vm"}]}]
    fields = {f.name: f.value for f in stats_fields(runs, lobbies, 2, 3)}
    assert fields["Apply success rate"] == "67% of 3 finished applies succeeded"
    assert fields["Top requesters"] == "bob: 2\ncarol: 1" and fields["Top kinds"] == "vm: 3\nbucket: 1"
    assert "apply running: 1" in fields["Runs"] and fields["Projects · members"] == "2 · 3"
    assert {f.name: f.value for f in stats_fields([], [], 0, 0)}["Apply success rate"] == "no finished applies yet"


async def test_set_budget_alert_opens_a_one_line_pr_and_the_project_then_alerts_there(chatops, admin, forge, repo_dir) -> None:
    before = (repo_dir / "cloudops.yaml").read_text()
    reply = await chatops.run(admin, "cloud-set-budget-alert", {"project": "web", "percents": "50, 100", **REASON})
    assert reply.refused is None and reply.title == "PR #1: budget alerts of web at 50%, 100%"
    after = forge.commits[-1]["files"]["cloudops.yaml"]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(after.splitlines()) == len(before.splitlines()) + 1 and len(added) == 1
    assert committed_config(forge).projects["web"].budget_alerts == (0.5, 1.0)


async def test_budget_alerts_need_an_admin_and_sound_percents_and_say_when_there_is_no_budget(chatops, admin, user,
                                                                                              forge) -> None:
    refused = await chatops.run(user, "cloud-set-budget-alert", {"project": "web", "percents": "90", **REASON})
    assert refused.refused == RefusalKind.NOT_ALLOWED
    invalid = await chatops.run(admin, "cloud-set-budget-alert", {"project": "web", "percents": "0,5000", **REASON})
    assert invalid.refused == RefusalKind.INVALID and forge.commits == []
    no_budget = await chatops.run(admin, "cloud-set-budget-alert", {"project": "data", "percents": "90", **REASON})
    assert no_budget.refused is None and "data has no budget yet" in no_budget.description
