"""Descriptions, choices and autocomplete for app commands, taken from the service's command table.

So the Discord command tree and the console read one source; a test checks
the tree against ``controller.service.commands.COMMANDS``.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from controller.service.commands import BY_NAME

from .interactions import caller_of, front_of


def describe(command: str) -> dict[str, str]:
    return {o.name: o.description for o in BY_NAME[command].options}


def choices(command: str) -> dict[str, list[app_commands.Choice[str]]]:
    return {o.name: [app_commands.Choice(name=c, value=c) for c in o.choices] for o in BY_NAME[command].options if o.choices}


def summary(command: str) -> str:
    return BY_NAME[command].description


async def projects(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    names = await front_of(interaction).chatops.complete_projects(caller_of(interaction), current)
    return [app_commands.Choice(name=n, value=n) for n in names]


async def resources(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    project: Any = getattr(interaction.namespace, "project", None)
    names = await front_of(interaction).chatops.complete_resources(caller_of(interaction), project, current)
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]


async def regions(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The regions of the target chosen in the same command (or the server's default target)."""
    target: Any = getattr(interaction.namespace, "target", None)
    names = await front_of(interaction).chatops.complete_regions(caller_of(interaction), target, current)
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]
