"""`/help`, built from the command tree so it never drifts from the real commands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerBot
from bot.checks import Audience, audience, audience_of, audiences_of
from bot.ui import reply
from cogs.help.views import help_embeds


def walk_leaf_commands(tree: app_commands.CommandTree[Any]) -> Iterator[app_commands.Command[Any, ..., Any]]:
    """Every slash command that can be invoked (subcommands, not their groups)."""
    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        if isinstance(command, app_commands.Group):
            yield from (c for c in command.walk_commands() if isinstance(c, app_commands.Command))
        elif isinstance(command, app_commands.Command):
            yield command


class Help(commands.Cog):
    """Lists the commands the person asking can use, grouped by who they are for."""

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot

    @audience("member")
    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """See what peerbot can do for you."""
        mine = await audiences_of(interaction)
        sections: dict[Audience, list[tuple[str, str]]] = {}
        for command in sorted(walk_leaf_commands(self.bot.tree), key=lambda c: c.qualified_name):
            level = audience_of(command)
            if level in mine:
                sections.setdefault(level, []).append((command.qualified_name, command.description))
        await reply(interaction, embeds=help_embeds(sections))
