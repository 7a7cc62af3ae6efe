"""/cloud-list, -projects, -quota, -status, -cancel, -history, -rollback, -cost."""

from discord.ext import commands

from ._cog import QueriesCog


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(QueriesCog(bot))
