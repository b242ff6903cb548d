"""Embeds, modals and the persistent buttons of the resource directory.

Every button is a `DynamicItem` whose custom id carries what its click needs (STYLE 31), registered once by the cog,
so no view object stays alive per message: ``peerbot:resources:suggestion:<id>:add|dismiss`` on a suggestion in the
queue channel, ``peerbot:resources:verify:<id>`` ("Still correct") in `/resources review`, and under search results
``peerbot:resources:page:<search>:<offset>`` (Previous / Next: the key of the search in the cog's
:class:`~cogs.resources.search.RecentSearches` and the result to show) and ``peerbot:resources:share:<id>`` (Share
here). Their callbacks call the cog. The views carrying them are stopped before they are sent, so discord.py keeps
none of them (clicks reach the registered dynamic items).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import discord

from bot.errors import UserFacingError
from bot.ui import COLOUR, WARM, reply
from cogs.resources.model import Resource, SuggestionDraft

log = logging.getLogger(__name__)

PAGE_ID = "peerbot:resources:page:{}:{}"
SHARE_ID = "peerbot:resources:share:{}"
SUGGESTION_ID = "peerbot:resources:suggestion:{}:{}"
VERIFY_ID = "peerbot:resources:verify:{}"
# Discord: embed field values hold at most 1,024 characters, button labels 80.
FIELD_MAX = 1024
LABEL_MAX = 80


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _md(text: str) -> str:
    return discord.utils.escape_markdown(text)


def _contact_lines(resource: Resource) -> list[str]:
    lines = []
    if resource.phone:
        lines.append(f"\N{TELEPHONE RECEIVER} {_md(resource.phone)}")
    if resource.website:
        lines.append(f"\N{GLOBE WITH MERIDIANS} <{resource.website}>")
    if resource.email:
        lines.append(f"\N{ENVELOPE} {_md(resource.email)}")
    return lines


def resource_embed(resource: Resource, *, full: bool = False, footer: str | None = None) -> discord.Embed:
    """A resource as an embed: compact (search results, shares) or full (`/resources show`)."""
    description = resource.description if full else _short(resource.description, 300)
    embed = discord.Embed(title=_short(resource.name, 256), description=_md(description) or None, colour=COLOUR)
    embed.add_field(name="Category", value=_md(resource.category), inline=True)
    if resource.area:
        embed.add_field(name="Area", value=_short(_md(resource.area), FIELD_MAX), inline=True)
    contact = _contact_lines(resource)
    if contact:
        embed.add_field(name="Contact", value=_short("\n".join(contact), FIELD_MAX), inline=False)
    if resource.hours:
        embed.add_field(name="Hours", value=_short(_md(resource.hours), FIELD_MAX), inline=False)
    if full:
        extras = (
            ("Eligibility", resource.eligibility),
            ("Cost", resource.cost),
            ("Languages", ", ".join(resource.languages)),
            ("Tags", ", ".join(resource.tags)),
        )
        for label, value in extras:
            if value:
                embed.add_field(name=label, value=_short(_md(value), FIELD_MAX), inline=False)
    verified = resource.last_verified.isoformat() if resource.last_verified else "not yet"
    embed.set_footer(text=footer or f"Details last checked: {verified}")
    return embed


def suggestion_embed(suggestion_id: int, draft: SuggestionDraft, user_id: int) -> discord.Embed:
    embed = discord.Embed(
        title=f"Suggested resource: {_short(draft.name, 200)}",
        description=_md(draft.description) or None,
        colour=WARM,
    )
    for label, value in (("Category", draft.category), ("Contact", draft.contact), ("Area", draft.area)):
        if value:
            embed.add_field(name=label, value=_short(_md(value), FIELD_MAX), inline=False)
    embed.add_field(name="Suggested by", value=f"<@{user_id}>", inline=False)
    embed.set_footer(text=f"Suggestion {suggestion_id} · Add checks it like /resources add would")
    return embed


# -- modals ---------------------------------------------------------------------------------------------------------

Submit = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]


class _FormModal(discord.ui.Modal):
    """A modal whose text inputs are handed to `on_values` as a dict by custom id (validated by the cog)."""

    def __init__(self, title: str, inputs: list[discord.ui.TextInput[Any]], on_values: Submit) -> None:
        super().__init__(title=title, timeout=900)
        self._inputs = inputs
        self._on_values = on_values
        for item in inputs:
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_values(interaction, {str(i.custom_id): i.value for i in self._inputs})

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        # Modal errors never reach the tree's handler: word them here (STYLE 32). Never log the input (STYLE 37).
        if isinstance(error, UserFacingError):
            await reply(interaction, error.message)
            return
        log.error("Unexpected error in the %s form", self.title, exc_info=error)
        await reply(interaction, "Sorry, something went wrong on my side and I couldn't save that. Please try again.")


def _input(custom_id: str, label: str, max_length: int, *, required: bool = False, **kwargs: Any) -> Any:
    return discord.ui.TextInput(custom_id=custom_id, label=label, max_length=max_length, required=required, **kwargs)


def resource_modal(title: str, on_values: Submit, current: Resource | None = None) -> discord.ui.Modal:
    """Name, description, phone, website and email (Discord allows 5 inputs; category, area and hours are options)."""

    def default(field: str) -> str | None:
        return None if current is None else (getattr(current, field) or None)

    inputs = [
        _input("name", "Name", 100, required=True, default=default("name")),
        _input(
            "description",
            "Description",
            1000,
            style=discord.TextStyle.paragraph,
            default=default("description"),
            placeholder="What it offers and who it is for",
        ),
        _input("phone", "Phone", 40, default=default("phone")),
        _input("website", "Website", 500, default=default("website"), placeholder="https://example.org"),
        _input("email", "Email", 254, default=default("email")),
    ]
    return _FormModal(title, inputs, on_values)


def suggest_modal(on_values: Submit) -> discord.ui.Modal:
    inputs = [
        _input("name", "Name of the service or group", 100, required=True),
        _input("category", "Category (e.g. food, housing/shelter)", 50),
        _input("description", "What it offers", 1000, style=discord.TextStyle.paragraph),
        _input("contact", "Phone, website or email", 300, style=discord.TextStyle.paragraph),
        _input("area", "Area served", 200),
    ]
    return _FormModal("Suggest a resource", inputs, on_values)


# -- persistent buttons ---------------------------------------------------------------------------------------------


class ButtonActions(Protocol):
    async def show_page(self, interaction: discord.Interaction, search_key: str, offset: int) -> None: ...

    async def share_result(self, interaction: discord.Interaction, resource_id: int) -> None: ...

    async def decide_suggestion(self, interaction: discord.Interaction, suggestion_id: int, action: str) -> None: ...

    async def verify(self, interaction: discord.Interaction, resource_id: int) -> None: ...


def _actions(interaction: discord.Interaction) -> ButtonActions | None:
    cog = cast(Any, interaction.client).get_cog("Resources")
    return cast(ButtonActions, cog) if cog is not None else None


async def _unavailable(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(
        "The resource directory is unavailable right now; please try again soon.", ephemeral=True
    )


class _ResourceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A registered button of the directory: each subclass parses its custom id and says what it does (`act`)."""

    async def callback(self, interaction: discord.Interaction) -> None:
        actions = _actions(interaction)
        if actions is None:
            await _unavailable(interaction)
            return
        await self.act(actions, interaction)

    async def act(self, actions: ButtonActions, interaction: discord.Interaction) -> None:
        raise NotImplementedError  # every subclass overrides it (an abstract method, not a stub)


class PageButton(
    _ResourceButton,
    template=r"peerbot:resources:page:(?P<key>[A-Za-z0-9_-]{1,32}):(?P<offset>[0-9]{1,9})",
):
    """Previous / Next under search results: show result `offset` of the saved search (only its searcher may)."""

    def __init__(self, search_key: str, offset: int, label: str = "Next", *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=PAGE_ID.format(search_key, offset),
                disabled=disabled,
            )
        )
        self.search_key = search_key
        self.offset = offset

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["key"], int(match["offset"]))

    async def act(self, actions: ButtonActions, interaction: discord.Interaction) -> None:
        await actions.show_page(interaction, self.search_key, self.offset)


class ShareButton(_ResourceButton, template=r"peerbot:resources:share:(?P<id>[0-9]{1,19})"):
    """Share here: post the result shown in the channel."""

    def __init__(self, resource_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Share here",
                style=discord.ButtonStyle.primary,
                custom_id=SHARE_ID.format(resource_id),
                disabled=disabled,
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShareButton:
        return cls(int(match["id"]))

    async def act(self, actions: ButtonActions, interaction: discord.Interaction) -> None:
        await actions.share_result(interaction, self.resource_id)


class SuggestionButton(
    _ResourceButton,
    template=r"peerbot:resources:suggestion:(?P<id>[0-9]+):(?P<action>add|dismiss)",
):
    """Add or Dismiss a member's suggestion (admins only; the cog checks)."""

    def __init__(self, suggestion_id: int, action: str, *, disabled: bool = False) -> None:
        add = action == "add"
        super().__init__(
            discord.ui.Button(
                label="Add" if add else "Dismiss",
                style=discord.ButtonStyle.success if add else discord.ButtonStyle.secondary,
                custom_id=SUGGESTION_ID.format(suggestion_id, action),
                disabled=disabled,
            )
        )
        self.suggestion_id = suggestion_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        return cls(int(match["id"]), match["action"])

    async def act(self, actions: ButtonActions, interaction: discord.Interaction) -> None:
        await actions.decide_suggestion(interaction, self.suggestion_id, self.action)


class VerifyButton(_ResourceButton, template=r"peerbot:resources:verify:(?P<id>[0-9]+)"):
    """**Still correct**: stamp today's date as the resource's last check (admins only; the cog checks)."""

    def __init__(self, resource_id: int, name: str = "", *, disabled: bool = False) -> None:
        label = _short(f"Still correct: {name}", LABEL_MAX) if name else "Still correct"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                custom_id=VERIFY_ID.format(resource_id),
                disabled=disabled,
            )
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VerifyButton:
        return cls(int(match["id"]))

    async def act(self, actions: ButtonActions, interaction: discord.Interaction) -> None:
        await actions.verify(interaction, self.resource_id)


def _sendable(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view to carry registered dynamic items: stopped, so discord.py doesn't keep it (clicks reach the items)."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def results_view(search_key: str, offset: int, total: int, resource_id: int) -> discord.ui.View:
    """Previous / Next / Share here under result `offset` (0-based) of `total`."""
    return _sendable(
        PageButton(search_key, max(0, offset - 1), "Previous", disabled=offset <= 0),
        PageButton(search_key, offset + 1, "Next", disabled=offset + 1 >= total),
        ShareButton(resource_id),
    )


def suggestion_view(suggestion_id: int, *, disabled: bool = False) -> discord.ui.View:
    return _sendable(
        SuggestionButton(suggestion_id, "add", disabled=disabled),
        SuggestionButton(suggestion_id, "dismiss", disabled=disabled),
    )


def review_view(resources: list[Resource]) -> discord.ui.View:
    return _sendable(*(VerifyButton(resource.id, resource.name) for resource in resources))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (PageButton, ShareButton, SuggestionButton, VerifyButton)
