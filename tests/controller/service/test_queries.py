"""Projects, list, quota, status, history, cost, cancel and rollback — with their refusals."""

from __future__ import annotations

import pytest

from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext
from controller.service.replies import RefusalKind
from controller.store import RunKind

from .doubles import GatewayDouble, sample_history
from .test_apply_flow import with_pr


async def test_projects_lists_only_those_the_caller_has_a_role_on(chatops: ChatOps, user: Caller, admin: Caller) -> None:
    assert [f.name for f in (await chatops.run(user, "cloud-projects", {})).fields] == ["web"]
    fields = (await chatops.run(admin, "cloud-projects", {})).fields
    assert [f.name for f in fields] == ["data", "web"] and "budget $50.00/mo" in fields[1].value


async def test_list_shows_the_repos_resources(chatops: ChatOps, viewer: Caller) -> None:
    reply = await chatops.run(viewer, "cloud-list", {"project": "web"})
    assert "`null_resource.vm_web` — vm · vm-web.tf" in reply.description


async def test_list_filters_by_resource(chatops: ChatOps, viewer: Caller) -> None:
    reply = await chatops.run(viewer, "cloud-list", {"project": "web", "resource": "nothing-like-it"})
    assert "No resource matching" in reply.description


async def test_quota_shows_use_against_limits(chatops: ChatOps, viewer: Caller) -> None:
    reply = await chatops.run(viewer, "cloud-quota", {"project": "web"})
    values = {f.name: f.value for f in reply.fields}
    assert values["vm"] == "1 / 2" and values["cluster"] == "0 / 0" and "budget $50.00/mo" in reply.description


@pytest.mark.parametrize("command", ["cloud-list", "cloud-quota", "cloud-history", "cloud-cost", "cloud-rollback"])
async def test_an_unknown_project_is_refused_everywhere(chatops: ChatOps, admin: Caller, command: str) -> None:
    assert (await chatops.run(admin, command, {"project": "nope", "pr": 1})).refused == RefusalKind.UNKNOWN_PROJECT


async def test_a_user_limited_to_web_cannot_read_data(chatops: ChatOps, user: Caller) -> None:
    assert (await chatops.run(user, "cloud-quota", {"project": "data"})).refused == RefusalKind.NOT_ALLOWED


async def test_status_shows_locks_runs_and_my_requests(chatops: ChatOps, ctx: ServiceContext, user: Caller) -> None:
    await with_pr(chatops, user)
    ctx.store.try_lock("acme/infra", "web", pr_number=1, user="bob")
    ctx.store.create_run(repo="acme/infra", project="web", head_sha="a" * 40, kind=RunKind.PLAN, pr_number=1)
    values = {f.name: f.value for f in (await chatops.run(user, "cloud-status", {})).fields}
    assert values["Locks"] == "web: PR #1 (bob)" and "plan web PR #1 — queued" in values["Recent runs"]
    assert "PR #1 web — planning" in values["Your open requests"]


async def test_history_comes_from_the_gateway(chatops: ChatOps, viewer: Caller, gateway: GatewayDouble) -> None:
    gateway.entries = sample_history()
    reply = await chatops.run(viewer, "cloud-history", {"project": "web"})
    assert reply.fields[0].name == "PR #3 [web] add vm-api"
    assert "merged by alice" in reply.fields[0].value and "succeeded 2024-03-01 12:05" in reply.fields[0].value


async def test_rollback_needs_an_admin_and_opens_a_revert_pr(chatops: ChatOps, user: Caller, admin: Caller, gateway) -> None:
    assert (await chatops.run(user, "cloud-rollback", {"project": "web", "pr": 3})).refused == RefusalKind.NOT_ALLOWED
    reply = await chatops.run(admin, "cloud-rollback", {"project": "web", "pr": 3})
    assert "PR #42" in reply.description and gateway.calls[-1] == ("rollback", ("acme/infra", "web", None, 3, "alice"))


async def test_rollback_needs_exactly_one_target(chatops: ChatOps, admin: Caller) -> None:
    assert (await chatops.run(admin, "cloud-rollback", {"project": "web"})).refused == RefusalKind.INVALID


async def test_cancel_of_my_own_pr_goes_to_the_gateway(chatops: ChatOps, user: Caller, gateway) -> None:
    await with_pr(chatops, user)
    reply = await chatops.run(user, "cloud-cancel", {"pr": 1})
    assert reply.refused is None and gateway.calls[-1] == ("cancel", ("acme/infra", 1, None, "bob"))


async def test_cancel_of_someone_elses_pr_needs_an_admin(chatops: ChatOps, user: Caller, admin: Caller) -> None:
    await with_pr(chatops, admin)
    reply = await chatops.run(user, "cloud-cancel", {"pr": 1, "project": "web"})
    assert reply.refused == RefusalKind.NOT_ALLOWED and "another person's run" in reply.description


async def test_cost_says_honestly_when_preflight_pricing_is_missing(chatops: ChatOps, viewer: Caller) -> None:
    values = {f.name: f.value for f in (await chatops.run(viewer, "cloud-cost", {"project": "web"})).fields}
    assert values["Budget"] == "$50.00/mo" and "not available yet" in values["Current monthly cost"]


async def test_project_autocomplete_lists_only_visible_projects(chatops: ChatOps, user: Caller, stranger: Caller) -> None:
    assert await chatops.complete_projects(user, "") == ["web"]
    assert await chatops.complete_projects(stranger, "") == []


async def test_resource_autocomplete_lists_addresses(chatops: ChatOps, user: Caller) -> None:
    assert await chatops.complete_resources(user, "web", "vm") == ["null_resource.vm_web"]
    assert await chatops.complete_resources(user, "data", "") == []


async def test_cost_with_the_preflight_pricer_prices_the_projects_resources(ctx: ServiceContext, viewer: Caller) -> None:
    from controller.service.pricing import preflight_pricer

    reply = await ChatOps(ctx, pricer=preflight_pricer).run(viewer, "cloud-cost", {"project": "web"})
    values = {f.name: f.value for f in reply.fields}
    assert values["Current monthly cost"].startswith("$") and "/mo" in values["vm-web"]
