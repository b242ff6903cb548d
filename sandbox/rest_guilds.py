"""REST routes for guilds: guild info, channels, roles, members, member roles, scheduled events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from sandbox import serialize
from sandbox.backend import backend, require, snowflake
from sandbox.errors import invalid_form, missing_access, missing_permissions, unknown
from sandbox.flags import Intent, Perm
from sandbox.guilds import announce_member
from sandbox.http import json_response, no_content, read_payload
from sandbox.models import GUILD_STAGE_VOICE, GUILD_VOICE, Guild, Role, ScheduledEvent
from sandbox.state import World

EVENTS = int(Intent.GUILD_SCHEDULED_EVENTS)


def _guild(request: web.Request) -> tuple[World, Guild]:
    world = backend(request).world
    guild = world.guild(snowflake(request, "guild_id"))
    require(world.bot_user.id in guild.members, missing_access())
    return world, guild


def _bot_perms(world: World, guild: Guild) -> int:
    return world.guild_permissions(guild.id, world.bot_user.id)


async def get_guild(request: web.Request) -> web.Response:
    world, guild = _guild(request)
    data = serialize.guild_json(guild, world)
    if request.query.get("with_counts", "").lower() in ("1", "true"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return json_response(data)


async def list_channels(request: web.Request) -> web.Response:
    world, guild = _guild(request)
    return json_response([serialize.channel_json(c, world) for c in world.guild_channels(guild)])


async def list_roles(request: web.Request) -> web.Response:
    _, guild = _guild(request)
    return json_response([serialize.role_json(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)])


async def get_member(request: web.Request) -> web.Response:
    world, guild = _guild(request)
    member = world.member(guild.id, snowflake(request, "user_id"))
    return json_response(serialize.member_json(member, world))


async def list_members(request: web.Request) -> web.Response:
    """GET /guilds/{id}/members needs the privileged GUILD_MEMBERS intent enabled for the app."""
    world, guild = _guild(request)
    require(world.config.members_allowed, missing_access())
    after = int(request.query.get("after", 0))
    limit = max(1, min(1000, int(request.query.get("limit", 1))))
    found = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)[:limit]
    return json_response([serialize.member_json(m, world) for m in found])


def _check_role_manageable(world: World, guild: Guild, role: Role) -> None:
    """Discord's rule: MANAGE_ROLES, and the role must sit below the bot's highest role."""
    require(bool(_bot_perms(world, guild) & Perm.MANAGE_ROLES), missing_permissions())
    if guild.owner_id != world.bot_user.id:
        require(role.position < world.bot_top_position(guild.id), missing_permissions())
    require(not role.managed and role.id != guild.id, missing_permissions())


async def add_member_role(request: web.Request) -> web.Response:
    return await _change_member_role(request, add=True)


async def remove_member_role(request: web.Request) -> web.Response:
    return await _change_member_role(request, add=False)


async def _change_member_role(request: web.Request, *, add: bool) -> web.Response:
    world, guild = _guild(request)
    member = world.member(guild.id, snowflake(request, "user_id"))
    role = world.role(guild.id, snowflake(request, "role_id"))
    _check_role_manageable(world, guild, role)
    has_role = role.id in member.roles
    if add and not has_role:
        member.roles.append(role.id)
        announce_member(world, member)
    elif not add and has_role:
        member.roles.remove(role.id)
        announce_member(world, member)
    return no_content()


async def edit_member(request: web.Request) -> web.Response:
    """PATCH /guilds/{id}/members/{uid}: roles and nick (other fields are accepted but ignored)."""
    world, guild = _guild(request)
    member = world.member(guild.id, snowflake(request, "user_id"))
    data = (await read_payload(request)).obj()
    if "roles" in data:
        wanted = [int(r) for r in data["roles"] or []]
        for rid in set(wanted) ^ set(member.roles):
            _check_role_manageable(world, guild, world.role(guild.id, rid))
        member.roles = list(dict.fromkeys(wanted))
    if "nick" in data:
        require(bool(_bot_perms(world, guild) & Perm.MANAGE_NICKNAMES), missing_permissions())
        member.nick = data["nick"] or None
    announce_member(world, member)
    return json_response(serialize.member_json(member, world))


# -- scheduled events -------------------------------------------------------------------------
def _parse_time(field: str, value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise invalid_form(field, "DATE_TIME_TYPE_PARSE", "Could not parse date.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def _validate_event(world: World, guild: Guild, ev: ScheduledEvent) -> None:
    if not 1 <= len(ev.name) <= 100:
        raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if ev.entity_type == 3:
        location = (ev.entity_metadata or {}).get("location")
        require(
            bool(location), invalid_form("entity_metadata.location", "BASE_TYPE_REQUIRED", "This field is required")
        )
        require(
            ev.scheduled_end_time is not None,
            invalid_form("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required"),
        )
        require(
            ev.channel_id is None,
            invalid_form(
                "channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL_ID_INVALID", "channel_id must be null for external events"
            ),
        )
    else:
        expected = GUILD_STAGE_VOICE if ev.entity_type == 1 else GUILD_VOICE
        ch = world.channels.get(ev.channel_id or 0)
        require(
            ch is not None and ch.guild_id == guild.id and ch.type == expected,
            invalid_form("channel_id", "CHANNEL_TYPE_INVALID", "Invalid channel type"),
        )
    if ev.scheduled_end_time is not None and ev.scheduled_end_time <= ev.scheduled_start_time:
        raise invalid_form(
            "scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End time must be after start time"
        )


def _check_event_perms(world: World, guild: Guild, creating: bool) -> None:
    perms = _bot_perms(world, guild)
    needed = Perm.CREATE_EVENTS | Perm.MANAGE_EVENTS if creating else Perm.MANAGE_EVENTS
    require(bool(perms & needed), missing_permissions())


async def list_events(request: web.Request) -> web.Response:
    world, guild = _guild(request)
    counts = request.query.get("with_user_count", "").lower() in ("1", "true")
    return json_response([serialize.event_json(e, world, with_user_count=counts) for e in guild.events.values()])


async def create_event(request: web.Request) -> web.Response:
    world, guild = _guild(request)
    _check_event_perms(world, guild, creating=True)
    data = (await read_payload(request)).obj()
    start = _parse_time("scheduled_start_time", data.get("scheduled_start_time"))
    if dt.datetime.fromisoformat(start) <= dt.datetime.now(dt.UTC):
        raise invalid_form(
            "scheduled_start_time", "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past."
        )
    end = data.get("scheduled_end_time")
    ev = ScheduledEvent(
        id=world.new_id(),
        guild_id=guild.id,
        name=str(data.get("name") or ""),
        creator_id=world.bot_user.id,
        scheduled_start_time=start,
        entity_type=int(data.get("entity_type") or 0),
        scheduled_end_time=_parse_time("scheduled_end_time", end) if end else None,
        channel_id=int(data["channel_id"]) if data.get("channel_id") else None,
        description=data.get("description"),
        entity_metadata=data.get("entity_metadata"),
        privacy_level=int(data.get("privacy_level") or 2),
        recurrence_rule=data.get("recurrence_rule"),
    )
    _validate_event(world, guild, ev)
    guild.events[ev.id] = ev
    world.dispatch("GUILD_SCHEDULED_EVENT_CREATE", serialize.event_json(ev, world), guild_id=guild.id, intents=EVENTS)
    return json_response(serialize.event_json(ev, world))


def _event(request: web.Request) -> tuple[World, Guild, ScheduledEvent]:
    world, guild = _guild(request)
    ev = guild.events.get(snowflake(request, "event_id"))
    if ev is None:
        raise unknown("Guild Scheduled Event")
    return world, guild, ev


async def get_event(request: web.Request) -> web.Response:
    world, _, ev = _event(request)
    counts = request.query.get("with_user_count", "").lower() in ("1", "true")
    return json_response(serialize.event_json(ev, world, with_user_count=counts))


_TRANSITIONS = {(1, 2), (1, 4), (2, 3)}


async def edit_event(request: web.Request) -> web.Response:
    world, guild, ev = _event(request)
    _check_event_perms(world, guild, creating=False)
    data = (await read_payload(request)).obj()
    if "status" in data and int(data["status"]) != ev.status:
        require(
            (ev.status, int(data["status"])) in _TRANSITIONS,
            invalid_form("status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition"),
        )
        ev.status = int(data["status"])
    for key in ("name", "description", "entity_metadata", "privacy_level", "recurrence_rule"):
        if key in data:
            setattr(ev, key, data[key])
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if key in data:
            setattr(ev, key, _parse_time(key, data[key]) if data[key] else None)
    if "entity_type" in data:
        ev.entity_type = int(data["entity_type"])
    if "channel_id" in data:
        ev.channel_id = int(data["channel_id"]) if data["channel_id"] else None
    _validate_event(world, guild, ev)
    world.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", serialize.event_json(ev, world), guild_id=guild.id, intents=EVENTS)
    return json_response(serialize.event_json(ev, world))


async def delete_event(request: web.Request) -> web.Response:
    world, guild, ev = _event(request)
    _check_event_perms(world, guild, creating=False)
    del guild.events[ev.id]
    world.dispatch("GUILD_SCHEDULED_EVENT_DELETE", serialize.event_json(ev, world), guild_id=guild.id, intents=EVENTS)
    return no_content()


async def event_users(request: web.Request) -> web.Response:
    world, _, ev = _event(request)
    return json_response(
        [{"guild_scheduled_event_id": str(ev.id), "user": serialize.user_json(world.users[u])} for u in ev.user_ids]
    )


def routes() -> list[web.RouteDef]:
    base = "/guilds/{guild_id}"
    event = base + "/scheduled-events/{event_id}"
    return [
        web.get(base, get_guild),
        web.get(base + "/channels", list_channels),
        web.get(base + "/roles", list_roles),
        web.get(base + "/members", list_members),
        web.get(base + "/members/{user_id}", get_member),
        web.patch(base + "/members/{user_id}", edit_member),
        web.put(base + "/members/{user_id}/roles/{role_id}", add_member_role),
        web.delete(base + "/members/{user_id}/roles/{role_id}", remove_member_role),
        web.get(base + "/scheduled-events", list_events),
        web.post(base + "/scheduled-events", create_event),
        web.get(event, get_event),
        web.patch(event, edit_event),
        web.delete(event, delete_event),
        web.get(event + "/users", event_users),
    ]
