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
    assert len(embed.title) == 256 and len(embed.fields) == 25 and len(embed.fields[0].value) == 1024
    assert embed.colour == discord.Colour.red() and embed.footer.text == "session s1"


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
