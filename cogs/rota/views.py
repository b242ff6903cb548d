"""Rota and peer-request UI. `TalkToPeerButton` is shared: crisis cards and shares reuse it."""

from __future__ import annotations

import re
from typing import Any, cast

import discord

from bot.ui import reply

NO_PEER_TEAM = (
    "There's no volunteer team set up on this server yet, so I can't connect you with a peer right now. "
    "The lines above are answered by people who want to help, and you can also message a moderator you trust."
)


class TalkToPeerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peerbot:peer:(?P<guild_id>[0-9]+)"):
    """ "Talk to a peer": starts a peer request in the server the button belongs to (it also works from a DM)."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Talk to a peer",
                style=discord.ButtonStyle.primary,
                emoji="\N{SPEECH BALLOON}",
                custom_id=f"peerbot:peer:{guild_id}",
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TalkToPeerButton:
        return cls(int(match["guild_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = cast(Any, interaction.client).peer_request_handler
        if handler is None or self.guild_id == 0:
            await reply(interaction, NO_PEER_TEAM)
            return
        await handler(interaction, self.guild_id, "button")


def peer_view(guild_id: int | None) -> discord.ui.View:
    """A persistent view holding only the "Talk to a peer" button."""
    view = discord.ui.View(timeout=None)
    view.add_item(TalkToPeerButton(guild_id or 0))
    return view
