"""Rota and peer-request UI. `TalkToPeerButton` is shared: crisis cards and shares reuse it.

Persistent buttons (they keep working after a restart) are `DynamicItem`s whose custom id carries the row id:
``peerbot:peer:<guild id>`` (Talk to a peer), ``peerbot:peer:claim:<request>``, ``peerbot:peer:tapout:<request>``,
``peerbot:peer:close:<request>``, ``peerbot:peer:heard:<request>:<1-5>`` and ``peerbot:rota:cover:<override>``.
Their callbacks hand over to the rota cog through the small `RotaActions` protocol (views never import the cog).
Short-lived questions (the private "what would help?" step, the tap-out note) are an ordinary view and a modal with
explicit timeouts; the overnight-shift confirmation uses `bot.ui.confirm`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, cast, runtime_checkable

import discord
from discord import app_commands

from bot.errors import describe, new_error_id
from bot.ui import COLOUR, WARM, reply

log = logging.getLogger(__name__)

NO_PEER_TEAM = (
    "There's no volunteer team set up on this server yet, so I can't connect you with a peer right now. "
    "The lines above are answered by people who want to help, and you can also message a moderator you trust."
)
NOT_SET_UP = (
    "There's no volunteer team set up on this server yet, so I can't connect you with a peer right now. "
    "These lines are answered by people who want to help, and you can also message a moderator you trust."
)
WANTS = {"listen": "to be listened to", "ideas": "ideas and advice"}
URGENCY = {"low": "Low", "medium": "Medium", "high": "High"}
URGENCY_EMOJI = {"low": "\N{LARGE GREEN CIRCLE}", "medium": "\N{LARGE YELLOW CIRCLE}", "high": "\N{LARGE RED CIRCLE}"}
ASK_TIMEOUT = 600.0
MODAL_TIMEOUT = 900.0
DEBRIEF = (
    "Thank you for the time you gave. That sounded heavy: take a breath, have some water, and step away for a "
    "bit if you can. If you'd like to talk it through, a moderator is there for you too. "
    "`/duty handoff` leaves a note for the next volunteer."
)


# -- handing clicks over to the cog ------------------------------------------------------------------------------


@runtime_checkable
class RotaActions(Protocol):
    """What the persistent buttons ask of the rota cog."""

    async def claim_request(self, interaction: discord.Interaction, request_id: int) -> None: ...

    async def start_tap_out(self, interaction: discord.Interaction, request_id: int) -> None: ...

    async def finish_tap_out(self, interaction: discord.Interaction, request_id: int, note: str | None) -> None: ...

    async def close_request(self, interaction: discord.Interaction, request_id: int) -> None: ...

    async def record_feedback(self, interaction: discord.Interaction, request_id: int, rating: int) -> None: ...

    async def take_cover(self, interaction: discord.Interaction, override_id: int) -> None: ...


async def report_failure(interaction: discord.Interaction, error: Exception) -> None:
    """Answer a failed click kindly: expected errors with their message, anything else with an error id."""
    message = describe(error, interaction) if isinstance(error, app_commands.AppCommandError) else None
    if isinstance(error, discord.Forbidden):
        message = (
            "Discord didn't let me finish that because I'm missing a permission. "
            "A server admin can run `/setup check` to see what to fix."
        )
    if message is None:
        error_id = new_error_id()
        log.error("Unexpected error %s in a rota component (guild %s)", error_id, interaction.guild_id, exc_info=error)
        message = (
            "Sorry, something went wrong on my side and I couldn't finish that. "
            f"Please try again in a moment; if it keeps happening, tell an admin the error id **{error_id}**."
        )
    with contextlib.suppress(discord.HTTPException):
        await reply(interaction, message)


async def _hand_over(interaction: discord.Interaction, act: Callable[[RotaActions], Awaitable[None]]) -> None:
    cog = cast(Any, interaction.client).get_cog("Rota")
    if not isinstance(cog, RotaActions):
        await reply(interaction, "That isn't available right now. Please try again in a moment.")
        return
    try:
        await act(cog)
    except Exception as error:  # every click gets an answer (STYLE 33); report_failure logs the unexpected ones
        await report_failure(interaction, error)


# -- Talk to a peer ----------------------------------------------------------------------------------------------


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
        try:
            await handler(interaction, self.guild_id, "button")
        except Exception as error:  # the member must always get an answer
            await report_failure(interaction, error)


def peer_view(guild_id: int | None) -> discord.ui.View:
    """A persistent view holding only the "Talk to a peer" button."""
    view = discord.ui.View(timeout=None)
    view.add_item(TalkToPeerButton(guild_id or 0))
    # The button is a registered dynamic item, so clicks are routed without this view; stopping it keeps
    # discord.py from holding every sent copy (and a timer task each) in memory for 15 minutes.
    view.stop()
    return view


class AskPeerView(discord.ui.View):
    """The private first step of a peer request: what would help, and how urgent it feels."""

    def __init__(self, member_id: int, on_submit: Callable[[discord.Interaction, str, str], Awaitable[None]]) -> None:
        super().__init__(timeout=ASK_TIMEOUT)
        self.member_id = member_id
        self.on_submit = on_submit
        self.wants: str | None = None
        self.urgency: str | None = None
        self.message: discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.member_id

    @discord.ui.select(
        custom_id="peerbot:peer:ask:wants",
        placeholder="What would help most right now?",
        options=[
            discord.SelectOption(label="To be listened to", value="listen", emoji="\N{EAR}"),
            discord.SelectOption(label="Ideas and advice", value="ideas", emoji="\N{ELECTRIC LIGHT BULB}"),
        ],
    )
    async def choose_wants(self, interaction: discord.Interaction, select: discord.ui.Select[AskPeerView]) -> None:
        self.wants = select.values[0]
        await interaction.response.defer()

    @discord.ui.select(
        custom_id="peerbot:peer:ask:urgency",
        placeholder="How urgent does it feel?",
        options=[
            discord.SelectOption(label="Low: whenever someone is free", value="low"),
            discord.SelectOption(label="Medium: fairly soon, please", value="medium"),
            discord.SelectOption(label="High: I'd like someone as soon as possible", value="high"),
        ],
    )
    async def choose_urgency(self, interaction: discord.Interaction, select: discord.ui.Select[AskPeerView]) -> None:
        self.urgency = select.values[0]
        await interaction.response.defer()

    @discord.ui.button(label="Ask for a peer", style=discord.ButtonStyle.primary, custom_id="peerbot:peer:ask:send")
    async def send(self, interaction: discord.Interaction, button: discord.ui.Button[AskPeerView]) -> None:
        if self.wants is None or self.urgency is None:
            await reply(interaction, "Please choose both: what would help, and how urgent it feels.")
            return
        self.stop()
        await self.on_submit(interaction, self.wants, self.urgency)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(
                    content="This question timed out. `/peer` asks again whenever you're ready.", view=self
                )

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await report_failure(interaction, error)


# -- peer requests: claim, tap out, close, feedback ---------------------------------------------------------------


class ClaimButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peerbot:peer:claim:(?P<request_id>[0-9]+)"
):
    """Claim a waiting peer request; the first volunteer wins."""

    def __init__(self, request_id: int, label: str = "Claim") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                emoji="\N{RAISED HAND}",
                custom_id=f"peerbot:peer:claim:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ClaimButton:
        return cls(int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _hand_over(interaction, lambda cog: cog.claim_request(interaction, self.request_id))


class TapOutButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peerbot:peer:tapout:(?P<request_id>[0-9]+)"
):
    """The claiming volunteer hands the conversation back to the queue."""

    def __init__(self, request_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Tap out",
                style=discord.ButtonStyle.secondary,
                emoji="\N{WAVING HAND SIGN}",
                custom_id=f"peerbot:peer:tapout:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TapOutButton:
        return cls(int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _hand_over(interaction, lambda cog: cog.start_tap_out(interaction, self.request_id))


class CloseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peerbot:peer:close:(?P<request_id>[0-9]+)"
):
    """Close the conversation (the member, the claiming volunteer, or a moderator)."""

    def __init__(self, request_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Close",
                style=discord.ButtonStyle.danger,
                emoji="\N{LOCK}",
                custom_id=f"peerbot:peer:close:{request_id}",
            )
        )
        self.request_id = request_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CloseButton:
        return cls(int(match["request_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _hand_over(interaction, lambda cog: cog.close_request(interaction, self.request_id))


class HeardButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"peerbot:peer:heard:(?P<request_id>[0-9]+):(?P<rating>[1-5])",
):
    """One answer (1-5) to "Did you feel heard?"."""

    def __init__(self, request_id: int, rating: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=str(rating),
                style=discord.ButtonStyle.secondary,
                custom_id=f"peerbot:peer:heard:{request_id}:{rating}",
            )
        )
        self.request_id = request_id
        self.rating = rating

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HeardButton:
        return cls(int(match["request_id"]), int(match["rating"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _hand_over(interaction, lambda cog: cog.record_feedback(interaction, self.request_id, self.rating))


class TapOutModal(discord.ui.Modal):
    """An optional note for the next volunteer when tapping out."""

    note: discord.ui.TextInput[TapOutModal] = discord.ui.TextInput(
        label="A note for the next volunteer (optional)",
        style=discord.TextStyle.paragraph,
        placeholder="What they might want to know. The member can't see this.",
        required=False,
        max_length=500,
        custom_id="note",
    )

    def __init__(self, request_id: int) -> None:
        super().__init__(title="Tap out", timeout=MODAL_TIMEOUT, custom_id=f"peerbot:peer:tapout-note:{request_id}")
        self.request_id = request_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        note = self.note.value.strip() or None
        await _hand_over(interaction, lambda cog: cog.finish_tap_out(interaction, self.request_id, note))

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_failure(interaction, error)


def claim_view(request_ids: Sequence[int], *, numbered: bool = False) -> discord.ui.View:
    """Claim buttons for one or more waiting requests (at most 25)."""
    view = discord.ui.View(timeout=None)
    for index, request_id in enumerate(request_ids[:25], start=1):
        view.add_item(ClaimButton(request_id, f"Claim request {index}" if numbered else "Claim"))
    return view


def thread_view(request_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TapOutButton(request_id))
    view.add_item(CloseButton(request_id))
    return view


def heard_view(request_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for rating in range(1, 6):
        view.add_item(HeardButton(request_id, rating))
    return view


HEARD_QUESTION = (
    "Before you go: **did you feel heard?** 1 = not at all, 5 = completely. It's optional and anonymous: "
    "only the number and the month are kept, never who answered."
)


def request_embed(
    wants: str,
    urgency: str,
    topic: str | None,
    *,
    waiting_since: int | None = None,
    note: str | None = None,
) -> discord.Embed:
    """What volunteers (and the member, in their thread) see about a request. User text stays in the embed."""
    embed = discord.Embed(title="Someone would like to talk with a peer", colour=WARM)
    embed.add_field(name="They'd like", value=WANTS.get(wants, wants).capitalize())
    embed.add_field(
        name="How urgent it feels", value=f"{URGENCY_EMOJI.get(urgency, '')} {URGENCY.get(urgency, urgency)}"
    )
    if topic:
        embed.add_field(name="In their words", value=discord.utils.escape_markdown(topic)[:1000], inline=False)
    if waiting_since is not None:
        embed.add_field(name="Waiting since", value=f"<t:{waiting_since}:t> (<t:{waiting_since}:R>)", inline=False)
    if note:
        embed.add_field(
            name="Note from the volunteer who tapped out",
            value=discord.utils.escape_markdown(note)[:1000],
            inline=False,
        )
    return embed


# -- rota: cover requests ----------------------------------------------------------------------------------


class CoverButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peerbot:rota:cover:(?P<override_id>[0-9]+)"
):
    """ "I'll cover": the first volunteer to press it takes that one occurrence."""

    def __init__(self, override_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="I'll cover",
                style=discord.ButtonStyle.success,
                emoji="\N{HANDSHAKE}",
                custom_id=f"peerbot:rota:cover:{override_id}",
                disabled=disabled,
            )
        )
        self.override_id = override_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CoverButton:
        return cls(int(match["override_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _hand_over(interaction, lambda cog: cog.take_cover(interaction, self.override_id))


def cover_view(override_id: int, *, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CoverButton(override_id, disabled=disabled))
    return view


def info_embed(title: str, description: str) -> discord.Embed:
    return discord.Embed(title=title, description=description[:4000], colour=COLOUR)
