"""Rota and peer-request UI. `TalkToPeerButton` is shared: crisis cards and shares reuse it.

Persistent buttons (they keep working after a restart) are `DynamicItem`s whose custom id carries the row id:
``peerbot:peer:<guild id>`` (Talk to a peer), ``peerbot:peer:claim:<request>``, ``peerbot:peer:tapout:<request>``,
``peerbot:peer:close:<request>``, ``peerbot:peer:heard:<request>:<1-5>`` and ``peerbot:rota:cover:<override>``.
The private "what would help?" step is made of them too (``peerbot:peer:ask:wants``, ``peerbot:peer:ask:urgency``
and ``peerbot:peer:ask:send[:<guild id>]``), its state kept in the message, so no view object lives per message.
Their callbacks hand over to the rota cog through the small `RotaActions` protocol (views never import the cog).
The tap-out note is a modal with an explicit timeout; the overnight-shift confirmation uses `bot.ui.confirm`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
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
ASK_TIMEOUT = 600.0  # seconds: an unanswered "what would help?" question then times out
_NEVER = r"(?!)"  # the template of abstract bases, which are never registered
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

    async def submit_peer_request(
        self, interaction: discord.Interaction, guild_id: int, topic: str | None, wants: str, urgency: str
    ) -> None: ...


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


# -- the private first step of a peer request ---------------------------------------------------------------------
#
# Two selects and a button, all persistent dynamic items with fixed custom ids, so no view object is kept per
# message (a /peer answer used to hold one, and its timer, for 10 minutes: bench/results.md). The state lives in
# the message itself: a choice is shown by answering the select with the same message, that option marked as the
# default; the topic, when there is one, is shown back in an embed whose footer (plain text on Discord) holds it
# verbatim; the server is the one the message is in, or, when asked from a DM, carried by the button's custom id.

ASK_WANTS_ID = "peerbot:peer:ask:wants"
ASK_URGENCY_ID = "peerbot:peer:ask:urgency"
ASK_SEND_ID = "peerbot:peer:ask:send"
ASK_TIMED_OUT = "This question timed out. `/peer` asks again whenever you're ready."
ASK_CHOOSE_BOTH = "Please choose both: what would help, and how urgent it feels."
TOPIC_HEADING = "**In your words** (shared with the volunteer team with your request):"
TOPIC_MAX = 300
_WANTS_OPTIONS = (("To be listened to", "listen", "\N{EAR}"), ("Ideas and advice", "ideas", "\N{ELECTRIC LIGHT BULB}"))
_URGENCY_OPTIONS = (
    ("Low: whenever someone is free", "low", None),
    ("Medium: fairly soon, please", "medium", None),
    ("High: I'd like someone as soon as possible", "high", None),
)


@dataclass(frozen=True, slots=True)
class AskState:
    """What the member chose so far, read back from the message (``guild_id``: where the request goes)."""

    guild_id: int
    wants: str | None = None
    urgency: str | None = None
    topic: str | None = None


def ask_embed(topic: str | None) -> discord.Embed | None:
    """The member's own words, shown back to them; the footer keeps them verbatim for the request."""
    if not topic:
        return None
    embed = discord.Embed(description=TOPIC_HEADING, colour=COLOUR)
    embed.set_footer(text=topic[:TOPIC_MAX])
    return embed


def ask_view(state: AskState, *, here: int | None, disabled: bool = False) -> discord.ui.View:
    """The two questions and the button (``here``: the server the message is in; None for a DM)."""
    view = discord.ui.View(timeout=None)
    view.add_item(AskWantsSelect(state.wants, disabled=disabled))
    view.add_item(AskUrgencySelect(state.urgency, disabled=disabled))
    view.add_item(AskSendButton(None if state.guild_id == here else state.guild_id, disabled=disabled))
    # Every item is a registered dynamic item, so clicks are routed without this view; it is never kept.
    view.stop()
    return view


def read_ask(message: discord.Message | None, here: int | None) -> AskState | None:
    """The state of an ask message (None when it isn't one, or names no server)."""
    if message is None:
        return None
    chosen: dict[str, str] = {}
    guild_id = here
    for row in message.components:
        for component in getattr(row, "children", [row]):
            custom_id = getattr(component, "custom_id", None) or ""
            if isinstance(component, discord.SelectMenu) and custom_id in (ASK_WANTS_ID, ASK_URGENCY_ID):
                value = next((o.value for o in component.options if o.default), None)
                if value is not None:
                    chosen[custom_id] = value
            elif isinstance(component, discord.Button) and (found := AskSendButton.template_match(custom_id)):
                guild_id = int(found["guild_id"]) if found["guild_id"] else guild_id
    if guild_id is None:
        return None
    topic = next(
        ((e.footer.text or "").strip()[:TOPIC_MAX] or None for e in message.embeds if e.description == TOPIC_HEADING),
        None,
    )
    wants, urgency = chosen.get(ASK_WANTS_ID), chosen.get(ASK_URGENCY_ID)
    return AskState(
        guild_id,
        wants if wants in WANTS else None,
        urgency if urgency in URGENCY else None,
        topic,
    )


def _expired(message: discord.Message | None) -> bool:
    """Unanswered for ``ASK_TIMEOUT`` since it was asked or last changed (each choice edits the message)."""
    if message is None:
        return False
    last = message.edited_at or message.created_at
    return discord.utils.utcnow() - last > timedelta(seconds=ASK_TIMEOUT)


async def _ask_click(interaction: discord.Interaction, act: Callable[[AskState], Awaitable[None]]) -> None:
    """Shared by the three: read the message's state, answer a question that timed out, then ``act``."""
    try:
        message = interaction.message
        state = read_ask(message, interaction.guild_id)
        if state is None:
            await reply(interaction, "This question has expired. `/peer` asks again whenever you're ready.")
            return
        if _expired(message):
            await interaction.response.edit_message(
                content=ASK_TIMED_OUT, view=ask_view(state, here=interaction.guild_id, disabled=True)
            )
            return
        await act(state)
    except Exception as error:  # every click gets an answer (STYLE 33)
        await report_failure(interaction, error)


def _only_the_asker(interaction: discord.Interaction) -> bool:
    """The message is private to the member who asked; refuse anyone else (as the old view's check did)."""
    metadata = getattr(interaction.message, "interaction_metadata", None)
    user = getattr(metadata, "user", None)
    return user is None or user.id == interaction.user.id


class _AskSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=_NEVER):
    """One of the two questions; choosing answers with the same message, the choice marked."""

    CUSTOM_ID = ""
    PLACEHOLDER = ""
    OPTIONS: tuple[tuple[str, str, str | None], ...] = ()

    def __init__(self, chosen: str | None = None, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=self.CUSTOM_ID,
                placeholder=self.PLACEHOLDER,
                options=[
                    discord.SelectOption(label=label, value=value, emoji=emoji, default=value == chosen)
                    for label, value, emoji in self.OPTIONS
                ],
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _AskSelect:
        return cls()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        return _only_the_asker(interaction)

    def choose(self, state: AskState, value: str) -> AskState:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        async def act(state: AskState) -> None:
            chosen = self.choose(state, self.item.values[0] if self.item.values else "")
            await interaction.response.edit_message(view=ask_view(chosen, here=interaction.guild_id))

        await _ask_click(interaction, act)


class AskWantsSelect(_AskSelect, template=re.escape(ASK_WANTS_ID)):
    CUSTOM_ID = ASK_WANTS_ID
    PLACEHOLDER = "What would help most right now?"
    OPTIONS = _WANTS_OPTIONS

    def choose(self, state: AskState, value: str) -> AskState:
        return replace(state, wants=value if value in WANTS else None)


class AskUrgencySelect(_AskSelect, template=re.escape(ASK_URGENCY_ID)):
    CUSTOM_ID = ASK_URGENCY_ID
    PLACEHOLDER = "How urgent does it feel?"
    OPTIONS = _URGENCY_OPTIONS

    def choose(self, state: AskState, value: str) -> AskState:
        return replace(state, urgency=value if value in URGENCY else None)


class AskSendButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(ASK_SEND_ID) + r"(?::(?P<guild_id>[0-9]{1,20}))?",
):
    """ "Ask for a peer": hands the choices to the rota cog. The custom id names the server only when the message
    is outside it (a DM)."""

    def __init__(self, guild_id: int | None = None, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Ask for a peer",
                style=discord.ButtonStyle.primary,
                custom_id=ASK_SEND_ID if guild_id is None else f"{ASK_SEND_ID}:{guild_id}",
                disabled=disabled,
            )
        )

    @classmethod
    def template_match(cls, custom_id: str) -> re.Match[str] | None:
        return cls.__discord_ui_compiled_template__.fullmatch(custom_id)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AskSendButton:
        return cls(int(match["guild_id"]) if match["guild_id"] else None)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        return _only_the_asker(interaction)

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        async def act(state: AskState) -> None:
            if state.wants is None or state.urgency is None:
                await reply(interaction, ASK_CHOOSE_BOTH)
                return
            wants, urgency = state.wants, state.urgency
            await _hand_over(
                interaction,
                lambda cog: cog.submit_peer_request(interaction, state.guild_id, state.topic, wants, urgency),
            )

        await _ask_click(interaction, act)


ASK_ITEMS = (AskWantsSelect, AskUrgencySelect, AskSendButton)


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
