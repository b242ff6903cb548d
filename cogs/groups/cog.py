"""`/group ...`: weekly support groups, their Discord events, reminders by DM, and the Join / Leave buttons.

Thin commands: parse and check the input (:mod:`cogs.groups.validate`), change the database
(:mod:`cogs.groups.store`), then talk to Discord. Time-driven work runs as durable jobs (see
:mod:`cogs.groups.reminders` for the chain of steps each group keeps: reminders, start, end), and every DM to a
member is claimed in the database before it is sent, so none is ever sent twice.

Decisions
---------
* Who may manage a group: ``/group create`` needs the facilitator role (or Manage Server). ``edit``, ``skip``,
  ``archive`` and ``roster`` need the facilitator role *and* to be that group's facilitator, or Manage Server.
  A group's facilitator must have the facilitator role.
* "Starting now" is posted in the group's own channel when it meets in a text channel, and in the groups channel
  when it meets in a voice or stage channel (a voice channel's chat is easy to miss). It never names anyone.
* Capacity: lowering it below the number of members with a seat keeps them all; ``/group edit capacity:0``
  removes the limit (at creation a capacity must be at least 1, or left empty).
* Members who joined are told by DM about a skipped date, a new time or place, a freed seat they got from the
  waitlist, and the group ending. Those DMs are durable ``groups:notice`` jobs, sent right away.
* A closed DM is not an error: it is logged once (ids only), recorded, and that DM is not retried.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import store as core_store
from bot.app import PeerBot
from bot.checks import audience
from bot.db import Database
from bot.errors import NotConfigured, UserFacingError
from bot.store import Job
from bot.ui import confirm, is_admin, reply
from cogs.groups import store, views
from cogs.groups.events import plan_event
from cogs.groups.ics import CalendarGroup, build_calendar
from cogs.groups.reminders import (
    GRACE,
    KIND_END,
    KIND_NOTICE,
    KIND_REMINDER,
    KIND_START,
    KIND_SYNC,
    SCHEDULER_GRACE,
    STEP_KINDS,
    Step,
    first_step,
    format_leads,
    parse_step_ref,
    split_ref,
    step_after,
    step_is_current,
)
from cogs.groups.schedule import Meeting, local_today, meeting_on, next_meeting, window
from cogs.groups.store import ChannelKind, Group
from cogs.groups.validate import GroupInput, Place, apply_changes, new_details, parse_skip_date
from cogs.groups.views import JoinButton, LeaveButton, Upcoming
from cogs.rota.schedule import WEEKDAY_NAMES
from cogs.rota.timeparse import search_timezones

log = logging.getLogger(__name__)

Choices = list[app_commands.Choice[str]]
Meets = discord.VoiceChannel | discord.StageChannel | discord.TextChannel
WEEKDAYS = [app_commands.Choice(name=name, value=index) for index, name in enumerate(WEEKDAY_NAMES)]
LIST_DAYS = 7
# Skipped dates older than this never matter to scheduling (a meeting lasts at most a day).
_SKIP_HORIZON = timedelta(days=8)
# The "starting now" post is logged in group_notices_sent under this member id (no real user has id 0).
_CHANNEL = 0


class DMClosedError(Exception):
    """The member doesn't accept DMs from the bot (or left Discord)."""


class Groups(commands.GroupCog, group_name="group", group_description="Weekly support groups."):
    """Weekly support groups: facilitators run them, members join, everyone gets reminders and Discord events."""

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot
        self._freed: dict[int, list[int]] = {}
        # guild id -> (valid until, upcoming meetings): see `upcoming`.
        self._upcoming: dict[int, tuple[datetime, list[Upcoming]]] = {}
        # guild id -> a counter bumped by every change, so a list computed across a change is not cached.
        self._generation: dict[int, int] = {}
        self._epoch = 0

    async def cog_load(self) -> None:
        scheduler = self.bot.scheduler
        # Steps judge their own lateness (see cogs/groups/reminders.py), so the scheduler's grace is long.
        for kind in (KIND_REMINDER, KIND_START, KIND_END):
            scheduler.register(kind, self._on_step, grace=SCHEDULER_GRACE)
        scheduler.register(KIND_SYNC, self._on_sync, grace=SCHEDULER_GRACE)
        scheduler.register(KIND_NOTICE, self._on_notice, grace=GRACE[KIND_NOTICE])
        self.bot.add_dynamic_items(JoinButton, LeaveButton)
        self.bot.user_data_deleters["groups"] = self._delete_user_data
        await self._repair_chains()

    async def cog_unload(self) -> None:
        self.bot.user_data_deleters.pop("groups", None)
        self.bot.remove_dynamic_items(JoinButton, LeaveButton)

    @property
    def db(self) -> Database:
        return self.bot.db

    def _now(self) -> datetime:
        return self.bot.clock.now()

    # -- loading and planning ----------------------------------------------------------------------------------

    def _skips_since(self, group: Group) -> date:
        return local_today(group.when.tz, self._now()) - _SKIP_HORIZON

    async def _skips(self, group: Group) -> frozenset[date]:
        return await store.skipped_dates(self.db, group.id, self._skips_since(group))

    async def _schedule(self, group: Group, step: Step) -> None:
        await self.bot.scheduler.schedule(step.kind, step.ref(group.id), step.due, group.guild_id)

    async def _plan(self, group: Group, skipped: frozenset[date]) -> None:
        """Start (or confirm) the group's chain of due work from now. Idempotent: same step, same job."""
        if not group.active:
            return
        step = first_step(group.when, self._now(), skipped, group.details.leads)
        if step is not None:
            await self._schedule(group, step)

    async def _repair_chains(self) -> None:
        """At start-up: a group whose chain broke (no live pending step, e.g. the bot was down past a step's grace)
        gets a sync job that fixes its Discord event and starts the chain again. One query for all groups."""
        now = self._now()
        live_after = {kind: now - SCHEDULER_GRACE for kind in STEP_KINDS}
        broken = await store.groups_needing_plan(self.db, live_after)
        stamp = now.strftime("%Y%m%dT%H%M%S")
        for group_id in broken:
            guild_id = await self._guild_of(group_id)
            await self.bot.scheduler.schedule(KIND_SYNC, f"{group_id}:sync:{stamp}", now, guild_id)
        if broken:
            log.info("Restarting the schedule of %d groups", len(broken))

    async def _guild_of(self, group_id: int) -> int | None:
        group = await store.get_group(self.db, group_id)
        return None if group is None else group.guild_id

    # -- Discord side effects --------------------------------------------------------------------------------

    async def _sync_event(
        self, group: Group, skipped: frozenset[date], *, changed: bool = False, replace: bool = False
    ) -> str | None:
        """Make the group's native scheduled event match its state. Returns a note for the facilitator, if any."""
        guild = self.bot.get_guild(group.guild_id)
        if guild is None:
            return None
        can_manage = guild.me.guild_permissions.manage_events
        wants_event = group.active and not group.details.private
        if not can_manage:
            return views.NO_EVENT_PERMISSION if wants_event else None
        kept = group.event_date if group.event_id is not None else None
        plan = plan_event(
            group.when, skipped, self._now(), wanted=wants_event, event_date=kept, changed=changed, replace=replace
        )
        if plan.nothing:
            return None
        try:
            if plan.retire and group.event_id is not None:
                await self._retire_event(guild, group.event_id)
                await store.set_event(self.db, group.id, None, None)
            if (
                plan.update is not None
                and group.event_id is not None
                and not await self._edit_event(guild, group, group.event_id, plan.update)
            ):
                await store.set_event(self.db, group.id, None, None)
                await self._create_event(guild, group, plan.update)
            if plan.create is not None:
                await self._create_event(guild, group, plan.create)
        except discord.Forbidden:
            log.info("No permission to manage events for group %s (guild %s)", group.id, group.guild_id)
            return views.NO_EVENT_PERMISSION
        except discord.HTTPException:
            log.exception("Could not update the event of group %s (guild %s)", group.id, group.guild_id)
            return views.EVENT_FAILED
        return None

    async def _create_event(self, guild: discord.Guild, group: Group, meeting: Meeting) -> None:
        name, description = views.event_text(group)
        kind = group.details.channel_kind
        privacy = discord.PrivacyLevel.guild_only
        if kind == "text":
            event = await guild.create_scheduled_event(
                name=name,
                description=description,
                start_time=meeting.start,
                end_time=meeting.end,
                entity_type=discord.EntityType.external,
                location=f"#{group.details.channel_name}"[:100],
                privacy_level=privacy,
                reason=f"peerbot group {group.id}",
            )
        else:
            # A voice or stage event lives in its channel; the entity type follows the channel's type.
            channel = guild.get_channel(group.details.channel_id)
            if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
                log.info("Group %s meets in a channel that no longer exists; no event", group.id)
                return
            event = await guild.create_scheduled_event(
                name=name,
                description=description,
                start_time=meeting.start,
                end_time=meeting.end,
                channel=channel,
                privacy_level=privacy,
                reason=f"peerbot group {group.id}",
            )
        await store.set_event(self.db, group.id, event.id, meeting.local_date)
        log.info("Created event %s for group %s (%s)", event.id, group.id, meeting.local_date)

    async def _fetch_event(self, guild: discord.Guild, event_id: int) -> discord.ScheduledEvent | None:
        event = guild.get_scheduled_event(event_id)
        if event is not None:
            return event
        try:
            return await guild.fetch_scheduled_event(event_id)
        except discord.NotFound:
            return None

    async def _edit_event(self, guild: discord.Guild, group: Group, event_id: int, meeting: Meeting) -> bool:
        """Move/rename the kept event; False if it no longer exists (someone deleted it)."""
        event = await self._fetch_event(guild, event_id)
        if event is None or event.status is not discord.EventStatus.scheduled:
            return False
        name, description = views.event_text(group)
        await event.edit(
            name=name,
            description=description,
            start_time=meeting.start,
            end_time=meeting.end,
        )
        await store.set_event(self.db, group.id, event_id, meeting.local_date)
        return True

    async def _retire_event(self, guild: discord.Guild, event_id: int) -> None:
        event = await self._fetch_event(guild, event_id)
        if event is None:
            return
        if event.status is discord.EventStatus.scheduled:
            await event.cancel(reason="peerbot: meeting skipped, moved or group ended")
        elif event.status is discord.EventStatus.active:
            await event.end(reason="peerbot: meeting ended")

    async def _start_event(self, group: Group, local_date: date) -> None:
        guild = self.bot.get_guild(group.guild_id)
        if guild is None or group.event_id is None or group.event_date != local_date:
            return
        try:
            event = await self._fetch_event(guild, group.event_id)
            if event is not None and event.status is discord.EventStatus.scheduled:
                await event.start(reason="peerbot: meeting starting")
        except discord.HTTPException:
            log.info("Could not start the event of group %s (guild %s)", group.id, group.guild_id)

    async def _post_announcement(self, group: Group, skipped: frozenset[date]) -> str | None:
        """Post the announcement with Join / Leave in the groups channel; a note for the facilitator on failure."""
        channel_id = self.bot.cached_guild_config(group.guild_id).groups_channel_id
        channel = self.bot.get_channel(channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            return views.NO_GROUPS_CHANNEL
        embed = views.announcement_embed(group, next_meeting(group.when, self._now(), skipped))
        try:
            message = await channel.send(embed=embed, view=views.announcement_view(group.id))
        except discord.HTTPException:
            log.info("Could not post the announcement of group %s in guild %s", group.id, group.guild_id)
            return views.announcement_failed(channel.mention)
        await store.set_announcement(self.db, group.id, channel.id, message.id)
        return None

    async def _refresh_announcement(self, group_id: int) -> None:
        group = await store.get_group(self.db, group_id)
        if group is not None:
            await self._show_announcement(group)

    async def _show_announcement(self, group: Group, skipped: frozenset[date] | None = None) -> None:
        """Edit the group's announcement to match ``group`` (``skipped``: its skipped dates, when already known)."""
        if group.announce_message_id is None:
            return
        channel = self.bot.get_channel(group.announce_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            return
        next_up = None
        if group.active:
            next_up = next_meeting(group.when, self._now(), await self._skips(group) if skipped is None else skipped)
        try:
            await channel.get_partial_message(group.announce_message_id).edit(
                embed=views.announcement_embed(group, next_up),
                view=views.announcement_view(group.id, archived=not group.active),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:  # deleted by someone, or no permission: the group works without it
            log.info("Could not update the announcement of group %s", group.id)

    async def _dm(self, user_id: int, content: str) -> None:
        """Send a DM; raises :class:`DMClosedError` when the member doesn't accept DMs."""
        try:
            channel = await self.bot.create_dm(discord.Object(user_id))
            await channel.send(content)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise DMClosedError(user_id) from exc

    async def _notice(self, group: Group, notice: str) -> None:
        """Queue DMs about a change (durable; sent right away by the scheduler)."""
        await self.bot.scheduler.schedule(KIND_NOTICE, f"{group.id}:{notice}", self._now(), group.guild_id)

    # -- looking groups up -----------------------------------------------------------------------------------

    async def _find(self, interaction: discord.Interaction, text: str) -> Group:
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        group = await store.find_group(self.db, interaction.guild_id, text)
        if group is None:
            shown = discord.utils.escape_markdown(text.strip()[:60])
            raise UserFacingError(f"I couldn't find a group called '{shown}'. Pick one from the list as you type.")
        return group

    async def _managed(self, interaction: discord.Interaction, text: str) -> Group:
        """A group the person asking may manage: its facilitator, or an admin."""
        group = await self._find(interaction, text)
        if group.details.facilitator_id != interaction.user.id and not is_admin(interaction.user):
            raise UserFacingError(
                f"Only the facilitator of **{discord.utils.escape_markdown(group.name)}** "
                f"(<@{group.details.facilitator_id}>) or a server admin can do that."
            )
        return group

    async def _active_managed(self, interaction: discord.Interaction, text: str) -> Group:
        group = await self._managed(interaction, text)
        if not group.active:
            raise UserFacingError(f"**{discord.utils.escape_markdown(group.name)}** has been archived.")
        return group

    def _check_facilitator(self, interaction: discord.Interaction, member: discord.Member | discord.User) -> None:
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        role_id = self.bot.cached_guild_config(interaction.guild_id).facilitator_role_id
        if not isinstance(member, discord.Member):
            raise UserFacingError("The facilitator must be a member of this server.")
        if is_admin(member) or (role_id is not None and any(r.id == role_id for r in member.roles)):
            return
        raise UserFacingError(
            f"{member.mention} doesn't have the facilitator role, so they can't run a group. "
            "A server admin can give them the role first."
        )

    # -- /group create ---------------------------------------------------------------------------------------

    @audience("facilitator")
    @app_commands.command(name="create")
    @app_commands.describe(
        name="The group's name, e.g. Grief circle",
        description="What the group is about and who it is for",
        weekday="The day it meets every week",
        start="Start time, e.g. 18:00 or 6pm",
        duration="How long a meeting lasts, in minutes (e.g. 90)",
        where="Where it meets: a voice or stage channel, or a text channel",
        timezone="Time zone of the start time (default: the server's)",
        facilitator="Who runs it (default: you)",
        capacity="Number of seats (leave empty for no limit); when full, members join a waitlist",
        first_date="Date of the first meeting, e.g. 2025-03-11 (default: the next one)",
        tags="Topic tags, separated by commas, e.g. grief, loss",
        private="Private: no event in the server's Events list (reminders still go by DM)",
    )
    @app_commands.choices(weekday=WEEKDAYS)
    async def create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 80],
        description: app_commands.Range[str, 1, 1000],
        weekday: app_commands.Choice[int],
        start: app_commands.Range[str, 1, 20],
        duration: int,
        where: Meets,
        timezone: str | None = None,
        facilitator: discord.Member | None = None,
        capacity: int | None = None,
        first_date: str | None = None,
        tags: str | None = None,
        private: bool = False,
    ) -> None:
        """Create a weekly support group and announce it."""
        guild_id = interaction.guild_id
        assert guild_id is not None  # noqa: S101 - guild-only commands
        config = await self.bot.guild_config(guild_id)
        if config.groups_channel_id is None:
            raise NotConfigured("a groups channel", "/setup channels groups:")
        leader = facilitator or interaction.user
        given = GroupInput(
            name=name,
            description=description,
            weekday=weekday.value,
            start=start,
            duration=duration,
            timezone=timezone,
            place=_place(where),
            facilitator_id=leader.id,
            capacity=capacity,
            first_date=first_date,
            tags=tags,
            private=private,
        )
        try:
            details = new_details(given, default_tz=config.timezone, now=self._now())
        except ValueError as exc:
            raise UserFacingError(str(exc)) from exc
        self._check_facilitator(interaction, leader)
        if await store.name_taken(self.db, guild_id, details.name):
            raise UserFacingError(_duplicate(details.name))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            group = await store.create_group(self.db, guild_id, details, self._now())
        except store.DuplicateNameError as exc:
            raise UserFacingError(_duplicate(details.name)) from exc
        self._changed(guild_id)
        log.info("Group %s created in guild %s", group.id, guild_id)
        skipped: frozenset[date] = frozenset()
        await self._plan(group, skipped)
        notes = [await self._post_announcement(group, skipped), await self._sync_event(group, skipped)]
        next_up = next_meeting(group.when, self._now(), skipped)
        await reply(interaction, views.created_text(group, next_up, "\n".join(n for n in notes if n) or None))

    @create.autocomplete("timezone")
    async def _create_timezone(self, interaction: discord.Interaction, current: str) -> Choices:
        return timezone_choices(current)

    # -- /group edit -----------------------------------------------------------------------------------------

    @audience("facilitator")
    @app_commands.command(name="edit")
    @app_commands.describe(
        group="The group to change",
        name="New name",
        description="New description",
        weekday="New day of the week",
        start="New start time, e.g. 18:00 or 6pm",
        duration="New length in minutes",
        where="New place: a voice or stage channel, or a text channel",
        timezone="New time zone",
        facilitator="New facilitator",
        capacity="New number of seats (0 removes the limit)",
        first_date="New date of the first meeting",
        tags="New topic tags, separated by commas (none clears them)",
        private="Private: no event in the server's Events list",
        reminders="When members get reminders, e.g. 24h, 15m (or off)",
    )
    @app_commands.choices(weekday=WEEKDAYS)
    async def edit(
        self,
        interaction: discord.Interaction,
        group: str,
        name: app_commands.Range[str, 1, 80] | None = None,
        description: app_commands.Range[str, 1, 1000] | None = None,
        weekday: app_commands.Choice[int] | None = None,
        start: app_commands.Range[str, 1, 20] | None = None,
        duration: int | None = None,
        where: Meets | None = None,
        timezone: str | None = None,
        facilitator: discord.Member | None = None,
        capacity: int | None = None,
        first_date: str | None = None,
        tags: str | None = None,
        private: bool | None = None,
        reminders: str | None = None,
    ) -> None:
        """Change a group: any of its details. Members who joined are told when the time or place changes."""
        found = await self._active_managed(interaction, group)
        given = GroupInput(
            name=name,
            description=description,
            weekday=weekday.value if weekday is not None else None,
            start=start,
            duration=duration,
            timezone=timezone,
            place=_place(where) if where is not None else None,
            facilitator_id=facilitator.id if facilitator is not None else None,
            capacity=capacity,
            first_date=first_date,
            tags=tags,
            private=private,
            reminders=reminders,
        )
        try:
            change = apply_changes(found.details, given, self._now())
        except ValueError as exc:
            raise UserFacingError(str(exc)) from exc
        details = change.details
        if facilitator is not None:
            self._check_facilitator(interaction, facilitator)
        if details.name != found.name and await store.name_taken(
            self.db, found.guild_id, details.name, except_id=found.id
        ):
            raise UserFacingError(_duplicate(details.name))
        told = change.moved or change.new_place
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            updated = await store.update_group(self.db, found.id, details, new_version=told)
        except store.DuplicateNameError as exc:
            raise UserFacingError(_duplicate(details.name)) from exc
        self._changed(found.guild_id)
        log.info("Group %s edited (guild %s)", found.id, found.guild_id)
        skipped = await self._skips(updated)
        await self._plan(updated, skipped)
        if change.more_seats:
            await self._seats_freed(updated, await store.fill_seats(self.db, updated.id, self._now()))
            self._changed(updated.guild_id)
        note = await self._sync_event(updated, skipped, changed=True, replace=change.new_place)
        if told:
            await self._notice(updated, f"change:{updated.version}")
        await self._refresh_announcement(updated.id)
        lines = [f"Saved **{discord.utils.escape_markdown(updated.name)}**: {updated.when.describe()}."]
        lines.append(f"Next meeting: {views.when_text(next_meeting(updated.when, self._now(), skipped))}.")
        if told:
            lines.append("Members who joined will get a DM about the new time or place.")
        if reminders is not None:
            lines.append(f"Reminders: {format_leads(updated.details.leads)} before each meeting.")
        if note:
            lines.append(note)
        await reply(interaction, "\n".join(lines))

    # -- /group skip -----------------------------------------------------------------------------------------

    @audience("facilitator")
    @app_commands.command(name="skip")
    @app_commands.describe(
        group="The group", date="The meeting date to skip, e.g. 2025-03-11 or next tue", reason="Optional: why"
    )
    async def skip(
        self,
        interaction: discord.Interaction,
        group: str,
        date: app_commands.Range[str, 1, 40],
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        """Cancel one meeting. Members who joined are told, and its Discord event is cancelled."""
        found = await self._active_managed(interaction, group)
        skipped = await self._skips(found)
        try:
            day = parse_skip_date(date, found.when, skipped, self._now())
        except ValueError as exc:
            raise UserFacingError(str(exc)) from exc
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await store.add_skip(self.db, found.id, day, reason.strip() if reason else None, self._now()):
            raise UserFacingError("That meeting is already skipped.")
        self._changed(found.guild_id)
        log.info("Group %s skips %s (guild %s)", found.id, day, found.guild_id)
        skipped = skipped | {day}
        await self._plan(found, skipped)
        note = await self._sync_event(found, skipped)
        await self._notice(found, f"skip:{day.isoformat()}")
        await self._refresh_announcement(found.id)
        meeting = meeting_on(found.when, day)
        lines = [
            f"Skipped the meeting on {views.ts(meeting.start, 'D')}. Members who joined will get a DM.",
            f"Next meeting: {views.when_text(next_meeting(found.when, self._now(), skipped))}.",
        ]
        if note:
            lines.append(note)
        await reply(interaction, "\n".join(lines))

    # -- /group archive --------------------------------------------------------------------------------------

    @audience("facilitator")
    @app_commands.command(name="archive")
    @app_commands.describe(group="The group to stop")
    async def archive(self, interaction: discord.Interaction, group: str) -> None:
        """Stop a group for good: no more meetings or reminders. Its history is kept."""
        found = await self._active_managed(interaction, group)
        answer = await confirm(
            interaction,
            f"Archive **{discord.utils.escape_markdown(found.name)}**? There will be no more meetings, reminders or "
            f"events; the {found.joined} member(s) with a seat are told.",
            yes="Archive the group",
            no="Keep it",
            timed_out="Nothing changed (the question timed out).",
        )
        if answer is not True:
            if answer is False:
                await interaction.edit_original_response(content="Okay, the group keeps running.", view=None)
            return
        if not await store.archive_group(self.db, found.id, self._now()):
            await interaction.edit_original_response(content="That group was already archived.", view=None)
            return
        self._changed(found.guild_id)
        log.info("Group %s archived (guild %s)", found.id, found.guild_id)
        for kind in STEP_KINDS:
            await self.bot.scheduler.cancel(kind, f"{found.id}:")
        archived = await store.get_group(self.db, found.id)
        assert archived is not None  # noqa: S101 - it exists
        note = await self._sync_event(archived, frozenset())
        await self._notice(archived, "archived")
        await self._refresh_announcement(archived.id)
        text = f"**{discord.utils.escape_markdown(found.name)}** is archived. Thank you for running it."
        await interaction.edit_original_response(content=f"{text}\n{note}" if note else text, view=None)

    # -- /group roster ---------------------------------------------------------------------------------------

    @audience("facilitator")
    @app_commands.command(name="roster")
    @app_commands.describe(group="The group")
    async def roster(self, interaction: discord.Interaction, group: str) -> None:
        """Who joined the next meeting, and the waitlist (private to the group's facilitator and admins)."""
        found = await self._managed(interaction, group)
        skipped = await self._skips(found)
        next_up = next_meeting(found.when, self._now(), skipped) if found.active else None
        members = await store.roster(self.db, found.id)
        await reply(interaction, embed=views.roster_embed(found, members, next_up))

    @edit.autocomplete("group")
    @skip.autocomplete("group")
    @archive.autocomplete("group")
    @roster.autocomplete("group")
    async def _managed_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        mine = None if is_admin(interaction.user) else interaction.user.id
        found = await store.search_groups(self.db, interaction.guild_id, current, facilitator_id=mine)
        return [app_commands.Choice(name=name[:100], value=str(gid)) for gid, name in found]

    @edit.autocomplete("timezone")
    async def _edit_timezone(self, interaction: discord.Interaction, current: str) -> Choices:
        return timezone_choices(current)

    # -- /group list -----------------------------------------------------------------------------------------

    @audience("member")
    @app_commands.command(name="list")
    @app_commands.describe(page="Which page, if there are many meetings")
    async def list_groups(self, interaction: discord.Interaction, page: int = 1) -> None:
        """Support group meetings in the next 7 days, soonest first."""
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        entries = await self.upcoming(interaction.guild_id, self._now())
        if not entries:
            await reply(interaction, views.EMPTY_LIST)
            return
        await reply(interaction, embed=views.list_embed(entries, page, days=LIST_DAYS))

    async def upcoming(self, guild_id: int, now: datetime, days: int = LIST_DAYS) -> list[Upcoming]:
        """Every meeting of the server's active groups starting in the next ``days`` days, soonest first.

        Cached per server until the list can change: until its first meeting starts (it leaves the list), until
        the next meeting beyond the window comes within it, or until a group of the server changes (``_changed``).
        One process owns a server's shard, and every write to a server's groups goes through this cog, so the
        cache can't go stale behind its back.
        """
        cached = self._upcoming.get(guild_id)
        if cached is not None and days == LIST_DAYS and now < cached[0]:
            return [entry for entry in cached[1] if entry.meeting.start >= now]
        generation = (self._epoch, self._generation.get(guild_id, 0))
        groups = await store.active_groups(self.db, guild_id)
        skips = await store.guild_skips(self.db, guild_id, (now - _SKIP_HORIZON).date())
        until = now + timedelta(days=days)
        entries: list[Upcoming] = []
        changes: list[datetime] = []
        for group in groups:
            inside, after = window(group.when, now, until, skips.get(group.id, frozenset()))
            entries += [Upcoming(group, meeting) for meeting in inside]
            changes += [m.start for m in inside[:1]]
            if after is not None:
                changes.append(after - timedelta(days=days))
        entries.sort(key=lambda e: (e.meeting.start, e.group.name.casefold(), e.group.id))
        if days == LIST_DAYS and (self._epoch, self._generation.get(guild_id, 0)) == generation:  # no change meanwhile
            self._upcoming[guild_id] = (min(changes, default=now + timedelta(days=1)), entries)
        return entries

    def _changed(self, guild_id: int | None = None) -> None:
        """A server's groups or skips changed: forget its cached list (all servers when None)."""
        if guild_id is None:
            self._upcoming.clear()
            self._epoch += 1
        else:
            self._upcoming.pop(guild_id, None)
            self._generation[guild_id] = self._generation.get(guild_id, 0) + 1

    async def _seats_changed(self, group: Group, skipped: frozenset[date] | None = None) -> None:
        """Only a group's seat counts changed (join, leave, waitlist): swap it in the cached list (no recompute) and
        show the new counts on its announcement. Runs after the member has their answer; ``skipped`` saves reading
        the group's skipped dates again when the caller has them. Reads nothing when nothing shows the counts."""
        guild_id = group.guild_id
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        # Without seats the announcement says "open to everyone" whatever the counts: it needs no edit.
        announced = group.announce_message_id is not None and group.capacity is not None
        if not announced and guild_id not in self._upcoming:
            return
        fresh = await store.get_group(self.db, group.id)
        if fresh is None:
            return
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        cached = self._upcoming.get(guild_id)
        if cached is not None:
            until, entries = cached
            swapped = [Upcoming(fresh, e.meeting) if e.group.id == group.id else e for e in entries]
            self._upcoming[guild_id] = (until, swapped)
        if fresh.capacity is not None:
            await self._show_announcement(fresh, skipped)

    # -- /group join and /group leave (and the buttons) ------------------------------------------------------

    @audience("member")
    @app_commands.command(name="join")
    @app_commands.describe(group="The group to join")
    async def join(self, interaction: discord.Interaction, group: str) -> None:
        """Join a group (or its waitlist when it is full). Only the facilitator sees who joined."""
        await self._join(interaction, await self._find(interaction, group))

    @join.autocomplete("group")
    async def _join_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        found = await store.search_groups(self.db, interaction.guild_id, current)
        return [app_commands.Choice(name=name[:100], value=str(gid)) for gid, name in found]

    @audience("member")
    @app_commands.command(name="leave")
    @app_commands.describe(group="The group to leave")
    async def leave(self, interaction: discord.Interaction, group: str) -> None:
        """Leave a group or its waitlist; your seat goes to the next person waiting."""
        await self._leave(interaction, await self._find(interaction, group))

    @leave.autocomplete("group")
    async def _leave_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        found = await store.search_memberships(self.db, interaction.guild_id, interaction.user.id, current)
        return [app_commands.Choice(name=name[:100], value=str(gid)) for gid, name in found]

    async def join_from_button(self, interaction: discord.Interaction, group_id: int) -> None:
        group = await store.get_group(self.db, group_id)
        if group is None or group.guild_id != interaction.guild_id:
            await reply(interaction, "I couldn't find this group any more.")
            return
        await self._join(interaction, group)

    async def leave_from_button(self, interaction: discord.Interaction, group_id: int) -> None:
        group = await store.get_group(self.db, group_id)
        if group is None or group.guild_id != interaction.guild_id:
            await reply(interaction, "I couldn't find this group any more.")
            return
        await self._leave(interaction, group)

    async def _join(self, interaction: discord.Interaction, group: Group) -> None:
        """Two database round trips before the answer (finding the group, then one statement that joins and reads
        what the answer needs); the announcement and the cached list are updated after it."""
        name = discord.utils.escape_markdown(group.name)
        ended = f"**{name}** has ended, so it can't be joined. `/group list` shows what's running."
        if not group.active:
            await reply(interaction, ended)
            return
        now = self._now()
        result = await store.join(self.db, group.id, interaction.user.id, now, skips_since=self._skips_since(group))
        if result.ended:  # archived since it was looked up
            await reply(interaction, ended)
            return
        next_up = next_meeting(group.when, now, result.skipped)
        if result.already:
            if result.status == "joined":
                text = f"You already have a seat in **{name}**. Next meeting: {views.when_text(next_up)}."
            else:
                text = f"You're already on the waitlist for **{name}** (number {result.position})."
            await reply(interaction, text)
            return
        # A list being computed across this change must not be cached (see `upcoming`).
        self._generation[group.guild_id] = self._generation.get(group.guild_id, 0) + 1
        if result.status == "joined":
            leads = group.details.leads
            when = (
                f"I'll send you a DM {format_leads(leads)} before each meeting."
                if leads and result.reminders
                else "Reminders are off for you (`/group reminders on`)."
                if leads
                else "This group sends no reminders."
            )
            text = (
                f"You're in **{name}**! Next meeting: {views.when_text(next_up)} in {views.where_text(group)}. "
                f"{when} Nobody but the facilitator sees who joined."
            )
        else:
            text = (
                f"**{name}** is full, so you're number {result.position} on the waitlist. "
                "If a seat opens up, it's yours and I'll tell you by DM."
            )
        await reply(interaction, text)
        log.info("Member joined group %s as %s", group.id, result.status)
        await self._seats_changed(group, result.skipped)

    async def _leave(self, interaction: discord.Interaction, group: Group) -> None:
        name = discord.utils.escape_markdown(group.name)
        result = await store.leave(self.db, group.id, interaction.user.id, self._now())
        if result.was is None:
            await reply(interaction, f"You're not in **{name}**, so there's nothing to leave.")
            return
        self._generation[group.guild_id] = self._generation.get(group.guild_id, 0) + 1
        where = "the waitlist for " if result.was == "waiting" else ""
        await reply(interaction, f"You've left {where}**{name}**. You're welcome back any time.")
        await self._seats_freed(group, result.promoted)
        await self._seats_changed(group)

    async def _seats_freed(self, group: Group, promoted: tuple[int, ...]) -> None:
        stamp = self._now().strftime("%Y%m%dT%H%M%S%f")
        for user_id in promoted:
            await self._notice(group, f"seat:{user_id}:{stamp}")

    # -- /group mine, /group calendar, /group reminders ------------------------------------------------------

    @audience("member")
    @app_commands.command(name="mine")
    async def mine(self, interaction: discord.Interaction) -> None:
        """Your groups and their next meetings."""
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        found = await store.memberships(self.db, interaction.guild_id, interaction.user.id)
        if not found:
            await reply(interaction, views.EMPTY_MINE)
            return
        now = self._now()
        entries = [(m, next_meeting(m.group.when, now, await self._skips(m.group))) for m in found]
        enabled = await store.reminders_enabled(self.db, interaction.guild_id, interaction.user.id)
        await reply(interaction, embed=views.mine_embed(entries, enabled))

    @audience("member")
    @app_commands.command(name="calendar")
    async def calendar(self, interaction: discord.Interaction) -> None:
        """A calendar file (.ics) of your groups, for Google, Apple or Outlook calendars."""
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        found = [
            m
            for m in await store.memberships(self.db, interaction.guild_id, interaction.user.id)
            if m.status == "joined"
        ]
        if not found:
            await reply(interaction, "You don't have a seat in any group yet, so there's nothing to put in a calendar.")
            return
        entries = [
            CalendarGroup(
                group_id=m.group.id,
                name=m.group.name,
                description=m.group.details.description,
                when=m.group.when,
                location=_location(m.group),
                url=f"https://discord.com/channels/{m.group.guild_id}/{m.group.details.channel_id}",
                skipped=await self._skips(m.group),
            )
            for m in found
        ]
        data = build_calendar(entries, self._now()).encode("utf-8")
        await reply(
            interaction,
            "Here are your groups as weekly events. Open the file to add them to your calendar.",
            file=discord.File(io.BytesIO(data), filename="support-groups.ics"),
        )

    @audience("member")
    @app_commands.command(name="reminders")
    @app_commands.describe(setting="on: DMs before your meetings; off: no reminders")
    async def reminders(self, interaction: discord.Interaction, setting: Literal["on", "off"]) -> None:
        """Turn your meeting reminders (DMs) on or off in this server."""
        assert interaction.guild_id is not None  # noqa: S101 - guild-only commands
        await store.set_reminders(self.db, interaction.guild_id, interaction.user.id, setting == "on")
        if setting == "on":
            await reply(interaction, "Reminders are on: I'll DM you before each meeting of your groups.")
        else:
            await reply(interaction, "Reminders are off. Your seats stay yours; `/group mine` shows your next dates.")

    # -- due work --------------------------------------------------------------------------------------------

    async def _on_step(self, job: Job) -> None:
        """A reminder, start or end step: continue the chain first, then do the step's work."""
        group_id, local_date, lead = parse_step_ref(job.kind, job.ref)
        group = await store.get_group(self.db, group_id)
        if group is None or not group.active:
            return
        skipped = await self._skips(group)
        leads = group.details.leads
        now = self._now()
        step = step_is_current(group.when, skipped, leads, job.kind, local_date, lead)
        if step is None:
            # Left over from before an edit or skip: make sure the current plan's chain exists, and stop.
            await self._plan(group, skipped)
            return
        following = step_after(group.when, skipped, leads, step, now)
        if following is not None:
            await self._schedule(group, following)
        meeting = meeting_on(group.when, local_date)
        if job.kind != KIND_END and now - step.due > step.grace:
            # Too late to be useful (the bot was down or asleep): recorded as missed, never sent late.
            await core_store.finish_job(self.db, job.id, "missed", now)
            log.warning("Step %s %s of group %s missed (due %s)", job.kind, job.ref, group.id, step.due)
            return
        if job.kind == KIND_REMINDER:
            await self._send_reminders(group, meeting, lead)
        elif job.kind == KIND_START:
            await self._start_event(group, local_date)
            await self._post_starting(group, meeting)
        else:
            await self._sync_event(group, skipped)
            await store.prune_logs(self.db, group.id, local_date - timedelta(days=14), now)
            await self._refresh_announcement(group.id)

    async def _send_reminders(self, group: Group, meeting: Meeting, lead: int) -> None:
        guild = self.bot.get_guild(group.guild_id)
        content = views.reminder_dm(group, meeting, guild.name if guild else None)
        transient = 0
        for user_id in await store.reminder_recipients(self.db, group.id):
            if not await store.claim_reminder(self.db, group.id, meeting.local_date, lead, user_id, self._now()):
                continue  # already sent (or being sent): never twice
            try:
                await self._dm(user_id, content)
            except DMClosedError:
                await store.finish_reminder(self.db, group.id, meeting.local_date, lead, user_id, "dm_closed")
                log.info("Reminder for group %s (%s) not delivered: member %s has DMs closed", group.id, lead, user_id)
                continue
            except discord.HTTPException:
                await store.release_reminder(self.db, group.id, meeting.local_date, lead, user_id)
                transient += 1
                continue
            await store.finish_reminder(self.db, group.id, meeting.local_date, lead, user_id, "sent")
        if transient:
            raise RuntimeError(f"{transient} reminder(s) for group {group.id} failed; retrying")

    async def _post_starting(self, group: Group, meeting: Meeting) -> None:
        notice = f"start:{meeting.local_date.isoformat()}"
        if group.details.channel_kind == "text":
            channel_id: int | None = group.details.channel_id
        else:
            channel_id = self.bot.cached_guild_config(group.guild_id).groups_channel_id
        channel = self.bot.get_channel(channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            return
        if not await store.claim_notice(self.db, group.id, notice, _CHANNEL, self._now()):
            return
        try:
            await channel.send(views.starting_text(group, meeting))
        except discord.HTTPException:
            log.info("Could not post 'starting now' for group %s", group.id)
            await store.finish_notice(self.db, group.id, notice, _CHANNEL, "failed")
            return
        await store.finish_notice(self.db, group.id, notice, _CHANNEL, "sent")

    async def _on_sync(self, job: Job) -> None:
        """Repair after downtime: fix the group's event, then restart its chain from now."""
        group_id, _ = split_ref(job.ref)
        group = await store.get_group(self.db, group_id)
        if group is None or not group.active:
            return
        skipped = await self._skips(group)
        await self._plan(group, skipped)
        await self._sync_event(group, skipped)
        await self._refresh_announcement(group.id)

    async def _on_notice(self, job: Job) -> None:
        """DMs about a change: a skipped date, a new time or place, a seat from the waitlist, the group ending."""
        group_id, notice = split_ref(job.ref)
        group = await store.get_group(self.db, group_id)
        if group is None:
            return
        guild = self.bot.get_guild(group.guild_id)
        guild_name = guild.name if guild else None
        now = self._now()
        kind, _, arg = notice.partition(":")
        recipients: list[int] = []
        content = ""
        if kind == "archived" and not group.active:
            members = await store.roster(self.db, group.id)
            recipients, content = [*members.joined, *members.waiting], views.archived_dm(group, guild_name)
        elif group.active:
            skipped = await self._skips(group)
            if kind == "skip":
                day = date.fromisoformat(arg)
                skip = await store.get_skip(self.db, group.id, day)
                meeting = meeting_on(group.when, day) if day.weekday() == group.details.weekday else None
                if skip is not None and meeting is not None and meeting.start > now:
                    recipients = await store.joined_members(self.db, group.id)
                    next_up = next_meeting(group.when, now, skipped)
                    content = views.skip_dm(group, meeting, skip.reason, next_up, guild_name)
            elif kind == "change" and arg == str(group.version):
                recipients = await store.joined_members(self.db, group.id)
                content = views.change_dm(group, next_meeting(group.when, now, skipped), guild_name)
            elif kind == "seat":
                user_id = int(arg.partition(":")[0])
                if await store.membership(self.db, group.id, user_id) == "joined":
                    recipients = [user_id]
                    content = views.seat_dm(group, next_meeting(group.when, now, skipped), guild_name)
        transient = 0
        for user_id in recipients:
            if not await store.claim_notice(self.db, group.id, notice, user_id, now):
                continue
            try:
                await self._dm(user_id, content)
            except DMClosedError:
                await store.finish_notice(self.db, group.id, notice, user_id, "dm_closed")
                log.info("Notice %s of group %s not delivered: member %s has DMs closed", kind, group.id, user_id)
                continue
            except discord.HTTPException:
                await store.release_notice(self.db, group.id, notice, user_id)
                transient += 1
                continue
            await store.finish_notice(self.db, group.id, notice, user_id, "sent")
        if transient:
            raise RuntimeError(f"{transient} notice(s) for group {group.id} failed; retrying")

    # -- /privacy delete -------------------------------------------------------------------------------------

    async def _delete_user_data(self, db: Database, user_id: int) -> int:
        self._freed[user_id] = await store.seats_held(db, user_id)
        removed = await store.delete_user_data(db, user_id)
        self._changed()
        return removed

    @commands.Cog.listener()
    async def on_user_data_deleted(self, user_id: int) -> None:
        """Seats freed by a member deleting their data go to the members waiting."""
        for group_id in self._freed.pop(user_id, []):
            group = await store.get_group(self.db, group_id)
            if group is None or not group.active:
                continue
            await self._seats_freed(group, await store.fill_seats(self.db, group_id, self._now()))
            await self._seats_changed(group)


def _place(channel: Meets) -> Place:
    if channel.type is discord.ChannelType.voice:
        kind: ChannelKind = "voice"
    elif channel.type is discord.ChannelType.stage_voice:
        kind = "stage"
    else:
        kind = "text"
    return Place(channel.id, kind, channel.name)


def _location(group: Group) -> str:
    details = group.details
    if details.channel_kind == "text":
        return f"#{details.channel_name} on Discord"
    return f"Discord {details.channel_kind} channel: {details.channel_name}"


def _duplicate(name: str) -> str:
    shown = discord.utils.escape_markdown(name)
    return f"This server already has a group called **{shown}**. Please pick another name."


def timezone_choices(current: str) -> Choices:
    return [app_commands.Choice(name=zone, value=zone) for zone in search_timezones(current)]
