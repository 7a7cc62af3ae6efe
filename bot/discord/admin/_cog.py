"""Admin commands. Discord hides them from non-administrators (default permissions); the
service still checks the cloudops.yaml role, because server admins may re-grant commands."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from controller.service.commands import Command
from controller.service.config_edit import MAX_BUDGET_USD, MAX_QUOTA

from .. import options as o
from .. import render
from ..components import CredentialsModal
from ..interactions import caller_of, front_of, run_command

CHECK_SECONDS = 2.0  # of Discord's three seconds to answer with the modal

admin_only = app_commands.default_permissions(administrator=True)


class AdminCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name=Command.CREATE_PROJECT, description=o.summary(Command.CREATE_PROJECT))
    @app_commands.describe(**o.describe(Command.CREATE_PROJECT))
    @app_commands.choices(**o.choices(Command.CREATE_PROJECT))
    @app_commands.autocomplete(region=o.regions)
    @admin_only
    @app_commands.guild_only()
    async def create_project(self, interaction: discord.Interaction, name: str, target: str, region: str, reason: str,
                             budget: app_commands.Range[float, 0.0, MAX_BUDGET_USD] | None = None) -> None:
        await run_command(interaction, Command.CREATE_PROJECT,
                          {"name": name, "target": target, "region": region, "reason": reason, "budget": budget})

    @app_commands.command(name=Command.GRANT, description=o.summary(Command.GRANT))
    @app_commands.describe(**o.describe(Command.GRANT))
    @app_commands.choices(**o.choices(Command.GRANT))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def grant(self, interaction: discord.Interaction, member: discord.User, project: str, role: str, duration: str,
                    reason: str) -> None:
        await run_command(interaction, Command.GRANT, {"member": str(member.id), "project": project, "role": role,
                                                       "duration": duration, "reason": reason})

    @app_commands.command(name=Command.REVOKE, description=o.summary(Command.REVOKE))
    @app_commands.describe(**o.describe(Command.REVOKE))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def revoke(self, interaction: discord.Interaction, member: discord.User, project: str, reason: str) -> None:
        await run_command(interaction, Command.REVOKE, {"member": str(member.id), "project": project, "reason": reason})

    @app_commands.command(name=Command.SET_QUOTA, description=o.summary(Command.SET_QUOTA))
    @app_commands.describe(**o.describe(Command.SET_QUOTA))
    @app_commands.choices(**o.choices(Command.SET_QUOTA))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def set_quota(self, interaction: discord.Interaction, project: str, kind: str,
                        limit: app_commands.Range[int, 0, MAX_QUOTA], reason: str) -> None:
        await run_command(interaction, Command.SET_QUOTA, {"project": project, "kind": kind, "limit": limit, "reason": reason})

    @app_commands.command(name=Command.SET_BUDGET, description=o.summary(Command.SET_BUDGET))
    @app_commands.describe(**o.describe(Command.SET_BUDGET))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def set_budget(self, interaction: discord.Interaction, project: str,
                         usd: app_commands.Range[float, 0.0, MAX_BUDGET_USD], reason: str) -> None:
        await run_command(interaction, Command.SET_BUDGET, {"project": project, "usd": usd, "reason": reason})

    @app_commands.command(name=Command.SET_BUDGET_ALERT, description=o.summary(Command.SET_BUDGET_ALERT))
    @app_commands.describe(**o.describe(Command.SET_BUDGET_ALERT))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def set_budget_alert(self, interaction: discord.Interaction, project: str, percents: str, reason: str) -> None:
        await run_command(interaction, Command.SET_BUDGET_ALERT, {"project": project, "percents": percents, "reason": reason})

    @app_commands.command(name=Command.ADMIN_LIST, description=o.summary(Command.ADMIN_LIST))
    @admin_only
    @app_commands.guild_only()
    async def admin_list(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, Command.ADMIN_LIST, {})

    @app_commands.command(name=Command.ADMIN_CANCEL, description=o.summary(Command.ADMIN_CANCEL))
    @app_commands.describe(**o.describe(Command.ADMIN_CANCEL))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def admin_cancel(self, interaction: discord.Interaction, pr: int, project: str | None = None) -> None:
        await run_command(interaction, Command.ADMIN_CANCEL, {"pr": pr, "project": project})

    @app_commands.command(name=Command.UNLOCK, description=o.summary(Command.UNLOCK))
    @app_commands.describe(**o.describe(Command.UNLOCK))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def unlock(self, interaction: discord.Interaction, project: str) -> None:
        await run_command(interaction, Command.UNLOCK, {"project": project})

    @app_commands.command(name=Command.STATS, description=o.summary(Command.STATS))
    @admin_only
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, Command.STATS, {})

    @app_commands.command(name=Command.CREDENTIALS, description=o.summary(Command.CREDENTIALS))
    @app_commands.describe(**o.describe(Command.CREDENTIALS))
    @app_commands.choices(**o.choices(Command.CREDENTIALS))
    @app_commands.autocomplete(project=o.projects)
    @admin_only
    @app_commands.guild_only()
    async def credentials(self, interaction: discord.Interaction, kind: str, project: str | None = None) -> None:
        # The role is checked before the secret form opens; the modal must still come within Discord's 3 s.
        try:
            allowed = await asyncio.wait_for(front_of(interaction).chatops.admin.credentials_form(caller_of(interaction), project),
                                             timeout=CHECK_SECONDS)
        except TimeoutError:
            await interaction.response.send_message("Checking your role took too long; try `/cloud-credentials` again "
                                                    "in a moment (nothing was asked or stored).", ephemeral=True)
            return
        if allowed.refused is not None:
            await interaction.response.send_message(embed=render.embed(allowed), ephemeral=True)
            return
        await interaction.response.send_modal(CredentialsModal(kind, project))  # the modal is the acknowledgement

    @app_commands.command(name=Command.INIT, description=o.summary(Command.INIT))
    @app_commands.describe(**o.describe(Command.INIT))
    @app_commands.choices(**o.choices(Command.INIT))
    @app_commands.autocomplete(region=o.regions)
    @admin_only
    @app_commands.guild_only()
    async def init(self, interaction: discord.Interaction, repo: str, target: str | None = None, region: str | None = None,
                   admin_channel: discord.TextChannel | None = None) -> None:
        await run_command(interaction, Command.INIT, {"repo": repo, "target": target, "region": region,
                                                      "admin_channel": str(admin_channel.id) if admin_channel else None})
