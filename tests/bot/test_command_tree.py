"""The command tree, walked: every command registered once, with its options, descriptions and permissions."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord.app import CloudOpsBot
from controller.service.commands import COMMANDS, OptionType

TYPES = {
    OptionType.STRING: discord.AppCommandOptionType.string,
    OptionType.INTEGER: discord.AppCommandOptionType.integer,
    OptionType.NUMBER: discord.AppCommandOptionType.number,
    OptionType.ATTACHMENT: discord.AppCommandOptionType.attachment,
    OptionType.CHANNEL: discord.AppCommandOptionType.channel,
    OptionType.USER: discord.AppCommandOptionType.user,
}


def tree_commands(bot: CloudOpsBot) -> dict[str, app_commands.Command]:
    found = bot.tree.get_commands()
    assert len({c.name for c in found}) == len(found), "two commands share a name"
    return {c.name: c for c in found}


async def test_every_command_of_the_service_table_is_registered_and_nothing_else(bot: CloudOpsBot) -> None:
    assert set(tree_commands(bot)) == {c.name for c in COMMANDS}


async def test_options_descriptions_and_choices_match_the_service_table(bot: CloudOpsBot) -> None:
    commands = tree_commands(bot)
    for spec in COMMANDS:
        command = commands[spec.name]
        assert command.description == spec.description
        params = {p.name: p for p in command.parameters}
        assert list(params) == [o.name for o in spec.options], spec.name
        for option in spec.options:
            param = params[option.name]
            assert param.description == option.description, (spec.name, option.name)
            assert param.required == option.required, (spec.name, option.name)
            assert param.type == TYPES[option.type], (spec.name, option.name)
            assert [c.value for c in param.choices] == list(option.choices), (spec.name, option.name)
            assert param.autocomplete == (option.autocomplete is not None), (spec.name, option.name)
            # one range for both front ends: Discord refuses out of it before the command runs, the console's parser too
            assert (param.min_value, param.max_value) == (option.min_value, option.max_value), (spec.name, option.name)


async def test_admin_commands_are_hidden_from_non_administrators_and_user_commands_are_not(bot: CloudOpsBot) -> None:
    commands = tree_commands(bot)
    for spec in COMMANDS:
        perms = commands[spec.name].default_permissions
        if spec.admin:
            assert perms is not None and perms.administrator, spec.name
        else:
            assert perms is None, spec.name


async def test_every_command_is_guild_only_and_serialises_for_discord(bot: CloudOpsBot) -> None:
    for command in tree_commands(bot).values():
        assert command.guild_only, command.name
        payload = command.to_dict(bot.tree)
        assert payload["name"] == command.name and len(payload["description"]) <= 100


async def test_each_cog_owns_its_commands_and_no_two_cogs_clash(bot: CloudOpsBot) -> None:
    seen: dict[str, str] = {}
    for cog_name, cog in bot.cogs.items():
        for command in cog.get_app_commands():
            assert command.name not in seen, f"{command.name} in {cog_name} and {seen.get(command.name)}"
            seen[command.name] = cog_name
    assert set(seen) == {c.name for c in COMMANDS}
