"""/cloud-deploy, /cloud-template, /cloud-recover-session."""

from discord.ext import commands

from ._cog import DeployCog


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DeployCog(bot))
