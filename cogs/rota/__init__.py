"""Volunteer rota: weekly shifts, cover requests, coverage views and calendar export; duty and peer requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PeerBot


async def setup(bot: PeerBot) -> None:
    from cogs.rota.cog import Rota

    await bot.add_cog(Rota(bot))
