"""Server setup: channels, roles, time zone and country, and the permission check."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.admin.cog import Admin

    await bot.add_cog(Admin(bot))
