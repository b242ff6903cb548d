"""Serializers producing complete Discord API v10 JSON objects that discord.py can parse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.models import (
    DM,
    GUILD_CATEGORY,
    GUILD_STAGE_VOICE,
    GUILD_VOICE,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
)

if TYPE_CHECKING:
    from sandbox.state import World

JSON = dict[str, Any]


def user_json(user: User) -> JSON:
    """A public user object."""
    data: JSON = {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": user.avatar,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
        "collectibles": None,
    }
    if user.bot:
        data["bot"] = True
    return data


def self_user_json(user: User) -> JSON:
    """The current user object returned by /users/@me and READY."""
    return {**user_json(user), "verified": True, "mfa_enabled": False, "email": None, "locale": user.locale}


def role_json(role: Role) -> JSON:
    """A role object."""
    data: JSON = {
        "id": str(role.id),
        "name": role.name,
        "description": None,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": str(role.bot_id)}
    return data


def overwrite_json(ow: Overwrite) -> JSON:
    return {"id": str(ow.id), "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}


def channel_json(ch: Channel, world: World, *, include_guild_id: bool = True) -> JSON:
    """A channel object for any channel type (DMs, guild channels and threads)."""
    if ch.type == DM:
        return _dm_json(ch, world)
    data: JSON = {
        "id": str(ch.id),
        "type": ch.type,
        "name": ch.name,
        "position": ch.position,
        "flags": ch.flags,
        "parent_id": str(ch.parent_id) if ch.parent_id else None,
        "nsfw": ch.nsfw,
        "permission_overwrites": [overwrite_json(ow) for ow in ch.overwrites],
    }
    if include_guild_id:
        data["guild_id"] = str(ch.guild_id)
    if ch.is_thread:
        return _thread_json(ch, data, world)
    if ch.type != GUILD_CATEGORY:
        data.update(
            topic=ch.topic,
            rate_limit_per_user=ch.rate_limit_per_user,
            last_message_id=str(ch.last_message_id) if ch.last_message_id else None,
            last_pin_timestamp=ch.last_pin_timestamp,
        )
    if ch.type in (GUILD_VOICE, GUILD_STAGE_VOICE):
        data.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
    else:
        data["default_auto_archive_duration"] = 1440
    return data


def _dm_json(ch: Channel, world: World) -> JSON:
    return {
        "id": str(ch.id),
        "type": DM,
        "flags": 0,
        "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
        "recipients": [user_json(world.users[uid]) for uid in ch.recipient_ids],
    }


def _thread_json(ch: Channel, data: JSON, world: World) -> JSON:
    meta = ch.thread
    if meta is None:
        raise ValueError(f"thread {ch.id} has no thread metadata")
    thread_meta: JSON = {
        "archived": meta.archived,
        "auto_archive_duration": meta.auto_archive_duration,
        "archive_timestamp": meta.archive_timestamp,
        "locked": meta.locked,
        "create_timestamp": meta.create_timestamp,
    }
    if meta.invitable is not None:
        thread_meta["invitable"] = meta.invitable
    data.update(
        owner_id=str(ch.owner_id),
        last_message_id=str(ch.last_message_id) if ch.last_message_id else None,
        rate_limit_per_user=ch.rate_limit_per_user,
        message_count=ch.message_count,
        member_count=min(len(ch.thread_members), 50),
        total_message_sent=ch.total_message_sent,
        thread_metadata=thread_meta,
        applied_tags=[],
    )
    data.pop("position", None)
    data.pop("permission_overwrites", None)
    if world.bot_user.id in ch.thread_members:
        data["member"] = thread_member_json(ch, world.bot_user.id, world, with_ids=False)
    return data


def thread_member_json(
    ch: Channel, user_id: int, world: World, *, with_ids: bool = True, with_member: bool = False
) -> JSON:
    """A thread member object (optionally with the guild member, as in THREAD_MEMBERS_UPDATE)."""
    data: JSON = {"join_timestamp": ch.thread_members[user_id], "flags": 0}
    if with_ids:
        data.update(id=str(ch.id), user_id=str(user_id))
    if with_member and ch.guild_id is not None:
        member = world.guilds[ch.guild_id].members.get(user_id)
        if member is not None:
            data["member"] = member_json(member, world)
    return data


def member_json(member: Member, world: World, *, include_user: bool = True) -> JSON:
    """A guild member object."""
    data: JSON = {
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in member.roles],
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": member.flags,
        "pending": member.pending,
        "communication_disabled_until": member.communication_disabled_until,
    }
    if include_user:
        data["user"] = user_json(world.users[member.user_id])
    return data


def guild_json(guild: Guild, world: World) -> JSON:
    """The REST guild object (GET /guilds/{id})."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_json(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)],
        "emojis": [],
        "stickers": [],
        "features": list(guild.features),
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": str(guild.system_channel_id) if guild.system_channel_id else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "description": guild.description,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.preferred_locale,
        "public_updates_channel_id": None,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "safety_alerts_channel_id": None,
        "incidents_data": None,
    }


def attachment_json(att: Attachment) -> JSON:
    """An attachment object; image attachments get width/height."""
    data: JSON = {
        "id": str(att.id),
        "filename": att.filename,
        "size": att.size,
        "url": att.url,
        "proxy_url": att.url,
        "content_type": att.content_type,
        "description": att.description,
        "flags": 0,
    }
    dims = att.image_size()
    if dims is not None:
        data["width"], data["height"] = dims
    if att.ephemeral:
        data["ephemeral"] = True
    return data


def reactions_json(msg: Message, bot_id: int) -> list[JSON]:
    """The reactions array of a message, one entry per emoji."""
    out: list[JSON] = []
    for emoji, users in msg.reactions.items():
        if not users:
            continue
        name, _, emoji_id = emoji.partition(":")
        out.append(
            {
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": bot_id in users,
                "me_burst": False,
                "burst_colors": [],
                "emoji": {"id": emoji_id or None, "name": name},
            }
        )
    return out


def message_json(msg: Message, world: World) -> JSON:
    """A complete message object as REST returns it (content always present)."""
    data: JSON = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "author": user_json(world.users[msg.author_id]),
        "content": msg.content,
        "timestamp": msg.timestamp,
        "edited_timestamp": msg.edited_timestamp,
        "tts": msg.tts,
        "mention_everyone": msg.mention_everyone,
        "mentions": [user_json(world.users[u]) for u in msg.mention_ids if u in world.users],
        "mention_roles": [str(r) for r in msg.mention_role_ids],
        "attachments": [attachment_json(a) for a in msg.attachments],
        "embeds": list(msg.embeds),
        "components": list(msg.components),
        "pinned": msg.pinned,
        "type": msg.type,
        "flags": msg.flags,
    }
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
    _message_extras(msg, data, world)
    return data


def _message_extras(msg: Message, data: JSON, world: World) -> None:
    if msg.webhook_id is not None:
        data["webhook_id"] = str(msg.webhook_id)
    if msg.application_id is not None:
        data["application_id"] = str(msg.application_id)
    if msg.interaction_metadata is not None:
        data["interaction_metadata"] = msg.interaction_metadata
    if msg.message_reference is not None:
        data["message_reference"] = msg.message_reference
    if msg.poll is not None:
        data["poll"] = msg.poll
    if msg.nonce is not None:
        data["nonce"] = msg.nonce
    if msg.reactions:
        data["reactions"] = reactions_json(msg, world.bot_user.id)
    if msg.thread_id is not None and msg.thread_id in world.channels:
        data["thread"] = channel_json(world.channels[msg.thread_id], world)


def event_json(event: ScheduledEvent, world: World, *, with_user_count: bool = False) -> JSON:
    """A guild scheduled event object."""
    data: JSON = {
        "id": str(event.id),
        "guild_id": str(event.guild_id),
        "channel_id": str(event.channel_id) if event.channel_id else None,
        "creator_id": str(event.creator_id),
        "creator": user_json(world.users[event.creator_id]),
        "name": event.name,
        "description": event.description,
        "scheduled_start_time": event.scheduled_start_time,
        "scheduled_end_time": event.scheduled_end_time,
        "privacy_level": event.privacy_level,
        "status": event.status,
        "entity_type": event.entity_type,
        "entity_id": str(event.channel_id) if event.channel_id and event.entity_type in (1, 2) else None,
        "entity_metadata": event.entity_metadata,
        "image": event.image,
        "recurrence_rule": event.recurrence_rule,
    }
    if with_user_count:
        data["user_count"] = len(event.user_ids)
    return data


def application_json(world: World) -> JSON:
    """The application object for /oauth2/applications/@me."""
    owner = world.users[world.owner_id]
    return {
        "id": str(world.application_id),
        "name": world.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": world.app_flags,
        "owner": user_json(owner),
        "team": None,
        "bot": user_json(world.bot_user),
        "hook": True,
        "is_monetized": False,
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "install_params": None,
        "integration_types_config": {"0": {}},
        "approximate_guild_count": len(world.guilds),
        "redirect_uris": [],
        "tags": [],
        "custom_install_url": None,
        "terms_of_service_url": None,
        "privacy_policy_url": None,
        "rpc_origins": [],
    }
