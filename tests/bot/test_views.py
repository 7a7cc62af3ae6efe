"""Views and embeds from replies: button states per session state, real discord.ui objects."""

from __future__ import annotations

import discord
import pytest

from bot.discord import render
from bot.discord.components import CloudButton, CloudSelect, ResourceModal
from controller.catalog.specs import Kind, Target
from controller.service import forms
from controller.service.lobby import Assessment, Draft, Lobby, LobbyStatus, PlanInfo, kind_select
from controller.service.lobby import render as render_lobby
from controller.service.replies import Colour, Field, Reply

SHA = "a" * 40


def lobby(status: LobbyStatus, *, resources: int = 1, fresh: bool = True, policy: bool = True, merged: bool = False,
          automerge: bool = False, apply_on: str = "approve") -> Lobby:
    out = Lobby(id="s1", guild_id="g", user_id="u", member="bob", repo="acme/infra", project="web",
                target=Target.LOCAL, region="local-1", status=status, merged=merged, automerge=automerge, apply_on=apply_on,
                resources=[Draft(Kind.VM, {"name": f"vm{i}", "size": "small"}) for i in range(resources)])
    if status != LobbyStatus.DRAFT:
        out.pr_number, out.pr_url, out.head_sha = 1, "https://forge/pr/1", SHA
    if status in (LobbyStatus.PLAN_READY, LobbyStatus.APPLYING, LobbyStatus.APPLIED):
        out.plan = PlanInfo("r", SHA if fresh else "b" * 40, 1, 0, 0, True, policy)
    return out


def states(view: discord.ui.View) -> dict[str, bool]:
    out = {}
    for item in view.children:
        if isinstance(item, CloudButton):
            out[item.item.label] = item.item.disabled
        elif isinstance(item, discord.ui.Button):
            out[item.label] = item.disabled
    return out


@pytest.mark.parametrize("case,expected", [
    (lobby(LobbyStatus.DRAFT, resources=0), {"Add": False, "Remove": True, "Open pull request": True, "Cancel": False}),
    (lobby(LobbyStatus.DRAFT), {"Add": False, "Remove": False, "Open pull request": False, "Cancel": False}),
    (lobby(LobbyStatus.PLANNING), {"Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.PLAN_READY), {"Approve & apply": False, "Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.PLAN_READY, fresh=False), {"Approve & apply": True, "Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.PLAN_READY, policy=False), {"Approve & apply": True, "Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.PLAN_READY, apply_on="merge"), {"Merge & apply": False, "Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.PLAN_FAILED), {"Close PR": False, "PR #1": False}),
    (lobby(LobbyStatus.APPLYING), {"PR #1": False}),
    (lobby(LobbyStatus.APPLIED), {"Merge": False, "PR #1": False}),
    (lobby(LobbyStatus.APPLIED, automerge=True), {"PR #1": False}),
    (lobby(LobbyStatus.APPLIED, merged=True), {"PR #1": False}),
], ids=["empty-draft", "draft", "planning", "plan-ready", "stale-plan", "policy-failed", "merge-mode", "plan-failed",
        "applying", "applied-unmerged", "applied-automerging", "applied-merged"])
def test_button_states_follow_the_session_state(case: Lobby, expected: dict[str, bool]) -> None:
    view = render.view(render_lobby(case, Assessment()))
    assert view is not None and view.timeout is None
    assert states(view) == expected


def test_a_quota_problem_disables_open_pr() -> None:
    view = render.view(render_lobby(lobby(LobbyStatus.DRAFT), Assessment(quota_problems=("vm: 2 + 1 > 2",))))
    assert states(view)["Open pull request"] is True


def test_component_ids_carry_the_session_and_match_the_dynamic_template() -> None:
    view = render.view(render_lobby(lobby(LobbyStatus.DRAFT), Assessment()))
    ids = [c.item.custom_id for c in view.children if isinstance(c, CloudButton)]
    assert ids == ["cloudops:add:s1", "cloudops:remove:s1", "cloudops:open-pr:s1", "cloudops:cancel:s1"]
    assert all(CloudButton.__discord_ui_compiled_template__.fullmatch(i) for i in ids)


def test_the_link_button_opens_the_pr() -> None:
    view = render.view(render_lobby(lobby(LobbyStatus.PLANNING), Assessment()))
    link = next(c for c in view.children if isinstance(c, discord.ui.Button) and c.url)
    assert link.url == "https://forge/pr/1" and link.style == discord.ButtonStyle.link


def test_a_select_is_a_dynamic_select_with_all_kinds() -> None:
    view = render.view(Reply(title="Add", selects=(kind_select("s1"),)))
    (select,) = view.children
    assert isinstance(select, CloudSelect) and [o.value for o in select.item.options] == [k.value for k in Kind]


def test_an_embed_keeps_title_fields_colour_and_footer_within_discords_limits() -> None:
    reply = Reply(title="t" * 300, description="d", fields=tuple(Field(f"f{i}", "v" * 2000) for i in range(30)),
                  colour=Colour.ERROR, footer="session s1")
    embed = render.embed(reply)
    assert len(embed.title) == 256 and len(embed.fields) == 25 and all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed) <= 6000  # discord.py counts the embed's characters as Discord does
    assert embed.fields[-1].name == "… and 6 more" and "f29" in embed.fields[-1].value
    assert embed.colour == discord.Colour.red() and embed.footer.text == "session s1"


def within_discords_limits(embed: discord.Embed, view: discord.ui.View | None) -> None:
    assert len(embed) <= 6000 and len(embed.fields) <= 25 and len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096 and all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    if view is not None:
        rows: dict[int, int] = {}
        for item in view.children:
            rows[item._rendered_row or 0] = rows.get(item._rendered_row or 0, 0) + item.width
            if isinstance(item, CloudSelect):
                assert len(item.item.options) <= 25
        assert len(rows) <= 5 and all(width <= 5 for width in rows.values())
        view.to_components()  # what discord.py sends; it raises on an invalid layout


def big_lobby(n: int = 60) -> Lobby:
    out = lobby(LobbyStatus.DRAFT, resources=0)
    out.resources = [Draft(Kind.VM, {"name": f"vm-{i:02d}-" + "x" * 40, "size": "small", "labels": {"team": "t" * 50}})
                     for i in range(n)]
    return out


def test_a_60_resource_lobby_fits_every_discord_limit_and_keeps_its_totals() -> None:
    costs = {d.key: "$13.03/mo" for d in big_lobby().resources}
    assessment = Assessment(costs=costs, total="$781.80/mo", cost_note="exceeds the budget of $100.00/mo",
                            policy_passed=False, policy_lines=("⛔ too many vms",) * 3)
    reply = render_lobby(big_lobby(), assessment)
    embed, view = render.embed(reply), render.view(reply)
    within_discords_limits(embed, view)
    names = [f.name for f in embed.fields]
    assert "Monthly cost" in names and "Policy" in names and "… and 42 more (60 in all)" in names
    assert "exceeds the budget" in embed.fields[names.index("Monthly cost")].value
    assert "All resources" in states(view)


def test_every_page_of_a_large_lobby_fits_and_every_resource_can_be_removed() -> None:
    from controller.service.lobby import remove_selects, resources_page

    seen: list[str] = []
    for page in range(3):
        reply = resources_page(big_lobby(), Assessment(total="$781.80/mo"), page)
        within_discords_limits(render.embed(reply), render.view(reply))
        seen += [f.name for f in reply.fields if f.name.startswith("vm · ")]
    assert len(seen) == 60 and len(set(seen)) == 60
    selects = remove_selects(big_lobby())
    reply = Reply(title="Remove a resource", selects=selects)
    within_discords_limits(render.embed(reply), render.view(reply))
    assert sum(len(s.options) for s in selects) == 60 and len({s.id for s in selects}) == 3


def test_a_reply_without_components_has_no_view() -> None:
    assert render.view(Reply(title="x")) is None


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_form_becomes_a_modal_of_at_most_five_inputs(kind: Kind) -> None:
    form = forms.form_for(kind, Target.LOCAL, "s1")
    modal = ResourceModal(form)
    assert isinstance(modal, discord.ui.Modal) and modal.custom_id == f"cloudops:form:s1:{kind.value}"
    assert 1 <= len(modal.children) <= 5 and all(isinstance(c, discord.ui.TextInput) for c in modal.children)
    assert modal.children[0].label == "Name" and modal.children[0].required


def test_a_retry_modal_is_prefilled_with_what_was_typed() -> None:
    form = forms.form_for(Kind.VM, Target.LOCAL, "s1", {"name": "api", "size": "huge"})
    assert ResourceModal(form).values() == {"name": "api", "size": "huge", "disk_gb": "", "network": "", "subnet": ""}


def test_a_lobby_whose_lock_was_released_offers_plan_again_and_never_approve() -> None:
    waiting = lobby(LobbyStatus.PLANNING)
    waiting.replan = True
    assert states(render.view(render_lobby(waiting, Assessment()))) == {"Plan again": False, "Close PR": False,
                                                                        "PR #1": False}
