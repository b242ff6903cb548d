"""`/duty ...`, `/rota ...` and `/peer`: volunteers going on duty, the weekly rota, and members asking for a peer.

The on-duty role is **level-triggered**: at every boundary (a shift occurrence's start or end, the end of a
`/duty on`, `/duty off`, a cover taken for a running shift) the cog asks the roster who should hold the role now
and changes it only when needed (`_sync_role`). The `duty_roles` ledger records that the bot gave the role, so:

* the bot only takes back a role it gave (a role given by a person is left alone);
* a role a person removed mid-block is not put back until the volunteer's next block starts (the ledger still
  says "given for this block"), except by the volunteer's own `/duty on`, which is an explicit request;
* overlapping or touching duties (a shift, a cover, a `/duty on`) form one block, so the role stays until the
  last of them ends.

If Discord refuses to change the role (the bot's role is below the on-duty role, or it lacks Manage Roles),
nothing is recorded: no ledger entry, and a `/duty on` that could not give the role is not kept as a running
duty. The volunteer is told plainly and the volunteers channel gets the fix for admins (at most once an hour
per problem, so a whole rota failing at once does not flood it).

Peer requests are stored before any Discord call; the private thread, the alert and the escalations follow,
and each can be retried or recovered from the stored row (see `cogs/rota/plan.py` for the job chain).
"""

from __future__ import annotations

import dataclasses
import enum
import io
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import store as core_store
from bot.app import PeerBot
from bot.checks import audience, audiences_of, require
from bot.errors import MissingRole, NotConfigured, UserFacingError
from bot.store import GuildConfig, Job
from bot.tasks import spawn
from bot.ui import confirm, is_admin, reply
from cogs.crisis.answer import build_crisis_card
from cogs.crisis.lines import CrisisData, load_crisis_data
from cogs.crisis.views import card_embed
from cogs.rota import plan, roster, store
from cogs.rota.coverage import render_heatmap_png, render_table, uncovered_hours, week_coverage
from cogs.rota.coverage import week_start_for as coverage_week_start
from cogs.rota.ics import build_calendar
from cogs.rota.plan import (
    BREAK_AFTER,
    BREAK_JOB,
    COVERAGE_JOB,
    ESCALATE_AFTER,
    ESCALATE_JOB,
    ESCALATION_LEVELS,
    HANDOFF_KEPT,
    HANDOFF_SHOWN,
    REMIND_JOB,
    ROLE_JOB,
    format_hours,
    unix,
)
from cogs.rota.schedule import (
    WEEKDAY_NAMES,
    Duty,
    Interval,
    Occurrence,
    RotaShift,
    Shift,
    ShiftError,
    ShiftKind,
    classify_shift_times,
    current_occurrence,
    get_zone,
    manual_duty,
    next_occurrence,
    occurrence_on,
)
from cogs.rota.store import PeerRequest
from cogs.rota.timeparse import ParseError, parse_date, parse_time, parse_timezone, search_timezones
from cogs.rota.views import (
    ASK_ITEMS,
    DEBRIEF,
    HEARD_QUESTION,
    NO_PEER_TEAM,
    NOT_SET_UP,
    WANTS,
    AskState,
    ClaimButton,
    CloseButton,
    CoverButton,
    HeardButton,
    TalkToPeerButton,
    TapOutButton,
    TapOutModal,
    ask_embed,
    ask_view,
    claim_view,
    cover_view,
    heard_view,
    info_embed,
    request_embed,
    thread_view,
)

log = logging.getLogger(__name__)

IntChoices = list[app_commands.Choice[int]]
StrChoices = list[app_commands.Choice[str]]
WEEKDAY_CHOICES = [app_commands.Choice(name=name, value=index) for index, name in enumerate(WEEKDAY_NAMES)]
ADMIN_WARNING_EVERY = timedelta(hours=1)
ADMIN_FIX = (
    "A server admin can fix this in Server Settings > Roles: give my role **Manage Roles** and drag it above the "
    "on-duty role. `/setup check` lists everything I need."
)
ASK_TEXT = (
    "I'm glad you reached out. Two quick questions first (only you can see this):\n"
    "**1.** What would help most right now?\n**2.** How urgent does it feel?\n"
    "Then press **Ask for a peer**, and someone from the volunteer team will join you in a private thread."
)
LEFT_SERVER = "You don't seem to be in that server any more, so I can't open a conversation."
_DYNAMIC_ITEMS = (ClaimButton, TapOutButton, CloseButton, HeardButton, CoverButton, *ASK_ITEMS)


def _ts(instant: datetime, style: str = "t") -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    return f"<t:{unix(instant)}:{style}>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class RoleChange(enum.Enum):
    """What `_sync_role` did."""

    GIVEN = "given"
    KEPT = "kept"
    REMOVED = "removed"
    NOTHING = "nothing"
    FAILED = "failed"
    GONE = "gone"
    NOT_CONFIGURED = "not configured"


@dataclasses.dataclass(frozen=True)
class RoleSync:
    change: RoleChange
    block: Interval | None = None
    problem: str | None = None


def role_problem(guild: discord.Guild, role: discord.Role | None) -> str | None:
    """Why Discord would refuse to give or remove the on-duty role, in words for people; None when it can."""
    if role is None:
        return "the on-duty role no longer exists"
    me = guild.me
    if not me.guild_permissions.manage_roles:
        return "I don't have the **Manage Roles** permission"
    if role >= me.top_role:
        return f"{role.mention} is above my highest role, so Discord won't let me give or remove it"
    return None


class Rota(commands.Cog):
    """Volunteer duty and the weekly rota, and members asking to talk with a peer."""

    duty_group = app_commands.Group(
        name="duty",
        description="Going on and off duty as a volunteer.",
        guild_only=True,
        extras={"audience": "volunteer"},
    )
    rota_group = app_commands.Group(
        name="rota", description="The weekly volunteer rota.", guild_only=True, extras={"audience": "volunteer"}
    )

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot
        self.crisis_data: CrisisData
        self._warned: dict[tuple[int, str], datetime] = {}
        self._names: dict[tuple[int, int], str] = {}

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.crisis_data = load_crisis_data()
        scheduler = self.bot.scheduler
        scheduler.register(ROLE_JOB, self._on_role_job, grace=plan.ROLE_GRACE)
        scheduler.register(REMIND_JOB, self._on_remind_job, grace=plan.REMIND_GRACE)
        scheduler.register(ESCALATE_JOB, self._on_escalate_job, grace=plan.ESCALATE_GRACE)
        scheduler.register(BREAK_JOB, self._on_break_job, grace=plan.BREAK_GRACE)
        scheduler.register(COVERAGE_JOB, self._on_coverage_job, grace=plan.COVERAGE_GRACE)
        self.bot.add_dynamic_items(TalkToPeerButton, *_DYNAMIC_ITEMS)
        self.bot.peer_request_handler = self.start_peer_request
        self.bot.user_data_deleters["rota"] = store.delete_user_data
        count = await self._ensure_jobs()
        log.info("Rota loaded: jobs ensured for %d shifts", count)
        spawn(self._announce_leftover_requests(), name="rota-announce-leftovers")

    async def _announce_leftover_requests(self) -> None:
        """A request stored just before a crash still gets its thread and alert at once, not at the first
        escalation: the member must never wait in silence."""
        await self.bot.wait_until_ready()
        for request in await store.unannounced_requests(self.bot.db):
            guild = self.bot.get_guild(request.guild_id)
            if guild is None:
                continue
            config = self.bot.cached_guild_config(request.guild_id)
            on_duty = bool(await roster.on_duty_blocks(self.bot.db, request.guild_id, self.bot.clock.now()))
            if request.thread_id is None:
                await self._open_thread(guild, config, request, on_duty=on_duty)
            if request.alert_message_id is None:
                await self._post_alert(guild, config, request, on_duty=on_duty)
            log.info("Peer request %s announced after a restart (guild %s)", request.id, request.guild_id)

    async def cog_unload(self) -> None:
        self.bot.user_data_deleters.pop("rota", None)
        if self.bot.peer_request_handler == self.start_peer_request:
            self.bot.peer_request_handler = None
        # TalkToPeerButton stays: the crisis cog registers and uses it too.
        self.bot.remove_dynamic_items(*_DYNAMIC_ITEMS)

    async def _ensure_jobs(self) -> int:
        """Make sure every shift's next job and every configured guild's coverage post exist (one batch write;
        the scheduler reads them from the jobs table when they fall due)."""
        now = self.bot.clock.now()
        rows: list[tuple[str, str, int | None, datetime]] = []
        shifts = await store.all_shifts(self.bot.db)
        for guild_id, entry in shifts:
            rows += [
                (link.kind, link.ref, guild_id, link.due)
                for link in plan.startup_links(entry.shift_id, entry.shift, now)
            ]
        for guild_id, config in (await core_store.all_guild_configs(self.bot.db)).items():
            if config.volunteers_channel_id is not None:
                day, due = plan.next_coverage_run(config.timezone, now)
                rows.append((COVERAGE_JOB, plan.coverage_ref(guild_id, day), guild_id, due))
        await store.ensure_jobs(self.bot.db, rows)
        return len(shifts)

    # -- small helpers -----------------------------------------------------------------------------------------

    def _remember(self, user: discord.abc.User) -> None:
        if isinstance(user, discord.Member):
            self._names[(user.guild.id, user.id)] = user.display_name

    @staticmethod
    def _text_channel(guild: discord.Guild, channel_id: int | None) -> discord.TextChannel | None:
        channel = guild.get_channel(channel_id) if channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        """A fresh copy of a member (the bot has no member cache without the members intent)."""
        try:
            return await guild.fetch_member(user_id)
        except discord.NotFound:
            return None

    async def _dm(self, user_id: int, content: str, **kwargs: Any) -> bool:
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(content, **kwargs)
        except discord.HTTPException:
            log.info("Could not DM user %s", user_id)
            return False
        return True

    def _guild_and_config(self, guild_id: int) -> tuple[discord.Guild, GuildConfig]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise UserFacingError("I can't reach that server right now. Please try again in a moment.")
        return guild, self.bot.cached_guild_config(guild_id)

    def _country_for(self, user_id: int, guild_id: int) -> str | None:
        """The member's saved crisis country (when the crisis cog is loaded), else the server's default."""
        prefs = getattr(self.bot.get_cog("Crisis"), "prefs", {}).get(user_id)
        country = getattr(prefs, "country", None)
        return country if isinstance(country, str) else self.bot.cached_guild_config(guild_id).country

    def _crisis_embed(self, user_id: int, guild_id: int) -> discord.Embed:
        return card_embed(build_crisis_card(self.crisis_data, self._country_for(user_id, guild_id), peer_button=False))

    async def _warn_admins(self, guild: discord.Guild, config: GuildConfig, problem: str, *, role: bool = True) -> None:
        """Tell the team (volunteers channel, else crisis alerts) what an admin must fix, at most hourly per problem.
        ``problem`` completes "I couldn't change the on-duty role: ..." (``role=True``) or is the whole message."""
        now = self.bot.clock.now()
        last = self._warned.get((guild.id, problem))
        if last is not None and now - last < ADMIN_WARNING_EVERY:
            return
        self._warned[(guild.id, problem)] = now
        channel = self._text_channel(guild, config.volunteers_channel_id) or self._text_channel(
            guild, config.crisis_alert_channel_id
        )
        log.warning("Guild %s: setup problem reported (%s)", guild.id, "told the team" if channel else "no channel")
        if channel is None:
            return
        text = f"I couldn't change the on-duty role: {problem}. {ADMIN_FIX}" if role else problem
        try:
            await channel.send(f"\N{WARNING SIGN} {text}")
        except discord.HTTPException:
            log.warning("Could not post the on-duty role warning in guild %s", guild.id)

    async def _week_hours(self, guild_id: int, volunteer_id: int, window: Interval, extra: Iterable[Interval]) -> float:
        found = await roster.duties(self.bot.db, guild_id, window.start, window.end)
        mine = [d.interval for d in found if d.volunteer_id == volunteer_id]
        return plan.hours_within([*mine, *extra], window)

    async def _limit_warning(
        self, guild_id: int, volunteer_id: int, tz: str, when: datetime, extra: Iterable[Interval]
    ) -> str | None:
        limit = await store.get_limit(self.bot.db, guild_id, volunteer_id)
        if limit is None:
            return None
        window = plan.week_window(when, tz)
        hours = await self._week_hours(guild_id, volunteer_id, window, extra)
        if hours <= limit + 1e-9:
            return None
        return (
            f"\N{WARNING SIGN} Heads up: this takes your week of {window.start:%d %b} to {format_hours(hours)}, "
            f"above the limit of {limit} h you set. That's okay if you're sure; please look after yourself. "
            "`/duty limit` changes it."
        )

    # -- the on-duty role --------------------------------------------------------------------------------------

    async def _sync_role(
        self, guild_id: int, volunteer_id: int, *, member: discord.Member | None = None, force: bool = False
    ) -> RoleSync:
        """Give or take back the on-duty role so it matches the roster now (see the module docs)."""
        now = self.bot.clock.now()
        db = self.bot.db
        config = await self.bot.guild_config(guild_id)
        guild = self.bot.get_guild(guild_id)
        block = await roster.volunteer_block(db, guild_id, volunteer_id, now)
        if guild is None or config.on_duty_role_id is None:
            return RoleSync(RoleChange.NOT_CONFIGURED, block)
        given = await store.role_given_at(db, guild_id, volunteer_id)
        role = guild.get_role(config.on_duty_role_id)
        if block is None:
            if given is None:
                return RoleSync(RoleChange.NOTHING)
            return await self._take_role(guild, config, role, volunteer_id, member)
        await self._schedule_break(guild_id, volunteer_id, block)
        if not force and given is not None and given >= block.start:
            return RoleSync(RoleChange.KEPT, block)  # given for this block; if a person removed it since, let them
        problem = role_problem(guild, role)
        if problem is not None or role is None:
            await self._warn_admins(guild, config, problem or "the on-duty role no longer exists")
            return RoleSync(RoleChange.FAILED, block, problem)
        target = member or await self._member(guild, volunteer_id)
        if target is None:
            return RoleSync(RoleChange.GONE, block)
        if any(r.id == role.id for r in target.roles):
            if given is not None or force:  # ours from before, or adopted by the volunteer's own /duty on
                await store.mark_role_given(db, guild_id, volunteer_id, now)
            return RoleSync(RoleChange.KEPT, block)  # otherwise a person gave it: not ours to take back
        try:
            await target.add_roles(role, reason="peerbot: on duty")
        except discord.Forbidden:
            problem = "Discord refused to let me give it (a permission is missing)"
            await self._warn_admins(guild, config, problem)
            return RoleSync(RoleChange.FAILED, block, problem)
        except discord.NotFound:
            return RoleSync(RoleChange.GONE, block)
        await store.mark_role_given(db, guild_id, volunteer_id, now)
        log.info("Gave the on-duty role (guild %s, volunteer %s)", guild_id, volunteer_id)
        return RoleSync(RoleChange.GIVEN, block)

    async def _take_role(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        role: discord.Role | None,
        volunteer_id: int,
        member: discord.Member | None,
    ) -> RoleSync:
        problem = role_problem(guild, role)
        if problem is not None or role is None:
            await self._warn_admins(guild, config, problem or "the on-duty role no longer exists")
            return RoleSync(RoleChange.FAILED, None, problem)
        target = member or await self._member(guild, volunteer_id)
        if target is not None:
            try:
                await target.remove_roles(role, reason="peerbot: duty ended")
            except discord.Forbidden:
                problem = "Discord refused to let me remove it (a permission is missing)"
                await self._warn_admins(guild, config, problem)
                return RoleSync(RoleChange.FAILED, None, problem)
            except discord.NotFound:
                target = None
        await store.forget_role_given(self.bot.db, guild.id, volunteer_id)
        if target is None:
            return RoleSync(RoleChange.GONE)
        log.info("Took back the on-duty role (guild %s, volunteer %s)", guild.id, volunteer_id)
        return RoleSync(RoleChange.REMOVED)

    async def _schedule_break(self, guild_id: int, volunteer_id: int, block: Interval) -> None:
        if block.duration > BREAK_AFTER:
            await self.bot.scheduler.schedule(
                BREAK_JOB, plan.break_ref(guild_id, volunteer_id, block.start), block.start + BREAK_AFTER, guild_id
            )

    async def _sync_and_announce(self, guild_id: int, volunteer_id: int, *, shift_start: bool = False) -> RoleSync:
        result = await self._sync_role(guild_id, volunteer_id)
        if result.change is RoleChange.GIVEN and result.block is not None:
            guild, config = self._guild_and_config(guild_id)
            await self._announce_on_duty(guild, config, volunteer_id, result.block)
        elif result.change is RoleChange.FAILED and shift_start:
            await self._dm(
                volunteer_id,
                f"Your shift has started, but I couldn't give you the on-duty role: {result.problem}. "
                "The admins have been told how to fix it. You can still help: watch the volunteers channel for "
                "requests. Thank you for being there.",
            )
        return result

    async def _announce_on_duty(
        self, guild: discord.Guild, config: GuildConfig, volunteer_id: int, block: Interval
    ) -> list[PeerRequest]:
        """Tell the volunteers channel, and offer the requests that are waiting to the volunteer coming on."""
        now = self.bot.clock.now()
        waiting = await store.unclaimed_requests(self.bot.db, guild.id)
        notes = await store.recent_handoffs(self.bot.db, guild.id, now - HANDOFF_SHOWN)
        channel = self._text_channel(guild, config.volunteers_channel_id)
        if channel is None:
            return waiting
        lines = [f"<@{volunteer_id}> is on duty until {_ts(block.end)} ({_ts(block.end, 'R')})."]
        if notes:
            lines.append(f"{_plural(len(notes), 'handoff note')} from the last day: `/duty handoffs`.")
        if waiting:
            lines.append(f"**{_plural(len(waiting), 'member')} waiting for a peer.** Could you pick one up?")
        try:
            await channel.send(
                "\n".join(lines),
                view=claim_view([r.id for r in waiting], numbered=len(waiting) > 1)
                if waiting
                else discord.utils.MISSING,
                allowed_mentions=(
                    discord.AllowedMentions(users=[discord.Object(volunteer_id)])
                    if waiting
                    else discord.AllowedMentions.none()
                ),
            )
        except discord.HTTPException:
            log.warning("Could not post the on-duty notice in guild %s", guild.id)
        return waiting

    # -- job handlers ------------------------------------------------------------------------------------------

    async def _schedule_link(self, guild_id: int, entry: RotaShift, now: datetime) -> None:
        link = plan.next_link(entry.shift_id, entry.shift, now)
        await self.bot.scheduler.schedule(link.kind, link.ref, link.due, guild_id)

    async def _on_role_job(self, job: Job) -> None:
        await self.bot.wait_until_ready()
        volunteer_id = plan.parse_duty_ref(job.ref)
        if volunteer_id is not None:
            if job.guild_id is not None:
                await self._sync_and_announce(job.guild_id, volunteer_id)
            return
        await self._on_shift_job(job)

    async def _on_remind_job(self, job: Job) -> None:
        await self.bot.wait_until_ready()
        await self._on_shift_job(job)

    async def _on_shift_job(self, job: Job) -> None:
        parsed = plan.parse_shift_ref(job.ref)
        if parsed is None:
            log.warning("Ignoring rota job with an unknown reference %s", job.ref)
            return
        shift_id, local_date, phase = parsed
        found = await store.get_shift(self.bot.db, shift_id)
        if found is None:
            return  # the shift was removed
        guild_id, entry = found
        now = self.bot.clock.now()
        # The next link first: a failure below is retried without ever breaking the chain.
        await self._schedule_link(guild_id, entry, now)
        cover = await store.cover_for(self.bot.db, shift_id, local_date)
        on_duty = entry.volunteer_id if cover is None else cover.cover_id
        people = {entry.volunteer_id} | ({cover.cover_id} if cover is not None and cover.cover_id else set())
        occurrence = occurrence_on(entry.shift, local_date)
        running = occurrence.contains(now)  # a start, or a late link that lands inside the occurrence
        for volunteer_id in sorted(people):
            await self._sync_and_announce(guild_id, volunteer_id, shift_start=running and volunteer_id == on_duty)
        if phase == "remind" and on_duty is not None and now < occurrence.start:
            await self._send_reminder(guild_id, on_duty, occurrence, is_cover=cover is not None)

    async def _send_reminder(self, guild_id: int, volunteer_id: int, occurrence: Occurrence, *, is_cover: bool) -> None:
        guild = self.bot.get_guild(guild_id)
        where = f" in **{discord.utils.escape_markdown(guild.name)}**" if guild else ""
        lines = [
            f"Hi! Your {'cover ' if is_cover else ''}shift{where} starts {_ts(occurrence.start)} "
            f"({_ts(occurrence.start, 'R')}) and runs until {_ts(occurrence.end)}. I'll give you the on-duty role "
            "when it starts. If you can't make it, `/rota cant-make-it` asks the team for cover."
        ]
        notes = await store.recent_handoffs(self.bot.db, guild_id, self.bot.clock.now() - HANDOFF_SHOWN)
        if notes:
            lines.append("\n**Notes from other volunteers:**")
            lines += [f"• {discord.utils.escape_markdown(n.note)[:300]}" for n in notes[:3]]
        await self._dm(volunteer_id, "\n".join(lines))

    async def _on_break_job(self, job: Job) -> None:
        await self.bot.wait_until_ready()
        guild_id, volunteer_id, block_start = plan.parse_break_ref(job.ref)
        now = self.bot.clock.now()
        block = await roster.volunteer_block(self.bot.db, guild_id, volunteer_id, now)
        if block is None or unix(block.start) != block_start or now - block.start < BREAK_AFTER:
            return
        await self._dm(
            volunteer_id,
            f"You've been on duty for {format_hours(BREAK_AFTER.total_seconds() / 3600)} now. Thank you! This is a "
            "gentle reminder to take a break: stretch, have some water, look away from the screen for a bit. "
            "Looking after yourself is part of looking after others. `/duty off` ends a `/duty on` early.",
        )

    async def _schedule_coverage(self, guild_id: int, config: GuildConfig) -> None:
        if config.volunteers_channel_id is None:
            return
        day, due = plan.next_coverage_run(config.timezone, self.bot.clock.now())
        await self.bot.scheduler.schedule(COVERAGE_JOB, plan.coverage_ref(guild_id, day), due, guild_id)

    async def _on_coverage_job(self, job: Job) -> None:
        await self.bot.wait_until_ready()
        if job.guild_id is None:
            return
        config = await self.bot.guild_config(job.guild_id)
        await self._schedule_coverage(job.guild_id, config)
        now = self.bot.clock.now()
        guild = self.bot.get_guild(job.guild_id)
        channel = self._text_channel(guild, config.volunteers_channel_id) if guild else None
        if channel is None or now - job.due_at > plan.COVERAGE_STALE:
            return
        shifts = await store.guild_shifts(self.bot.db, job.guild_id)
        if not shifts:
            return
        manual = [Duty(v, str(v), i) for v, i in await store.manual_duties(self.bot.db, job.guild_id, now)]
        gaps = uncovered_hours(
            shifts, await store.guild_overrides(self.bot.db, job.guild_id), now, plan.COVERAGE_WINDOW, extra=manual
        )
        if not gaps:
            return
        lines = ["**Uncovered in the next 48 hours** (shown in your own time):"]
        lines += [
            f"• {_ts(g.start, 'f')} to {_ts(g.end, 't')} ({format_hours(g.duration.total_seconds() / 3600)})"
            for g in gaps[:15]
        ]
        if len(gaps) > 15:
            lines.append(f"…and {len(gaps) - 15} more.")
        lines.append("Could you take one? `/duty on` covers a stretch today; `/rota add` signs up every week.")
        await channel.send("\n".join(lines))

    async def _on_escalate_job(self, job: Job) -> None:
        await self.bot.wait_until_ready()
        request_id, queue_round, level = plan.parse_escalate_ref(job.ref)
        request = await store.get_request(self.bot.db, request_id)
        if (
            request is None
            or request.status != "open"
            or request.queue_round != queue_round
            or request.escalation >= level
        ):
            return
        if level < ESCALATION_LEVELS:  # schedule the next level first, so the member is never left in silence
            await self.bot.scheduler.schedule(
                ESCALATE_JOB,
                plan.escalate_ref(request.id, request.queue_round, level + 1),
                request.queued_at + ESCALATE_AFTER * (level + 1),
                request.guild_id,
            )
        guild, config = self._guild_and_config(request.guild_id)
        if request.alert_message_id is None:  # the first alert never went out (crash or Discord error)
            await self._post_alert(guild, config, request, on_duty=False)
        role_id = config.volunteer_role_id if level == 1 else config.moderator_role_id
        role = guild.get_role(role_id) if role_id else None
        minutes = int((ESCALATE_AFTER * level).total_seconds() // 60)
        if level == 1:
            headline = f"A member has been waiting {minutes} minutes for a peer. Could anyone pick this up?"
        else:
            headline = (
                f"A member has been waiting {minutes} minutes and no volunteer has picked it up yet. "
                "Could a moderator step in or find someone?"
            )
        thread = await self._thread_of(guild, config, request, create=False)
        if thread is not None:
            text = (
                "Thank you for waiting. I've asked more of the team to look out for you: someone will be with you soon."
                if level == 1
                else "I've asked the moderators too: someone will be with you soon. If it feels like too much right "
                "now, `/crisis` shows lines you can call straight away."
            )
            try:
                await thread.send(text)
            except discord.Forbidden:
                log.warning("Could not tell the member of request %s that help is coming", request.id)
        channel = self._text_channel(guild, config.volunteers_channel_id)
        if channel is not None:
            try:
                await channel.send(
                    f"{role.mention} {headline}" if role else headline,
                    embed=request_embed(
                        request.wants, request.urgency, request.topic, waiting_since=unix(request.queued_at)
                    ),
                    view=claim_view([request.id]),
                    allowed_mentions=discord.AllowedMentions(roles=[role]) if role else discord.AllowedMentions.none(),
                )
            except discord.Forbidden:
                log.warning("Could not post the escalation of request %s (guild %s)", request.id, guild.id)
        await store.set_escalation(self.bot.db, request.id, level)

    # -- peer requests -----------------------------------------------------------------------------------------

    async def start_peer_request(
        self, interaction: discord.Interaction, guild_id: int, source: str, topic: str | None = None
    ) -> None:
        """`/peer` and the "Talk to a peer" button (also from a DM): the private first step."""
        guild = self.bot.get_guild(guild_id)
        config = await self.bot.guild_config(guild_id)
        ready = guild is not None and all(
            self._text_channel(guild, c) for c in (config.peer_channel_id, config.volunteers_channel_id)
        )
        if guild is None or not ready:
            if source == "button":  # the button sits under a crisis card already
                await reply(interaction, NO_PEER_TEAM)
            else:
                await reply(interaction, NOT_SET_UP, embed=self._crisis_embed(interaction.user.id, guild_id))
            return
        if interaction.guild_id is None and await self._member(guild, interaction.user.id) is None:
            await reply(interaction, LEFT_SERVER)
            return
        existing = await store.open_request_for(self.bot.db, guild_id, interaction.user.id)
        if existing is not None:
            await reply(interaction, self._already_open(existing))
            return
        # Persistent, stateless components (cogs/rota/views.py): nothing is kept in memory for this message.
        embed = ask_embed(topic)
        await interaction.response.send_message(
            ASK_TEXT,
            embeds=[embed] if embed else [],
            view=ask_view(AskState(guild_id, topic=topic), here=interaction.guild_id),
            ephemeral=True,
        )

    @staticmethod
    def _already_open(request: PeerRequest) -> str:
        if request.thread_id is not None:
            return f"You already have a conversation open: <#{request.thread_id}>. " + (
                "Your volunteer is there with you."
                if request.status == "claimed"
                else "A volunteer will join you there."
            )
        return "Your request is already with the volunteers; one of them will reach out to you soon."

    async def submit_peer_request(
        self, interaction: discord.Interaction, guild_id: int, topic: str | None, wants: str, urgency: str
    ) -> None:
        """**Ask for a peer** on the private step: store the request, then open its thread and alert the team."""
        if interaction.guild_id != guild_id:  # asked from a DM: still a member of that server?
            guild = self.bot.get_guild(guild_id)
            if guild is None or await self._member(guild, interaction.user.id) is None:
                await reply(interaction, LEFT_SERVER)
                return
        await interaction.response.edit_message(
            content="Thank you. I'm finding someone for you now…", embeds=[], view=None
        )
        now = self.bot.clock.now()
        request = await store.create_request(self.bot.db, guild_id, interaction.user.id, wants, urgency, topic, now)
        if request is None:
            existing = await store.open_request_for(self.bot.db, guild_id, interaction.user.id)
            await interaction.followup.send(
                self._already_open(existing) if existing else "Please try `/peer` again.", ephemeral=True
            )
            return
        await self.bot.scheduler.schedule(
            ESCALATE_JOB,
            plan.escalate_ref(request.id, request.queue_round, 1),
            request.queued_at + ESCALATE_AFTER,
            guild_id,
        )
        log.info("Peer request %s opened (guild %s)", request.id, guild_id)
        guild, config = self._guild_and_config(guild_id)
        on_duty = await roster.on_duty_blocks(self.bot.db, guild_id, now)
        next_start = None
        if not on_duty:
            next_start = plan.next_duty_start(
                await store.guild_shifts(self.bot.db, guild_id), await store.guild_overrides(self.bot.db, guild_id), now
            )
        thread = await self._open_thread(guild, config, request, on_duty=bool(on_duty), next_start=next_start)
        await self._post_alert(guild, config, request, on_duty=bool(on_duty))
        where = f"a private thread for you: {thread.mention}" if thread else None
        if on_duty and thread is not None:
            await interaction.followup.send(
                f"I've opened {where}. {_plural(len(on_duty), 'volunteer')} on duty "
                f"{'has' if len(on_duty) == 1 else 'have'} been told, and one will join you there soon. "
                "Only you, that volunteer and the moderators can see it.",
                ephemeral=True,
            )
            return
        lines = []
        if on_duty:
            lines.append(
                "The volunteers on duty have been told and one will reach out to you soon "
                "(I couldn't open a private thread, and the admins know)."
            )
        else:
            opened = f" and opened {where}" if where else ""
            lines.append(
                "I'll be honest with you: **nobody from the volunteer team is on duty right now.** "
                f"I've still told the volunteers{opened}. Your request stays open, and the next volunteer who comes "
                "on duty will see it."
            )
            if next_start is not None:
                lines.append(f"The next shift starts {_ts(next_start, 'F')} ({_ts(next_start, 'R')}).")
        lines.append("If things feel like too much before then, these lines are open right now:")
        await interaction.followup.send(
            "\n".join(lines), embed=self._crisis_embed(interaction.user.id, guild_id), ephemeral=True
        )

    async def _open_thread(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        request: PeerRequest,
        *,
        on_duty: bool = True,
        next_start: datetime | None = None,
    ) -> discord.Thread | None:
        channel = self._text_channel(guild, config.peer_channel_id)
        if channel is None:
            return None
        try:
            thread = await channel.create_thread(
                name=f"Peer support {request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=1440,
                reason="peerbot: a member asked to talk with a peer",
            )
        except discord.HTTPException:
            log.warning("Could not open a private thread for request %s (guild %s)", request.id, guild.id)
            await self._warn_admins(
                guild,
                config,
                f"I couldn't open a private thread for a peer request in {channel.mention}: I need View Channel, "
                "Send Messages in Threads, Create Private Threads and Manage Threads there. A server admin can run "
                "`/setup check` to see what to fix.",
                role=False,
            )
            return None
        await store.set_request_thread(self.bot.db, request.id, thread.id)
        try:
            await thread.add_user(discord.Object(request.member_id))
        except discord.HTTPException:
            log.warning("Could not add the member to the thread of request %s", request.id)
        intro = [
            f"Hi <@{request.member_id}>, this is your private space to talk with a peer volunteer. "
            f"You asked for {WANTS.get(request.wants, request.wants)}.",
            "Only you, the volunteer who joins you and the moderators can see this thread. "
            "Press **Close** whenever you'd like to end the conversation.",
        ]
        if not on_duty:
            when = f" The next shift starts {_ts(next_start, 'F')}." if next_start else ""
            intro.append(
                f"Nobody is on duty right now, so it may take a while.{when} Your request stays open here until "
                "someone can join."
            )
        else:
            intro.append("A volunteer will join you here soon.")
        try:
            await thread.send(
                "\n".join(intro),
                embed=request_embed(request.wants, request.urgency, request.topic),
                view=thread_view(request.id),
            )
        except discord.HTTPException:
            log.warning("Could not post the intro of request %s", request.id)
        return thread

    async def _thread_of(
        self, guild: discord.Guild, config: GuildConfig, request: PeerRequest, *, create: bool
    ) -> discord.Thread | None:
        if request.thread_id is None:
            return await self._open_thread(guild, config, request) if create else None
        thread = guild.get_thread(request.thread_id)
        if thread is not None:
            return thread
        try:
            fetched = await guild.fetch_channel(request.thread_id)
        except discord.HTTPException:
            return None
        return fetched if isinstance(fetched, discord.Thread) else None

    async def _post_alert(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        request: PeerRequest,
        *,
        on_duty: bool,
        headline: str | None = None,
    ) -> None:
        """The alert with **Claim** in the volunteers channel; pings the on-duty role (or, when nobody is on duty,
        the volunteer role) and nothing else: the member's words are in the embed and can't ping anyone."""
        channel = self._text_channel(guild, config.volunteers_channel_id)
        if channel is None:
            return
        role_id = config.on_duty_role_id if on_duty else config.volunteer_role_id
        role = guild.get_role(role_id) if role_id else None
        if headline is None:
            headline = (
                "A member would like to talk with a peer."
                if on_duty
                else "A member would like to talk with a peer, and nobody is on duty right now. Could anyone help?"
            )
        try:
            message = await channel.send(
                f"{role.mention} {headline}" if role else headline,
                embed=request_embed(
                    request.wants,
                    request.urgency,
                    request.topic,
                    waiting_since=unix(request.queued_at),
                    note=request.handoff_note,
                ),
                view=claim_view([request.id]),
                allowed_mentions=discord.AllowedMentions(roles=[role]) if role else discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            log.warning("Could not post the alert for request %s (guild %s)", request.id, guild.id)
            return
        await store.set_request_alert(self.bot.db, request.id, message.id)

    async def _edit_alert(self, guild: discord.Guild, config: GuildConfig, request: PeerRequest, content: str) -> None:
        channel = self._text_channel(guild, config.volunteers_channel_id)
        if channel is None or request.alert_message_id is None:
            return
        try:
            await channel.get_partial_message(request.alert_message_id).edit(
                content=content,
                embed=request_embed(request.wants, request.urgency, request.topic),
                view=None,
            )
        except discord.HTTPException:
            log.info("Could not update the alert of request %s", request.id)

    async def _require_helper(self, interaction: discord.Interaction) -> None:
        """Volunteers claim requests; moderators (and admins) may step in too, once escalated to them."""
        try:
            await require(interaction, "volunteer")
        except MissingRole:
            if "moderator" not in await audiences_of(interaction):
                raise

    async def _request_here(self, interaction: discord.Interaction, request_id: int) -> PeerRequest:
        request = await store.get_request(self.bot.db, request_id)
        if request is None or request.guild_id != interaction.guild_id:
            raise UserFacingError("This request no longer exists.")
        return request

    async def claim_request(self, interaction: discord.Interaction, request_id: int) -> None:
        request = await self._request_here(interaction, request_id)
        await self._require_helper(interaction)
        user = interaction.user
        if request.status == "closed":
            raise UserFacingError("This conversation has already been closed. Thank you for being ready to help!")
        if request.member_id == user.id:
            raise UserFacingError("This is your own request, so another volunteer will pick it up.")
        if not await store.claim_request(self.bot.db, request_id, user.id):
            fresh = await store.get_request(self.bot.db, request_id)
            if fresh is not None and fresh.claimed_by == user.id:
                raise UserFacingError(f"You've already picked this up: <#{fresh.thread_id}>.")
            who = f"<@{fresh.claimed_by}>" if fresh is not None and fresh.claimed_by else "Another volunteer"
            raise UserFacingError(f"{who} has already picked this up. Thank you for being ready to help!")
        self._remember(user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.scheduler.cancel(ESCALATE_JOB, plan.request_prefix(request_id))
        guild, config = self._guild_and_config(request.guild_id)
        thread = await self._thread_of(guild, config, request, create=True)
        joined = False
        if thread is not None:
            try:
                await thread.add_user(user)
                await thread.send(
                    f"{user.mention} has joined you. They're a peer volunteer, here "
                    + ("to listen." if request.wants == "listen" else "to listen and share ideas.")
                )
                joined = True
            except discord.HTTPException:
                log.warning("Could not add the claiming volunteer to the thread of request %s", request_id)
        await self._edit_alert(guild, config, request, f"Claimed by {user.mention}. Thank you!")
        if thread is not None and joined:
            where = thread.mention
        else:
            where = (
                f"<@{request.member_id}> (I couldn't add you to a private thread, so please reach out to them "
                "directly; the admins can run `/setup check`)"
            )
        await interaction.followup.send(
            f"It's yours: {where}. They'd like {WANTS.get(request.wants, request.wants)}; urgency: {request.urgency}. "
            "When you're done, press **Close** in the thread; if you need to step away, press **Tap out**.",
            ephemeral=True,
        )
        log.info("Peer request %s claimed (guild %s)", request_id, request.guild_id)

    async def start_tap_out(self, interaction: discord.Interaction, request_id: int) -> None:
        request = await self._request_here(interaction, request_id)
        if request.status != "claimed":
            raise UserFacingError("Nobody has picked this conversation up, so there's nothing to tap out of.")
        if request.claimed_by != interaction.user.id:
            raise UserFacingError("Only the volunteer who picked this conversation up can tap out of it.")
        await interaction.response.send_modal(TapOutModal(request_id))

    async def finish_tap_out(self, interaction: discord.Interaction, request_id: int, note: str | None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        if not await store.tap_out(self.bot.db, request_id, interaction.user.id, note, now):
            await interaction.followup.send(
                "This conversation isn't with you any more, so nothing changed.", ephemeral=True
            )
            return
        request = await store.get_request(self.bot.db, request_id)
        if request is None:
            return
        await self.bot.scheduler.schedule(
            ESCALATE_JOB,
            plan.escalate_ref(request.id, request.queue_round, 1),
            request.queued_at + ESCALATE_AFTER,
            request.guild_id,
        )
        guild, config = self._guild_and_config(request.guild_id)
        thread = await self._thread_of(guild, config, request, create=False)
        if thread is not None:
            await thread.send(
                f"<@{request.member_id}>, your volunteer has had to step away; that's about looking after themselves, "
                "not about you. Someone else will be with you soon, and you don't need to repeat anything unless you "
                "want to."
            )
            try:
                await thread.remove_user(interaction.user)
            except discord.HTTPException:
                log.info("Could not remove a volunteer from the thread of request %s", request.id)
        await self._edit_alert(guild, config, request, "Tapped out: back in the queue (see below).")
        on_duty = bool(await roster.on_duty_blocks(self.bot.db, request.guild_id, now))
        await self._post_alert(
            guild,
            config,
            request,
            on_duty=on_duty,
            headline="A member is back in the queue: their volunteer had to tap out. Could someone take over?",
        )
        await interaction.followup.send(DEBRIEF, ephemeral=True)
        log.info("Peer request %s tapped out (guild %s)", request_id, request.guild_id)

    async def close_request(self, interaction: discord.Interaction, request_id: int) -> None:
        request = await self._request_here(interaction, request_id)
        if request.status == "closed":
            raise UserFacingError("This conversation is already closed.")
        user = interaction.user
        if user.id == request.member_id:
            closer = "the member"
        elif user.id == request.claimed_by:
            closer = "the volunteer"
        elif {"moderator", "admin"} & await audiences_of(interaction):
            closer = "a moderator"
        else:
            raise UserFacingError(
                "Only the member, the volunteer with them, or a moderator can close this conversation."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await store.close_request(self.bot.db, request_id, self.bot.clock.now()):
            await interaction.followup.send("This conversation is already closed.", ephemeral=True)
            return
        await self.bot.scheduler.cancel(ESCALATE_JOB, plan.request_prefix(request_id))
        guild, config = self._guild_and_config(request.guild_id)
        thread = await self._thread_of(guild, config, request, create=False)
        if thread is not None:
            try:
                await thread.send(
                    f"This conversation was closed by {closer}. Thank you for reaching out; "
                    "`/peer` is here whenever you need it again."
                )
                await thread.edit(archived=True, locked=True, reason="peerbot: peer conversation closed")
            except discord.HTTPException:
                log.info("Could not archive the thread of request %s", request_id)
        await self._edit_alert(guild, config, request, f"Closed by {closer}.")
        log.info("Peer request %s closed (guild %s)", request_id, request.guild_id)
        if closer == "the member":
            await interaction.followup.send(HEARD_QUESTION, view=heard_view(request_id), ephemeral=True)
            return
        await interaction.followup.send("Closed. Thank you for being there for them.", ephemeral=True)
        await self._dm(request.member_id, HEARD_QUESTION, view=heard_view(request_id))

    async def record_feedback(self, interaction: discord.Interaction, request_id: int, rating: int) -> None:
        request = await store.get_request(self.bot.db, request_id)
        if request is not None and request.member_id != interaction.user.id:
            raise UserFacingError("This question is for the member who asked for support.")
        stored = False
        if request is not None:
            async with self.bot.db.transaction():
                if await store.mark_feedback_given(self.bot.db, request_id, interaction.user.id):
                    await store.add_feedback(
                        self.bot.db, request.guild_id, plan.feedback_month(self.bot.clock.now()), rating
                    )
                    stored = True
        if not stored and request is not None and request.feedback_given:
            raise UserFacingError("You've already answered. Thank you!")
        await interaction.response.edit_message(
            content="Thank you for telling me. It helps the volunteers learn what works. Take care of yourself.",
            view=None,
        )

    # -- rota: covers --------------------------------------------------------------------------------------------

    async def take_cover(self, interaction: discord.Interaction, override_id: int) -> None:
        await require(interaction, "volunteer")
        user = interaction.user
        cover = await store.get_cover(self.bot.db, override_id)
        found = await store.get_shift(self.bot.db, cover.shift_id) if cover else None
        if cover is None or found is None or found[0] != interaction.guild_id:
            raise UserFacingError("This cover request no longer exists (the shift may have been removed).")
        guild_id, entry = found
        if entry.volunteer_id == user.id:
            raise UserFacingError(
                "That's your own shift, so you can't cover it yourself. Another volunteer will pick it up."
            )
        occurrence = occurrence_on(entry.shift, cover.local_date)
        now = self.bot.clock.now()
        if occurrence.end <= now:
            raise UserFacingError("That shift is already over. Thank you for offering!")
        if cover.cover_id is not None or not await store.take_cover(self.bot.db, override_id, user.id):
            fresh = await store.get_cover(self.bot.db, override_id)
            who = f"<@{fresh.cover_id}>" if fresh is not None and fresh.cover_id else "Someone"
            raise UserFacingError(f"{who} is already covering this one. Thank you for offering!")
        self._remember(user)
        when = f"{_ts(occurrence.start, 'F')} to {_ts(occurrence.end)}"
        await interaction.response.edit_message(
            content=f"<@{entry.volunteer_id}>'s shift on {when} is **covered by {user.mention}**. Thank you!",
            view=cover_view(override_id, disabled=True),
        )
        await interaction.followup.send(
            f"Thank you! You're covering the shift on {when}. I'll remind you 30 minutes before and give you the "
            "on-duty role while it runs.",
            ephemeral=True,
        )
        await self._dm(
            entry.volunteer_id,
            f"Good news: {user.mention} is covering your shift on {when}. Thank you for asking early. Rest well.",
        )
        if occurrence.start <= now:  # taken while it runs: hand the role over now
            for volunteer_id in (entry.volunteer_id, user.id):
                await self._sync_and_announce(guild_id, volunteer_id)
        log.info("Cover %s taken (guild %s)", override_id, guild_id)

    # -- /peer ---------------------------------------------------------------------------------------------------

    @audience("member")
    @app_commands.command(name="peer")
    @app_commands.guild_only()
    @app_commands.describe(topic="Optional: a few words about what's on your mind (shared with the volunteer team)")
    async def peer(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 300] | None = None
    ) -> None:
        """Talk privately with a trained peer volunteer."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only cog
        await self.start_peer_request(interaction, interaction.guild_id, "command", (topic or "").strip() or None)

    # -- /duty -----------------------------------------------------------------------------------------------------

    @audience("volunteer")
    @duty_group.command(name="on")
    @app_commands.describe(hours="How long you'll be on duty (default 2, at most 12)")
    async def duty_on(
        self, interaction: discord.Interaction, hours: app_commands.Range[float, 0.25, 12.0] | None = None
    ) -> None:
        """Go on duty now: you get the on-duty role, and it's removed automatically afterwards."""
        guild = interaction.guild
        member = interaction.user
        assert guild is not None and isinstance(member, discord.Member)  # noqa: S101 - the audience check
        self._remember(member)
        config = await self.bot.guild_config(guild.id)
        if config.on_duty_role_id is None:
            raise NotConfigured("the on-duty role", "/setup roles on_duty:")
        problem = role_problem(guild, guild.get_role(config.on_duty_role_id))
        if problem is not None:
            await self._warn_admins(guild, config, problem)
            raise UserFacingError(
                f"I couldn't put you on duty: {problem}. Nothing was changed, so you're not marked as on duty. "
                "I've let the admins know; `/setup check` shows them what to fix."
            )
        now = self.bot.clock.now()
        try:
            interval = manual_duty(now, hours)
        except ShiftError as exc:
            raise UserFacingError(str(exc)) from exc
        await interaction.response.defer(ephemeral=True, thinking=True)
        earlier = await store.active_duty(self.bot.db, guild.id, member.id, now)
        already_on = await roster.volunteer_block(self.bot.db, guild.id, member.id, now) is not None
        session_id = await store.start_duty(self.bot.db, guild.id, member.id, interval)
        try:
            result = await self._sync_role(guild.id, member.id, member=member, force=True)
        except discord.HTTPException as exc:
            await store.delete_duty(self.bot.db, session_id)
            raise UserFacingError(
                "Discord had a problem while I was giving you the on-duty role, so I haven't put you on duty. "
                "Please try again in a moment."
            ) from exc
        if result.change in (RoleChange.FAILED, RoleChange.GONE, RoleChange.NOT_CONFIGURED) or result.block is None:
            await store.delete_duty(self.bot.db, session_id)  # nothing half-done: no duty without the role
            raise UserFacingError(
                f"I couldn't give you the on-duty role ({result.problem or 'Discord refused'}), so I haven't put you "
                "on duty. I've let the admins know; `/setup check` shows them what to fix."
            )
        if earlier is not None:
            await store.end_duty(self.bot.db, guild.id, member.id, now, keep=session_id)
        await self.bot.scheduler.schedule(ROLE_JOB, plan.duty_ref(session_id, member.id), interval.end, guild.id)
        block = result.block
        if already_on:  # extending a /duty on or a running shift: the team already knows
            waiting = await store.unclaimed_requests(self.bot.db, guild.id)
        else:
            waiting = await self._announce_on_duty(guild, config, member.id, block)
        lines = [f"You're on duty until {_ts(block.end)} ({_ts(block.end, 'R')}). Thank you!"]
        if earlier is not None:
            lines.append("This replaces your earlier `/duty on`.")
        if block.end > interval.end:
            lines.append("Your rota shift keeps you on duty until then.")
        if waiting:
            lines.append(
                f"**{_plural(len(waiting), 'member')} waiting for a peer**: you can claim one in "
                f"<#{config.volunteers_channel_id}>."
            )
        notes = await store.recent_handoffs(self.bot.db, guild.id, now - HANDOFF_SHOWN)
        if notes:
            lines.append("\n**Handoff notes from the last day:**")
            lines += [
                f"• <@{n.author_id}> {_ts(n.created_at, 'R')}: {discord.utils.escape_markdown(n.note)[:300]}"
                for n in notes[:5]
            ]
        warning = await self._limit_warning(guild.id, member.id, config.timezone, now, [])
        if warning:
            lines.append(warning)
        await interaction.followup.send("\n".join(lines)[:2000], ephemeral=True)
        log.info("Volunteer on duty (guild %s, session %s)", guild.id, session_id)

    @audience("volunteer")
    @duty_group.command(name="off")
    async def duty_off(self, interaction: discord.Interaction) -> None:
        """End your /duty on early (a rota shift that's running keeps the role until it ends)."""
        guild = interaction.guild
        member = interaction.user
        assert guild is not None and isinstance(member, discord.Member)  # noqa: S101 - the audience check
        now = self.bot.clock.now()
        ended = await store.end_duty(self.bot.db, guild.id, member.id, now)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self._sync_role(guild.id, member.id, member=member)
        if result.block is not None:
            head = "Your `/duty on` time has ended, but" if ended else "You're not on `/duty on`, but"
            text = (
                f"{head} your rota shift runs until {_ts(result.block.end)}, so you keep the on-duty role until then. "
                "If you can't continue, please tell the team in the volunteers channel."
            )
        elif ended:
            text = "You're off duty. Thank you for the time you gave today; rest well."
        else:
            text = "You weren't on duty, so nothing changed."
        if result.change is RoleChange.FAILED:
            text += f"\nI couldn't remove the on-duty role: {result.problem}. The admins have been told."
        await interaction.followup.send(text, ephemeral=True)

    @audience("member")
    @duty_group.command(name="status")
    async def duty_status(self, interaction: discord.Interaction) -> None:
        """Who is on duty right now (volunteers see names; members see whether someone is available)."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        now = self.bot.clock.now()
        blocks = await roster.on_duty_blocks(self.bot.db, interaction.guild_id, now)
        volunteer = bool({"volunteer", "moderator"} & await audiences_of(interaction))
        if not blocks:
            next_start = plan.next_duty_start(
                await store.guild_shifts(self.bot.db, interaction.guild_id),
                await store.guild_overrides(self.bot.db, interaction.guild_id),
                now,
            )
            text = "Nobody is on duty right now."
            if next_start is not None:
                text += f" The next shift starts {_ts(next_start, 'F')} ({_ts(next_start, 'R')})."
            if not volunteer:
                text += (
                    " You can still use `/peer`: your request waits for the next volunteer, and `/crisis` shows "
                    "lines that are open now."
                )
            await reply(interaction, text)
            return
        if not volunteer:
            count = len(blocks)
            await reply(
                interaction,
                f"Yes: {_plural(count, 'volunteer')} {'is' if count == 1 else 'are'} on duty right now. "
                "`/peer` asks one of them to talk with you privately.",
            )
            return
        lines = [
            f"• <@{volunteer_id}> until {_ts(block.end)} ({_ts(block.end, 'R')})"
            for volunteer_id, block in sorted(blocks.items(), key=lambda item: item[1].end)
        ]
        await reply(interaction, embed=info_embed("On duty now", "\n".join(lines)))

    @audience("volunteer")
    @duty_group.command(name="handoff")
    @app_commands.describe(note="What the next volunteer should know (only volunteers see it)")
    async def duty_handoff(self, interaction: discord.Interaction, note: app_commands.Range[str, 1, 1000]) -> None:
        """Leave a note for the next volunteer going on duty."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        if not note.strip():
            raise UserFacingError("That note is empty, so I didn't save it. Please write a few words.")
        await store.add_handoff(
            self.bot.db, interaction.guild_id, interaction.user.id, note.strip(), self.bot.clock.now()
        )
        await reply(
            interaction,
            "Saved. The next volunteer going on duty will see it, and `/duty handoffs` lists notes for 7 days.",
        )

    @audience("volunteer")
    @duty_group.command(name="handoffs")
    async def duty_handoffs(self, interaction: discord.Interaction) -> None:
        """Handoff notes from the last 7 days."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        notes = await store.recent_handoffs(self.bot.db, interaction.guild_id, self.bot.clock.now() - HANDOFF_KEPT)
        if not notes:
            await reply(interaction, "No handoff notes in the last 7 days. `/duty handoff` leaves one.")
            return
        body = "\n\n".join(
            f"<@{n.author_id}> {_ts(n.created_at, 'R')}\n{discord.utils.escape_markdown(n.note)[:350]}" for n in notes
        )
        await reply(interaction, embed=info_embed("Handoff notes (last 7 days)", body))

    @audience("volunteer")
    @duty_group.command(name="limit")
    @app_commands.describe(hours="Most hours a week you want to be on duty (0 removes the limit)")
    async def duty_limit(self, interaction: discord.Interaction, hours: app_commands.Range[int, 0, 168]) -> None:
        """Set a weekly limit: I'll warn you (never block you) when you'd go past it."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        await store.set_limit(self.bot.db, interaction.guild_id, interaction.user.id, hours or None)
        if not hours:
            await reply(interaction, "Your weekly limit is removed.")
            return
        config = await self.bot.guild_config(interaction.guild_id)
        window = plan.week_window(self.bot.clock.now(), config.timezone)
        planned = await self._week_hours(interaction.guild_id, interaction.user.id, window, [])
        await reply(
            interaction,
            f"Saved: I'll warn you when `/duty on` or `/rota add` would take you past {hours} h in a week. "
            f"This week you have {format_hours(planned)} planned.",
        )

    # -- /rota -----------------------------------------------------------------------------------------------------

    @audience("volunteer")
    @rota_group.command(name="add")
    @app_commands.describe(
        weekday="The day the shift starts",
        start="Start time, e.g. 18:00 or 6pm",
        end="End time, e.g. 22:00 or 10pm (before the start means the next day)",
        timezone="Time zone of these times (default: the server's)",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def rota_add(
        self,
        interaction: discord.Interaction,
        weekday: int,
        start: app_commands.Range[str, 1, 20],
        end: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Sign up for a weekly shift."""
        guild_id = interaction.guild_id
        assert guild_id is not None  # noqa: S101 - guild_only group
        self._remember(interaction.user)
        config = await self.bot.guild_config(guild_id)
        try:
            start_time, end_time = parse_time(start), parse_time(end)
            tz = parse_timezone(timezone) if timezone else config.timezone
        except ParseError as exc:
            raise UserFacingError(str(exc)) from exc
        check = classify_shift_times(start_time, end_time)
        if check.kind in (ShiftKind.ZERO_LENGTH, ShiftKind.TOO_LONG):
            raise UserFacingError(f"{check.message} Nothing was saved.")
        shift = Shift(weekday, check.start, check.end, tz)
        if check.kind is ShiftKind.OVERNIGHT:
            answer = await confirm(
                interaction,
                f"{WEEKDAY_NAMES[weekday]} {check.message}",
                yes="Yes, overnight",
                no="No",
                timed_out="Nothing was saved (the question timed out).",
            )
            if answer is not True:
                if answer is False:
                    await interaction.edit_original_response(
                        content="Okay, nothing was saved. Run `/rota add` again with the times you meant.", view=None
                    )
                return
        saved = await store.add_shift(self.bot.db, guild_id, interaction.user.id, shift)
        now = self.bot.clock.now()
        await self._schedule_link(guild_id, saved, now)
        await self._schedule_coverage(guild_id, config)
        running = current_occurrence(shift, now)
        role_note = None
        if running is not None:
            result = await self._sync_and_announce(guild_id, interaction.user.id)
            if result.change is RoleChange.FAILED:
                role_note = f"I couldn't give you the on-duty role: {result.problem}. The admins have been told."
        upcoming = running or next_occurrence(shift, now)
        lines = [
            f"Saved: **{shift.describe()}**, every week. "
            + (
                f"It's running now, so you're on duty until {_ts(running.end)}."
                if running
                else f"Your first shift starts {_ts(upcoming.start, 'F')} ({_ts(upcoming.start, 'R')})."
            ),
            "I'll DM you 30 minutes before each shift and give you the on-duty role while it runs.",
        ]
        warning = await self._limit_warning(
            guild_id, interaction.user.id, config.timezone, upcoming.start, [upcoming.interval]
        )
        if role_note:
            lines.append(role_note)
        if warning:
            lines.append(warning)
        text = "\n".join(lines)
        if interaction.response.is_done():
            await interaction.edit_original_response(content=text, view=None)
        else:
            await reply(interaction, text)
        log.info("Shift %s added (guild %s)", saved.shift_id, guild_id)

    @rota_add.autocomplete("timezone")
    async def _timezone_autocomplete(self, interaction: discord.Interaction, current: str) -> StrChoices:
        return [app_commands.Choice(name=z, value=z) for z in search_timezones(current)]

    async def _own_shift_choices(self, interaction: discord.Interaction, current: str) -> IntChoices:
        if interaction.guild_id is None:
            return []
        mine = await store.volunteer_shifts(self.bot.db, interaction.guild_id, interaction.user.id)
        wanted = current.casefold().strip()
        return [
            app_commands.Choice(name=entry.shift.describe()[:100], value=entry.shift_id)
            for entry in mine
            if wanted in entry.shift.describe().casefold()
        ][:25]

    @audience("volunteer")
    @rota_group.command(name="remove")
    @app_commands.describe(shift="One of your shifts")
    async def rota_remove(self, interaction: discord.Interaction, shift: int) -> None:
        """Stop a weekly shift of yours."""
        guild_id = interaction.guild_id
        assert guild_id is not None  # noqa: S101 - guild_only group
        found = await store.get_shift(self.bot.db, shift)
        if found is None or found[0] != guild_id or found[1].volunteer_id != interaction.user.id:
            raise UserFacingError("I couldn't find that shift among yours. `/rota mine` lists them.")
        entry = found[1]
        await store.remove_shift(self.bot.db, guild_id, interaction.user.id, shift)
        for kind in (ROLE_JOB, REMIND_JOB):
            await self.bot.scheduler.cancel(kind, plan.shift_prefix(shift))
        result = await self._sync_role(guild_id, interaction.user.id)
        note = " Your on-duty role for it is removed." if result.change is RoleChange.REMOVED else ""
        await reply(
            interaction, f"Removed your shift **{entry.shift.describe()}**.{note} Thank you for the time you gave."
        )

    @rota_remove.autocomplete("shift")
    async def _remove_autocomplete(self, interaction: discord.Interaction, current: str) -> IntChoices:
        return await self._own_shift_choices(interaction, current)

    @audience("volunteer")
    @rota_group.command(name="mine")
    async def rota_mine(self, interaction: discord.Interaction) -> None:
        """Your shifts, the covers you're doing, and your weekly limit."""
        guild_id = interaction.guild_id
        assert guild_id is not None  # noqa: S101 - guild_only group
        now = self.bot.clock.now()
        mine = await store.volunteer_shifts(self.bot.db, guild_id, interaction.user.id)
        covers = await store.covers_taken_by(self.bot.db, guild_id, interaction.user.id)
        if not mine and not covers:
            await reply(interaction, "You have no shifts yet. `/rota add` signs you up for one.")
            return
        lines = []
        for entry in mine:
            upcoming = next(iter(self._upcoming(entry.shift, now)))
            lines.append(f"• **{entry.shift.describe()}**: next {_ts(upcoming.start, 'F')}")
        for entry, day in covers:
            occurrence = occurrence_on(entry.shift, day)
            if occurrence.end > now:
                lines.append(
                    f"• Covering <@{entry.volunteer_id}>: {_ts(occurrence.start, 'F')} to {_ts(occurrence.end)}"
                )
        config = await self.bot.guild_config(guild_id)
        limit = await store.get_limit(self.bot.db, guild_id, interaction.user.id)
        planned = await self._week_hours(guild_id, interaction.user.id, plan.week_window(now, config.timezone), [])
        footer = f"\nThis week: {format_hours(planned)} planned" + (f" (your limit: {limit} h)." if limit else ".")
        await reply(interaction, embed=info_embed("Your rota", "\n".join(lines) + footer))

    @staticmethod
    def _upcoming(shift: Shift, now: datetime) -> Iterable[Occurrence]:
        running = current_occurrence(shift, now)
        return [running] if running else [next_occurrence(shift, now)]

    @audience("volunteer")
    @rota_group.command(name="cant-make-it")
    @app_commands.describe(
        date="The date of the shift, e.g. 2026-03-14, 14 Mar, tomorrow or saturday",
        shift="Which shift, if you have more than one that day",
    )
    async def rota_cant_make_it(
        self, interaction: discord.Interaction, date: app_commands.Range[str, 1, 40], shift: int | None = None
    ) -> None:
        """Ask the team to cover one of your shifts."""
        guild = interaction.guild
        assert guild is not None  # noqa: S101 - guild_only group
        config = await self.bot.guild_config(guild.id)
        channel = self._text_channel(guild, config.volunteers_channel_id)
        if channel is None:
            raise NotConfigured("a volunteers channel", "/setup channels volunteers:")
        now = self.bot.clock.now()
        try:
            day = parse_date(date, now.astimezone(get_zone(config.timezone)).date())
        except ParseError as exc:
            raise UserFacingError(str(exc)) from exc
        mine = await store.volunteer_shifts(self.bot.db, guild.id, interaction.user.id)
        candidates = [e for e in mine if e.shift.weekday == day.weekday() and shift in (None, e.shift_id)]
        if not candidates:
            raise UserFacingError(f"You don't have a shift on {day:%A %d %B %Y}. `/rota mine` lists your shifts.")
        if len(candidates) > 1:
            raise UserFacingError(
                f"You have {len(candidates)} shifts on {day:%A %d %B}: please pick one with the `shift` option."
            )
        entry = candidates[0]
        occurrence = occurrence_on(entry.shift, day)
        if occurrence.start <= now:
            raise UserFacingError(
                "That shift has already started or passed; I can only ask for cover for a future shift. If you "
                "can't continue a shift that's running, please tell the team in the volunteers channel."
            )
        request = await store.request_cover(self.bot.db, entry.shift_id, day)
        if request is None:
            existing = await store.cover_for(self.bot.db, entry.shift_id, day)
            if existing is not None and existing.cover_id is not None:
                raise UserFacingError(f"<@{existing.cover_id}> is already covering that shift.")
            raise UserFacingError("You've already asked for cover for that shift; it's in the volunteers channel.")
        when = f"{_ts(occurrence.start, 'F')} to {_ts(occurrence.end)}"
        try:
            message = await channel.send(
                f"<@{interaction.user.id}> can't make their shift on {when}. Could you cover it?",
                view=cover_view(request.id),
            )
        except discord.HTTPException as exc:
            await store.withdraw_cover_request(self.bot.db, request.id)
            raise UserFacingError(
                "I couldn't post in the volunteers channel, so nothing changed. Please ask an admin to run "
                "`/setup check`."
            ) from exc
        await store.set_cover_message(self.bot.db, request.id, message.id)
        await reply(
            interaction,
            f"I've asked the team in {channel.mention} to cover your shift on {when}. I'll DM you when someone "
            "takes it; until then it shows as uncovered. Thank you for letting us know early.",
        )

    @rota_cant_make_it.autocomplete("shift")
    async def _cant_make_it_autocomplete(self, interaction: discord.Interaction, current: str) -> IntChoices:
        return await self._own_shift_choices(interaction, current)

    async def _display_names(self, guild: discord.Guild, ids: Iterable[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        fetched = 0
        for user_id in sorted(set(ids)):
            name = self._names.get((guild.id, user_id))
            if name is None and fetched < 25:
                fetched += 1
                member = await self._member(guild, user_id)
                if member is not None:
                    name = member.display_name
                    self._names[(guild.id, user_id)] = name
            names[user_id] = name or f"volunteer {str(user_id)[-4:]}"
        return names

    @audience("volunteer")
    @rota_group.command(name="view")
    @app_commands.describe(
        week="0 = this week, 1 = next week, -1 = last week", image="Admins: attach the coverage heatmap picture"
    )
    async def rota_view(
        self,
        interaction: discord.Interaction,
        week: app_commands.Range[int, -4, 12] = 0,
        image: bool | None = None,
    ) -> None:
        """The week's rota: who is on when, and the gaps."""
        guild = interaction.guild
        assert guild is not None  # noqa: S101 - guild_only group
        admin = is_admin(interaction.user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.bot.guild_config(guild.id)
        now = self.bot.clock.now()
        week_start = coverage_week_start(now, config.timezone, week)
        shifts = await store.guild_shifts(self.bot.db, guild.id)
        overrides = await store.guild_overrides(self.bot.db, guild.id)
        manual = await store.manual_duties(self.bot.db, guild.id, now - timedelta(days=7 * 5))
        ids = [s.volunteer_id for s in shifts] + [o.cover_id for o in overrides if o.cover_id] + [v for v, _ in manual]
        names = await self._display_names(guild, ids)
        named = [dataclasses.replace(s, volunteer_name=names[s.volunteer_id]) for s in shifts]
        covers = [dataclasses.replace(o, cover_name=names[o.cover_id]) if o.cover_id else o for o in overrides]
        extra = [Duty(v, names[v], i) for v, i in manual]
        coverage = week_coverage(named, covers, week_start, config.timezone, extra=extra)
        content = f"```\n{render_table(coverage)}\n```"
        if image and not admin:
            content = "The heatmap picture is for admins; here's the table.\n" + content
        if (image is None and admin) or (image and admin):
            png = render_heatmap_png(coverage)
            file = discord.File(io.BytesIO(png), filename=f"rota-{week_start.isoformat()}.png")
            await interaction.followup.send(content, file=file, ephemeral=True)
            return
        await interaction.followup.send(content, ephemeral=True)

    @audience("volunteer")
    @rota_group.command(name="calendar")
    async def rota_calendar(self, interaction: discord.Interaction) -> None:
        """Your shifts as a calendar file (.ics) for Google, Apple or Outlook calendars."""
        guild = interaction.guild
        assert guild is not None  # noqa: S101 - guild_only group
        mine = await store.volunteer_shifts(self.bot.db, guild.id, interaction.user.id)
        covers = await store.covers_taken_by(self.bot.db, guild.id, interaction.user.id)
        if not mine and not covers:
            raise UserFacingError("You have no shifts yet, so there's no calendar to give you. `/rota add` adds one.")
        own = {s.shift_id for s in mine}
        overrides = [o for o in await store.guild_overrides(self.bot.db, guild.id) if o.shift_id in own]
        calendar = build_calendar(
            mine,
            self.bot.clock.now(),
            overrides=overrides,
            covers=covers,
            calendar_name=f"{guild.name} rota",
        )
        file = discord.File(io.BytesIO(calendar.encode()), filename="peerbot-rota.ics")
        await reply(
            interaction,
            "Here's your rota as a calendar file. Open it, or import it into your calendar app; importing it again "
            "later updates the same events instead of adding copies.",
            file=file,
        )
