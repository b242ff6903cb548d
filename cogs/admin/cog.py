"""`/setup ...` for admins, and a welcome when the bot joins a server."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerBot
from bot.checks import audience
from bot.errors import UserFacingError
from bot.store import GuildConfig
from bot.ui import reply
from cogs.admin import views
from cogs.admin.checklist import (
    CHANNEL_NEEDS,
    GUILD_NEEDS,
    ROLE_LABELS,
    Problem,
    missing_channel_permissions,
    permission_label,
)
from cogs.crisis import countries
from cogs.rota.timeparse import ParseError, parse_timezone, search_timezones

log = logging.getLogger(__name__)

TextChannel = discord.TextChannel
Choices = list[app_commands.Choice[str]]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(
    commands.GroupCog,
    group_name="setup",
    group_description="Set up peerbot for this server (admins).",
    group_extras={"audience": "admin"},
):
    """Server setup for admins: where each feature posts, which roles mean what, and a permission check."""

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot

    @audience("admin")
    @app_commands.command(name="channels")
    @app_commands.describe(
        shares="Where anonymous shares are posted",
        share_queue="Private channel where moderators review shares",
        groups="Where support-group announcements go",
        volunteers="Private channel for volunteers (duty, cover requests, peer requests)",
        peer_support="Channel under which private peer conversations are opened as threads",
        crisis_alerts="Private staff channel for crisis alerts",
    )
    async def channels(
        self,
        interaction: discord.Interaction,
        shares: TextChannel | None = None,
        share_queue: TextChannel | None = None,
        groups: TextChannel | None = None,
        volunteers: TextChannel | None = None,
        peer_support: TextChannel | None = None,
        crisis_alerts: TextChannel | None = None,
    ) -> None:
        """Choose the channels peerbot uses. Options you leave out stay as they are."""
        chosen = {
            "shares_channel_id": shares,
            "share_queue_channel_id": share_queue,
            "groups_channel_id": groups,
            "volunteers_channel_id": volunteers,
            "peer_channel_id": peer_support,
            "crisis_alert_channel_id": crisis_alerts,
        }
        await self._save(interaction, {k: v.id for k, v in chosen.items() if v is not None})

    @audience("admin")
    @app_commands.command(name="roles")
    @app_commands.describe(
        volunteer="Trained peer volunteers",
        on_duty="Given to volunteers while they are on duty (I must be able to manage it)",
        facilitator="People who run support groups",
        moderator="People who review shares and receive escalations",
    )
    async def roles(
        self,
        interaction: discord.Interaction,
        volunteer: discord.Role | None = None,
        on_duty: discord.Role | None = None,
        facilitator: discord.Role | None = None,
        moderator: discord.Role | None = None,
    ) -> None:
        """Choose the roles peerbot uses. Options you leave out stay as they are."""
        chosen = {
            "volunteer_role_id": volunteer,
            "on_duty_role_id": on_duty,
            "facilitator_role_id": facilitator,
            "moderator_role_id": moderator,
        }
        for role in chosen.values():
            if role is not None and (role.is_default() or role.managed):
                raise UserFacingError(f"{role.mention} can't be used here: pick a normal role you created.")
        await self._save(interaction, {k: v.id for k, v in chosen.items() if v is not None})

    @audience("admin")
    @app_commands.command(name="region")
    @app_commands.describe(
        timezone="The server's time zone, e.g. Europe/London (used for rotas and groups)",
        country="Default country for crisis lines, e.g. GB (members can choose their own)",
    )
    async def region(
        self, interaction: discord.Interaction, timezone: str | None = None, country: str | None = None
    ) -> None:
        """Set the server's time zone and default country."""
        changes: dict[str, int | str | None] = {}
        if timezone is not None:
            try:
                changes["timezone"] = parse_timezone(timezone)
            except ParseError as exc:
                raise UserFacingError(str(exc)) from exc
        if country is not None:
            code = countries.normalise_country(country)
            if code is None:
                raise UserFacingError(
                    f"I don't recognise the country '{country[:40]}'. Pick one from the list, or a code like GB."
                )
            changes["country"] = code
        await self._save(interaction, changes)

    @region.autocomplete("timezone")
    async def _timezone_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        return [app_commands.Choice(name=z, value=z) for z in search_timezones(current)]

    @region.autocomplete("country")
    async def _country_autocomplete(self, interaction: discord.Interaction, current: str) -> Choices:
        return [app_commands.Choice(name=f"{name} ({code})", value=code) for code, name in countries.search(current)]

    @audience("admin")
    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction) -> None:
        """Show this server's peerbot setup."""
        assert interaction.guild_id is not None  # noqa: S101 - the audience check refuses DMs
        config = await self.bot.guild_config(interaction.guild_id)
        await reply(interaction, embed=views.config_embed(config))

    @audience("admin")
    @app_commands.command(name="check")
    async def check(self, interaction: discord.Interaction) -> None:
        """Check that I have the permissions I need in every configured channel and role."""
        guild = interaction.guild
        assert guild is not None  # noqa: S101 - the audience check refuses DMs
        config = await self.bot.guild_config(guild.id)
        await reply(interaction, embed=views.check_embed(find_problems(guild, config)))

    async def _save(self, interaction: discord.Interaction, changes: dict[str, int | str | None]) -> None:
        assert interaction.guild_id is not None  # noqa: S101 - the audience check refuses DMs
        if not changes:
            raise UserFacingError("Nothing to change: pick at least one option. `/setup show` shows the current setup.")
        config = await self.bot.update_guild_config(interaction.guild_id, changes)
        log.info("Guild %s updated setup: %s", interaction.guild_id, ", ".join(sorted(changes)))
        await reply(interaction, "Saved. Here's the setup now:", embed=views.config_embed(config))

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        channel = guild.system_channel
        if channel is None or not channel.permissions_for(guild.me).send_messages:
            return
        try:
            await channel.send(views.WELCOME)
        except discord.HTTPException:
            log.info("Could not post the welcome in guild %s", guild.id)


def find_problems(guild: discord.Guild, config: GuildConfig) -> list[Problem]:
    """Every missing channel, role or permission, each with its fix."""
    problems: list[Problem] = []
    me = guild.me
    for setting, (label, needs) in CHANNEL_NEEDS.items():
        channel_id = getattr(config, setting)
        if channel_id is None:
            problems.append(Problem(label, "not set", f"Run `/setup channels` and choose the {label.lower()} channel."))
            continue
        channel = guild.get_channel(channel_id)
        if channel is None:
            problems.append(Problem(label, "the channel no longer exists", "Choose another with `/setup channels`."))
            continue
        perms = channel.permissions_for(me)
        missing = [p for p in needs if not getattr(perms, p)]
        if missing:
            problems.append(missing_channel_permissions(channel.name, missing))
    for perm, why in GUILD_NEEDS.items():
        if not getattr(me.guild_permissions, perm):
            problems.append(
                Problem("Server", f"I'm missing {permission_label(perm)} ({why})", "Server Settings > Roles > my role.")
            )
    for setting, label in ROLE_LABELS.items():
        role_id = getattr(config, setting)
        role = guild.get_role(role_id) if role_id else None
        if role_id is None:
            problems.append(Problem(f"{label} role", "not set", "Run `/setup roles`."))
        elif role is None:
            problems.append(Problem(f"{label} role", "the role no longer exists", "Choose another: `/setup roles`."))
        elif setting == "on_duty_role_id" and role >= me.top_role:
            problems.append(
                Problem(
                    f"{label} role",
                    f"{role.mention} is above my highest role, so I can't give or remove it",
                    "Server Settings > Roles: drag my role above it.",
                )
            )
        elif setting == "on_duty_role_id" and not (role.mentionable or me.guild_permissions.mention_everyone):
            problems.append(
                Problem(
                    f"{label} role",
                    f"I can't ping {role.mention} in alerts",
                    "Make the role mentionable (Server Settings > Roles > Allow anyone to @mention), "
                    "or give my role Mention @everyone, @here, and All Roles.",
                )
            )
    return problems
