"""`/privacy show`, `/privacy export` (a JSON file of every row under the member's id) and `/privacy delete`
(every feature's `delete_user_data`, behind one confirmation)."""

from __future__ import annotations

import io
import json
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerBot
from bot.checks import audience
from bot.ui import confirm, reply
from cogs.privacy import store
from cogs.privacy.views import EXPORT_READY, SUMMARY

log = logging.getLogger(__name__)


class Privacy(commands.GroupCog, group_name="privacy", group_description="What peerbot keeps about you."):
    """Lets any member see what is kept about them and delete it."""

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot

    @audience("member")
    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction) -> None:
        """What peerbot keeps about you."""
        await reply(interaction, SUMMARY)

    @audience("member")
    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Get a file with everything peerbot keeps about you."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await store.export_user_data(self.bot.db, interaction.user.id)
        body = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()
        log.info("Exported user data on request (%d sections)", len(data["data"]))
        await reply(interaction, EXPORT_READY, file=discord.File(io.BytesIO(body), filename="peerbot-my-data.json"))

    @audience("member")
    @app_commands.command(name="delete")
    async def delete(self, interaction: discord.Interaction) -> None:
        """Delete everything peerbot keeps about you, in every server."""
        answer = await confirm(
            interaction,
            "This deletes your saved settings, shifts, sign-ups, requests and shares in every server. Are you sure?",
            yes="Delete my data",
            no="Keep it",
            timed_out="No changes made (the question timed out).",
        )
        if answer is not True:
            if answer is False:
                await interaction.edit_original_response(content="Okay, nothing was deleted.", view=None)
            return
        removed = 0
        async with self.bot.db.transaction():
            for delete_user_data in self.bot.user_data_deleters.values():
                removed += await delete_user_data(self.bot.db, interaction.user.id)
        self.bot.dispatch("user_data_deleted", interaction.user.id)
        log.info("Deleted user data on request (%d rows)", removed)
        await interaction.edit_original_response(
            content="Done: everything peerbot kept about you is deleted. You can keep using peerbot as before.",
            view=None,
        )
