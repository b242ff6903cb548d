"""`/share`, `/shares ...`, `/share-mod ...`, `/share-settings`, the buttons under shares, and their jobs.

How a share travels (DESIGN §2 and §4; the status machine is in ``store.py``):

1. ``/share`` checks the member may share (set up, not paused, old enough, under the hourly limit), then
   opens the modal. On submit the checks run again, the text is checked (limits, room in an embed) and run
   through the crisis matcher, and the share is **stored before any Discord call**, with its post job.
2. The member is answered at once, privately: its id and what happens next. A share with crisis language
   is held for moderators (``needs_care``) and the member also gets crisis lines and the "Talk to a peer"
   button; the crisis-alerts channel is told which share, never who.
3. Work that must reach Discord is a durable job (``bot.scheduler``): the post after its random delay, and
   the moderators' cards, alerts and removals, which are tried at once and, if Discord refuses, again later
   (``_soon``). Every handler re-reads the share and does nothing twice.
4. What a moderator or an author waits on (approve, reject, remove, delete) is one store transaction that
   also writes its job; they are answered right after it, and taking things down on Discord runs after the
   answer (``_after_answer``). The scheduler reads due jobs from the table, so it is only told when to look.

No user id, name or text is ever logged here: only share, reply, report and guild ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import store as core
from bot.app import PeerBot
from bot.checks import audience
from bot.errors import NotConfigured, UserFacingError
from bot.store import GuildConfig, Job
from bot.tasks import spawn
from bot.ui import confirm, reply
from cogs.admin.checklist import Problem, missing_channel_permissions
from cogs.crisis.answer import build_concern_card, build_crisis_card
from cogs.crisis.lines import CrisisData, default_crisis_data
from cogs.crisis.matcher import Match, Matcher, default_matcher
from cogs.crisis.views import card_embed
from cogs.rota.views import TalkToPeerButton, peer_view
from cogs.shares import anonymity, policy, store
from cogs.shares.anonymity import format_share_id, parse_share_id
from cogs.shares.store import POST_JOB, REMOVE_JOB, REMOVE_REPLY_JOB, REPLY_JOB, Share, ShareSettings
from cogs.shares.views import (
    DONE_COLOUR,
    DYNAMIC_ITEMS,
    PREFIX,
    BlockButton,
    ShareModal,
    care_alert_embed,
    excerpt,
    fits_in_embed,
    problem_embed,
    queue_embeds,
    queue_view,
    reply_embed,
    reply_footer,
    report_embed,
    report_view,
    settings_embed,
    share_embeds,
    share_view,
    thread_name,
    ts,
)

log = logging.getLogger(__name__)

QUEUE_JOB = "shares:queue"  # ref = share id: post the moderators' card for a held share
CARE_JOB = "shares:care-alert"  # ref = share id: tell the crisis-alerts channel a share needs care
REPORT_JOB = "shares:report"  # ref = report id: post the moderators' card for a report
PURGE_JOB = "shares:purge"  # ref = the day (UTC): the daily retention sweep

RETENTION = timedelta(days=30)
PURGE_HOUR = 4  # UTC: the daily sweep runs at 04:00
RETRY_DELAY = timedelta(minutes=1)  # when a job tried at once fails, the scheduler tries again after this
NOTICE_COOLDOWN = timedelta(hours=1)  # one notice per problem per server per hour, not one per share
HISTORY_SCAN = 50  # on a retried post, how far back to look for the message a lost attempt already sent
POST_NEEDS = ("view_channel", "send_messages", "embed_links")
SHARE_GRACE = timedelta(days=7)  # a post that fell due while the bot was down still goes out, late
REMOVE_GRACE = RETENTION
FOLLOWUP_GRACE_S = 3.0  # at unload (shutdown), how long work started after an answer may still take

NO_PINGS = discord.AllowedMentions.none()  # the bot's default too; said again wherever member text is sent
Choices = list[app_commands.Choice[str]]

STATUS_WORDS = {
    "pending": "waiting to be posted",
    "queued": "waiting for a moderator",
    "approved": "approved, waiting to be posted",
    "posted": "posted",
    "rejected": "not posted (declined by a moderator)",
    "deleted": "deleted",
}

ALREADY = {
    "pending": "accepted",
    "queued": "waiting",
    "approved": "approved",
    "posted": "posted",
    "rejected": "declined or taken down",
    "deleted": "withdrawn by its author",
}


class ShareStuckError(Exception):
    """A share can't reach Discord yet (a channel or permission is missing); the job is retried."""


def _custom_ids(message: discord.Message) -> set[str]:
    found: set[str] = set()
    for row in message.components:
        for child in getattr(row, "children", []):
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                found.add(str(custom_id))
    return found


def _next_purge(after: datetime) -> datetime:
    run = after.replace(hour=PURGE_HOUR, minute=0, second=0, microsecond=0)
    return run if run > after else run + timedelta(days=1)


class Shares(commands.Cog):
    """Anonymous shares: members post under a pseudonym, peers reply and support, moderators review without
    learning who wrote anything."""

    mine = app_commands.Group(name="shares", description="Your anonymous shares.", guild_only=True)
    mod = app_commands.Group(name="share-mod", description="Moderate anonymous shares (moderators).", guild_only=True)

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot
        self._handlers: dict[str, Callable[[Job], Awaitable[None]]] = {}
        self._notified: dict[tuple[int, str], datetime] = {}
        # Each server's share settings: read once, then kept here (only /share-settings changes them).
        self._settings: dict[int, ShareSettings] = {}
        self._followups: set[asyncio.Task[Any]] = set()

    async def cog_load(self) -> None:
        self._handlers = {
            POST_JOB: self._post_job,
            REMOVE_JOB: self._remove_job,
            REPLY_JOB: self._reply_job,
            REMOVE_REPLY_JOB: self._remove_reply_job,
            QUEUE_JOB: self._queue_job,
            CARE_JOB: self._care_job,
            REPORT_JOB: self._report_job,
            PURGE_JOB: self._purge_job,
        }
        # A late sweep or removal is still wanted (it only wipes), so their grace is long; each sweep books the next.
        graces = {REMOVE_JOB: REMOVE_GRACE, REMOVE_REPLY_JOB: REMOVE_GRACE, PURGE_JOB: timedelta(days=366)}
        for kind, handler in self._handlers.items():
            self.bot.scheduler.register(kind, handler, grace=graces.get(kind, SHARE_GRACE))
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, TalkToPeerButton)
        self.bot.user_data_deleters["shares"] = store.make_user_data_deleter(self.bot.secret_key)
        await self._schedule_purge()

    async def cog_unload(self) -> None:
        if self._followups:  # a takedown or a post being armed right after an answer: let it finish (briefly)
            await asyncio.wait(set(self._followups), timeout=FOLLOWUP_GRACE_S)
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)  # TalkToPeerButton stays: the crisis cards use it too
        self.bot.user_data_deleters.pop("shares", None)

    # -- small helpers ---------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.bot.clock.now()

    def _token(self, guild_id: int, user_id: int) -> str:
        return anonymity.author_token(self.bot.secret_key, guild_id, user_id)

    async def _settings_for(self, guild_id: int) -> ShareSettings:
        """The server's share settings without a database round trip once read (/share-settings refreshes them)."""
        settings = self._settings.get(guild_id)
        if settings is None:
            settings = self._settings[guild_id] = await store.get_settings(self.bot.db, guild_id)
        return settings

    def _after_answer(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        """Start work the member or moderator need not wait for, just before answering them: it first runs at
        the handler's next await, once the answer is on its way. Failures are logged (``spawn``); anything that
        must happen is a durable job already, so at worst it is done at the job's time or the next start."""
        task = spawn(work, name=f"shares: {what}")
        self._followups.add(task)
        task.add_done_callback(self._followups.discard)

    async def settled(self) -> None:
        """Wait for the work started after answering (tests use it before moving the clock)."""
        while self._followups:
            await asyncio.gather(*self._followups, return_exceptions=True)

    @staticmethod
    def _guild_id(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    @staticmethod
    def _review_channel_id(config: GuildConfig) -> int | None:
        """Where moderators see shares and reports: the share queue, else the crisis-alerts channel."""
        return config.share_queue_channel_id or config.crisis_alert_channel_id

    @staticmethod
    def _queue_on(settings: ShareSettings, config: GuildConfig) -> bool:
        return settings.require_approval and config.share_queue_channel_id is not None

    def _text_channel(self, guild_id: int, channel_id: int | None) -> discord.TextChannel | None:
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None and channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def _soon(self, kind: str, ref: str, guild_id: int | None) -> bool:
        """Do a job's work now; if Discord refuses, the durable job written first retries it later.

        A job that already finished (``/share-mod retry`` after it gave up) is run again all the same: every
        handler checks what it already did. Only then is there no later retry if it fails once more.
        """
        job = await self.bot.scheduler.schedule(kind, ref, self._now() + RETRY_DELAY, guild_id)
        try:
            await self._handlers[kind](job)
        except Exception:  # a pending job is retried with backoff; the member's data is safe either way
            log.warning("Job %s:%s failed now (job %s)", kind, ref, job.status, exc_info=True)
            return False
        if job.status == "pending":
            await core.finish_job(self.bot.db, job.id, "done", self._now())
        return True

    def _arm_post(self, share: Share) -> None:
        """The store wrote the post job with the share: run it at once when it is due already (no posting delay),
        else wake the scheduler by its due time (no round trip)."""
        if share.post_job_ref is None or share.post_after is None:
            return
        if share.post_after <= self._now():
            self.bot.scheduler.run_now(POST_JOB, share.post_job_ref)
        else:
            self.bot.scheduler.expect(share.post_after)

    async def _flush_removals(self, guild_id: int | None) -> None:
        """Run every waiting removal (of this server, or all) now: after deletes, purges and /privacy delete."""
        for job in await store.pending_removals(self.bot.db, guild_id):
            await self._soon(job.kind, job.ref, job.guild_id)

    async def _tell_admins(self, guild_id: int, share_id: int, problems: list[Problem], what: str) -> None:
        """A `/setup check`-style notice in the moderators' channel, at most once an hour per problem."""
        key = (guild_id, "; ".join(f"{p.where}:{p.problem}" for p in problems))
        now = self._now()
        last = self._notified.get(key)
        if last is not None and now - last < NOTICE_COOLDOWN:
            return
        config = await self.bot.guild_config(guild_id)
        channel = self._text_channel(guild_id, self._review_channel_id(config))
        if channel is None:
            log.warning("Share %s is stuck in guild %s and there is no channel to tell moderators", share_id, guild_id)
            return
        try:
            await channel.send(embed=problem_embed(share_id, problems, what), allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("Could not tell moderators in guild %s that share %s is stuck", guild_id, share_id)
            return
        self._notified[key] = now

    def _crisis(self) -> Any:
        return self.bot.get_cog("Crisis")

    def _crisis_match(self, guild_id: int, text: str) -> Match | None:
        matcher_for = getattr(self._crisis(), "matcher_for", None)
        matcher: Matcher = matcher_for(guild_id) if callable(matcher_for) else default_matcher()
        return matcher.match(text)

    def _crisis_card(self, guild_id: int, user_id: int, found: Match) -> discord.Embed:
        crisis = self._crisis()
        data: CrisisData = getattr(crisis, "data", None) or default_crisis_data()
        prefs = getattr(crisis, "prefs", {}).get(user_id)
        country = getattr(prefs, "country", None) or self.bot.cached_guild_config(guild_id).country
        card = build_crisis_card(data, country) if found.about_self else build_concern_card(data, country)
        return card_embed(card)

    async def _mine(self, interaction: discord.Interaction, raw_id: str) -> Share:
        """The member's own share by what they typed; one answer for "no such share" and "not yours"."""
        guild_id = self._guild_id(interaction)
        share_id = parse_share_id(raw_id)
        share = await store.get_share(self.bot.db, share_id, guild_id) if share_id else None
        if share is None or not await store.is_author(
            self.bot.db, share.id, self._token(guild_id, interaction.user.id)
        ):
            raise _not_yours(raw_id)
        return share

    async def _moderated(self, interaction: discord.Interaction, raw_id: str | int) -> Share:
        guild_id = self._guild_id(interaction)
        share_id = raw_id if isinstance(raw_id, int) else parse_share_id(raw_id)
        share = await store.get_share(self.bot.db, share_id, guild_id) if share_id else None
        if share is None:
            raise UserFacingError("There's no share with that id in this server.")
        return share

    # -- submitting ------------------------------------------------------------------------------------------

    async def _check_can_share(self, interaction: discord.Interaction) -> tuple[ShareSettings, GuildConfig]:
        """Raise a kind UserFacingError (or NotConfigured) unless this member may share now."""
        guild_id = self._guild_id(interaction)
        config = await self.bot.guild_config(guild_id)
        if config.shares_channel_id is None:
            raise NotConfigured("a shares channel", "/setup channels shares:")
        token = self._token(guild_id, interaction.user.id)
        now = self._now()
        # One query: whether a moderator paused this member, and their submissions that count for the limit.
        blocked, times = await store.sharing_state(self.bot.db, guild_id, token, policy.window_start(now))
        if blocked:
            who = f"the moderators (<@&{config.moderator_role_id}>)" if config.moderator_role_id else "a moderator"
            raise UserFacingError(
                "Sharing is paused for you on this server for now: a moderator paused it after one of your shares. "
                f"If you'd like to talk about it, please reach out to {who}; they won't have been told it was you. "
                "If things are hard right now, `/crisis` shows people you can talk to at any time."
            )
        settings = await self._settings_for(guild_id)
        member = interaction.user
        if (settings.min_account_age_days or settings.min_member_age_days) and isinstance(member, discord.Member):
            allowed = policy.eligibility(
                now, member.created_at, member.joined_at, settings.min_account_age_days, settings.min_member_age_days
            )
            if not allowed.allowed and allowed.allowed_from is not None:
                what = "accounts" if allowed.reason == "account_age" else "members"
                raise UserFacingError(
                    f"This server lets newer {what} share anonymously after a little while, to keep shares safe for "
                    f"everyone. You'll be able to share {ts(allowed.allowed_from)}. Until then, you're welcome to "
                    "read, reply and send support."
                )
        again = policy.next_allowed_at(times, now, settings.per_hour)
        if again is not None:
            raise UserFacingError(
                f"You've shared {settings.per_hour} time{'s' if settings.per_hour != 1 else ''} in the last hour, "
                f"which is this server's limit. You can share again {ts(again)}. Take care of yourself meanwhile; "
                "`/crisis` is there if you need someone to talk to now."
            )
        return settings, config

    @audience("member")
    @app_commands.command(name="share")
    @app_commands.guild_only()
    async def share(self, interaction: discord.Interaction) -> None:
        """Share something anonymously: nobody, moderators included, sees who wrote it."""
        await self._check_can_share(interaction)
        await interaction.response.send_modal(ShareModal())

    async def submit_share(
        self, interaction: discord.Interaction, title: str | None, body: str, cw: str | None
    ) -> None:
        """The share modal was sent: check, store, answer, then reach Discord."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = self._guild_id(interaction)
        settings, config = await self._check_can_share(interaction)
        problem = policy.submission_problem(title, body, cw)
        if problem is not None:
            raise UserFacingError(problem)
        title, cw = policy.clean_text(title), policy.clean_text(cw)
        text = policy.clean_text(body) or ""
        if not fits_in_embed(title, text, cw):
            raise UserFacingError(
                "Your share uses a lot of special characters, which take extra room on Discord, so it won't fit "
                "in one post. Please shorten it a little and send it again."
            )
        found = self._crisis_match(guild_id, f"{title or ''}\n{text}")
        queue_on = self._queue_on(settings, config)
        now = self._now()
        post_after = None if queue_on or found else policy.post_time(now, settings.delay_min_s, settings.delay_max_s)
        share = await store.create_share(
            self.bot.db,
            guild_id,
            self._token(guild_id, interaction.user.id),
            title,
            text,
            cw,
            settings.pseudonym_mode,
            post_after,
            queue_on,
            key=self.bot.secret_key,
            now=now,
            needs_care=found is not None,
        )
        log.info("Share %s submitted in guild %s (%s)", share.id, guild_id, share.status)
        if share.status == "pending":
            self._arm_post(share)
        await interaction.followup.send(self._confirmation(share, config), ephemeral=True)
        if found is not None:
            await interaction.followup.send(
                embed=self._crisis_card(guild_id, interaction.user.id, found), view=peer_view(guild_id), ephemeral=True
            )
        if share.status == "queued":
            if share.needs_care:
                await self._soon(CARE_JOB, str(share.id), guild_id)
            await self._soon(QUEUE_JOB, str(share.id), guild_id)

    def _confirmation(self, share: Share, config: GuildConfig) -> str:
        sid = format_share_id(share.id)
        manage = f"`/shares status id:{share.id}` shows where it is; `/shares delete id:{share.id}` takes it back."
        if share.needs_care:
            return (
                f"Thank you for trusting us with this. Your share **{sid}** isn't posted straight away: what you "
                "wrote sounded really hard, so a moderator will read it first. They won't know it was you. "
                f"{manage}\nPlease have a look at the message below."
            )
        if share.status == "queued":
            return (
                f"Thank you for sharing. Your share **{sid}** is waiting for a moderator, who won't see who wrote "
                f"it. Once approved it appears in <#{config.shares_channel_id}>. If it's declined, the reason "
                f"shows in `/shares status id:{share.id}`.\n{manage}"
            )
        when = ts(share.post_after) if share.post_after else "shortly"
        return (
            f"Thank you for sharing. Your share **{sid}** will appear in <#{config.shares_channel_id}> {when} "
            f"as **{share.pseudonym}**. The short random wait keeps the moment you sent it private.\n{manage}"
        )

    # -- buttons under a posted share ------------------------------------------------------------------------

    async def support(self, interaction: discord.Interaction, share_id: int) -> None:
        guild_id = self._guild_id(interaction)
        share = await store.get_share(self.bot.db, share_id, guild_id)
        token = self._token(guild_id, interaction.user.id)
        added, count = (False, 0) if share is None else await store.add_support(self.bot.db, share_id, token)
        if share is not None and added:
            await interaction.response.edit_message(view=share_view(_with_count(share, count)))
            await interaction.followup.send(
                "\N{YELLOW HEART} Sent. It's counted without your name; the author will see the number grow.",
                ephemeral=True,
            )
            log.info("Support for share %s in guild %s", share_id, guild_id)
            return
        if share is None or share.status != "posted":
            await reply(interaction, "This share isn't up any more.")
        elif await store.is_author(self.bot.db, share_id, token):
            await reply(interaction, "This is your own share, so your support isn't counted, but everyone else's is.")
        else:
            await reply(interaction, "You've already sent support to this share. It's counted once, without your name.")

    async def reply_to_share(self, interaction: discord.Interaction, share_id: int, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = self._guild_id(interaction)
        token = self._token(guild_id, interaction.user.id)
        if await store.is_blocked(self.bot.db, guild_id, token):
            raise UserFacingError(
                "Anonymous posting is paused for you on this server for now. If you'd like to talk about it, "
                "please reach out to a moderator. You can still write in the thread under your own name."
            )
        share = await store.get_share(self.bot.db, share_id, guild_id)
        if share is None or share.status != "posted":
            raise UserFacingError("This share isn't up any more, so I can't post a reply to it.")
        settings = await self._settings_for(guild_id)
        post_after = policy.post_time(self._now(), settings.delay_min_s, settings.delay_max_s)
        try:
            added = await store.add_reply(
                self.bot.db, share_id, token, text, key=self.bot.secret_key, post_after=post_after, now=self._now()
            )
        except ValueError as exc:
            raise UserFacingError(f"{exc} Please change it and send it again.") from exc
        if added is None:
            raise UserFacingError("This share isn't up any more, so I can't post a reply to it.")
        await self.bot.scheduler.schedule(REPLY_JOB, str(added.id), post_after, guild_id)
        log.info("Reply %s to share %s submitted in guild %s", added.id, share_id, guild_id)
        await interaction.followup.send(
            f"Thank you. Your reply will appear in the share's thread {ts(post_after)} as **{added.pseudonym}**.",
            ephemeral=True,
        )
        found = self._crisis_match(guild_id, text)
        if found is not None:  # replies are not held, but the replier gets the same private care
            await interaction.followup.send(
                embed=self._crisis_card(guild_id, interaction.user.id, found), view=peer_view(guild_id), ephemeral=True
            )

    async def report_share(self, interaction: discord.Interaction, share_id: int, reason: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = self._guild_id(interaction)
        config = await self.bot.guild_config(guild_id)
        if self._review_channel_id(config) is None:
            raise UserFacingError(
                "This server hasn't set up a channel where moderators see reports yet, so I can't pass yours on. "
                "Please contact a moderator directly."
            )
        try:
            report = await store.add_report(
                self.bot.db, share_id, self._token(guild_id, interaction.user.id), reason, now=self._now()
            )
        except ValueError as exc:
            raise UserFacingError(f"{exc} Please shorten it.") from exc
        if report is None:
            share = await store.get_share(self.bot.db, share_id, guild_id)
            if share is None or share.status != "posted":
                raise UserFacingError("This share isn't up any more, so there's nothing to report.")
            raise UserFacingError("You've already reported this share; the moderators have it. Thank you.")
        log.info("Share %s reported in guild %s (report %s)", share_id, guild_id, report.id)
        await interaction.followup.send(
            "Thank you for telling us. The moderators will look at it; they won't see that the report came from you.",
            ephemeral=True,
        )
        await self._soon(REPORT_JOB, str(report.id), guild_id)

    # -- moderators' buttons ---------------------------------------------------------------------------------

    async def approve_share(self, interaction: discord.Interaction, share_id: int, extra_cw: str | None) -> None:
        """Approve from the moderators' card: one transaction (the share and its post job), the scheduler is told
        when the post is due (in memory), then the card is updated."""
        guild_id = self._guild_id(interaction)
        settings = await self._settings_for(guild_id)
        post_after = policy.post_time(self._now(), settings.delay_min_s, settings.delay_max_s)
        try:
            approved = await store.approve(
                self.bot.db,
                share_id,
                interaction.user.id,
                extra_cw,
                post_after=post_after,
                now=self._now(),
                guild_id=guild_id,
            )
        except ValueError as exc:
            raise UserFacingError(f"{exc} Please shorten it.") from exc
        if approved is None:
            await self._already_decided(interaction, share_id)
            return
        log.info("Share %s approved in guild %s", share_id, approved.guild_id)
        self._arm_post(approved)
        added = f" with the warning “{excerpt(extra_cw, 100)}”" if extra_cw else ""
        decision = f"Approved by {interaction.user.mention}{added}. It will be posted {ts(post_after)}."
        await self._update_card(
            interaction, queue_embeds(approved, decision=decision), queue_view(share_id, decided=True)
        )

    async def reject_share(self, interaction: discord.Interaction, share_id: int, reason: str | None) -> None:
        guild_id = self._guild_id(interaction)
        try:
            decided = await store.decline(
                self.bot.db, share_id, interaction.user.id, reason, now=self._now(), guild_id=guild_id
            )
        except ValueError as exc:
            raise UserFacingError(f"{exc} Please shorten it.") from exc
        if decided is None:
            await self._already_decided(interaction, share_id)
            return
        before, rejected = decided
        log.info("Share %s rejected in guild %s", share_id, rejected.guild_id)
        if before.status != "queued":  # taking it down is several Discord calls: after answering
            self._after_answer(self._soon(REMOVE_JOB, str(share_id), guild_id), f"take down share {share_id}")
        said = f" Reason for the author: “{excerpt(reason, 300)}”" if reason else ""
        decision = (
            f"Declined by {interaction.user.mention}.{said} The author can read it with `/shares status`; "
            "the text is wiped."
        )
        await self._update_card(
            interaction, queue_embeds(rejected, decision=decision), queue_view(share_id, decided=True)
        )

    async def _already_decided(self, interaction: discord.Interaction, share_id: int) -> None:
        """The answer when a decision changed nothing: the share is unknown here (an error) or decided already."""
        share = await self._moderated(interaction, share_id)
        await reply(
            interaction,
            f"Share {format_share_id(share.id)} is already {ALREADY[share.status]}, so there's nothing to decide.",
        )

    async def _update_card(
        self, interaction: discord.Interaction, embeds: list[discord.Embed], view: discord.ui.View
    ) -> None:
        if interaction.message is not None and not interaction.response.is_done():
            await interaction.response.edit_message(embeds=embeds, view=view)
        elif interaction.message is not None:
            await interaction.message.edit(embeds=embeds, view=view, allowed_mentions=NO_PINGS)

    async def block_author(self, interaction: discord.Interaction, share_id: int, reason: str | None) -> None:
        share = await self._moderated(interaction, share_id)
        try:
            blocked = await store.block_author_of(self.bot.db, share.id, reason, now=self._now())
        except ValueError as exc:
            raise UserFacingError(f"{exc} Please shorten it.") from exc
        if not blocked:
            await reply(
                interaction,
                "That author is already blocked, or the share was deleted and nothing links it to anyone any more.",
            )
            return
        log.info("Author of share %s blocked in guild %s", share.id, share.guild_id)
        await reply(
            interaction,
            f"Done: whoever wrote share {format_share_id(share.id)} can't share here until a moderator runs "
            f"`/share-mod unblock id:{share.id}`. If they try, they're told kindly to contact a moderator. "
            "Nobody, you included, learns who they are.",
        )

    async def remove_reported(self, interaction: discord.Interaction, share_id: int) -> None:
        removed = await self._take_down(interaction, share_id, "Removed by a moderator after a report.")
        if removed is None:
            await self._moderated(interaction, share_id)  # "no such share" is an error; else it was already gone
        message = interaction.message
        if message is not None and message.embeds:
            embed = message.embeds[0].copy()
            embed.colour = DONE_COLOUR
            embed.description = "*Closed: the reporter's reason is wiped.*"  # as the store wiped it
            what = "Removed" if removed else "Already gone"
            embed.add_field(name="Decision", value=f"{what} ({interaction.user.mention}).", inline=False)
            blocker = discord.ui.View(timeout=None)
            blocker.add_item(BlockButton(share_id))
            await interaction.response.edit_message(embed=embed, view=blocker)
        else:
            await reply(interaction, "Removed." if removed else "That share was already gone.")

    async def _take_down(self, interaction: discord.Interaction, share_id: int, reason: str) -> Share | None:
        """Reject a share for a moderator (one transaction); what is on Discord comes down after the answer,
        which the caller gives next. The share as it was, or None if unknown here or already decided."""
        guild_id = self._guild_id(interaction)
        decided = await store.decline(
            self.bot.db, share_id, interaction.user.id, reason, now=self._now(), guild_id=guild_id
        )
        if decided is None:
            return None
        before, _ = decided
        log.info("Share %s removed by a moderator in guild %s", share_id, guild_id)
        if before.status != "queued" or before.queue_message_id is not None:  # its post, or its waiting card
            self._after_answer(self._soon(REMOVE_JOB, str(share_id), guild_id), f"take down share {share_id}")
        return before

    async def dismiss_report(self, interaction: discord.Interaction, report_id: int) -> None:
        guild_id = self._guild_id(interaction)
        report = await store.get_report(self.bot.db, report_id)
        if report is None or report.guild_id != guild_id:
            raise UserFacingError("That report no longer exists.")
        closed = await store.resolve_report(self.bot.db, guild_id, report_id, "dismissed")
        what = "Dismissed" if closed else "Already closed"
        decision = f"{what} by {interaction.user.mention}. The reporter's reason is wiped."
        share = await store.get_share(self.bot.db, report.share_id)
        fresh = await store.get_report(self.bot.db, report_id) or report
        log.info("Report %s on share %s dismissed in guild %s", report_id, report.share_id, guild_id)
        await self._update_card(
            interaction, [report_embed(fresh, share, decision=decision)], report_view(fresh, decided=True)
        )

    # -- /shares (the member's own) --------------------------------------------------------------------------

    @audience("member")
    @mine.command(name="status")
    @app_commands.describe(id="The share's id, like #12 (from your confirmation or /shares mine)")
    async def status(self, interaction: discord.Interaction, id: str) -> None:
        """Where one of your shares is, and a moderator's reason if it was declined."""
        share = await self._mine(interaction, id)
        await reply(interaction, self._describe_status(share))

    def _describe_status(self, share: Share) -> str:
        sid = format_share_id(share.id)
        if share.status == "pending" and share.post_after:
            return f"Share **{sid}** will be posted {ts(share.post_after)}."
        if share.status == "approved" and share.post_after:
            return f"Share **{sid}** was approved and will be posted {ts(share.post_after)}."
        if share.status == "queued":
            return f"Share **{sid}** is waiting for a moderator. They don't know who wrote it."
        if share.status == "posted" and share.message_id and share.channel_id:
            link = f"https://discord.com/channels/{share.guild_id}/{share.channel_id}/{share.message_id}"
            support = f"{share.support_count} member{'s' if share.support_count != 1 else ''}"
            return f"Share **{sid}** is [posted]({link}). {support} sent support."
        if share.status == "rejected":
            reason = (
                f"Their reason: “{excerpt(share.reject_reason, 500)}”"
                if share.reject_reason
                else "They didn't give a reason."
            )
            return (
                f"Share **{sid}** wasn't posted, or was taken down, by a moderator. {reason}\n"
                "Its text is already wiped. If you'd like to talk about it, a moderator is happy to hear from you."
            )
        return f"Share **{sid}** is {STATUS_WORDS[share.status]}."

    @audience("member")
    @mine.command(name="mine")
    async def list_mine(self, interaction: discord.Interaction) -> None:
        """List your shares in this server (only you can see this)."""
        guild_id = self._guild_id(interaction)
        found = await store.shares_by_author(self.bot.db, guild_id, self._token(guild_id, interaction.user.id))
        if not found:
            await reply(interaction, "You have no shares in this server. `/share` writes one.")
            return
        lines = [
            f"**{format_share_id(s.id)}** \N{MIDDLE DOT} {STATUS_WORDS[s.status]}"
            + (f" \N{MIDDLE DOT} {excerpt(s.title or s.body, 50)}" if s.body else "")
            for s in found[:20]
        ]
        more = f"\n… and {len(found) - 20} more." if len(found) > 20 else ""
        await reply(interaction, "Your shares here:\n" + "\n".join(lines) + more)

    @audience("member")
    @mine.command(name="delete")
    @app_commands.describe(id="The share's id, like #12")
    async def delete(self, interaction: discord.Interaction, id: str) -> None:
        """Delete one of your shares: it comes down and its text is wiped."""
        guild_id = self._guild_id(interaction)
        share_id = parse_share_id(id)
        token = self._token(guild_id, interaction.user.id)
        # One transaction checks it is theirs and wipes it; the answer comes next, the Discord side after it.
        done = await store.withdraw(self.bot.db, guild_id, share_id, token, now=self._now()) if share_id else None
        if done is None:
            raise _not_yours(id)
        share = done.share
        log.info("Share %s deleted by its author in guild %s", share.id, guild_id)
        if done.removal:
            self._after_answer(self._soon(REMOVE_JOB, str(share.id), guild_id), f"take down share {share.id}")
        where = "taken down and its text" if share.message_id else "won't be posted, and its text"
        await reply(interaction, f"Deleted: share **{format_share_id(share.id)}** {where} is wiped.")

    @status.autocomplete("id")
    @delete.autocomplete("id")
    async def _my_share_ids(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        token = self._token(interaction.guild_id, interaction.user.id)
        found = await store.shares_by_author(self.bot.db, interaction.guild_id, token)
        wanted = current.strip().lstrip("#")
        choices = []
        for s in found:
            if s.status == "deleted" or (wanted and not str(s.id).startswith(wanted)):
                continue
            label = f"#{s.id} · {STATUS_WORDS[s.status]}"
            if s.title or s.body:
                label += f" · {' '.join((s.title or s.body or '').split())}"
            choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
        return choices[:25]

    @audience("member")
    @mine.command(name="delete-all")
    async def delete_all(self, interaction: discord.Interaction) -> None:
        """Delete every share of yours in this server, with your replies and support."""
        guild_id = self._guild_id(interaction)
        token = self._token(guild_id, interaction.user.id)
        answer = await confirm(
            interaction,
            "This deletes every anonymous share of yours in this server (posted ones come down), and your anonymous "
            "replies and support. It can't be undone. Are you sure?",
            yes="Delete all my shares",
            no="Keep them",
            timed_out="Nothing was deleted (the question timed out).",
        )
        if answer is not True:
            if answer is False:
                await interaction.edit_original_response(content="Okay, nothing was deleted.", view=None)
            return
        count = sum(1 for s in await store.shares_by_author(self.bot.db, guild_id, token) if s.status != "deleted")
        await store.delete_author_data(self.bot.db, guild_id, token, now=self._now())
        log.info("All shares of one author deleted on request in guild %s (%d shares)", guild_id, count)
        await self._flush_removals(guild_id)  # the posts are down before the member reads "deleted"
        await interaction.edit_original_response(
            content=f"Done: {count} share{'s' if count != 1 else ''} deleted and wiped, with your replies and support.",
            view=None,
        )

    # -- /share-mod ------------------------------------------------------------------------------------------

    @audience("moderator")
    @mod.command(name="remove")
    @app_commands.describe(id="The share's id, like #12", reason="Why (the author can read it with /shares status)")
    async def remove(
        self,
        interaction: discord.Interaction,
        id: str,
        reason: app_commands.Range[str, 1, policy.REASON_MAX] | None = None,
    ) -> None:
        """Take a share down (or decline a waiting one); its text is wiped."""
        share_id = parse_share_id(id)
        removed = None
        if share_id is not None:
            removed = await self._take_down(interaction, share_id, reason or "Removed by a moderator.")
        if removed is None:
            share = await self._moderated(interaction, id)  # "no such share" is an error of its own
            raise UserFacingError(f"Share {format_share_id(share.id)} is already {ALREADY[share.status]}.")
        await reply(interaction, f"Removed share **{format_share_id(removed.id)}** and wiped its text.")

    @audience("moderator")
    @mod.command(name="unblock")
    @app_commands.describe(id="The id of the share the author was blocked from, like #12")
    async def unblock(self, interaction: discord.Interaction, id: str) -> None:
        """Let the author of a share share again."""
        guild_id = self._guild_id(interaction)
        share_id = parse_share_id(id)
        if share_id is None or not await store.unblock_author_of(self.bot.db, guild_id, share_id):
            raise UserFacingError("No block is linked to that share, so there's nothing to lift.")
        log.info("Author of share %s unblocked in guild %s", share_id, guild_id)
        await reply(interaction, f"Done: the author of share **{format_share_id(share_id)}** can share again.")

    @audience("moderator")
    @mod.command(name="retry")
    async def retry(self, interaction: discord.Interaction) -> None:
        """Send everything that is waiting (after a missing channel or permission was fixed)."""
        guild_id = self._guild_id(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self._settings_for(guild_id)
        posts = 0
        for share in await store.unposted(self.bot.db, guild_id):
            due = policy.post_time(self._now(), settings.delay_min_s, settings.delay_max_s)
            moved = await store.reschedule_post(self.bot.db, share.id, due)
            if moved is not None:
                self._arm_post(moved)
                posts += 1
        held, reports = await store.unannounced(self.bot.db, guild_id)
        sent = [await self._soon(QUEUE_JOB, f"{sid}", guild_id) for sid in held]
        sent += [await self._soon(REPORT_JOB, f"{rid}", guild_id) for rid in reports]
        await self._flush_removals(guild_id)
        failed = sent.count(False)
        note = f" {failed} still couldn't be sent: `/setup check` shows what's missing." if failed else ""
        await reply(
            interaction,
            f"{posts} share{'s' if posts != 1 else ''} will be posted shortly; "
            f"{len(sent) - failed} card{'s' if len(sent) - failed != 1 else ''} sent to moderators.{note}",
        )

    # -- /share-settings -------------------------------------------------------------------------------------

    @audience("admin")
    @app_commands.command(name="share-settings")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        queue="on: every share waits for a moderator in the share queue channel; off: posted directly",
        pseudonyms="per-share: a new name every time (default); per-author: the same name for each member",
        per_hour="How many shares one member may send per hour (1-60)",
        delay_min="Shortest random wait before posting, in seconds",
        delay_max="Longest random wait before posting, in seconds (0 turns timing protection off)",
        min_account_days="Accounts younger than this may not share",
        min_member_days="Members who joined more recently than this may not share",
    )
    async def share_settings(
        self,
        interaction: discord.Interaction,
        queue: Literal["on", "off"] | None = None,
        pseudonyms: Literal["per-share", "per-author"] | None = None,
        per_hour: app_commands.Range[int, 1, policy.MAX_PER_HOUR] | None = None,
        delay_min: app_commands.Range[int, 0, policy.MAX_DELAY_S] | None = None,
        delay_max: app_commands.Range[int, 0, policy.MAX_DELAY_S] | None = None,
        min_account_days: app_commands.Range[int, 0, policy.MAX_AGE_DAYS] | None = None,
        min_member_days: app_commands.Range[int, 0, policy.MAX_AGE_DAYS] | None = None,
    ) -> None:
        """Show or change how anonymous shares work here. Options you leave out stay as they are."""
        guild_id = self._guild_id(interaction)
        changes: dict[str, int | str | bool] = {}
        if queue is not None:
            changes["require_approval"] = queue == "on"
        if pseudonyms is not None:
            changes["pseudonym_mode"] = pseudonyms.replace("-", "_")
        for name, value in (
            ("per_hour", per_hour),
            ("delay_min_s", delay_min),
            ("delay_max_s", delay_max),
            ("min_account_age_days", min_account_days),
            ("min_member_age_days", min_member_days),
        ):
            if value is not None:
                changes[name] = value
        if changes:
            try:
                settings = await store.update_settings(self.bot.db, guild_id, changes)
            except ValueError as exc:
                raise UserFacingError(f"Nothing was changed: {exc}.") from exc
            log.info("Guild %s changed share settings: %s", guild_id, ", ".join(sorted(changes)))
        else:
            settings = await store.get_settings(self.bot.db, guild_id)
        self._settings[guild_id] = settings
        config = await self.bot.guild_config(guild_id)
        embed = settings_embed(
            settings.pseudonym_mode,
            settings.per_hour,
            (settings.delay_min_s, settings.delay_max_s),
            self._queue_on(settings, config),
            settings.require_approval,
            (settings.min_account_age_days, settings.min_member_age_days),
            await store.status_counts(self.bot.db, guild_id),
            await store.list_blocks(self.bot.db, guild_id),
        )
        await reply(interaction, "Saved." if changes else None, embed=embed)

    # -- jobs ------------------------------------------------------------------------------------------------

    async def _post_job(self, job: Job) -> None:
        share = await store.get_share(self.bot.db, store.share_id_from_job_ref(job.ref))
        if share is None or not share.is_postable or share.post_job_ref != job.ref:
            return
        guild = self.bot.get_guild(share.guild_id)
        if guild is None:
            log.warning("Share %s can't be posted: I'm no longer in guild %s", share.id, share.guild_id)
            return
        config = await self.bot.guild_config(guild.id)
        channel = guild.get_channel(config.shares_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            problem = Problem("Shares channel", "not set, or the channel no longer exists", "Run `/setup channels`.")
            await self._tell_admins(guild.id, share.id, [problem], "post")
            raise ShareStuckError(f"share {share.id}: no shares channel")
        perms = channel.permissions_for(guild.me)
        missing = [p for p in POST_NEEDS if not getattr(perms, p)]
        if missing:
            await self._tell_admins(guild.id, share.id, [missing_channel_permissions(channel.name, missing)], "post")
            raise ShareStuckError(f"share {share.id}: missing permissions in the shares channel")
        if job.attempts > 0:  # an earlier attempt may have reached Discord before the bot stopped
            earlier = await self._find_sent(channel, f"{PREFIX}:support:{share.id}")
            if earlier is not None:
                await store.mark_posted(self.bot.db, share.id, channel.id, earlier.id, now=self._now())
                return
        now = self._now()
        try:
            message = await channel.send(
                embeds=share_embeds(share, now),
                view=share_view(share),
                nonce=policy.post_nonce(share.id),
                allowed_mentions=NO_PINGS,
            )
        except discord.Forbidden:
            problem = Problem(
                f"#{channel.name}", "Discord refused to let me post there", "Check my role's permissions there."
            )
            await self._tell_admins(guild.id, share.id, [problem], "post")
            raise
        if not await store.mark_posted(self.bot.db, share.id, channel.id, message.id, now=now):
            current = await store.get_share(self.bot.db, share.id)
            if current is None or current.message_id != message.id:  # deleted or rejected while it was sent
                with contextlib.suppress(discord.HTTPException):
                    await message.delete()
                return
        log.info("Share %s posted in guild %s", share.id, guild.id)

    async def _find_sent(self, channel: discord.abc.Messageable, marker: str) -> discord.Message | None:
        """A message this bot already sent with a component or footer carrying ``marker``, among recent ones."""
        me = self.bot.user
        try:
            async for message in channel.history(limit=HISTORY_SCAN):
                if me is None or message.author.id != me.id:
                    continue
                footers = {e.footer.text for e in message.embeds if e.footer and e.footer.text}
                if marker in _custom_ids(message) or marker in footers:
                    return message
        except discord.HTTPException:
            return None
        return None

    async def _reply_job(self, job: Job) -> None:
        reply_ = await store.get_reply(self.bot.db, int(job.ref))
        if reply_ is None or reply_.status != "pending" or reply_.message_id is not None or reply_.body is None:
            return
        share = await store.get_share(self.bot.db, reply_.share_id)
        if share is None or share.status != "posted" or share.message_id is None or share.channel_id is None:
            return
        thread_id = share.thread_id or await self._open_thread(share)
        thread = self.bot.get_partial_messageable(thread_id, guild_id=share.guild_id)
        if job.attempts > 0:
            earlier = await self._find_sent(thread, reply_footer(reply_.id))
            if earlier is not None:
                await store.mark_reply_posted(self.bot.db, reply_.id, earlier.id)
                return
        message = await thread.send(
            embed=reply_embed(reply_.pseudonym or "Anonymous", reply_.body, reply_.id),
            allowed_mentions=NO_PINGS,
        )
        if not await store.mark_reply_posted(self.bot.db, reply_.id, message.id):
            with contextlib.suppress(discord.HTTPException):
                await message.delete()
            return
        log.info("Reply %s to share %s posted in guild %s", reply_.id, share.id, share.guild_id)

    async def _open_thread(self, share: Share) -> int:
        """The public thread on a posted share, opened at its first reply."""
        assert share.channel_id is not None and share.message_id is not None  # noqa: S101 - checked by caller
        starter = self.bot.get_partial_messageable(share.channel_id, guild_id=share.guild_id)
        try:
            thread = await starter.get_partial_message(share.message_id).create_thread(
                name=thread_name(share.id), auto_archive_duration=10080
            )
            thread_id = thread.id
        except discord.HTTPException as exc:
            if exc.code != 160004:  # "A thread has already been created for this message"
                raise
            thread_id = share.message_id  # a message's thread has the message's id
        await store.set_thread(self.bot.db, share.id, thread_id)
        return thread_id

    async def _delete_message(self, channel_id: int, message_id: int) -> None:
        with contextlib.suppress(discord.NotFound):
            await self.bot.get_partial_messageable(channel_id).get_partial_message(message_id).delete()

    async def _remove_job(self, job: Job) -> None:
        share = await store.get_share(self.bot.db, int(job.ref))
        if share is None or share.status not in ("deleted", "rejected"):
            return
        if share.message_id is not None and share.channel_id is not None:
            await self._delete_message(share.channel_id, share.message_id)
        if share.thread_id is not None:
            for message_id in await store.reply_message_ids(self.bot.db, share.id):
                await self._delete_message(share.thread_id, message_id)
            await self._close_thread(share.thread_id)
        if share.queue_message_id is not None:
            config = await self.bot.guild_config(share.guild_id)
            channel_id = self._review_channel_id(config)
            if channel_id is not None:
                what = "Deleted by its author" if share.status == "deleted" else "Taken down by a moderator"
                with contextlib.suppress(discord.NotFound):
                    card = self.bot.get_partial_messageable(channel_id).get_partial_message(share.queue_message_id)
                    await card.edit(
                        embeds=queue_embeds(share, decision=f"{what}; the text is wiped."),
                        view=queue_view(share.id, decided=True),
                        allowed_mentions=NO_PINGS,
                    )
        log.info("Share %s removed from Discord in guild %s", share.id, share.guild_id)

    async def _close_thread(self, thread_id: int) -> None:
        try:
            channel = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
        except discord.NotFound:
            return
        if isinstance(channel, discord.Thread):
            try:
                await channel.edit(archived=True, locked=True)
            except discord.Forbidden:  # locking needs Manage Threads; archiving alone does not
                await channel.edit(archived=True)

    async def _remove_reply_job(self, job: Job) -> None:
        reply_ = await store.get_reply(self.bot.db, int(job.ref))
        if reply_ is None or reply_.status != "deleted" or reply_.message_id is None:
            return
        share = await store.get_share(self.bot.db, reply_.share_id)
        if share is not None and share.thread_id is not None:
            await self._delete_message(share.thread_id, reply_.message_id)

    async def _queue_job(self, job: Job) -> None:
        share = await store.get_share(self.bot.db, int(job.ref))
        if share is None or share.status != "queued" or share.queue_message_id is not None:
            return
        config = await self.bot.guild_config(share.guild_id)
        channel = self._text_channel(share.guild_id, self._review_channel_id(config))
        if channel is None:
            log.warning("Share %s is held in guild %s, which has no review channel", share.id, share.guild_id)
            return  # `/share-mod retry` sends it once a channel is set
        message = await channel.send(embeds=queue_embeds(share), view=queue_view(share.id), allowed_mentions=NO_PINGS)
        if not await store.set_queue_message(self.bot.db, share.id, message.id):
            with contextlib.suppress(discord.HTTPException):  # decided or withdrawn meanwhile
                await message.delete()

    async def _care_job(self, job: Job) -> None:
        share = await store.get_share(self.bot.db, int(job.ref))
        if share is None or not share.needs_care or share.alert_message_id is not None:
            return
        config = await self.bot.guild_config(share.guild_id)
        channel = self._text_channel(share.guild_id, config.crisis_alert_channel_id)
        if channel is None:
            log.warning("Share %s needs care but guild %s has no crisis alerts channel", share.id, share.guild_id)
            return
        role = channel.guild.get_role(config.moderator_role_id or 0)
        review = self._review_channel_id(config)
        message = await channel.send(
            content=role.mention if role else None,
            embed=care_alert_embed(share.id, review, review == channel.id),
            allowed_mentions=discord.AllowedMentions(roles=[role]) if role else NO_PINGS,
        )
        await store.set_alert_message(self.bot.db, share.id, message.id)
        log.info("Care alert for share %s sent in guild %s", share.id, share.guild_id)

    async def _report_job(self, job: Job) -> None:
        report = await store.get_report(self.bot.db, int(job.ref))
        if report is None or report.status != "open" or report.message_id is not None:
            return
        config = await self.bot.guild_config(report.guild_id)
        channel = self._text_channel(report.guild_id, self._review_channel_id(config))
        if channel is None:
            log.warning("Report %s can't reach moderators in guild %s", report.id, report.guild_id)
            return
        share = await store.get_share(self.bot.db, report.share_id)
        message = await channel.send(
            embed=report_embed(report, share), view=report_view(report), allowed_mentions=NO_PINGS
        )
        await store.set_report_message(self.bot.db, report.id, message.id)

    async def _schedule_purge(self) -> None:
        due = _next_purge(self._now())
        await self.bot.scheduler.schedule(PURGE_JOB, due.date().isoformat(), due)

    async def _purge_job(self, job: Job) -> None:
        now = self._now()
        wiped = await store.purge_expired(self.bot.db, now - RETENTION, now=now)
        log.info("Retention sweep wiped %d shares: %s", len(wiped), ", ".join(str(s.id) for s in wiped[:50]))
        if wiped:
            await self._flush_removals(None)
        await self._schedule_purge()

    @commands.Cog.listener()
    async def on_user_data_deleted(self, user_id: int) -> None:
        # /privacy delete wiped this member's shares and replies; take down what is on Discord.
        await self._flush_removals(None)


def _not_yours(raw_id: str) -> UserFacingError:
    """One answer for "no such share" and "not yours", so trying ids reveals nothing."""
    return UserFacingError(
        f"I couldn't find a share `{excerpt(raw_id, 20)}` of yours in this server. `/shares mine` lists yours."
    )


def _with_count(share: Share, count: int) -> Share:
    return replace(share, support_count=count)
