"""Pipeline events on Discord: edit the lobby message, stream the apply into a thread, alert admins.

``LobbyEvents`` (the service) decides what to show, throttles progress and
chooses who is alerted (the admin channel, or the project's admins by direct
message when the server has none); this class only knows where things go.
Progress lives in a thread on the lobby message (auto-archived after an
hour); its message is edited in place. Discord errors are logged, never
raised into the pipeline.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from controller.service.alerts import AlertTarget
from controller.service.replies import Reply

from . import render

log = logging.getLogger(__name__)


class DiscordPresenter:
    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._progress: dict[str, discord.Message] = {}  # lobby message id -> the running apply's message
        self._threads: dict[str, Any] = {}  # lobby message id -> its progress thread

    def _channel(self, channel_id: str) -> Any:
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            channel = self.client.get_partial_messageable(int(channel_id))
        return channel

    async def show(self, ref: dict[str, str], reply: Reply) -> None:
        message = self._channel(ref["channel"]).get_partial_message(int(ref["message"]))
        view = render.view(reply)
        try:
            await message.edit(embed=render.embed(reply), view=view)
        except discord.HTTPException as exc:
            log.warning("editing lobby message %s: %s", ref.get("message"), exc)

    async def progress(self, ref: dict[str, str], reply: Reply, *, final: bool) -> None:
        """One thread per lobby message, one progress message per apply in it (a second apply, or one after a
        restart, posts in the same thread)."""
        key = ref["message"]
        try:
            existing = self._progress.get(key)
            if existing is None:
                thread = await self._thread(ref, reply.title)
                self._progress[key] = await thread.send(embed=render.embed(reply))
            else:
                self._progress[key] = await existing.edit(embed=render.embed(reply))
            if final:
                self._progress.pop(key, None)
        except discord.HTTPException as exc:
            log.warning("posting apply progress for %s: %s", key, exc)

    async def _thread(self, ref: dict[str, str], title: str) -> Any:
        key = ref["message"]
        if key not in self._threads:
            lobby = self._channel(ref["channel"]).get_partial_message(int(key))
            try:
                self._threads[key] = await lobby.create_thread(name=title[:100], auto_archive_duration=60)
            except discord.HTTPException:
                # Made before a restart: Discord gives a message's thread the message's id.
                self._threads[key] = self._channel(key)
        return self._threads[key]

    async def alert(self, target: AlertTarget, reply: Reply) -> None:
        if target.channel is not None:
            try:
                await self._channel(target.channel).send(embed=render.embed(reply))
            except discord.HTTPException as exc:
                log.warning("posting to admin channel %s: %s", target.channel, exc)
            return
        for user_id in target.direct:
            await self._direct(user_id, reply)

    async def _direct(self, user_id: str, reply: Reply) -> None:
        """A direct message to one admin; one who has DMs closed (403) or left Discord is logged and skipped."""
        try:
            user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
            await user.send(embed=render.embed(reply))
        except (discord.HTTPException, ValueError) as exc:
            log.warning("sending an alert to admin %s by direct message: %s", user_id, exc)
