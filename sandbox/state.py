"""The fake's world: users, guilds, channels, members, messages, plus lookups and permission queries.

Every mutation that Discord would announce on the gateway is reported to ``World.listeners`` as a
:class:`Dispatch`; the gateway hub decides which sessions receive it (intents, shards).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import unknown
from sandbox.flags import DEFAULT_BOT, DM_PERMISSIONS, AppFlag, Perm
from sandbox.models import DM, Attachment, Channel, Guild, Member, Message, Role, SnowflakeGenerator, User
from sandbox.permissions import base_permissions, channel_permissions, highest_position


@dataclass
class Config:
    """Knobs of a FakeDiscord instance (see FakeDiscord.__init__ for their meaning)."""

    message_content_allowed: bool = False
    members_allowed: bool = False
    presences_allowed: bool = False
    bot_name: str = "peerbot"
    bot_permissions: int = DEFAULT_BOT
    heartbeat_interval: int = 41250
    interaction_ack_timeout: float = 3.0
    token: str = field(default_factory=lambda: "fake." + secrets.token_urlsafe(24))


@dataclass
class Dispatch:
    """A gateway event produced by a state change.

    ``intents`` is the set of intents of which a session needs at least one (0 = always sent);
    ``content_gated`` marks message payloads whose content is hidden without MESSAGE_CONTENT.
    """

    event: str
    data: dict[str, Any]
    guild_id: int | None = None
    intents: int = 0
    content_gated: bool = False


Listener = Callable[[Dispatch], None]


class World:
    """All in-memory state of the fake Discord."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.snowflakes = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channel_by_user: dict[int, int] = {}
        self.listeners: list[Listener] = []
        self.base_url = "http://127.0.0.1:0"
        self.bot_user = self.add_user(config.bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner_id = self.add_user(f"{config.bot_name}-owner").id

    # -- events -------------------------------------------------------------------------------
    def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None = None, intents: int = 0) -> None:
        """Announce a state change to the gateway."""
        self.emit(Dispatch(event, data, guild_id, intents))

    def emit(self, item: Dispatch) -> None:
        for listener in list(self.listeners):
            listener(item)

    @property
    def app_flags(self) -> int:
        flags = int(AppFlag.APPLICATION_COMMAND_BADGE)
        if self.config.message_content_allowed:
            flags |= AppFlag.GATEWAY_MESSAGE_CONTENT_LIMITED
        if self.config.members_allowed:
            flags |= AppFlag.GATEWAY_GUILD_MEMBERS_LIMITED
        if self.config.presences_allowed:
            flags |= AppFlag.GATEWAY_PRESENCE_LIMITED
        return flags

    def new_id(self) -> int:
        return self.snowflakes.next()

    # -- creation of plain records ------------------------------------------------------------
    def add_user(
        self, username: str, *, bot: bool = False, dms_closed: bool = False, global_name: str | None = None
    ) -> User:
        """Create a user that is not (yet) in any guild."""
        user = User(self.new_id(), username, global_name=global_name, bot=bot, dms_closed=dms_closed)
        self.users[user.id] = user
        return user

    def dm_channel(self, user_id: int) -> Channel:
        """The DM channel between the bot and ``user_id``, created on first use."""
        existing = self.dm_channel_by_user.get(user_id)
        if existing is not None:
            return self.channels[existing]
        self.user(user_id)
        ch = Channel(self.new_id(), DM, None, recipient_ids=[user_id])
        self.channels[ch.id] = ch
        self.dm_channel_by_user[user_id] = ch.id
        return ch

    # -- lookups (raise the ApiError Discord would) --------------------------------------------
    def user(self, user_id: int) -> User:
        found = self.users.get(user_id)
        if found is None:
            raise unknown("User")
        return found

    def guild(self, guild_id: int) -> Guild:
        found = self.guilds.get(guild_id)
        if found is None:
            raise unknown("Guild")
        return found

    def channel(self, channel_id: int) -> Channel:
        found = self.channels.get(channel_id)
        if found is None:
            raise unknown("Channel")
        return found

    def member(self, guild_id: int, user_id: int) -> Member:
        found = self.guild(guild_id).members.get(user_id)
        if found is None:
            raise unknown("Member")
        return found

    def role(self, guild_id: int, role_id: int) -> Role:
        found = self.guild(guild_id).roles.get(role_id)
        if found is None:
            raise unknown("Role")
        return found

    def message(self, channel_id: int, message_id: int) -> Message:
        found = self.messages.get(message_id)
        if found is None or found.deleted or found.channel_id != channel_id:
            raise unknown("Message")
        return found

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def bot_member(self, guild_id: int) -> Member:
        return self.member(guild_id, self.bot_user.id)

    # -- permissions ------------------------------------------------------------------------
    def guild_permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guild(guild_id)
        return base_permissions(guild, self.member(guild_id, user_id))

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """Permissions of a user in a channel (DM channels: what Discord grants in DMs)."""
        guild = self.guild_of(channel)
        if guild is None:
            return DM_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        parent = self.channels.get(channel.parent_id) if channel.parent_id else None
        return channel_permissions(guild, member, channel, parent)

    def bot_permissions_in(self, channel: Channel) -> int:
        return self.channel_permissions(channel, self.bot_user.id)

    def bot_top_position(self, guild_id: int) -> int:
        guild = self.guild(guild_id)
        return highest_position(guild, self.bot_member(guild_id))

    def can_view(self, channel: Channel, user_id: int) -> bool:
        """Whether a user can see a channel (private threads need membership or MANAGE_THREADS)."""
        perms = self.channel_permissions(channel, user_id)
        if not perms & Perm.VIEW_CHANNEL:
            return False
        if channel.type == 12 and user_id not in channel.thread_members:
            return bool(perms & Perm.MANAGE_THREADS)
        if channel.type == DM:
            return user_id in channel.recipient_ids or user_id == self.bot_user.id
        return True

    # -- listing helpers used by tests --------------------------------------------------------
    def channel_messages(self, channel_id: int) -> list[Message]:
        """Non-deleted, non-ephemeral messages of a channel, oldest first."""
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted and not m.ephemeral]

    def guild_channels(self, guild: Guild) -> list[Channel]:
        return [self.channels[c] for c in guild.channel_ids if not self.channels[c].is_thread]

    def guild_threads(self, guild: Guild) -> list[Channel]:
        return [self.channels[c] for c in guild.channel_ids if self.channels[c].is_thread]
