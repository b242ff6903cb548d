"""`/help`: the commands available to the person asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.help.cog import Help

    await bot.add_cog(Help(bot))
