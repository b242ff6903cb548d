"""Anonymous shares: members post under a pseudonym; moderators decide and block without learning who wrote it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.shares.cog import Shares

    await bot.add_cog(Shares(bot))
