"""Acknowledge, call the service, show the answer: the one path every interaction takes.

Discord gives three seconds to acknowledge. Commands and clicks are
deferred first (ephemeral "thinking" for commands, a silent update for
clicks); the work runs after and the answer goes out as a follow-up. Two
exceptions must answer with a modal instead, so they are not deferred: the
kind select / "try again" (the resource form) and ``/cloud-credentials``.

A lobby reply is posted as an ordinary channel message (editable for as
long as the session lives, unlike an interaction token's 15 minutes) and
its location is handed to the service so pipeline events can edit it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from controller.service.chatops import ChatOps
from controller.service.context import Caller
from controller.service.replies import Reply, parse_component_id

from . import render
from .components import ResourceModal

log = logging.getLogger(__name__)
MODAL_ACTIONS = {"kind", "retry"}


class LobbyPresenter(Protocol):
    async def show(self, ref: dict[str, str], reply: Reply) -> None: ...


@dataclass
class Front:
    """What the Discord layer holds: the service and the presenter that edits lobby messages."""

    chatops: ChatOps
    presenter: LobbyPresenter


def front_of(interaction: discord.Interaction) -> Front:
    return interaction.client.cloudops  # type: ignore[attr-defined,no-any-return]


def caller_of(interaction: discord.Interaction) -> Caller:
    user = interaction.user
    return Caller(str(interaction.guild_id or "dm"), str(user.id), getattr(user, "display_name", "") or str(user))


def _kwargs(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"embed": render.embed(reply)}
    view = render.view(reply)
    if view is not None:
        out["view"] = view
    attached = render.files(reply)
    if attached:
        out["files"] = attached
    return out


async def send(interaction: discord.Interaction, reply: Reply) -> None:
    """Answer a deferred interaction: lobbies go to the channel (or edit theirs), the rest as a private follow-up.

    A private note (a recovery code) always goes to the caller alone, even when the lobby is public."""
    await _send(interaction, reply)
    if reply.private_note:
        await interaction.followup.send(reply.private_note[:2000], ephemeral=True)


async def _send(interaction: discord.Interaction, reply: Reply) -> None:
    front = front_of(interaction)
    if reply.session and not reply.refused:
        ref = front.chatops.ctx.registry.message_ref(reply.session)
        if ref is not None:
            await front.presenter.show(ref, reply)
            if interaction.message is None or str(interaction.message.id) != ref.get("message"):
                await interaction.followup.send(f"Session {reply.session} updated.", ephemeral=True)
            return
        channel = interaction.channel
        if channel is not None and hasattr(channel, "send"):
            message = await channel.send(**_kwargs(reply))  # type: ignore[union-attr]
            front.chatops.deploy.attach_message(reply.session, {"channel": str(message.channel.id), "message": str(message.id)})
            await interaction.followup.send(f"Session {reply.session} opened below.", ephemeral=True)
            return
    await interaction.followup.send(ephemeral=True, **_kwargs(reply))


async def on_component(interaction: discord.Interaction, custom_id: str, values: list[str]) -> None:
    front = front_of(interaction)
    parsed = parse_component_id(custom_id)
    caller = caller_of(interaction)
    if parsed is not None and parsed[0] in MODAL_ACTIONS:
        reply = await front.chatops.click(caller, custom_id, values)
        if reply.form is not None:
            await interaction.response.send_modal(ResourceModal(reply.form))
        else:
            await interaction.response.send_message(ephemeral=True, **_kwargs(reply))
        return
    await interaction.response.defer()
    reply = await front.chatops.click(caller, custom_id, values)
    await send(interaction, reply)


async def on_form(interaction: discord.Interaction, form_id: str, values: dict[str, str]) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    reply = await front_of(interaction).chatops.submit(caller_of(interaction), form_id, values)
    await send(interaction, reply)


async def run_command(interaction: discord.Interaction, command: str, options: dict[str, Any], *,
                      attachment: discord.Attachment | None = None) -> None:
    """What every slash command does: defer, run, send."""
    from controller.service.chatops import Upload

    await interaction.response.defer(ephemeral=True, thinking=True)
    upload = None
    if attachment is not None:
        if attachment.size > 256 * 1024:
            await interaction.followup.send("The file is larger than 256 KB; split it.", ephemeral=True)
            return
        upload = Upload(attachment.filename, await attachment.read())
    reply = await front_of(interaction).chatops.run(caller_of(interaction), command,
                                                    {k: v for k, v in options.items() if v is not None}, upload=upload)
    await send(interaction, reply)
