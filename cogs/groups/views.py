"""What groups look like on Discord: the announcement with its persistent Join / Leave buttons, embeds, DM texts,
and the archive confirmation. Everything here renders plain data; the cog decides.

Members only ever see seat counts. Names of who joined appear only in :func:`roster_embed`, which the cog shows
to the group's facilitator and admins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

import discord

from bot.ui import COLOUR, WARM
from cogs.groups.reminders import format_lead, format_leads
from cogs.groups.schedule import Meeting
from cogs.groups.store import Group, Membership, Roster

JOIN_ID = "peerbot:groups:join:{}"
LEAVE_ID = "peerbot:groups:leave:{}"
PER_PAGE = 10


def ts(instant: datetime, style: str = "F") -> str:
    """A Discord timestamp: every member sees it in their own time zone."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def when_text(meeting: Meeting | None) -> str:
    return "no upcoming meeting" if meeting is None else f"{ts(meeting.start)} ({ts(meeting.start, 'R')})"


def where_text(group: Group) -> str:
    kind = group.details.channel_kind
    icon = {"voice": "\N{SPEAKER WITH THREE SOUND WAVES} ", "stage": "\N{STUDIO MICROPHONE} "}.get(kind, "")
    return f"{icon}<#{group.details.channel_id}>"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def seats_text(group: Group) -> str:
    """Seat counts only, never names."""
    left = group.seats_left
    if left is None:
        return "open to everyone"
    if left == 0:
        waiting = f", {group.waiting} waiting" if group.waiting else ""
        return f"full (all {_count(group.capacity or 0, 'seat')} taken{waiting}); joining puts you on the waitlist"
    return f"{_count(left, 'seat')} left of {group.capacity}"


def _name(group: Group) -> str:
    return discord.utils.escape_markdown(group.name)


def _duration(minutes: int) -> str:
    return format_lead(minutes)


# --------------------------------------------------------------------------------------------------------------------
# The announcement and its persistent buttons
# --------------------------------------------------------------------------------------------------------------------


class GroupActions(Protocol):
    """What the buttons ask the cog to do (the cog implements it; views never import the cog)."""

    async def join_from_button(self, interaction: discord.Interaction, group_id: int) -> None: ...

    async def leave_from_button(self, interaction: discord.Interaction, group_id: int) -> None: ...


def _actions(interaction: discord.Interaction) -> GroupActions | None:
    cog = cast(Any, interaction.client).get_cog("Groups")
    return cast(GroupActions, cog) if cog is not None else None


async def _unavailable(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Groups are unavailable right now; please try again soon.", ephemeral=True)


class _GroupButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A persistent button carrying the group id in its custom_id, so it works after restarts.

    The base is never registered (its template matches nothing); Join and Leave set the details.
    """

    LABEL = ""
    STYLE = discord.ButtonStyle.secondary
    CUSTOM_ID = ""

    def __init__(self, group_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=self.LABEL, style=self.STYLE, custom_id=self.CUSTOM_ID.format(group_id), disabled=disabled
            )
        )
        self.group_id = group_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> _GroupButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        actions = _actions(interaction)
        if actions is None:
            await _unavailable(interaction)
            return
        await self.act(actions, interaction)

    async def act(self, actions: GroupActions, interaction: discord.Interaction) -> None:
        await actions.join_from_button(interaction, self.group_id)


class JoinButton(_GroupButton, template=r"peerbot:groups:join:(?P<id>[0-9]+)"):
    """Join the group (or its waitlist)."""

    LABEL = "Join"
    STYLE = discord.ButtonStyle.success
    CUSTOM_ID = JOIN_ID


class LeaveButton(_GroupButton, template=r"peerbot:groups:leave:(?P<id>[0-9]+)"):
    """Leave the group or its waitlist."""

    LABEL = "Leave"
    CUSTOM_ID = LEAVE_ID

    async def act(self, actions: GroupActions, interaction: discord.Interaction) -> None:
        await actions.leave_from_button(interaction, self.group_id)


def announcement_view(group_id: int, *, archived: bool = False) -> discord.ui.View:
    """The persistent Join / Leave buttons (disabled once the group is archived)."""
    view = discord.ui.View(timeout=None)
    view.add_item(JoinButton(group_id, disabled=archived))
    view.add_item(LeaveButton(group_id, disabled=archived))
    return view


def announcement_embed(group: Group, next_up: Meeting | None) -> discord.Embed:
    details = group.details
    title = group.name if group.active else f"{group.name} (ended)"
    embed = discord.Embed(title=title[:256], description=details.description or None, colour=COLOUR)
    if not group.active:
        embed.colour = WARM
        embed.add_field(name="This group has ended", value="Thank you to everyone who came.", inline=False)
        return embed
    when = details.when.describe()
    embed.add_field(name="When", value=f"{when[0].upper()}{when[1:]}, for {_duration(details.duration)}", inline=False)
    embed.add_field(name="Next meeting", value=when_text(next_up), inline=False)
    embed.add_field(name="Where", value=where_text(group), inline=True)
    embed.add_field(name="Facilitator", value=f"<@{details.facilitator_id}>", inline=True)
    embed.add_field(name="Seats", value=seats_text(group), inline=True)
    if details.tags:
        embed.add_field(name="Topics", value=", ".join(discord.utils.escape_markdown(t) for t in details.tags))
    embed.set_footer(text="Who joins is private: only the facilitator sees it. Join to get reminders by DM.")
    return embed


# --------------------------------------------------------------------------------------------------------------------
# Member lists
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upcoming:
    group: Group
    meeting: Meeting


def list_embed(entries: Sequence[Upcoming], page: int, *, days: int = 7) -> discord.Embed:
    """Upcoming meetings, soonest first, ``PER_PAGE`` a page."""
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
    embed = discord.Embed(title=f"Support groups in the next {days} days", colour=COLOUR)
    for entry in shown:
        group = entry.group
        embed.add_field(
            name=group.name[:256],
            value=(
                f"{ts(entry.meeting.start)} ({ts(entry.meeting.start, 'R')})\n"
                f"{where_text(group)} · {_duration(group.details.duration)} · {seats_text(group)}"
            )[:1024],
            inline=False,
        )
    footer = "Join with /group join or the Join button on a group's announcement."
    if pages > 1:
        footer = f"Page {page} of {pages} (/group list page:{page % pages + 1}). " + footer
    embed.set_footer(text=footer)
    return embed


EMPTY_LIST = (
    "There are no support group meetings in the next 7 days. "
    "If you'd like one, ask a facilitator or an admin: they can add a group with `/group create`."
)
EMPTY_MINE = "You haven't joined any groups yet. `/group list` shows what's coming up, and `/group join` signs you up."


def mine_embed(entries: Sequence[tuple[Membership, Meeting | None]], reminders_on: bool) -> discord.Embed:
    embed = discord.Embed(title="Your groups", colour=COLOUR)
    for membership, meeting in entries:
        group = membership.group
        if membership.status == "waiting":
            status = f"On the waitlist (number {membership.position})"
        else:
            status = "You have a seat"
        embed.add_field(
            name=group.name[:256],
            value=f"{status}\nNext: {when_text(meeting)}\n{where_text(group)}"[:1024],
            inline=False,
        )
    embed.set_footer(
        text=(
            "Reminders by DM are on; /group reminders off turns them off."
            if reminders_on
            else "Reminders are off; /group reminders on turns them back on."
        )
        + " /group calendar gives you a calendar file."
    )
    return embed


def roster_embed(group: Group, roster: Roster, next_up: Meeting | None) -> discord.Embed:
    """Who joined and who waits: for the group's facilitator and admins only."""
    embed = discord.Embed(title=f"Roster: {group.name}"[:256], colour=COLOUR)
    embed.add_field(name="Next meeting", value=when_text(next_up), inline=False)
    capacity = f" of {group.capacity}" if group.capacity is not None else ""
    joined = "\n".join(f"{i}. <@{uid}>" for i, uid in enumerate(roster.joined, 1)) or "Nobody yet."
    embed.add_field(name=f"Joined ({len(roster.joined)}{capacity})", value=joined[:1024], inline=False)
    if roster.waiting:
        waiting = "\n".join(f"{i}. <@{uid}>" for i, uid in enumerate(roster.waiting, 1))
        embed.add_field(name=f"Waitlist ({len(roster.waiting)})", value=waiting[:1024], inline=False)
    embed.set_footer(text="Private: please don't share who attends.")
    return embed


def created_text(group: Group, next_up: Meeting | None, event_note: str | None) -> str:
    lines = [
        f"**{_name(group)}** is set up: {group.when.describe()}. Next meeting: {when_text(next_up)}.",
        f"Members get reminders {format_leads(group.details.leads)} before; change that with `/group edit reminders:`.",
    ]
    if event_note:
        lines.append(event_note)
    return "\n".join(lines)


NO_EVENT_PERMISSION = (
    "Note: the server's Events list won't show this group, because I need the **Manage Events** permission for "
    "that. The group works fine without it; a server admin can run `/setup check` to see what to fix."
)
EVENT_FAILED = "Note: Discord's Events list wasn't updated this time; the group itself is saved and works."
NO_GROUPS_CHANNEL = (
    "Note: there's no announcement, because the groups channel is gone. `/setup channels groups:` sets it."
)


def announcement_failed(channel_mention: str) -> str:
    return (
        f"Note: posting the announcement in {channel_mention} failed; please check my permissions there "
        "(`/setup check`). Members can still join with `/group join`."
    )


def event_text(group: Group) -> tuple[str, str]:
    """Name and description of the group's Discord event (Discord's limits: 100 and 1000 characters)."""
    description = group.details.description or f"Weekly support group: {group.when.describe()}."
    description += "\n\nJoin with /group join (or the Join button) to get reminders by DM."
    return group.name[:100], description[:1000]


# --------------------------------------------------------------------------------------------------------------------
# DMs
# --------------------------------------------------------------------------------------------------------------------


def _server(guild_name: str | None) -> str:
    return f" in **{discord.utils.escape_markdown(guild_name)}**" if guild_name else ""


def reminder_dm(group: Group, meeting: Meeting, guild_name: str | None) -> str:
    return (
        f"\N{ALARM CLOCK} Reminder: **{_name(group)}**{_server(guild_name)} starts {ts(meeting.start)} "
        f"({ts(meeting.start, 'R')}) in {where_text(group)}.\n"
        "Can't make it? That's okay. `/group leave` frees your seat; `/group reminders off` stops these messages."
    )


def skip_dm(group: Group, skipped: Meeting, reason: str | None, next_up: Meeting | None, guild_name: str | None) -> str:
    why = f"\nThe facilitator says: {discord.utils.escape_markdown(reason)}" if reason else ""
    return (
        f"**{_name(group)}**{_server(guild_name)} won't meet on {ts(skipped.start, 'D')}.{why}\n"
        f"Next meeting: {when_text(next_up)}."
    )


def change_dm(group: Group, next_up: Meeting | None, guild_name: str | None) -> str:
    return (
        f"**{_name(group)}**{_server(guild_name)} has a new time or place: {group.when.describe()} "
        f"in {where_text(group)}.\nNext meeting: {when_text(next_up)}."
    )


def seat_dm(group: Group, next_up: Meeting | None, guild_name: str | None) -> str:
    return (
        f"Good news: a seat opened up in **{_name(group)}**{_server(guild_name)}, and it's yours. "
        f"Next meeting: {when_text(next_up)} in {where_text(group)}.\n"
        "If you can't come after all, `/group leave` passes the seat on."
    )


def archived_dm(group: Group, guild_name: str | None) -> str:
    return (
        f"**{_name(group)}**{_server(guild_name)} has ended, so there are no more meetings or reminders for it. "
        "`/group list` shows the groups that are running."
    )


def starting_text(group: Group, meeting: Meeting) -> str:
    return (
        f"\N{LARGE GREEN CIRCLE} **{_name(group)}** is starting now in {where_text(group)} "
        f"(until {ts(meeting.end, 't')}). Everyone who joined is welcome."
    )
