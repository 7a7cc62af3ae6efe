"""Deployment commands: thin wrappers that defer, call the service and render."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from .. import options as o
from ..interactions import run_command


class DeployCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="cloud-deploy", description=o.summary("cloud-deploy"))
    @app_commands.describe(**o.describe("cloud-deploy"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def deploy(self, interaction: discord.Interaction, project: str, file: discord.Attachment | None = None) -> None:
        await run_command(interaction, "cloud-deploy", {"project": project}, attachment=file)

    @app_commands.command(name="cloud-template", description=o.summary("cloud-template"))
    @app_commands.describe(**o.describe("cloud-template"))
    @app_commands.choices(**o.choices("cloud-template"))
    @app_commands.guild_only()
    async def template(self, interaction: discord.Interaction, format: str | None = None) -> None:  # noqa: A002
        await run_command(interaction, "cloud-template", {"format": format})

    @app_commands.command(name="cloud-recover-session", description=o.summary("cloud-recover-session"))
    @app_commands.describe(**o.describe("cloud-recover-session"))
    @app_commands.guild_only()
    async def recover(self, interaction: discord.Interaction, code: str | None = None) -> None:
        await run_command(interaction, "cloud-recover-session", {"code": code})
