"""Read-mostly commands and the user's cancel/rollback: defer, call the service, render."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from controller.service.commands import Command

from .. import options as o
from ..interactions import run_command


class QueriesCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name=Command.LIST, description=o.summary(Command.LIST))
    @app_commands.describe(**o.describe(Command.LIST))
    @app_commands.autocomplete(project=o.projects, resource=o.resources)
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction, project: str, resource: str | None = None) -> None:
        await run_command(interaction, Command.LIST, {"project": project, "resource": resource})

    @app_commands.command(name=Command.PROJECTS, description=o.summary(Command.PROJECTS))
    @app_commands.guild_only()
    async def projects(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, Command.PROJECTS, {})

    @app_commands.command(name=Command.QUOTA, description=o.summary(Command.QUOTA))
    @app_commands.describe(**o.describe(Command.QUOTA))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def quota(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, Command.QUOTA, {"project": project})

    @app_commands.command(name=Command.STATUS, description=o.summary(Command.STATUS))
    @app_commands.describe(**o.describe(Command.STATUS))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction, project: str | None = None) -> None:
        await run_command(interaction, Command.STATUS, {"project": project})

    @app_commands.command(name=Command.CANCEL, description=o.summary(Command.CANCEL))
    @app_commands.describe(**o.describe(Command.CANCEL))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def cancel(self, interaction: discord.Interaction, pr: int, project: str | None = None) -> None:
        await run_command(interaction, Command.CANCEL, {"pr": pr, "project": project})

    @app_commands.command(name=Command.HISTORY, description=o.summary(Command.HISTORY))
    @app_commands.describe(**o.describe(Command.HISTORY))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def history(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, Command.HISTORY, {"project": project})

    @app_commands.command(name=Command.ROLLBACK, description=o.summary(Command.ROLLBACK))
    @app_commands.describe(**o.describe(Command.ROLLBACK))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def rollback(self, interaction: discord.Interaction, project: str, pr: int | None = None,
                       to_sha: str | None = None) -> None:
        await run_command(interaction, Command.ROLLBACK, {"project": project, "pr": pr, "to_sha": to_sha})

    @app_commands.command(name=Command.COST, description=o.summary(Command.COST))
    @app_commands.describe(**o.describe(Command.COST))
    @app_commands.autocomplete(project=o.projects)
    @app_commands.guild_only()
    async def cost(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, Command.COST, {"project": project})
