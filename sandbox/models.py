"""In-memory model of the fake Discord: plain dataclasses plus a snowflake generator.

These hold state only; JSON shapes live in :mod:`sandbox.serialize` and rules in :mod:`sandbox.state`.
"""

from __future__ import annotations

import datetime as dt
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.textual import message_text

DISCORD_EPOCH_MS = 1_420_070_400_000

# Channel types (API v10).
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_STAGE_VOICE = 13
GUILD_FORUM = 15
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
TEXT_LIKE = frozenset({GUILD_TEXT, GUILD_VOICE, GUILD_ANNOUNCEMENT, GUILD_STAGE_VOICE, *THREAD_TYPES, DM})


def iso(moment: dt.datetime | None = None) -> str:
    """An ISO-8601 timestamp in UTC, the format Discord uses."""
    return (moment or dt.datetime.now(dt.UTC)).isoformat()


class SnowflakeGenerator:
    """Generates strictly increasing snowflakes that embed the current time, like Discord's."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A new snowflake, larger than any returned before."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | (1 << 17) | (1 << 12)
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass
class User:
    """A Discord user (the bot user is one too)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    avatar: str | None = None
    locale: str = "en-US"

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id and position 0."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class Overwrite:
    """A channel permission overwrite; type 0 targets a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class ThreadMeta:
    """thread_metadata of a thread channel."""

    archive_timestamp: str
    create_timestamp: str
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    invitable: bool | None = None


@dataclass
class Channel:
    """Any channel: guild text/voice/category/stage/forum, a thread, or a DM."""

    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    last_pin_timestamp: str | None = None
    recipient_ids: list[int] = field(default_factory=list)
    owner_id: int | None = None
    thread: ThreadMeta | None = None
    thread_members: dict[int, str] = field(default_factory=dict)
    message_count: int = 0
    total_message_sent: int = 0
    flags: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class Member:
    """A user's membership of a guild; ``roles`` excludes @everyone, as in the API."""

    guild_id: int
    user_id: int
    joined_at: str
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    pending: bool = False
    communication_disabled_until: str | None = None
    flags: int = 0


@dataclass
class ScheduledEvent:
    """A guild scheduled event (entity_type 1 stage, 2 voice, 3 external)."""

    id: int
    guild_id: int
    name: str
    creator_id: int
    scheduled_start_time: str
    entity_type: int
    scheduled_end_time: str | None = None
    channel_id: int | None = None
    description: str | None = None
    entity_metadata: dict[str, Any] | None = None
    privacy_level: int = 2
    status: int = 1
    image: str | None = None
    recurrence_rule: dict[str, Any] | None = None
    user_ids: set[int] = field(default_factory=set)


@dataclass
class Guild:
    """A guild and everything in it.  The @everyone role's id equals the guild id."""

    id: int
    name: str
    owner_id: int
    joined_at: str
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    events: dict[int, ScheduledEvent] = field(default_factory=dict)
    system_channel_id: int | None = None
    bot_role_id: int | None = None
    description: str | None = None
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]


@dataclass
class Attachment:
    """A stored file: what the bot uploaded, or what a test user attached to a command."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def text(self, encoding: str = "utf-8") -> str:
        """The attachment's bytes decoded as text (for .ics, .csv, .txt files)."""
        return self.data.decode(encoding)

    def image_size(self) -> tuple[int, int] | None:
        """(width, height) when the data is a PNG, else None."""
        if self.data[:8] != b"\x89PNG\r\n\x1a\n" or len(self.data) < 24:
            return None
        width, height = struct.unpack(">II", self.data[16:24])
        return int(width), int(height)


@dataclass
class Message:
    """A message in a channel, including interaction responses (ephemeral ones are never listed)."""

    id: int
    channel_id: int
    author_id: int
    timestamp: str
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    pinned: bool = False
    tts: bool = False
    edited_timestamp: str | None = None
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    allowed_mentions: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None
    nonce: str | int | None = None
    reactions: dict[str, set[int]] = field(default_factory=dict)
    thread_id: int | None = None
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    def text(self) -> str:
        """Content plus the readable text of embeds and text-display components."""
        return message_text(self.content, self.embeds, self.components)
