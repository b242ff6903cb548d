"""REST routes for channels, messages, pins, reactions and DM channels."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aiohttp import web

from sandbox import messages, serialize
from sandbox.backend import backend, require, snowflake
from sandbox.errors import ApiError, missing_access, missing_permissions, unknown
from sandbox.flags import Intent, Perm
from sandbox.guilds import announce_channel
from sandbox.http import json_response, no_content, read_payload
from sandbox.models import DM, TEXT_LIKE, Channel, Message, iso
from sandbox.state import World


def visible_channel(world: World, channel_id: int) -> Channel:
    """A channel the bot can see: 404 when unknown, 403 Missing Access when hidden."""
    ch = world.channel(channel_id)
    require(world.can_view(ch, world.bot_user.id), missing_access())
    return ch


def check_can_send(world: World, ch: Channel, has_files: bool) -> None:
    """Discord's checks before a bot may post in a channel (raises the matching ApiError)."""
    if ch.type == DM:
        recipient = world.users[ch.recipient_ids[0]]
        require(
            not recipient.dms_closed and not recipient.bot, ApiError(403, 50007, "Cannot send messages to this user")
        )
        return
    require(ch.type in TEXT_LIKE, ApiError(400, 50008, "Cannot send messages in a non-text channel"))
    perms = world.bot_permissions_in(ch)
    send = Perm.SEND_MESSAGES_IN_THREADS if ch.is_thread else Perm.SEND_MESSAGES
    require(bool(perms & send), missing_permissions())
    require(not has_files or bool(perms & Perm.ATTACH_FILES), missing_permissions())
    if ch.thread is not None and ch.thread.archived:
        require(not ch.thread.locked or bool(perms & Perm.MANAGE_THREADS), ApiError(400, 50083, "Thread is archived"))
        ch.thread.archived = False
        announce_channel(world, ch)


async def get_channel(request: web.Request) -> web.Response:
    world = backend(request).world
    return json_response(serialize.channel_json(visible_channel(world, snowflake(request, "channel_id")), world))


async def edit_channel(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    data = (await read_payload(request)).obj()
    perms = world.bot_permissions_in(ch)
    if ch.is_thread:
        _edit_thread(world, ch, data, perms)
    else:
        require(bool(perms & Perm.MANAGE_CHANNELS), missing_permissions())
        for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position"):
            if key in data:
                setattr(ch, key, data[key])
    announce_channel(world, ch)
    return json_response(serialize.channel_json(ch, world))


def _edit_thread(world: World, ch: Channel, data: dict[str, Any], perms: int) -> None:
    meta = ch.thread
    if meta is None:
        return
    manage = bool(perms & Perm.MANAGE_THREADS)
    owner = ch.owner_id == world.bot_user.id
    if "locked" in data or ("archived" in data and meta.locked):
        require(manage, missing_permissions())
    if {"name", "rate_limit_per_user", "auto_archive_duration", "invitable"} & set(data):
        require(manage or owner, missing_permissions())
    if "archived" in data and bool(data["archived"]) != meta.archived:
        meta.archived = bool(data["archived"])
        meta.archive_timestamp = iso()
    meta.locked = bool(data.get("locked", meta.locked))
    meta.auto_archive_duration = int(data.get("auto_archive_duration", meta.auto_archive_duration))
    if "invitable" in data and ch.type == 12:
        meta.invitable = bool(data["invitable"])
    ch.name = str(data.get("name", ch.name))
    ch.rate_limit_per_user = int(data.get("rate_limit_per_user", ch.rate_limit_per_user))


async def list_messages(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    if ch.guild_id is not None:
        require(bool(world.bot_permissions_in(ch) & Perm.READ_MESSAGE_HISTORY), missing_access())
    found = world.channel_messages(ch.id)
    query = request.query
    if "before" in query:
        found = [m for m in found if m.id < int(query["before"])]
    if "after" in query:
        found = [m for m in found if m.id > int(query["after"])]
    limit = max(1, min(100, int(query.get("limit", 50))))
    newest_first = list(reversed(found))[:limit] if "after" not in query else list(reversed(found[:limit]))
    return json_response([rest_message_json(world, m) for m in newest_first])


def rest_message_json(world: World, msg: Message) -> dict[str, Any]:
    """Message JSON as REST shows it: content hidden from apps without the MESSAGE_CONTENT flag."""
    data = serialize.message_json(msg, world)
    if world.config.message_content_allowed:
        return data
    exempt = msg.author_id == world.bot_user.id or msg.guild_id is None or world.bot_user.id in msg.mention_ids
    return data if exempt else messages.strip_content(data)


async def create_message(request: web.Request) -> web.Response:
    be = backend(request)
    world = be.world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    payload = await read_payload(request)
    data = payload.obj()
    check_can_send(world, ch, bool(payload.files))
    be.note_message(request, data)
    if ch.guild_id is not None and not world.bot_permissions_in(ch) & Perm.EMBED_LINKS:
        data = {**data, "embeds": []}  # Discord silently drops embeds without EMBED_LINKS
    msg = messages.build_message(world, ch, world.bot_user.id, data, payload.files)
    messages.publish(world, msg)
    return json_response(serialize.message_json(msg, world))


async def get_message(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(ch.id, snowflake(request, "message_id"))
    require(msg.ephemeral is False, unknown("Message"))
    return json_response(rest_message_json(world, msg))


async def edit_message(request: web.Request) -> web.Response:
    be = backend(request)
    world = be.world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(ch.id, snowflake(request, "message_id"))
    payload = await read_payload(request)
    data = payload.obj()
    if msg.author_id != world.bot_user.id or msg.webhook_id is not None:
        allowed_keys = {"flags"}
        require(set(data) <= allowed_keys, ApiError(403, 50005, "Cannot edit a message authored by another user"))
    be.note_message(request, data)
    messages.edit(world, msg, data, payload.files)
    return json_response(serialize.message_json(msg, world))


async def delete_message(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(ch.id, snowflake(request, "message_id"))
    if msg.author_id != world.bot_user.id and ch.guild_id is not None:
        require(bool(world.bot_permissions_in(ch) & Perm.MANAGE_MESSAGES), missing_permissions())
    messages.delete(world, msg)
    return no_content()


def _pin_target(request: web.Request) -> tuple[World, Channel, Message]:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(ch.id, snowflake(request, "message_id"))
    if ch.guild_id is not None:
        require(bool(world.bot_permissions_in(ch) & (Perm.PIN_MESSAGES | Perm.MANAGE_MESSAGES)), missing_permissions())
    return world, ch, msg


def _set_pinned(request: web.Request, pinned: bool) -> web.Response:
    world, ch, msg = _pin_target(request)
    if msg.pinned != pinned:
        require(
            not pinned or sum(m.pinned for m in world.channel_messages(ch.id)) < 250,
            ApiError(400, 30003, "Maximum number of pins reached (250)"),
        )
        msg.pinned = pinned
        ch.last_pin_timestamp = iso()
        data: dict[str, Any] = {"channel_id": str(ch.id), "last_pin_timestamp": ch.last_pin_timestamp}
        if ch.guild_id is not None:
            data["guild_id"] = str(ch.guild_id)
        intents = Intent.GUILDS if ch.guild_id is not None else Intent.DIRECT_MESSAGES
        world.dispatch("CHANNEL_PINS_UPDATE", data, guild_id=ch.guild_id, intents=int(intents))
        world.emit(messages.message_dispatch(world, msg, "MESSAGE_UPDATE"))
    return no_content()


async def pin(request: web.Request) -> web.Response:
    return _set_pinned(request, True)


async def unpin(request: web.Request) -> web.Response:
    return _set_pinned(request, False)


async def list_pins_legacy(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    pinned = [m for m in reversed(world.channel_messages(ch.id)) if m.pinned]
    return json_response([rest_message_json(world, m) for m in pinned])


async def list_pins(request: web.Request) -> web.Response:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    pinned = [m for m in reversed(world.channel_messages(ch.id)) if m.pinned]
    items = [{"pinned_at": ch.last_pin_timestamp, "message": rest_message_json(world, m)} for m in pinned]
    return json_response({"items": items, "has_more": False})


def _reaction_target(request: web.Request) -> tuple[World, Message, str]:
    world = backend(request).world
    ch = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(ch.id, snowflake(request, "message_id"))
    return world, msg, unquote(request.match_info["emoji"])


async def add_reaction(request: web.Request) -> web.Response:
    world, msg, emoji = _reaction_target(request)
    ch = world.channels[msg.channel_id]
    if ch.guild_id is not None and emoji not in msg.reactions:
        require(bool(world.bot_permissions_in(ch) & Perm.ADD_REACTIONS), missing_permissions())
    msg.reactions.setdefault(emoji, set()).add(world.bot_user.id)
    return no_content()


async def remove_own_reaction(request: web.Request) -> web.Response:
    world, msg, emoji = _reaction_target(request)
    msg.reactions.get(emoji, set()).discard(world.bot_user.id)
    return no_content()


async def create_dm(request: web.Request) -> web.Response:
    world = backend(request).world
    data = (await read_payload(request)).obj()
    try:
        user = world.user(int(data.get("recipient_id") or 0))
    except ValueError as exc:
        raise unknown("User") from exc
    return json_response(serialize.channel_json(world.dm_channel(user.id), world))


async def typing(request: web.Request) -> web.Response:
    visible_channel(backend(request).world, snowflake(request, "channel_id"))
    return no_content()


def routes() -> list[web.RouteDef]:
    base = "/channels/{channel_id}"
    msg = base + "/messages/{message_id}"
    reaction = msg + "/reactions/{emoji}"
    return [
        web.get(base, get_channel),
        web.patch(base, edit_channel),
        web.post(base + "/typing", typing),
        web.get(base + "/messages/pins", list_pins),
        web.put(base + "/messages/pins/{message_id}", pin),
        web.delete(base + "/messages/pins/{message_id}", unpin),
        web.get(base + "/pins", list_pins_legacy),
        web.put(base + "/pins/{message_id}", pin),
        web.delete(base + "/pins/{message_id}", unpin),
        web.get(base + "/messages", list_messages),
        web.post(base + "/messages", create_message),
        web.get(msg, get_message),
        web.patch(msg, edit_message),
        web.delete(msg, delete_message),
        web.put(reaction + "/@me", add_reaction),
        web.delete(reaction + "/@me", remove_own_reaction),
        web.post("/users/@me/channels", create_dm),
    ]
