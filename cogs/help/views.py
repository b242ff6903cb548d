"""The `/help` embeds: one field per 1,024 characters, a new embed before the 6,000-character limit."""

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
FIELD_LIMIT = 1024
EMBED_BUDGET = 5500  # Discord allows 6,000 characters per embed; leave room for titles and the footer
FOOTER = "Answers about you are private: only you can see them."


def _chunks(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:FIELD_LIMIT]
        if current and len(current) + 1 + len(line) > FIELD_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def help_embeds(sections: dict[Audience, list[tuple[str, str]]]) -> list[discord.Embed]:
    embeds = [discord.Embed(title="What I can do", description=INTRO, colour=COLOUR)]
    size = len(INTRO)
    for level, heading in HEADINGS.items():
        lines = [f"`/{name}`: {description}" for name, description in sections.get(level, [])]
        for n, chunk in enumerate(_chunks(lines)):
            if size + len(chunk) > EMBED_BUDGET or len(embeds[-1].fields) == 25:
                embeds.append(discord.Embed(colour=COLOUR))
                size = 0
            embeds[-1].add_field(name=heading if n == 0 else f"{heading} (more)", value=chunk, inline=False)
            size += len(chunk) + len(heading)
    embeds[-1].set_footer(text=FOOTER)
    return embeds[:10]
