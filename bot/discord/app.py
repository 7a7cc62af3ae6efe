"""The Discord bot: a ``commands.Bot`` with our cogs, restart-proof components and the presenter.

``build_bot`` needs no token and no network (tests walk its command tree);
``run`` logs in. Pipeline events reach Discord through ``LobbyEvents``
attached to the bus the bot is given.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from controller.bus import EventBus
from controller.service.chatops import ChatOps
from controller.service.events import LobbyEvents

from .components import CloudButton, CloudSelect
from .errors import on_app_command_error
from .interactions import Front
from .presenter import DiscordPresenter

log = logging.getLogger(__name__)
EXTENSIONS = ("bot.discord.deploy", "bot.discord.queries", "bot.discord.admin")


class CloudOpsBot(commands.Bot):
    def __init__(self, chatops: ChatOps, bus: EventBus | None = None, *, sync: bool = True) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(), help_command=None)
        self.presenter = DiscordPresenter(self)
        self.cloudops = Front(chatops, self.presenter)
        self.bus = bus
        self.sync_commands = sync
        self.tree.on_error = on_app_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        await self.load_cogs()
        self.add_dynamic_items(CloudButton, CloudSelect)
        if self.bus is not None:
            ctx = self.cloudops.chatops.ctx
            LobbyEvents(ctx.registry, self.presenter, repos=ctx.repos, clock=ctx.clock).attach(self.bus)
        if self.sync_commands:
            synced = await self.tree.sync()
            log.info("synced %d application commands", len(synced))

    async def load_cogs(self) -> None:
        for name in EXTENSIONS:
            await self.load_extension(name)


async def build_bot(chatops: ChatOps, bus: EventBus | None = None) -> CloudOpsBot:
    """A bot with every cog loaded, never logged in (what tests and ``run`` start from)."""
    bot = CloudOpsBot(chatops, bus, sync=False)
    await bot.load_cogs()
    return bot
