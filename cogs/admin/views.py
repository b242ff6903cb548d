"""Embeds for `/setup show` and `/setup check`, and the welcome message."""

from __future__ import annotations

import discord

from bot.store import CHANNEL_SETTINGS, ROLE_SETTINGS, GuildConfig
from bot.ui import COLOUR, WARM
from cogs.admin.checklist import CHANNEL_NEEDS, ROLE_LABELS, Problem

NOT_SET = "*not set*"


def config_embed(config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="peerbot setup", colour=COLOUR)
    channels = [
        f"{CHANNEL_NEEDS[name][0]}: {f'<#{value}>' if (value := getattr(config, name)) else NOT_SET}"
        for name in CHANNEL_SETTINGS
    ]
    roles = [
        f"{ROLE_LABELS[name]}: {f'<@&{value}>' if (value := getattr(config, name)) else NOT_SET}"
        for name in ROLE_SETTINGS
    ]
    embed.add_field(name="Channels (`/setup channels`)", value="\n".join(channels), inline=False)
    embed.add_field(name="Roles (`/setup roles`)", value="\n".join(roles), inline=False)
    embed.add_field(
        name="Region (`/setup region`)",
        value=f"Time zone: {config.timezone}\nDefault country for crisis lines: {config.country or NOT_SET}",
        inline=False,
    )
    embed.set_footer(text="Run /setup check to see whether I have every permission I need.")
    return embed


def check_embed(problems: list[Problem]) -> discord.Embed:
    if not problems:
        return discord.Embed(
            title="Setup check: all good",
            description="I have every permission I need for what's configured.",
            colour=COLOUR,
        )
    embed = discord.Embed(
        title=f"Setup check: {len(problems)} thing{'s' if len(problems) != 1 else ''} to fix",
        colour=WARM,
    )
    lines = [f"**{p.where}**: {p.problem}.\n↳ {p.fix}" for p in problems[:20]]
    embed.description = "\n".join(lines)[:4000]
    return embed


WELCOME = (
    "Hi, I'm **peerbot**. I help this community with support groups, anonymous shares, volunteer rotas, "
    "a resource directory and crisis lines.\n"
    "**Admins, three steps to start:**\n"
    "1. `/setup channels` and `/setup roles` to tell me where things go.\n"
    "2. `/setup region` for your time zone and country.\n"
    "3. `/setup check` to see whether I have the permissions I need.\n"
    "Anyone can type `/help` to see what I can do, and `/crisis` for crisis lines at any time."
)
