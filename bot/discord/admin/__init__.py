"""Admin commands: hidden from non-administrators by default member permissions."""

from discord.ext import commands

from ._cog import AdminCog


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AdminCog(bot))
