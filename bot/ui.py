"""Small helpers shared by every feature's Discord layer."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

MISSING: Any = discord.utils.MISSING
COLOUR = discord.Colour(0x5B8DEF)
WARM = discord.Colour(0xE8A87C)


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction whether or not it was already answered (STYLE 27). Ephemeral by default."""
    kwargs: dict[str, Any] = {"content": content, "ephemeral": ephemeral}
    if embed is not None:
        kwargs["embed"] = embed
    if embeds is not None:
        kwargs["embeds"] = embeds
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    try:
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)
    except discord.NotFound:
        # The interaction token expired (over 3 s without an answer, or 15 min for follow-ups).
        log.warning("Interaction %s expired before I could answer", interaction.id)


def is_admin(member: discord.abc.User | discord.Member | None) -> bool:
    if not isinstance(member, discord.Member):
        return False
    return member.guild_permissions.manage_guild or member.guild_permissions.administrator
