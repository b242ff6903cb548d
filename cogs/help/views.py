"""The `/help` embed."""

from __future__ import annotations

import discord

from bot.checks import Audience
from bot.ui import COLOUR

HEADINGS: dict[Audience, str] = {
    "member": "For everyone",
    "volunteer": "For volunteers",
    "facilitator": "For group facilitators",
    "moderator": "For moderators",
    "admin": "For admins",
}
INTRO = (
    "peerbot helps this community support each other. It's a bot, not a counsellor: "
    "for urgent help, `/crisis` shows crisis lines for your country at once."
)


def help_embed(sections: dict[Audience, list[tuple[str, str]]]) -> discord.Embed:
    embed = discord.Embed(title="What I can do", description=INTRO, colour=COLOUR)
    for level, heading in HEADINGS.items():
        entries = sections.get(level)
        if entries:
            text = "\n".join(f"`/{name}`: {description}" for name, description in entries)
            embed.add_field(name=heading, value=text[:1024], inline=False)
    embed.set_footer(text="Answers about you are private: only you can see them.")
    return embed
