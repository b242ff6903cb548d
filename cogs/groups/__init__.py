"""Weekly support groups (`/group ...`): announcements with Join / Leave, Discord events, DM reminders, waitlists."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.groups.cog import Groups

    await bot.add_cog(Groups(bot))
