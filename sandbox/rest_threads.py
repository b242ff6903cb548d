"""REST routes for threads: creation (with/without a message), thread members, active threads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox import serialize
from sandbox.backend import backend, require, snowflake
from sandbox.errors import ApiError, invalid_form, missing_access, missing_permissions, unknown
from sandbox.flags import Intent, MsgFlag, Perm
from sandbox.http import json_response, no_content, read_payload
from sandbox.messages import message_dispatch
from sandbox.models import (
    ANNOUNCEMENT_THREAD,
    GUILD_ANNOUNCEMENT,
    GUILD_TEXT,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    ThreadMeta,
    iso,
)
from sandbox.rest_channels import visible_channel
from sandbox.state import World

_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def _new_thread(world: World, parent: Channel, data: dict[str, Any], type_: int, thread_id: int | None) -> Channel:
    name = str(data.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    duration = int(data.get("auto_archive_duration") or 1440)
    if duration not in _ARCHIVE_DURATIONS:
        raise invalid_form("auto_archive_duration", "BASE_TYPE_CHOICES", f"Value must be one of {_ARCHIVE_DURATIONS}.")
    now = iso()
    meta = ThreadMeta(archive_timestamp=now, create_timestamp=now, auto_archive_duration=duration)
    if type_ == PRIVATE_THREAD:
        meta.invitable = bool(data.get("invitable", True))
    thread = Channel(
        thread_id or world.new_id(),
        type_,
        name,
        parent.guild_id,
        parent_id=parent.id,
        owner_id=world.bot_user.id,
        rate_limit_per_user=int(data.get("rate_limit_per_user") or 0),
        thread=meta,
    )
    thread.thread_members[world.bot_user.id] = now
    world.channels[thread.id] = thread
    if parent.guild_id is not None:
        world.guilds[parent.guild_id].channel_ids.append(thread.id)
    payload = {**serialize.channel_json(thread, world), "newly_created": True}
    world.dispatch("THREAD_CREATE", payload, guild_id=thread.guild_id, intents=int(Intent.GUILDS))
    return thread


def _check_create(world: World, parent: Channel, type_: int) -> None:
    require(
        parent.type in (GUILD_TEXT, GUILD_ANNOUNCEMENT),
        ApiError(400, 50024, "Cannot execute action on this channel type"),
    )
    perms = world.bot_permissions_in(parent)
    needed = Perm.CREATE_PRIVATE_THREADS if type_ == PRIVATE_THREAD else Perm.CREATE_PUBLIC_THREADS
    require(bool(perms & needed), missing_permissions())


async def start_thread(request: web.Request) -> web.Response:
    """POST /channels/{id}/threads: a thread without a starter message (private by default)."""
    world = backend(request).world
    parent = visible_channel(world, snowflake(request, "channel_id"))
    data = (await read_payload(request)).obj()
    type_ = int(data.get("type") or PRIVATE_THREAD)
    require(
        type_ in (PUBLIC_THREAD, PRIVATE_THREAD, ANNOUNCEMENT_THREAD),
        invalid_form("type", "BASE_TYPE_CHOICES", "Value must be one of (10, 11, 12)."),
    )
    if parent.type == GUILD_ANNOUNCEMENT and type_ == PRIVATE_THREAD:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    _check_create(world, parent, type_)
    thread = _new_thread(world, parent, data, type_, None)
    return json_response(serialize.channel_json(thread, world), 201)


async def start_thread_from_message(request: web.Request) -> web.Response:
    """POST /channels/{id}/messages/{mid}/threads: a public thread whose id is the message's id."""
    world = backend(request).world
    parent = visible_channel(world, snowflake(request, "channel_id"))
    msg = world.message(parent.id, snowflake(request, "message_id"))
    require(msg.thread_id is None, ApiError(400, 160004, "A thread has already been created for this message"))
    type_ = ANNOUNCEMENT_THREAD if parent.type == GUILD_ANNOUNCEMENT else PUBLIC_THREAD
    _check_create(world, parent, type_)
    thread = _new_thread(world, parent, (await read_payload(request)).obj(), type_, msg.id)
    msg.thread_id = thread.id
    msg.flags |= MsgFlag.HAS_THREAD
    world.emit(message_dispatch(world, msg, "MESSAGE_UPDATE"))
    return json_response(serialize.channel_json(thread, world), 201)


def _thread(world: World, request: web.Request) -> Channel:
    thread = visible_channel(world, snowflake(request, "channel_id"))
    require(thread.is_thread, ApiError(400, 50024, "Cannot execute action on this channel type"))
    return thread


def _target_user(world: World, request: web.Request) -> int:
    raw = request.match_info.get("user_id", "@me")
    return world.bot_user.id if raw == "@me" else snowflake(request, "user_id")


def _announce_members(world: World, thread: Channel, added: list[int], removed: list[int]) -> None:
    data: dict[str, Any] = {
        "id": str(thread.id),
        "guild_id": str(thread.guild_id),
        "member_count": min(len(thread.thread_members), 50),
    }
    if added:
        data["added_members"] = [serialize.thread_member_json(thread, u, world, with_member=True) for u in added]
    if removed:
        data["removed_member_ids"] = [str(u) for u in removed]
    involves_bot = world.bot_user.id in added + removed
    intents = int(Intent.GUILDS if involves_bot else Intent.GUILD_MEMBERS)
    world.dispatch("THREAD_MEMBERS_UPDATE", data, guild_id=thread.guild_id, intents=intents)


async def add_thread_member(request: web.Request) -> web.Response:
    world = backend(request).world
    thread = _thread(world, request)
    user_id = _target_user(world, request)
    if thread.guild_id is not None:
        world.member(thread.guild_id, user_id)
    meta = thread.thread
    require(meta is None or not meta.archived, ApiError(400, 50083, "Thread is archived"))
    perms = world.bot_permissions_in(thread)
    if user_id != world.bot_user.id:
        require(bool(perms & Perm.SEND_MESSAGES_IN_THREADS), missing_permissions())
        if thread.type == PRIVATE_THREAD and world.bot_user.id not in thread.thread_members:
            require(bool(perms & Perm.MANAGE_THREADS), missing_access())
    if user_id not in thread.thread_members:
        thread.thread_members[user_id] = iso()
        _announce_members(world, thread, [user_id], [])
    return no_content()


async def remove_thread_member(request: web.Request) -> web.Response:
    world = backend(request).world
    thread = _thread(world, request)
    user_id = _target_user(world, request)
    if user_id != world.bot_user.id and thread.owner_id != world.bot_user.id:
        require(bool(world.bot_permissions_in(thread) & Perm.MANAGE_THREADS), missing_permissions())
    if user_id in thread.thread_members:
        del thread.thread_members[user_id]
        _announce_members(world, thread, [], [user_id])
    return no_content()


async def list_thread_members(request: web.Request) -> web.Response:
    world = backend(request).world
    thread = _thread(world, request)
    with_member = request.query.get("with_member", "").lower() in ("1", "true")
    return json_response(
        [serialize.thread_member_json(thread, u, world, with_member=with_member) for u in thread.thread_members]
    )


async def get_thread_member(request: web.Request) -> web.Response:
    world = backend(request).world
    thread = _thread(world, request)
    user_id = snowflake(request, "user_id")
    require(user_id in thread.thread_members, unknown("Member"))
    return json_response(serialize.thread_member_json(thread, user_id, world))


async def active_threads(request: web.Request) -> web.Response:
    world = backend(request).world
    guild = world.guild(snowflake(request, "guild_id"))
    require(world.bot_user.id in guild.members, missing_access())
    threads = [
        t
        for t in world.guild_threads(guild)
        if t.thread and not t.thread.archived and world.can_view(t, world.bot_user.id)
    ]
    members = [
        serialize.thread_member_json(t, world.bot_user.id, world)
        for t in threads
        if world.bot_user.id in t.thread_members
    ]
    return json_response({"threads": [serialize.channel_json(t, world) for t in threads], "members": members})


def routes() -> list[web.RouteDef]:
    base = "/channels/{channel_id}"
    return [
        web.post(base + "/threads", start_thread),
        web.post(base + "/messages/{message_id}/threads", start_thread_from_message),
        web.put(base + "/thread-members/@me", add_thread_member),
        web.delete(base + "/thread-members/@me", remove_thread_member),
        web.get(base + "/thread-members", list_thread_members),
        web.put(base + "/thread-members/{user_id}", add_thread_member),
        web.delete(base + "/thread-members/{user_id}", remove_thread_member),
        web.get(base + "/thread-members/{user_id}", get_thread_member),
        web.get("/guilds/{guild_id}/threads/active", active_threads),
    ]
