"""Deployment commands: thin wrappers that defer, call the service and render."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from controller.service.commands import Command

from .. import options as o
from ..interactions import run_command


class DeployCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name=Command.DEPLOY, description=o.summary(Command.DEPLOY))
    @app_commands.describe(**o.describe(Command.DEPLOY))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def deploy(self, interaction: discord.Interaction, project: str, file: discord.Attachment | None = None) -> None:
        await run_command(interaction, Command.DEPLOY, {"project": project}, attachment=file)

    @app_commands.command(name=Command.TEMPLATE, description=o.summary(Command.TEMPLATE))
    @app_commands.describe(**o.describe(Command.TEMPLATE))
    @app_commands.choices(**o.choices(Command.TEMPLATE))
    @app_commands.guild_only()
    async def template(self, interaction: discord.Interaction, format: str | None = None) -> None:  # noqa: A002
        await run_command(interaction, Command.TEMPLATE, {"format": format})

    @app_commands.command(name=Command.RECOVER_SESSION, description=o.summary(Command.RECOVER_SESSION))
    @app_commands.describe(**o.describe(Command.RECOVER_SESSION))
    @app_commands.guild_only()
    async def recover(self, interaction: discord.Interaction, code: str | None = None) -> None:
        await run_command(interaction, Command.RECOVER_SESSION, {"code": code})
