"""The one error handler: an unexpected exception answers the person, privately, with a reference.

Installed as the command tree's ``on_error`` and used by every component and modal, so nobody is
left on "thinking…". The reference id is in the log line with the traceback, so an admin can find
it; the person sees no internals.
"""

from __future__ import annotations

import logging
import secrets

import discord

log = logging.getLogger(__name__)


def message(reference: str) -> str:
    return (f"Something went wrong on our side (reference `{reference}`); it has been logged. "
            "Check `/cloud-status` before trying again, or give an admin the reference.")


async def answer_error(interaction: discord.Interaction, error: BaseException) -> str:
    """Log ``error`` with a fresh reference and tell the person ephemerally; returns the reference."""
    reference = secrets.token_hex(4)
    command = getattr(interaction, "command", None)
    what = getattr(command, "qualified_name", None) or (interaction.data or {}).get("custom_id", "?")
    log.error("interaction %s failed (reference %s)", what, reference, exc_info=error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message(reference), ephemeral=True)
        else:
            await interaction.response.send_message(message(reference), ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about error %s: %s", reference, exc)
    return reference


async def on_app_command_error(interaction: discord.Interaction, error: discord.app_commands.AppCommandError) -> None:
    original = getattr(error, "original", None) or error
    await answer_error(interaction, original)
