"""Resource directory (`/resources`): a searchable, per-server directory of local and online help."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.resources.cog import Resources

    await bot.add_cog(Resources(bot))
