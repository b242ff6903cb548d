"""`/privacy`: what peerbot keeps about a member, and deleting it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.privacy.cog import Privacy

    await bot.add_cog(Privacy(bot))
