"""Small helpers shared by every feature's Discord layer."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

MISSING: Any = discord.utils.MISSING
COLOUR = discord.Colour(0x5B8DEF)
WARM = discord.Colour(0xE8A87C)
MESSAGE_LIMIT = 2000


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
    if content is not None and len(content) > MESSAGE_LIMIT:
        content = content[: MESSAGE_LIMIT - 1] + "\N{HORIZONTAL ELLIPSIS}"  # an echoed input can be very long
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


class Confirm(discord.ui.View):
    """A Yes / No question only the asker can answer (STYLE 29); `value` is True, False or None (timed out)."""

    def __init__(self, user_id: int, *, yes: str, no: str, timed_out: str, timeout: float = 120) -> None:
        super().__init__(timeout=timeout)
        self.user_id = user_id
        self.value: bool | None = None
        self.timed_out = timed_out
        self.message: discord.InteractionMessage | None = None
        self.yes.label = yes
        self.no.label = no

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.danger)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[Confirm]) -> None:
        self.value = True
        await interaction.response.defer()
        self.stop()

    @discord.ui.button(label="No", style=discord.ButtonStyle.secondary)
    async def no(self, interaction: discord.Interaction, button: discord.ui.Button[Confirm]) -> None:
        self.value = False
        await interaction.response.defer()
        self.stop()

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # the asker may have dismissed it
                await self.message.edit(content=self.timed_out, view=self)


async def confirm(
    interaction: discord.Interaction, question: str, *, yes: str, no: str, timed_out: str, seconds: float = 120
) -> bool | None:
    """Ask privately and wait for the answer (None when the question timed out)."""
    view = Confirm(interaction.user.id, yes=yes, no=no, timed_out=timed_out, timeout=seconds)
    await reply(interaction, question, view=view)
    view.message = await interaction.original_response()
    await view.wait()
    return view.value
