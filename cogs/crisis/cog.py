"""`/crisis`, `/crisis-settings` and `/crisis-listener`.

The `/crisis` answer never waits on anything: the data is loaded and validated in `cog_load`, and
members' saved countries and server setups are held in memory, so a slow or locked database cannot
delay it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerBot
from bot.checks import audience
from bot.db import Database
from bot.errors import NotConfigured, UserFacingError
from bot.tasks import spawn
from bot.ui import reply
from cogs.crisis import countries, store
from cogs.crisis.answer import (
    CrisisCard,
    build_concern_card,
    build_crisis_card,
    build_listener_alert,
    listener_notice,
)
from cogs.crisis.lines import CrisisData, default_crisis_data
from cogs.crisis.matcher import MAX_PHRASE_LENGTH, Match, Matcher
from cogs.crisis.store import MemberPrefs
from cogs.crisis.views import INTENT_GUIDE, alert_embed, card_embed
from cogs.rota import roster
from cogs.rota.views import TalkToPeerButton, peer_view

log = logging.getLogger(__name__)

DM_COOLDOWN = timedelta(minutes=30)
Choices = list[app_commands.Choice[str]]


class Crisis(commands.Cog):
    """Crisis lines for every member, and a listener that answers explicit crisis statements privately."""

    settings = app_commands.Group(name="crisis-settings", description="Your own settings for /crisis.")
    listener_group = app_commands.Group(
        name="crisis-listener",
        description="The opt-in crisis listener (admins).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    phrases = app_commands.Group(
        name="phrases", description="Extra phrases the listener notices.", parent=listener_group
    )

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot
        self.data: CrisisData
        self.prefs: dict[int, MemberPrefs] = {}
        self.listened: dict[int, int] = {}
        self.matchers: dict[int, Matcher] = {}
        self.default_matcher: Matcher
        self._last_dm: dict[tuple[int, int], datetime] = {}

    async def cog_load(self) -> None:
        self.data = default_crisis_data()  # raises CrisisDataError: the bot must not start with broken crisis data
        self._cards: dict[str | None, CrisisCard] = {}  # /crisis answers by country code (a few hundred at most)
        self.prefs = await store.all_member_prefs(self.bot.db)
        self.listened = await store.listened_channels(self.bot.db)
        # Compiling the phrase list takes about a second: do it in a thread while the bot connects, instead
        # of delaying start-up. Everything that needs a matcher awaits it, so no message goes unread meanwhile.
        self._phrases = await store.all_phrases(self.bot.db)
        self._compiled = spawn(self._compile_matchers(), name="crisis-matchers")
        self.bot.user_data_deleters["crisis"] = self._delete_user_data
        self.bot.add_dynamic_items(TalkToPeerButton)
        log.info("Crisis data compiled %s loaded; listening in %d channels", self.data.compiled, len(self.listened))

    async def _compile_matchers(self) -> None:
        self.default_matcher = await asyncio.to_thread(Matcher)
        for guild_id, extra in self._phrases.items():
            self.matchers[guild_id] = await asyncio.to_thread(Matcher, extra)
        log.info("Crisis listener phrases compiled (%d servers with their own)", len(self.matchers))

    async def cog_unload(self) -> None:
        self.bot.user_data_deleters.pop("crisis", None)
        self._compiled.cancel()

    async def _delete_user_data(self, db: Database, user_id: int) -> int:
        self.prefs.pop(user_id, None)
        return await store.delete_user_data(db, user_id)

    # -- /crisis ---------------------------------------------------------------------------------------------

    def _country_for(self, interaction: discord.Interaction) -> str | None:
        prefs = self.prefs.get(interaction.user.id)
        if prefs is not None and prefs.country:
            return prefs.country
        if interaction.guild_id is not None:
            return self.bot.cached_guild_config(interaction.guild_id).country
        return None

    @audience("member")
    @app_commands.command(name="crisis")
    @app_commands.describe(country="Country for the lines (name or code). Leave empty to use your saved one.")
    async def crisis(self, interaction: discord.Interaction, country: str | None = None) -> None:
        """Crisis lines for your country, right now. Only you can see the answer."""
        note = None
        code = self._country_for(interaction)
        if country:
            chosen = countries.normalise_country(country)
            if chosen is None:
                shown = discord.utils.escape_markdown(country.strip()[:40])
                note = f"I don't recognise the country '{shown}', so here is help that works anywhere."
            code = chosen
        card = self._cards.get(code)
        if card is None:
            card = self._cards[code] = build_crisis_card(self.data, code)
        await interaction.response.send_message(
            content=note, embed=card_embed(card), view=peer_view(interaction.guild_id), ephemeral=True
        )
        log.info("Crisis card shown (guild %s)", interaction.guild_id)

    @crisis.autocomplete("country")
    async def _crisis_country(self, interaction: discord.Interaction, current: str) -> Choices:
        return country_choices(current)

    # -- /crisis-settings ------------------------------------------------------------------------------------

    async def _save_prefs(self, prefs: MemberPrefs) -> None:
        await store.save_member_prefs(self.bot.db, prefs)
        self.prefs[prefs.user_id] = prefs

    def _prefs(self, user_id: int) -> MemberPrefs:
        return self.prefs.get(user_id) or MemberPrefs(user_id)

    @audience("member")
    @settings.command(name="country")
    @app_commands.describe(country="Your country (name or code), e.g. United Kingdom or GB")
    async def set_country(self, interaction: discord.Interaction, country: str) -> None:
        """Save your country so /crisis shows its lines straight away."""
        code = countries.normalise_country(country)
        if code is None:
            shown = discord.utils.escape_markdown(country.strip()[:40])
            raise UserFacingError(
                f"I don't recognise the country '{shown}'. Pick one from the list, or a code like GB."
            )
        old = self._prefs(interaction.user.id)
        await self._save_prefs(MemberPrefs(old.user_id, code, old.quiet))
        await reply(
            interaction,
            f"Saved. `/crisis` will show lines for **{countries.country_name(code)}**. "
            "`/crisis-settings forget` removes it.",
        )

    @set_country.autocomplete("country")
    async def _settings_country(self, interaction: discord.Interaction, current: str) -> Choices:
        return country_choices(current)

    @audience("member")
    @settings.command(name="forget")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Forget your saved country."""
        old = self._prefs(interaction.user.id)
        await self._save_prefs(MemberPrefs(old.user_id, None, old.quiet))
        await reply(interaction, "Done: I no longer keep a country for you. `/crisis` uses the server's default.")

    @audience("member")
    @settings.command(name="quiet")
    @app_commands.describe(setting="on: no private replies from the crisis listener; off: replies again")
    async def quiet(self, interaction: discord.Interaction, setting: Literal["on", "off"]) -> None:
        """Turn the crisis listener's private replies to you on or off."""
        old = self._prefs(interaction.user.id)
        await self._save_prefs(MemberPrefs(old.user_id, old.country, setting == "on"))
        if setting == "on":
            await reply(
                interaction,
                "Okay, the listener won't message you. If it notices something, the support team is still told, "
                "so a person may check in. `/crisis` always works.",
            )
        else:
            await reply(interaction, "Okay, the listener may message you privately again if it notices something.")

    # -- /crisis-listener (admins) ---------------------------------------------------------------------------

    def matcher_for(self, guild_id: int) -> Matcher:
        """The server's matcher. In the second after start-up, before the background compile is done, it is
        compiled here (blocking once) rather than ever skipping a check; async code uses `ready_matcher`."""
        if not self._compiled.done():
            return Matcher(self._phrases.get(guild_id, ()))
        return self.matchers.get(guild_id, self.default_matcher)

    async def ready_matcher(self, guild_id: int) -> Matcher:
        await asyncio.shield(self._compiled)  # only waits in the first second after start-up
        return self.matchers.get(guild_id, self.default_matcher)

    @audience("admin")
    @listener_group.command(name="on")
    @app_commands.describe(channel="The channel to listen in")
    async def listen_on(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Switch the crisis listener on in a channel (it posts a notice there so members know)."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        if not self.bot.message_content_enabled:
            await reply(interaction, INTENT_GUIDE)
            return
        config = await self.bot.guild_config(interaction.guild_id)
        if config.crisis_alert_channel_id is None:
            raise NotConfigured("a crisis alerts channel", "/setup channels crisis_alerts:")
        if not channel.permissions_for(channel.guild.me).send_messages:
            raise UserFacingError(
                f"I can't post in {channel.mention}, so I can't tell members the listener is on there."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await store.listen_on(self.bot.db, interaction.guild_id, channel.id)
        self.listened[channel.id] = interaction.guild_id
        notice = await channel.send(listener_notice())
        await store.set_notice(self.bot.db, channel.id, notice.id)
        pinned = False
        with contextlib.suppress(discord.HTTPException):  # pinning is optional (needs Manage Messages)
            await notice.pin(reason="peerbot crisis listener notice")
            pinned = True
        await reply(
            interaction,
            f"The crisis listener is on in {channel.mention}. I posted {'and pinned ' if pinned else ''}a notice "
            "there so members know. It never deletes or punishes; it replies privately and alerts your team.",
        )

    @audience("admin")
    @listener_group.command(name="off")
    @app_commands.describe(channel="The channel to stop listening in")
    async def listen_off(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Switch the crisis listener off in a channel."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        if channel.id not in self.listened:
            raise UserFacingError(f"The listener isn't on in {channel.mention}.")
        notice_id = await store.listen_off(self.bot.db, interaction.guild_id, channel.id)
        self.listened.pop(channel.id, None)
        if notice_id is not None:
            with contextlib.suppress(discord.HTTPException):  # someone may have deleted it already
                await channel.get_partial_message(notice_id).delete()
        await reply(interaction, f"The crisis listener is off in {channel.mention}.")

    @audience("admin")
    @listener_group.command(name="test")
    @app_commands.describe(text="A message to try (it is not stored or logged)")
    async def test(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 2000]) -> None:
        """Check whether a message would trigger the listener, and which phrase."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        found = (await self.ready_matcher(interaction.guild_id)).match(text)
        if found is None:
            await reply(interaction, "No match: the listener would not react to that.")
            return
        phrase = discord.utils.escape_markdown(found.phrase)
        await reply(interaction, f"Match: the phrase **{phrase}** ({found.kind.value.replace('_', ' ')}).")

    @audience("admin")
    @phrases.command(name="add")
    @app_commands.describe(phrase="A phrase your community uses for being in crisis")
    async def phrase_add(
        self, interaction: discord.Interaction, phrase: app_commands.Range[str, 2, MAX_PHRASE_LENGTH]
    ) -> None:
        """Add a phrase the listener should notice in this server."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        if not Matcher([phrase]).extra_phrases:
            raise UserFacingError("That phrase has no letters I can match. Try words, like `feel like giving up`.")
        if not await store.add_phrase(self.bot.db, interaction.guild_id, phrase.strip()):
            raise UserFacingError("That phrase is already on the list.")
        await self._reload_phrases(interaction.guild_id)
        await reply(interaction, f"Added. The listener now also notices **{discord.utils.escape_markdown(phrase)}**.")

    @audience("admin")
    @phrases.command(name="remove")
    @app_commands.describe(phrase="The phrase to remove")
    async def phrase_remove(self, interaction: discord.Interaction, phrase: str) -> None:
        """Remove one of this server's extra phrases."""
        assert interaction.guild_id is not None  # noqa: S101 - guild_only group
        if not await store.remove_phrase(self.bot.db, interaction.guild_id, phrase.strip()):
            raise UserFacingError("That phrase isn't on this server's list. `/crisis-listener phrases list` shows it.")
        await self._reload_phrases(interaction.guild_id)
        await reply(interaction, "Removed.")

    @phrase_remove.autocomplete("phrase")
    async def _phrase_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        await asyncio.shield(self._compiled)
        mine = self.matchers.get(interaction.guild_id or 0)
        names = mine.extra_phrases if mine else ()
        return [app_commands.Choice(name=p[:100], value=p) for p in names if current.casefold() in p.casefold()][:25]

    @audience("admin")
    @phrases.command(name="list")
    async def phrase_list(self, interaction: discord.Interaction) -> None:
        """List this server's extra phrases (the built-in list always applies too)."""
        await asyncio.shield(self._compiled)
        mine = self.matchers.get(interaction.guild_id or 0)
        if mine is None or not mine.extra_phrases:
            await reply(interaction, "No extra phrases yet; the built-in list applies. Add one with `phrases add`.")
            return
        listed = "\n".join(f"• {discord.utils.escape_markdown(p)}" for p in mine.extra_phrases)
        await reply(interaction, f"Extra phrases (the built-in list applies too):\n{listed}"[:1900])

    async def _reload_phrases(self, guild_id: int) -> None:
        await asyncio.shield(self._compiled)  # or the start-up compile could overwrite this newer list
        phrases = (await store.all_phrases(self.bot.db)).get(guild_id, [])
        self._phrases[guild_id] = phrases
        if phrases:
            self.matchers[guild_id] = await asyncio.to_thread(Matcher, phrases)
        else:
            self.matchers.pop(guild_id, None)

    # -- the listener ----------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or not message.content:
            return
        parent_id = getattr(message.channel, "parent_id", None)
        if message.channel.id not in self.listened and parent_id not in self.listened:
            return
        found = (await self.ready_matcher(message.guild.id)).match(message.content)
        if found is not None:
            await self._answer_match(message, found)

    async def _answer_match(self, message: discord.Message, found: Match) -> None:
        assert message.guild is not None  # noqa: S101 - checked by the caller
        guild_id, user_id = message.guild.id, message.author.id
        prefs = self._prefs(user_id)
        now = self.bot.clock.now()
        recent = self._last_dm.get((guild_id, user_id))
        dm_delivered: bool | None = None
        if not prefs.quiet and (recent is None or now - recent >= DM_COOLDOWN):
            dm_delivered = await self._dm_member(message, found, prefs.country)
            if dm_delivered:
                self._last_dm[(guild_id, user_id)] = now
        await self._alert_staff(message, found, dm_delivered)

    async def _dm_member(self, message: discord.Message, found: Match, country: str | None) -> bool:
        assert message.guild is not None  # noqa: S101 - checked by the caller
        code = country or self.bot.cached_guild_config(message.guild.id).country
        card = (
            build_crisis_card(self.data, code, noticed=True)
            if found.about_self
            else build_concern_card(self.data, code)
        )
        try:
            await message.author.send(embed=card_embed(card), view=peer_view(message.guild.id))
        except discord.HTTPException:
            log.info("Could not DM a member after a listener match (guild %s)", message.guild.id)
            return False
        return True

    async def _alert_staff(self, message: discord.Message, found: Match, dm_delivered: bool | None) -> None:
        guild = message.guild
        assert guild is not None  # noqa: S101 - checked by the caller
        config = self.bot.cached_guild_config(guild.id)
        channel = guild.get_channel(config.crisis_alert_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            log.warning("Crisis listener matched in guild %s but no crisis alerts channel is set", guild.id)
            return
        role_id = config.on_duty_role_id if await self._anyone_on_duty(guild.id) else None
        role = guild.get_role(role_id or config.moderator_role_id or 0)
        alert = build_listener_alert(
            member=message.author.mention,
            channel=getattr(message.channel, "mention", None),
            jump_url=message.jump_url,
            about_someone_else=not found.about_self,
        )
        try:
            await channel.send(
                content=role.mention if role else None,
                embed=alert_embed(alert, dm_delivered),
                allowed_mentions=discord.AllowedMentions(roles=[role] if role else False),
            )
        except discord.HTTPException:
            log.exception("Could not post a crisis alert in guild %s", guild.id)

    async def _anyone_on_duty(self, guild_id: int) -> bool:
        try:
            return bool(await roster.on_duty_blocks(self.bot.db, guild_id, self.bot.clock.now()))
        except Exception:  # the alert must still go out: fall back to the moderators
            log.exception("Could not read who is on duty in guild %s", guild_id)
            return False


def country_choices(current: str) -> Choices:
    return [app_commands.Choice(name=f"{name} ({code})"[:100], value=code) for code, name in countries.search(current)]
