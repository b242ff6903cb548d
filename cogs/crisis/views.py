"""Crisis embeds: the card, the staff alert, and the listener notice."""

from __future__ import annotations

import discord

from bot.ui import WARM
from cogs.crisis.answer import CrisisCard, ListenerAlert

ALERT_COLOUR = discord.Colour(0xD9534F)
INTENT_GUIDE = (
    "The listener needs the **Message Content** intent, which this bot doesn't have yet, so it stays off.\n"
    "To enable it: open the Discord Developer Portal > your application > **Bot** > *Privileged Gateway Intents*, "
    "switch on **Message Content Intent**, save, and restart peerbot. Then run this command again."
)


def card_embed(card: CrisisCard) -> discord.Embed:
    embed = discord.Embed(title=card.title, description=card.description(), colour=WARM)
    embed.set_footer(text=card.footer)
    return embed


def alert_embed(alert: ListenerAlert, dm_delivered: bool | None) -> discord.Embed:
    """For staff: who and where (a link, never the member's words), and whether the private reply reached them."""
    if dm_delivered is True:
        status = "I've sent them crisis lines and a way to reach a peer privately."
    elif dm_delivered is False:
        status = "**I couldn't message them privately** (their DMs are closed), so please reach out to them yourself."
    else:
        status = "I didn't message them this time (they turned private replies off, or I replied very recently)."
    return discord.Embed(title=alert.title, description=f"{alert.description()}\n\n{status}", colour=ALERT_COLOUR)
