"""The confirmation step before deleting a member's data."""

from __future__ import annotations

import contextlib

import discord

SUMMARY = (
    "peerbot keeps as little as it can about you: your saved crisis-line country and quiet setting, "
    "and, as features you use arrive, your shifts, group sign-ups and requests. Anonymous shares are stored "
    "under a one-way token, never your name or id. Nothing you say in chat is stored by the crisis listener."
)


class ConfirmDelete(discord.ui.View):
    """Yes / No buttons; only the member who asked can press them."""

    def __init__(self, user_id: int) -> None:
        super().__init__(timeout=120)
        self.user_id = user_id
        self.value: bool | None = None
        self.message: discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]) -> None:
        self.value = True
        await interaction.response.defer()
        self.stop()

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]) -> None:
        self.value = False
        await interaction.response.defer()
        self.stop()

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # the member may have dismissed it
                await self.message.edit(content="No changes made (the question timed out).", view=self)
