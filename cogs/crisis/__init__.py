"""Crisis lines at once (`/crisis`), members' own settings, and the opt-in crisis listener."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.crisis.cog import Crisis

    await bot.add_cog(Crisis(bot))
