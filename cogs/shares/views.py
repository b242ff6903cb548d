"""Anonymous shares on Discord: member text made inert, embeds, persistent buttons and modals.

Everything a member wrote goes through :func:`neutralise` before it reaches Discord, and only ever inside an
embed (embeds never ping, and the bot's ``allowed_mentions`` is none as well). Neutralising means:

- zero-width and direction-control characters are removed (a zero-width joiner or non-joiner is kept only
  between two non-ASCII characters, where emoji sequences such as the rainbow flag and some scripts need it);
- backslashes are doubled first, so nothing a member typed can cancel the escapes added after it;
- every backtick is escaped (no code spans or fences, which Discord would render outside a spoiler), every
  ``|`` (nothing can close the content-warning spoiler), ``[`` and ``]`` (no masked links hiding where a link
  goes), ``<`` before ``@``, ``#`` or ``/`` (user, role, channel and command mentions stay plain text) and the
  ``@`` of ``@everyone``/``@here``;
- a ``>``, ``#`` or ``-#`` that starts a line is escaped (no quotes, headings or sub-text that could restyle
  or end the spoiler's block); titles, warnings and names are folded onto one line.

Emphasis (``*bold*``, ``_italic_``, ``~~strike~~``) is left alone: it cannot leave the embed or the spoiler.

The buttons are :class:`discord.ui.DynamicItem` s whose custom id carries the share (or report) id,
``peerbot:shares:<action>:<id>``, so they work on every message ever sent, across restarts. Their callbacks
call the cog through :class:`ShareActions` (found with ``client.get_cog("Shares")``), so this module never
imports the cog.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

import discord
from discord import app_commands

from bot.checks import require
from bot.errors import MissingRole, UserFacingError, describe, new_error_id
from bot.ui import COLOUR, WARM, reply
from cogs.admin.checklist import Problem
from cogs.shares import policy
from cogs.shares.anonymity import format_share_id
from cogs.shares.store import Block, Report, Share

log = logging.getLogger(__name__)

CARE_COLOUR = discord.Colour(0xD9534F)
DONE_COLOUR = discord.Colour(0x99AAB5)
MODAL_TIMEOUT = 900.0  # an interaction token lives 15 minutes
DESCRIPTION_LIMIT = 4096
# A message's embeds may hold 6000 characters in all: a share's text gets this much, the rest is for the
# moderators' fields, names and footers (kept short: a decision is cut to DECISION_LIMIT).
TEXT_BUDGET = 4700
DECISION_LIMIT = 450
PREFIX = "peerbot:shares"

MOD_ONLY = (
    "Only moderators can do that. If you think you should be able to, please ask a server admin "
    "(`/setup roles moderator:` sets the moderator role)."
)

# --- making member text inert -----------------------------------------------------------------------------

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0e\ufeff\uffa0\ufff9-\ufffb]"
)
# Joiners survive only between two non-ASCII characters (emoji ZWJ sequences, Indic and Persian scripts).
_LONE_JOINER = re.compile("(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])")
_INLINE_ESCAPES = re.compile(r"([`|\[\]])")
_MENTION_OPEN = re.compile(r"<(?=[@#/])")
_MASS_MENTION = re.compile(r"@(?=(?:everyone|here)\b)", re.IGNORECASE)
_LINE_START = re.compile(r"(?m)^(\s*)(>|#|-#)")


def strip_invisible(text: str) -> str:
    """Remove zero-width and direction-control characters (joiners between non-ASCII characters stay)."""
    text = _INVISIBLE.sub("", text)
    previous = None
    while previous != text:  # "a\u200d\u200db": removing one lone joiner can make the next one lone
        previous, text = text, _LONE_JOINER.sub("", text)
    return text


def neutralise(text: str, *, one_line: bool = False) -> str:
    """Member text made safe to show inside an embed (see the module docstring)."""
    text = strip_invisible(text).replace("\r\n", "\n").replace("\r", "\n")
    if one_line:
        text = " ".join(text.split())
    text = text.replace("\\", "\\\\")
    text = _INLINE_ESCAPES.sub(r"\\\1", text)
    text = _MENTION_OPEN.sub(r"\\<", text)
    text = _MASS_MENTION.sub(r"\\@", text)
    return text if one_line else _LINE_START.sub(r"\1\\\2", text)


def excerpt(text: str | None, limit: int = 60) -> str:
    """A short, inert, one-line preview."""
    if not text:
        return ""
    flat = " ".join(strip_invisible(text).split())
    short = flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
    return neutralise(short, one_line=True)


def _parts(title: str | None, body: str, warnings: Sequence[str], *, title_inline: bool) -> list[str] | None:
    """A share's text as one embed description, or two when it is long; None if it can't fit in a message.

    Neutralising can lengthen text (each escape is one more character) and a warning adds its label, so a
    share that fills the modal may pass an embed's 4096 characters; it then continues in a second embed, cut
    between words, both halves behind their own spoiler. Everything stays within ``TEXT_BUDGET``.
    """
    label = " \N{MIDDLE DOT} ".join(neutralise(w, one_line=True) for w in warnings)
    head = f"**{neutralise(title, one_line=True)}**\n" if title and title_inline else ""

    def first(part: str) -> str:
        inner = head + neutralise(part)
        return f"\N{WARNING SIGN} **Content warning: {label}**\n||{inner}||" if warnings else inner

    def rest(part: str) -> str:
        return f"||{neutralise(part)}||" if warnings else neutralise(part)

    whole = first(body)
    if len(whole) <= DESCRIPTION_LIMIT:
        return [whole]
    fits, too_long = 0, len(body)
    while too_long - fits > 1:  # the longest start of the text whose first part still fits
        middle = (fits + too_long) // 2
        fits, too_long = (middle, too_long) if len(first(body[:middle])) <= DESCRIPTION_LIMIT else (fits, middle)
    cut = fits
    between_words = max(body.rfind("\n", 0, cut), body.rfind(" ", 0, cut))
    if between_words > max(0, cut - 300):
        cut = between_words
    parts = [first(body[:cut].rstrip()), rest(body[cut:].lstrip())]
    if len(parts[1]) > DESCRIPTION_LIMIT or sum(map(len, parts)) > TEXT_BUDGET:
        return None
    return parts


def share_parts(share: Share, *, title_inline: bool | None = None) -> list[str]:
    """The embed descriptions of a stored share: its text, spoilered under the warning label when it has one.

    With a warning the title goes inside the spoiler too (a title can be as hard to read as the text).
    """
    warnings = share.content_warnings
    inline = bool(warnings) if title_inline is None else title_inline
    parts = _parts(share.title, share.body or "", warnings, title_inline=inline)
    if parts is None:  # not reachable for a share accepted by fits_in_embed; cut rather than fail to post
        parts = [(_parts(share.title, (share.body or "")[:1500], warnings, title_inline=inline) or [""])[0]]
    return parts


def fits_in_embed(title: str | None, body: str, cw: str | None) -> bool:
    """Whether a submission can be shown, with room kept for a moderator's added warning and the title inline."""
    worst = [w for w in (cw, "x" * policy.CW_MAX) if w]
    return _parts(title, body, worst, title_inline=True) is not None


def _continued(parts: Sequence[str], colour: discord.Colour) -> list[discord.Embed]:
    return [discord.Embed(description=part, colour=colour) for part in parts[1:]]


def share_embeds(share: Share, posted_at: datetime | None = None) -> list[discord.Embed]:
    """The public post: title, text (spoilered under a warning), the pseudonym and the time."""
    warned = bool(share.content_warnings)
    title = None if warned or not share.title else neutralise(share.title, one_line=True)[:256]
    parts = share_parts(share)
    first = discord.Embed(title=title, description=parts[0], colour=COLOUR)
    first.set_author(name=share.pseudonym or "Anonymous")
    embeds = [first, *_continued(parts, COLOUR)]
    embeds[-1].timestamp = posted_at or share.posted_at
    embeds[-1].set_footer(text=f"Share {format_share_id(share.id)} \N{MIDDLE DOT} shared anonymously")
    return embeds


def reply_embed(label: str, body: str, reply_id: int) -> discord.Embed:
    embed = discord.Embed(description=neutralise(body), colour=COLOUR)
    embed.set_author(name=label)
    embed.set_footer(text=reply_footer(reply_id))
    return embed


def reply_footer(reply_id: int) -> str:
    """Also how a retried reply job recognises a message an earlier attempt already sent."""
    return f"Anonymous reply {reply_id}"


def thread_name(share_id: int) -> str:
    return f"Replies to share {format_share_id(share_id)}"


def ts(when: datetime, style: str = "R") -> str:
    """A Discord timestamp: every member sees it in their own time zone."""
    return discord.utils.format_dt(when, style)  # type: ignore[arg-type]


# --- moderators' cards ------------------------------------------------------------------------------------


def queue_embeds(share: Share, *, decision: str | None = None) -> list[discord.Embed]:
    """A share for moderators: no author information, the time it was sent rounded down to the hour."""
    hour = share.created_at.replace(minute=0, second=0, microsecond=0)
    if share.needs_care:
        title, colour = f"Share {format_share_id(share.id)} needs care", CARE_COLOUR
    else:
        title, colour = f"Share {format_share_id(share.id)} is waiting for review", WARM
    if decision is not None:
        colour = DONE_COLOUR
    parts = ["*The text was removed.*"] if share.body is None else share_parts(share, title_inline=True)
    embeds = [discord.Embed(title=title, description=parts[0], colour=colour), *_continued(parts, colour)]
    last = embeds[-1]
    if share.needs_care:
        last.add_field(
            name="Why it was held",
            value=(
                "It contains words that sounded like the author may be in crisis. It was not posted. The author "
                "was shown crisis lines and a way to reach a peer, privately. Nobody, me included, knows who "
                "wrote it: please don't try to find out."
            ),
            inline=False,
        )
    last.add_field(name="Name shown", value=share.pseudonym or "Anonymous", inline=True)
    last.add_field(name="Sent", value=f"{ts(hour, 'f')} (to the hour)", inline=True)
    if decision is not None:
        last.add_field(name="Decision", value=decision[:DECISION_LIMIT], inline=False)
    last.set_footer(text="Moderators never see who wrote a share. Approving posts it after a short random delay.")
    return embeds


def queue_view(share_id: int, *, decided: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if not decided:
        view.add_item(ApproveButton(share_id))
        view.add_item(ApproveWithCwButton(share_id))
        view.add_item(RejectButton(share_id))
    view.add_item(BlockButton(share_id))
    return view


def report_embed(report: Report, share: Share | None, *, decision: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=f"Share {format_share_id(report.share_id)} was reported",
        description=(f"**Reason given:**\n{neutralise(report.reason)}" if report.reason else "*No reason given.*"),
        colour=DONE_COLOUR if decision else WARM,
    )
    if share is not None and share.message_id and share.channel_id:
        link = f"https://discord.com/channels/{share.guild_id}/{share.channel_id}/{share.message_id}"
        embed.add_field(name="The share", value=f"[Open share {format_share_id(share.id)}]({link})", inline=False)
    if decision is not None:
        embed.add_field(name="Decision", value=decision[:1024], inline=False)
    embed.set_footer(text="Reporters stay private, and so do authors.")
    return embed


def report_view(report: Report, *, decided: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if not decided:
        view.add_item(RemoveButton(report.share_id))
        view.add_item(DismissButton(report.id))
    view.add_item(BlockButton(report.share_id))
    return view


def care_alert_embed(share_id: int, review_channel_id: int | None, same_channel: bool) -> discord.Embed:
    """For the crisis-alerts channel: which share, what happened, where to review it. Never who wrote it."""
    where = (
        "The share is below for review."
        if same_channel
        else (f"Review it in <#{review_channel_id}>." if review_channel_id else "No review channel is set up.")
    )
    return discord.Embed(
        title=f"A share needs care ({format_share_id(share_id)})",
        description=(
            "Someone sent an anonymous share with words that sounded like they may be in crisis, so I held it "
            "instead of posting it. I've privately shown them crisis lines for their country and a way to reach "
            "a peer. I don't know who wrote it, and no one else does either.\n\n"
            "You could approve it (perhaps with a content warning) so the community can reply with support, or "
            f"decline it. {where}"
        ),
        colour=CARE_COLOUR,
    )


def problem_embed(share_id: int, problems: Sequence[Problem], what: str) -> discord.Embed:
    """For admins, in the style of `/setup check`: what is stuck, why, and how to fix it."""
    lines = [f"**{p.where}**: {p.problem}.\n\N{RIGHTWARDS ARROW WITH HOOK} {p.fix}" for p in problems[:10]]
    return discord.Embed(
        title=f"I couldn't {what} share {format_share_id(share_id)}",
        description=(
            "\n".join(lines)
            + "\n\nThe share is kept and I'll keep trying for a few minutes. Once it's fixed, a moderator can run "
            "`/share-mod retry` to send everything that's waiting. `/setup check` lists every permission I need."
        )[:DESCRIPTION_LIMIT],
        colour=WARM,
    )


def settings_embed(
    pseudonym_mode: str,
    per_hour: int,
    delay: tuple[int, int],
    queue_on: bool,
    queue_setting: bool,
    ages: tuple[int, int],
    counts: dict[str, int],
    blocks: Sequence[Block],
) -> discord.Embed:
    if queue_on:
        queue = "on: every share waits for a moderator in the queue channel"
    elif queue_setting:
        queue = "on, but no queue channel is set (`/setup channels share_queue:`), so shares are posted directly"
    else:
        queue = "off: shares are posted directly (reports and held shares still reach moderators)"
    timing = "off" if delay[1] == 0 else f"a random {delay[0]}\N{EN DASH}{delay[1]} seconds"
    names = "a new one for every share" if pseudonym_mode == "per_share" else "the same one for each member"
    embed = discord.Embed(title="Anonymous shares: settings", colour=COLOUR)
    embed.add_field(name="Moderation queue", value=queue, inline=False)
    embed.add_field(name="Pseudonyms", value=names, inline=True)
    embed.add_field(name="Shares per member per hour", value=str(per_hour), inline=True)
    embed.add_field(name="Posting delay", value=timing, inline=True)
    embed.add_field(
        name="Minimum ages", value=f"account {ages[0]} days \N{MIDDLE DOT} in the server {ages[1]} days", inline=False
    )
    waiting = counts.get("queued", 0)
    unposted = counts.get("pending", 0) + counts.get("approved", 0)
    status = f"{counts.get('posted', 0)} posted \N{MIDDLE DOT} {waiting} waiting for a moderator"
    if counts.get("needs_care"):
        status += f" ({counts['needs_care']} needing care)"
    status += f" \N{MIDDLE DOT} {unposted} waiting to be posted \N{MIDDLE DOT} {len(blocks)} blocked authors"
    embed.add_field(name="Right now", value=status, inline=False)
    embed.set_footer(text="Change any of these with the options of /share-settings.")
    return embed


# --- the cog, as the buttons and modals see it ------------------------------------------------------------


class ShareActions(Protocol):
    """What the buttons and modals ask of the cog (cog.py implements it)."""

    async def submit_share(
        self, interaction: discord.Interaction, title: str | None, body: str, cw: str | None
    ) -> None: ...
    async def support(self, interaction: discord.Interaction, share_id: int) -> None: ...
    async def reply_to_share(self, interaction: discord.Interaction, share_id: int, text: str) -> None: ...
    async def report_share(self, interaction: discord.Interaction, share_id: int, reason: str) -> None: ...
    async def approve_share(self, interaction: discord.Interaction, share_id: int, extra_cw: str | None) -> None: ...
    async def reject_share(self, interaction: discord.Interaction, share_id: int, reason: str | None) -> None: ...
    async def block_author(self, interaction: discord.Interaction, share_id: int, reason: str | None) -> None: ...
    async def remove_reported(self, interaction: discord.Interaction, share_id: int) -> None: ...
    async def dismiss_report(self, interaction: discord.Interaction, report_id: int) -> None: ...


def actions(interaction: discord.Interaction) -> ShareActions:
    cog = cast(Any, interaction.client).get_cog("Shares")
    if cog is None:
        raise UserFacingError("Anonymous shares are switched off on this bot right now. Please try again later.")
    return cast(ShareActions, cog)


async def answer_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Word an error for the member (kindly, privately); log unexpected ones with an id, never their text."""
    message = describe(error, interaction) if isinstance(error, app_commands.AppCommandError) else None
    if message is None:
        error_id = new_error_id()
        log.error("Unexpected error %s in shares %s (guild %s)", error_id, where, interaction.guild_id, exc_info=error)
        message = (
            "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment; "
            f"if it keeps happening, tell an admin the error id **{error_id}**."
        )
    await reply(interaction, message)


async def _guarded(interaction: discord.Interaction, where: str, work: Callable[[], Awaitable[None]]) -> None:
    try:
        await work()
    except Exception as exc:  # a button callback's errors would otherwise only reach discord.py's log
        await answer_error(interaction, exc, where)


async def moderator_check(interaction: discord.Interaction) -> bool:
    """Let moderators through; tell anyone else kindly why nothing happened."""
    try:
        await require(interaction, "moderator")
    except (MissingRole, app_commands.MissingPermissions):
        await reply(interaction, MOD_ONLY)
        return False
    except app_commands.CheckFailure as exc:
        await reply(interaction, describe(exc, interaction) or MOD_ONLY)
        return False
    return True


# --- modals -----------------------------------------------------------------------------------------------


class _Modal(discord.ui.Modal):
    """A modal that answers, kindly and privately, whatever goes wrong (STYLE 32)."""

    where = "modal"

    def __init__(self, *, title: str, custom_id: str) -> None:
        # discord.py keeps open modals by custom id alone: without a unique suffix, one member's finished modal
        # would unregister another's that is still open. The suffix is random, never the member's id.
        super().__init__(title=title, timeout=MODAL_TIMEOUT, custom_id=f"{custom_id}:{secrets.token_hex(6)}")

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await answer_error(interaction, error, self.where)


def _value(field: discord.ui.TextInput[Any]) -> str | None:
    return policy.clean_text(field.value)


class ShareModal(_Modal):
    """The share itself: an optional title, the text, an optional content warning."""

    where = "share modal"

    def __init__(self) -> None:
        super().__init__(title="Share anonymously", custom_id=f"{PREFIX}:modal:share")
        self.share_title: discord.ui.TextInput[ShareModal] = discord.ui.TextInput(
            label="Title (optional)", custom_id="title", required=False, max_length=policy.TITLE_MAX
        )
        self.body: discord.ui.TextInput[ShareModal] = discord.ui.TextInput(
            label="Your share",
            custom_id="body",
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=policy.BODY_MAX,
            placeholder="Nobody will see your name. Moderators don't either.",
        )
        self.cw: discord.ui.TextInput[ShareModal] = discord.ui.TextInput(
            label="Content warning (optional)",
            custom_id="cw",
            required=False,
            max_length=policy.CW_MAX,
            placeholder="e.g. self-harm, grief",
        )
        for item in (self.share_title, self.body, self.cw):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).submit_share(
            interaction, _value(self.share_title), self.body.value or "", _value(self.cw)
        )


class ReplyModal(_Modal):
    where = "reply modal"

    def __init__(self, share_id: int) -> None:
        super().__init__(
            title=f"Reply to share {format_share_id(share_id)}", custom_id=f"{PREFIX}:modal:reply:{share_id}"
        )
        self.share_id = share_id
        self.text: discord.ui.TextInput[ReplyModal] = discord.ui.TextInput(
            label="Your reply (posted without your name)",
            custom_id="text",
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=policy.REPLY_MAX,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).reply_to_share(interaction, self.share_id, self.text.value or "")


class ReportModal(_Modal):
    where = "report modal"

    def __init__(self, share_id: int) -> None:
        super().__init__(
            title=f"Report share {format_share_id(share_id)}", custom_id=f"{PREFIX}:modal:report:{share_id}"
        )
        self.share_id = share_id
        self.reason: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
            label="What worries you about it?",
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=policy.REASON_MAX,
            placeholder="Only moderators see this, and not who sent it.",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).report_share(interaction, self.share_id, self.reason.value or "")


class ApproveCwModal(_Modal):
    where = "approve-with-warning modal"

    def __init__(self, share_id: int) -> None:
        super().__init__(
            title=f"Approve {format_share_id(share_id)} with a warning", custom_id=f"{PREFIX}:modal:cw:{share_id}"
        )
        self.share_id = share_id
        self.cw: discord.ui.TextInput[ApproveCwModal] = discord.ui.TextInput(
            label="Content warning to add",
            custom_id="cw",
            required=True,
            max_length=policy.CW_MAX,
            placeholder="e.g. self-harm",
        )
        self.add_item(self.cw)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).approve_share(interaction, self.share_id, _value(self.cw))


class RejectModal(_Modal):
    where = "reject modal"

    def __init__(self, share_id: int) -> None:
        super().__init__(
            title=f"Decline share {format_share_id(share_id)}", custom_id=f"{PREFIX}:modal:reject:{share_id}"
        )
        self.share_id = share_id
        self.reason: discord.ui.TextInput[RejectModal] = discord.ui.TextInput(
            label="Reason for the author (optional)",
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=policy.REASON_MAX,
            placeholder="They can read it with /shares status. Be kind.",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).reject_share(interaction, self.share_id, _value(self.reason))


class BlockModal(_Modal):
    where = "block modal"

    def __init__(self, share_id: int) -> None:
        super().__init__(title="Pause this author's sharing", custom_id=f"{PREFIX}:modal:block:{share_id}")
        self.share_id = share_id
        self.reason: discord.ui.TextInput[BlockModal] = discord.ui.TextInput(
            label="Note for moderators (optional)",
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=policy.REASON_MAX,
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await actions(interaction).block_author(interaction, self.share_id, _value(self.reason))


# --- persistent buttons -----------------------------------------------------------------------------------


_NEVER = r"(?!)"  # the template of the abstract bases below, which are never registered


class _IdButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_NEVER):
    """A button whose custom id ends in the share (or report) id it acts on."""

    action = ""
    where = "button"

    def __init__(self, item_id: int, *, label: str, style: discord.ButtonStyle, emoji: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, emoji=emoji, custom_id=f"{PREFIX}:{self.action}:{item_id}")
        )
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _IdButton:
        button: _IdButton = cast(Any, cls)(int(match["id"]))  # each subclass takes just the id
        return button

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await _guarded(interaction, self.where, lambda: self.run(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class _ModeratorButton(_IdButton, template=_NEVER):
    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        return await moderator_check(interaction)


def _template(action: str) -> str:
    return rf"{PREFIX}:{action}:(?P<id>[0-9]{{1,19}})"


class SupportButton(_IdButton, template=_template("support")):
    """ "Send support": counted once per member, without names; the count shows on the button."""

    action = "support"
    where = "support button"

    def __init__(self, share_id: int, count: int = 0) -> None:
        label = "Send support" if count == 0 else f"Send support \N{MIDDLE DOT} {count}"
        super().__init__(share_id, label=label, style=discord.ButtonStyle.success, emoji="\N{YELLOW HEART}")

    async def run(self, interaction: discord.Interaction) -> None:
        await actions(interaction).support(interaction, self.item_id)


class ReplyButton(_IdButton, template=_template("reply")):
    action = "reply"
    where = "reply button"

    def __init__(self, share_id: int) -> None:
        super().__init__(
            share_id, label="Reply anonymously", style=discord.ButtonStyle.primary, emoji="\N{SPEECH BALLOON}"
        )

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReplyModal(self.item_id))


class ReportButton(_IdButton, template=_template("report")):
    action = "report"
    where = "report button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Report", style=discord.ButtonStyle.secondary, emoji="\N{WARNING SIGN}")

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReportModal(self.item_id))


class ApproveButton(_ModeratorButton, template=_template("approve")):
    action = "approve"
    where = "approve button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Approve", style=discord.ButtonStyle.success)

    async def run(self, interaction: discord.Interaction) -> None:
        await actions(interaction).approve_share(interaction, self.item_id, None)


class ApproveWithCwButton(_ModeratorButton, template=_template("approve-cw")):
    action = "approve-cw"
    where = "approve-with-warning button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Approve with CW", style=discord.ButtonStyle.primary)

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ApproveCwModal(self.item_id))


class RejectButton(_ModeratorButton, template=_template("reject")):
    action = "reject"
    where = "reject button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Reject", style=discord.ButtonStyle.danger)

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(RejectModal(self.item_id))


class BlockButton(_ModeratorButton, template=_template("block")):
    action = "block"
    where = "block button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Block author", style=discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(BlockModal(self.item_id))


class RemoveButton(_ModeratorButton, template=_template("remove")):
    action = "remove"
    where = "remove button"

    def __init__(self, share_id: int) -> None:
        super().__init__(share_id, label="Remove share", style=discord.ButtonStyle.danger)

    async def run(self, interaction: discord.Interaction) -> None:
        await actions(interaction).remove_reported(interaction, self.item_id)


class DismissButton(_ModeratorButton, template=_template("dismiss")):
    action = "dismiss"
    where = "dismiss button"

    def __init__(self, report_id: int) -> None:
        super().__init__(report_id, label="Dismiss report", style=discord.ButtonStyle.secondary)

    async def run(self, interaction: discord.Interaction) -> None:
        await actions(interaction).dismiss_report(interaction, self.item_id)


DYNAMIC_ITEMS: tuple[type[_IdButton], ...] = (
    SupportButton,
    ReplyButton,
    ReportButton,
    ApproveButton,
    ApproveWithCwButton,
    RejectButton,
    BlockButton,
    RemoveButton,
    DismissButton,
)


def share_view(share: Share) -> discord.ui.View:
    """The buttons under a posted share."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReplyButton(share.id))
    view.add_item(SupportButton(share.id, share.support_count))
    view.add_item(ReportButton(share.id))
    return view
