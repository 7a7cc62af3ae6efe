"""From an open PR to an apply: plan events move the lobby, approve asks the gateway, refusals name why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from controller.bus import EventBus
from controller.pipeline import notices
from controller.service.alerts import AlertTarget
from controller.service.chatops import ChatOps
from controller.service.context import Caller, ServiceContext
from controller.service.events import LobbyEvents
from controller.service.gateway import ApplyDecision
from controller.service.replies import RefusalKind, Reply
from controller.service.throttle import EditThrottle

from .doubles import ADMIN_ID, GatewayDouble, RecordingForge
from .test_deploy import VM, opened

REPO = "acme/infra"


@dataclass
class Presenter:
    """Records what the front end would show."""

    shown: list[tuple[dict, Reply]] = field(default_factory=list)
    progress_log: list[tuple[Reply, bool]] = field(default_factory=list)
    alerts: list[tuple[AlertTarget, Reply]] = field(default_factory=list)

    async def show(self, ref: dict, reply: Reply) -> None:
        self.shown.append((ref, reply))

    async def progress(self, ref: dict, reply: Reply, *, final: bool) -> None:
        self.progress_log.append((reply, final))

    async def alert(self, target: AlertTarget, reply: Reply) -> None:
        self.alerts.append((target, reply))


class Ticks:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def presenter() -> Presenter:
    return Presenter()


@pytest.fixture
def bus(ctx: ServiceContext, presenter: Presenter, ticks: Ticks) -> EventBus:
    bus = EventBus()
    LobbyEvents(ctx.registry, presenter, throttle=EditThrottle(2.0, ticks), repos=ctx.repos, clock=ctx.clock).attach(bus)
    return bus


async def with_pr(chatops: ChatOps, user: Caller) -> str:
    sid = await opened(chatops, user)
    await chatops.submit(user, f"cloudops:form:{sid}:vm", VM)
    reply = await chatops.click(user, f"cloudops:open-pr:{sid}")
    assert reply.refused is None, reply.description
    chatops.deploy.attach_message(sid, {"channel": "c1", "message": "m1"})
    return sid


def head(forge: RecordingForge) -> str:
    return forge.prs[1].head_sha


def ready(forge: RecordingForge, *, policy: bool = True, changes: bool = True, sha: str | None = None) -> notices.PlanReady:
    return notices.PlanReady(repo=REPO, project="web", pr_number=1, head_sha=sha or head(forge), run_id="plan-1",
                             add=1, change=0, destroy=0, has_changes=changes, policy_passed=policy, cost_summary="+$7.30/mo")


async def test_plan_ready_enables_approve_and_edits_the_lobby_message(chatops, user, forge, bus, presenter) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    ref, reply = presenter.shown[-1]
    assert ref == {"channel": "c1", "message": "m1"}
    assert not reply.button("approve").disabled
    assert any(f.name == "Plan" and "+1 ~0 −0" in f.value and "+$7.30/mo" in f.value for f in reply.fields)
    assert (await chatops.click(user, f"cloudops:show:{sid}")).button("approve").disabled is False


@pytest.mark.parametrize("policy,changes", [(False, True), (True, False)])
async def test_approve_stays_disabled_when_policy_fails_or_nothing_changes(chatops, user, forge, bus, presenter, policy, changes) -> None:
    await with_pr(chatops, user)
    await bus.publish(ready(forge, policy=policy, changes=changes))
    assert presenter.shown[-1][1].button("approve").disabled


async def test_a_new_push_makes_the_plan_stale_and_hides_approve_while_it_replans(chatops, user, forge, bus, presenter) -> None:
    await with_pr(chatops, user)
    await bus.publish(ready(forge))
    await bus.publish(notices.PlanStarted(repo=REPO, project="web", pr_number=1, head_sha="f" * 40, run_id="plan-2"))
    reply = presenter.shown[-1][1]
    assert reply.button("approve") is None and "stale" in " ".join(f.value for f in reply.fields)


async def test_an_admin_approves_a_fresh_plan_through_the_gateway(chatops, user, admin, forge, bus, gateway: GatewayDouble) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    reply = await chatops.click(admin, f"cloudops:approve:{sid}")
    assert reply.refused is None, reply.description
    assert gateway.calls == [("request_apply", (REPO, 1, "web", "alice"))]


async def test_a_user_may_not_approve(chatops, user, forge, bus, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    reply = await chatops.click(user, f"cloudops:approve:{sid}")
    assert reply.refused == RefusalKind.NOT_ALLOWED and reply.ephemeral and "needs the admin role" in reply.description
    assert gateway.calls == []


async def test_approving_before_the_plan_is_ready_is_a_stale_plan(chatops, user, admin) -> None:
    sid = await with_pr(chatops, user)
    assert (await chatops.click(admin, f"cloudops:approve:{sid}")).refused == RefusalKind.STALE_PLAN


async def test_a_pr_pushed_after_planning_is_a_stale_plan(chatops, user, admin, forge, bus, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    forge.push_to(1, "e" * 40)
    reply = await chatops.click(admin, f"cloudops:approve:{sid}")
    assert reply.refused == RefusalKind.STALE_PLAN and "eeeeeeee" in reply.description and gateway.calls == []


async def test_a_plan_that_failed_policy_is_denied(chatops, user, admin, forge, bus) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge, policy=False))
    assert (await chatops.click(admin, f"cloudops:approve:{sid}")).refused == RefusalKind.POLICY_DENIED


async def test_a_project_locked_by_another_pr_is_refused(chatops, ctx: ServiceContext, user, admin, forge, bus) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    ctx.store.try_lock(REPO, "web", pr_number=7, user="dave")
    reply = await chatops.click(admin, f"cloudops:approve:{sid}")
    assert reply.refused == RefusalKind.LOCKED and "PR #7 (dave)" in reply.description


async def test_the_gateways_refusals_are_shown_one_by_one(chatops, user, admin, forge, bus, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    gateway.decision = ApplyDecision(False, ["needs 2 approvals, has 1", "the author may not approve"])
    reply = await chatops.click(admin, f"cloudops:approve:{sid}")
    assert reply.refused == RefusalKind.APPLY_REFUSED
    assert reply.description.splitlines()[:2] == ["- needs 2 approvals, has 1", "- the author may not approve"]


async def test_apply_progress_is_throttled_to_one_edit_per_two_seconds_and_the_final_edit_always_sent(
        chatops, user, forge, bus, presenter: Presenter, ticks: Ticks) -> None:
    await with_pr(chatops, user)
    await bus.publish(ready(forge))
    common = dict(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="apply-1")
    await bus.publish(notices.ApplyStarted(actor="alice", total=10, **common))
    for i in range(10):
        ticks.t = i * 0.5  # 20 events/10 s would be too many; one per 2 s gets through
        await bus.publish(notices.ApplyProgress(completed=i, total=10, percent=i * 10, current=f"Creating r{i}…",
                                                rendered="", elapsed_seconds=ticks.t, **common))
    ticks.t = 4.6
    await bus.publish(notices.ApplyFinished(succeeded=True, summary="Apply complete! Resources: 10 added", rendered="",
                                            outputs={"ip": "10.0.0.5"}, **common))
    kinds = [(r.description.split("\n")[1] if not final and "%" in r.description else ("final" if final else "start"))
             for r, final in presenter.progress_log]
    assert kinds == ["start", "Creating r0…", "Creating r4…", "Creating r8…", "final"]
    last, final = presenter.progress_log[-1]
    assert final and "succeeded" in last.title and last.fields[0].value == "10.0.0.5"
    assert presenter.shown[-1][1].buttons[-1].url  # only the PR link remains once applied


async def test_a_failed_apply_goes_to_the_admin_channel(chatops, user, forge, bus, presenter) -> None:
    await with_pr(chatops, user)
    await bus.publish(notices.ApplyFinished(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="a",
                                            succeeded=False, summary="Error: boom", rendered=""))
    target, reply = presenter.alerts[-1]
    assert target.guild_id == "g1" and "Apply failed" in reply.title
    assert not presenter.shown[-1][1].button("approve") or presenter.shown[-1][1].button("approve").disabled


async def test_events_of_prs_not_opened_from_chat_are_ignored(bus, presenter) -> None:
    await bus.publish(notices.PlanStarted(repo=REPO, project="web", pr_number=99, head_sha="a" * 40, run_id="x"))
    assert presenter.shown == []


async def test_close_pr_asks_the_gateway_and_ends_the_lobby(chatops, user, gateway) -> None:
    sid = await with_pr(chatops, user)
    reply = await chatops.click(user, f"cloudops:close-pr:{sid}")
    assert gateway.calls == [("close_pull_request", (REPO, 1, "bob"))]
    assert "closed" in reply.description and not reply.button("approve")


async def test_a_rollback_opened_alerts_the_admin_channel(bus, presenter) -> None:
    await bus.publish(notices.RollbackOpened(repo=REPO, project="web", pr_number=5, reverted_pr=3, url="u"))
    assert presenter.alerts[-1][1].title == "Rollback opened: web"


async def test_a_budget_alert_goes_to_the_admin_channel(bus, presenter) -> None:
    await bus.publish(notices.BudgetAlert(repo=REPO, project="web", pr_number=7, threshold=1.0, monthly_cost=120.5,
                                          budget=100.0, projected=True))
    reply = presenter.alerts[-1][1]
    assert reply.title == "Budget: web would cross 100% (PR #7)"
    assert "$120.50 a month of a $100.00 budget" in reply.description


async def test_without_an_admin_channel_an_alert_goes_to_the_projects_admins_directly(bus, presenter) -> None:
    await bus.publish(notices.BudgetAlert(repo=REPO, project="web", pr_number=7, threshold=0.8, monthly_cost=81,
                                          budget=100.0, projected=True))
    target, _ = presenter.alerts[-1]
    # alice is an admin of every project; bob (user on web) and carol (viewer) are not told
    assert target == AlertTarget("g1", None, (ADMIN_ID,))


async def test_with_an_admin_channel_an_alert_goes_there_and_to_nobody_directly(ctx, bus, presenter) -> None:
    ctx.registry.connect("g1", REPO, by=ADMIN_ID, at=ctx.clock(), admin_channel="555")
    await bus.publish(notices.RollbackOpened(repo=REPO, project="web", pr_number=5, reverted_pr=3, url="u"))
    assert presenter.alerts[-1][0] == AlertTarget("g1", "555")


async def test_a_budget_alert_for_a_repo_of_no_server_is_dropped(bus, presenter) -> None:
    before = len(presenter.alerts)
    await bus.publish(notices.BudgetAlert(repo="other/repo", project="web", pr_number=None, threshold=0.8,
                                          monthly_cost=81, budget=100, projected=False))
    assert len(presenter.alerts) == before


async def test_drift_goes_to_the_admin_channel(bus, presenter) -> None:
    await bus.publish(notices.DriftFound(repo=REPO, project="web", head_sha="a" * 40,
                                         summary="Plan: 0 to add, 0 to change, 1 to destroy.", resources=("null_resource.b",)))
    reply = presenter.alerts[-1][1]
    assert reply.title == f"Drift: web differs from {'a' * 12}"
    assert "1 to destroy" in reply.description and "null_resource.b" in reply.description


def applied(forge: RecordingForge) -> notices.ApplyFinished:
    return notices.ApplyFinished(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="apply-1",
                                 succeeded=True, summary="Apply complete! Resources: 1 added.", rendered="")


async def test_the_cost_budget_and_policy_of_the_lobby_survive_every_re_render(ctx, user, forge, bus, presenter) -> None:
    from controller.service.policy_preflight import preflight_policy
    from controller.service.pricing import preflight_pricer

    chatops = ChatOps(ctx, pricer=preflight_pricer, policy=preflight_policy)
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    await bus.publish(notices.PlanStarted(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="plan-2"))
    for reply in [presenter.shown[-1][1], await chatops.click(user, f"cloudops:show:{sid}")]:
        cost = next(f.value for f in reply.fields if f.name == "Monthly cost")
        assert cost != "not estimated" and "$" in cost and "budget $50.00/mo" in cost
        assert "cost not estimated" not in " ".join(f.value for f in reply.fields if f.name.startswith("vm · "))
        assert next(f.value for f in reply.fields if f.name == "Policy") == "passed"


async def test_an_applied_pr_without_automerge_offers_merge_and_then_says_what_exists(chatops, user, admin, forge, bus,
                                                                                      presenter, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    await bus.publish(applied(forge))
    reply = presenter.shown[-1][1]
    assert "not merged yet" in reply.description and reply.button("merge") is not None
    refused = await chatops.click(user, f"cloudops:merge:{sid}")  # bob is a user: merging needs an admin
    assert refused.refused == RefusalKind.NOT_ALLOWED
    merged = await chatops.click(admin, f"cloudops:merge:{sid}")
    assert gateway.calls[-1] == ("merge_pull_request", (REPO, 1, "alice", head(forge)))
    assert "Applied and merged." in merged.description and "/cloud-rollback project:web pr:1" in " ".join(
        f.value for f in merged.fields)
    assert merged.button("merge") is None


async def test_the_merge_webhook_moves_the_lobby_to_merged(chatops, user, forge, bus, presenter) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    await bus.publish(applied(forge))
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=1, merged=True, merge_sha="c" * 40, actor="cloudops-bot"))
    assert "Applied and merged." in presenter.shown[-1][1].description
    assert "Applied and merged." in (await chatops.click(user, f"cloudops:show:{sid}")).description


async def test_a_pr_closed_unmerged_ends_the_session_without_a_stale_lock_line(chatops, user, forge, bus, presenter) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(notices.LockContended(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="plan-1",
                                            holder_pr=7, holder_user="carol"))
    assert any("locked by PR #7" in f.value for f in presenter.shown[-1][1].fields)
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=1, merged=False, actor="bob"))
    reply = presenter.shown[-1][1]
    assert "Pull request closed." in reply.description and not any("locked" in f.value for f in reply.fields)
    assert reply.button("approve") is None and reply.button("close-pr") is None
    status = await chatops.run(user, "cloud-status", {})
    assert sid not in " ".join(f.value for f in status.fields)


def contended(forge: RecordingForge, holder: int = 7) -> notices.LockContended:
    return notices.LockContended(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="plan-1",
                                 holder_pr=holder, holder_user="carol")


def progress_of(reply: Reply) -> str:
    return next((f.value for f in reply.fields if f.name == "Progress"), "")


async def test_when_the_pr_holding_the_lock_closes_the_waiting_lobby_says_so_and_offers_plan_again(
        chatops, user, forge, bus, presenter, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(contended(forge))
    assert progress_of(presenter.shown[-1][1]).startswith("waiting: project locked by PR #7")
    assert presenter.shown[-1][1].button("plan") is None  # a plan now would wait again
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=7, merged=False, actor="carol", released=("web",)))
    reply = presenter.shown[-1][1]
    assert progress_of(reply) == "PR #7 was closed and web is unlocked: press Plan again"
    assert reply.button("plan") is not None and "waiting" not in progress_of(reply)
    again = await chatops.click(user, f"cloudops:plan:{sid}")
    assert gateway.calls[-1] == ("plan", (REPO, 1, "web", "bob"))
    assert progress_of(again) == "plan requested by bob" and again.button("plan") is None
    await bus.publish(notices.PlanStarted(repo=REPO, project="web", pr_number=1, head_sha=head(forge), run_id="plan-2"))
    assert progress_of(presenter.shown[-1][1]) == ""


async def test_a_merge_that_keeps_the_lock_or_another_prs_release_leaves_the_lobby_waiting(
        chatops, user, forge, bus, presenter) -> None:
    await with_pr(chatops, user)
    await bus.publish(contended(forge))
    shown = len(presenter.shown)
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=8, merged=False, released=("web",)))
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=7, merged=True, released=("data",)))
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=7, merged=True, applying=("web",)))  # apply_on: merge
    assert len(presenter.shown) == shown  # nothing to tell: web is still locked by PR #7


async def test_plan_again_is_refused_while_another_pr_holds_the_lock(chatops, ctx, user, forge, bus, gateway) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(contended(forge))
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=7, merged=False, released=("web",)))
    ctx.store.try_lock(REPO, "web", pr_number=9, user="dave")
    refused = await chatops.click(user, f"cloudops:plan:{sid}")
    assert refused.refused == RefusalKind.LOCKED and "PR #9 (dave)" in refused.description
    assert not any(name == "plan" for name, _ in gateway.calls)


@pytest.mark.parametrize("lock_kept", [True, False])
async def test_an_applied_pr_closed_unmerged_tells_the_lobby_and_the_admins_what_is_live(
        chatops, user, forge, bus, presenter, lock_kept: bool) -> None:
    sid = await with_pr(chatops, user)
    await bus.publish(ready(forge))
    await bus.publish(applied(forge))
    await bus.publish(notices.ClosedWithLiveResources(repo=REPO, project="web", pr_number=1, lock_kept=lock_kept,
                                                      resources=("null_resource.vm_api", "null_resource.vm_db")))
    await bus.publish(notices.PullRequestClosed(repo=REPO, pr_number=1, merged=False, actor="bob",
                                                kept=("web",) if lock_kept else (), released=() if lock_kept else ("web",)))
    target, alert = presenter.alerts[-1]
    assert target.guild_id == "g1" and alert.title == "Closed with live resources: web PR #1"
    assert "null_resource.vm_api, null_resource.vm_db" in alert.description
    reply = await chatops.click(user, f"cloudops:show:{sid}")
    fields = {f.name: f.value for f in reply.fields}
    assert "Pull request closed." in reply.description
    if lock_kept:
        assert fields["Result"] == "closed without merging by bob; lock kept: its applied resources are live"
        assert "null_resource.vm_api" in fields["Progress"] and "/cloud-unlock project:web" in fields["Progress"]
        assert "/cloud-rollback project:web pr:1" in alert.description
    else:
        assert fields["Result"] == "closed without merging by bob; lock released"
        assert "next plan of web shows them as destroys" in alert.description
