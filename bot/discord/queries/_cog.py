"""Read-mostly commands and the user's cancel/rollback: defer, call the service, render."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from .. import options as o
from ..interactions import run_command


class QueriesCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="cloud-list", description=o.summary("cloud-list"))
    @app_commands.describe(**o.describe("cloud-list"))
    @app_commands.autocomplete(project=o.projects, resource=o.resources)
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction, project: str, resource: str | None = None) -> None:
        await run_command(interaction, "cloud-list", {"project": project, "resource": resource})

    @app_commands.command(name="cloud-projects", description=o.summary("cloud-projects"))
    @app_commands.guild_only()
    async def projects(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "cloud-projects", {})

    @app_commands.command(name="cloud-quota", description=o.summary("cloud-quota"))
    @app_commands.describe(**o.describe("cloud-quota"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def quota(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, "cloud-quota", {"project": project})

    @app_commands.command(name="cloud-status", description=o.summary("cloud-status"))
    @app_commands.describe(**o.describe("cloud-status"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction, project: str | None = None) -> None:
        await run_command(interaction, "cloud-status", {"project": project})

    @app_commands.command(name="cloud-cancel", description=o.summary("cloud-cancel"))
    @app_commands.describe(**o.describe("cloud-cancel"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def cancel(self, interaction: discord.Interaction, pr: int, project: str | None = None) -> None:
        await run_command(interaction, "cloud-cancel", {"pr": pr, "project": project})

    @app_commands.command(name="cloud-history", description=o.summary("cloud-history"))
    @app_commands.describe(**o.describe("cloud-history"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def history(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, "cloud-history", {"project": project})

    @app_commands.command(name="cloud-rollback", description=o.summary("cloud-rollback"))
    @app_commands.describe(**o.describe("cloud-rollback"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def rollback(self, interaction: discord.Interaction, project: str, pr: int | None = None,
                       to_sha: str | None = None) -> None:
        await run_command(interaction, "cloud-rollback", {"project": project, "pr": pr, "to_sha": to_sha})

    @app_commands.command(name="cloud-cost", description=o.summary("cloud-cost"))
    @app_commands.describe(**o.describe("cloud-cost"))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def cost(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, "cloud-cost", {"project": project})
