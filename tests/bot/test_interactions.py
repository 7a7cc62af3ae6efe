"""Commands, clicks and modals through real cogs, views and modals, with spec_set interaction doubles."""

from __future__ import annotations

from typing import Any

import discord

from bot.discord.app import CloudOpsBot
from bot.discord.components import CloudButton, CloudSelect, CredentialsModal, ResourceModal
from controller.catalog.specs import Kind, Target
from controller.service import forms

from .conftest import FakeChannel, FakeInteraction, doubles

USER, ADMIN = doubles.USER_ID, doubles.ADMIN_ID


def interaction(bot: CloudOpsBot, channel: FakeChannel, user: str = USER, **kwargs: Any) -> FakeInteraction:
    return FakeInteraction(bot, user, channel, **kwargs)


def embed_of(call: Any) -> discord.Embed:
    return call.kwargs["embed"]


async def deploy(bot: CloudOpsBot, channel: FakeChannel) -> str:
    cog = bot.get_cog("DeployCog")
    inter = interaction(bot, channel)
    await cog.deploy.callback(cog, inter, project="web")
    inter.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    footer = channel.sent[-1]["embed"].footer.text
    return footer.split()[1]


async def test_deploy_defers_then_posts_the_lobby_in_the_channel_and_remembers_where(bot, channel, chatops) -> None:
    sid = await deploy(bot, channel)
    posted = channel.sent[-1]
    assert posted["embed"].title == "Deploy to web" and isinstance(posted["view"], discord.ui.View)
    ref = chatops.ctx.registry.message_ref(sid)
    assert ref == {"channel": str(channel.id), "message": str(max(channel.messages))}


async def test_a_refused_command_is_a_private_follow_up(bot, channel) -> None:
    cog = bot.get_cog("DeployCog")
    inter = interaction(bot, channel, user="999")
    await cog.deploy.callback(cog, inter, project="web")
    call = inter.followup.send.await_args
    assert call.kwargs["ephemeral"] is True and embed_of(call).title == "Not allowed"
    assert channel.sent == []


async def test_add_then_kind_select_opens_the_kind_modal_without_deferring(bot, channel) -> None:
    sid = await deploy(bot, channel)
    click = interaction(bot, channel)
    await CloudButton.build(doubles_button(f"cloudops:add:{sid}")).callback(click)
    click.response.defer.assert_awaited_once_with()
    picker = click.followup.send.await_args.kwargs
    assert picker["ephemeral"] and isinstance(picker["view"].children[0], CloudSelect)
    select = interaction(bot, channel, data={"values": ["database"]})
    await picker["view"].children[0].callback(select)
    select.response.defer.assert_not_awaited()
    modal = select.response.send_modal.await_args.args[0]
    assert isinstance(modal, ResourceModal) and modal.title == "Add a database"


async def test_the_kind_modal_opens_without_reading_the_repo(bot, channel, chatops, monkeypatch) -> None:
    sid = await deploy(bot, channel)

    def slow(*args: Any) -> Any:
        raise AssertionError("the modal must not wait on git or the forge (Discord allows three seconds)")

    monkeypatch.setattr(chatops.ctx.repos, "config", slow)
    monkeypatch.setattr(chatops.ctx.repos, "inventory", slow)
    select = interaction(bot, channel, data={"values": ["vm"]})
    await CloudSelect.build(forms_kind_select(sid)).callback(select)
    assert isinstance(select.response.send_modal.await_args.args[0], ResourceModal)


def forms_kind_select(sid: str) -> Any:
    from controller.service.lobby import kind_select

    return kind_select(sid)


async def test_a_valid_modal_edits_the_lobby_message(bot, channel) -> None:
    sid = await deploy(bot, channel)
    lobby_message = channel.messages[max(channel.messages)]
    modal = ResourceModal(forms.form_for(Kind.VM, Target.LOCAL, sid, {"name": "api", "size": "small"}))
    submit = interaction(bot, channel)
    await modal.on_submit(submit)
    submit.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    edited = lobby_message.edits[-1]
    assert any(f.name == "vm · api" for f in edited["embed"].fields)
    assert submit.followup.send.await_args.kwargs["ephemeral"] is True


async def test_an_invalid_modal_names_the_field_and_offers_a_retry_button(bot, channel) -> None:
    sid = await deploy(bot, channel)
    modal = ResourceModal(forms.form_for(Kind.VM, Target.LOCAL, sid, {"name": "api", "size": "huge", "disk_gb": "x"}))
    submit = interaction(bot, channel)
    await modal.on_submit(submit)
    sent = submit.followup.send.await_args.kwargs
    assert sent["ephemeral"] and "`disk_gb` = 'x': must be a whole number" in sent["embed"].description
    (retry,) = sent["view"].children
    assert retry.item.custom_id == f"cloudops:retry:{sid}:vm"
    again = interaction(bot, channel)
    await retry.callback(again)
    reopened = again.response.send_modal.await_args.args[0]
    assert reopened.values()["size"] == "huge"


async def test_approve_by_someone_not_allowed_gets_a_private_reason(bot, channel) -> None:
    sid = await deploy(bot, channel)
    click = interaction(bot, channel, user="999")
    await CloudButton.build(doubles_button(f"cloudops:approve:{sid}")).callback(click)
    sent = click.followup.send.await_args.kwargs
    assert sent["ephemeral"] and sent["embed"].title == "Not allowed"


async def test_credentials_check_the_role_before_the_form_opens(bot, channel) -> None:
    bot.cloudops.chatops.admin.save_credentials = lambda g, k, s, p: "fp:1"
    cog = bot.get_cog("AdminCog")
    for who in (doubles.VIEWER_ID, doubles.STRANGER_ID):
        inter = interaction(bot, channel, user=who)
        await cog.credentials.callback(cog, inter, kind="aws", project=None)
        assert not inter.response.send_modal.called
        refusal = inter.response.send_message.await_args
        assert refusal.kwargs["ephemeral"] and refusal.kwargs["embed"].title == "Not allowed"


async def test_credentials_without_a_vault_say_so_before_the_form(bot, channel) -> None:
    cog = bot.get_cog("AdminCog")
    inter = interaction(bot, channel, user=ADMIN)
    await cog.credentials.callback(cog, inter, kind="aws", project=None)
    assert not inter.response.send_modal.called
    assert "master key" in inter.response.send_message.await_args.kwargs["embed"].description


async def test_credentials_open_a_modal_and_the_secret_is_never_echoed(bot, channel) -> None:
    bot.cloudops.chatops.admin.save_credentials = lambda g, k, s, p: "fp:1"
    cog = bot.get_cog("AdminCog")
    inter = interaction(bot, channel, user=ADMIN)
    await cog.credentials.callback(cog, inter, kind="aws", project=None)
    modal = inter.response.send_modal.await_args.args[0]
    assert isinstance(modal, CredentialsModal)
    modal.secret._value = "aws_access_key_id=AKIAEXAMPLE\naws_secret_access_key=TOPSECRET"
    submit = interaction(bot, channel, user=ADMIN)
    await modal.on_submit(submit)
    sent = submit.followup.send.await_args
    text = repr(sent) + embed_of(sent).description
    assert "TOPSECRET" not in text and "AKIAEXAMPLE" not in text and modal.secret.value == ""


async def test_the_template_is_sent_as_a_file(bot, channel) -> None:
    cog = bot.get_cog("DeployCog")
    inter = interaction(bot, channel)
    await cog.template.callback(cog, inter, format="csv")
    (file,) = inter.followup.send.await_args.kwargs["files"]
    assert isinstance(file, discord.File) and file.filename == "cloudops-resources.csv"


async def test_project_autocomplete_answers_choices(bot, channel) -> None:
    from bot.discord import options

    choices = await options.projects(interaction(bot, channel), "w")
    assert [c.value for c in choices] == ["web"]


def doubles_button(custom_id: str) -> Any:
    from controller.service.replies import Button

    return Button(custom_id, custom_id.split(":")[1])


def discord_user(bot: CloudOpsBot, user_id: str) -> discord.User:
    """A real discord.User, as the member picker hands it to the command."""
    return discord.User(state=bot._connection, data={"id": user_id, "username": f"u{user_id}", "discriminator": "0",
                                                     "avatar": None, "global_name": None})


async def test_grant_takes_a_picked_member_and_the_service_finds_them_by_chat_id(bot, channel, forge) -> None:
    from controller import repo_config

    cog = bot.get_cog("AdminCog")
    inter = interaction(bot, channel, user=ADMIN)
    await cog.grant.callback(cog, inter, member=discord_user(bot, USER), project="data", role="viewer", duration="8h",
                             reason="on-call")
    assert embed_of(inter.followup.send.await_args).title.startswith("PR #")
    grant = repo_config.loads(forge.commits[-1]["files"]["cloudops.yaml"]).grants[-1]
    assert (grant.member, grant.project, grant.role.value) == ("bob", "data", "viewer")


async def test_a_picked_user_missing_from_cloudops_yaml_is_told_how_to_add_them(bot, channel, forge) -> None:
    cog = bot.get_cog("AdminCog")
    inter = interaction(bot, channel, user=ADMIN)
    await cog.revoke.callback(cog, inter, member=discord_user(bot, "4242"), project="web", reason="x")
    embed = embed_of(inter.followup.send.await_args)
    assert "chat user 4242 is not a member" in embed.description and forge.commits == []


async def test_region_autocomplete_offers_the_regions_of_the_target_typed_in_the_same_command(bot, channel) -> None:
    from types import SimpleNamespace

    from bot.discord import options

    aws = await options.regions(interaction(bot, channel, namespace=SimpleNamespace(target="aws")), "eu-")
    assert aws and all(c.value.startswith("eu-") for c in aws) and "eu-west-1" in [c.value for c in aws]
    default = await options.regions(interaction(bot, channel, namespace=SimpleNamespace()), "")
    assert [c.value for c in default] == ["local-1", "local-2"]  # the server's default target: local
    assert await options.regions(interaction(bot, channel, namespace=SimpleNamespace(target="mars")), "") == []
