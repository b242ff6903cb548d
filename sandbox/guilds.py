"""Guild-structure mutations (guilds, channels, roles, members) that also emit gateway events."""

from __future__ import annotations

from typing import Any

from sandbox import serialize
from sandbox.errors import SandboxError
from sandbox.flags import DEFAULT_EVERYONE, Intent, Perm
from sandbox.models import GUILD_CATEGORY, GUILD_TEXT, Channel, Guild, Member, Overwrite, Role, iso
from sandbox.state import World

GUILDS = int(Intent.GUILDS)
MEMBERS = int(Intent.GUILD_MEMBERS)


def add_guild(world: World, name: str, *, owner_id: int | None = None, bot_permissions: int | None = None) -> Guild:
    """Create a guild with @everyone, a managed bot role, a #general system channel and the bot member."""
    gid = world.new_id()
    if owner_id is None:
        owner_id = world.add_user(f"{name.lower().replace(' ', '-')}-owner").id
    world.user(owner_id)
    guild = Guild(gid, name, owner_id, joined_at=iso())
    guild.roles[gid] = Role(gid, gid, "@everyone", DEFAULT_EVERYONE, 0)
    perms = world.config.bot_permissions if bot_permissions is None else bot_permissions
    bot_role = Role(world.new_id(), gid, world.bot_user.username, perms, 1, managed=True, bot_id=world.bot_user.id)
    guild.roles[bot_role.id] = bot_role
    guild.bot_role_id = bot_role.id
    world.guilds[gid] = guild
    general = _make_channel(world, guild, "general", GUILD_TEXT, None, None)
    guild.system_channel_id = general.id
    guild.members[owner_id] = Member(gid, owner_id, iso())
    guild.members[world.bot_user.id] = Member(gid, world.bot_user.id, iso(), roles=[bot_role.id])
    world.dispatch("GUILD_CREATE", {"id": str(gid)}, guild_id=gid, intents=GUILDS)
    return guild


def _make_channel(
    world: World, guild: Guild, name: str, type_: int, parent_id: int | None, topic: str | None
) -> Channel:
    position = sum(1 for c in world.guild_channels(guild) if c.type == type_)
    ch = Channel(world.new_id(), type_, name, guild.id, position=position, parent_id=parent_id, topic=topic)
    world.channels[ch.id] = ch
    guild.channel_ids.append(ch.id)
    return ch


def add_channel(
    world: World,
    guild_id: int,
    name: str,
    *,
    type: int = GUILD_TEXT,
    parent_id: int | None = None,
    topic: str | None = None,
    overwrites: list[Overwrite] | None = None,
) -> Channel:
    """Create a guild channel (text 0, voice 2, category 4, announcement 5, stage 13, forum 15)."""
    guild = world.guild(guild_id)
    if parent_id is not None and world.channel(parent_id).type != GUILD_CATEGORY:
        raise SandboxError("parent_id must be a category channel")
    ch = _make_channel(world, guild, name, type, parent_id, topic)
    ch.overwrites = list(overwrites or [])
    world.dispatch("CHANNEL_CREATE", serialize.channel_json(ch, world), guild_id=guild_id, intents=GUILDS)
    return ch


def _announce_roles(world: World, guild: Guild, roles: list[Role], event: str = "GUILD_ROLE_UPDATE") -> None:
    for role in roles:
        data = {"guild_id": str(guild.id), "role": serialize.role_json(role)}
        world.dispatch(event, data, guild_id=guild.id, intents=GUILDS)


def add_role(
    world: World,
    guild_id: int,
    name: str,
    *,
    permissions: int = 0,
    position: int | None = None,
    color: int = 0,
    hoist: bool = False,
    mentionable: bool = False,
) -> Role:
    """Create a role.  Like Discord, a new role goes to position 1 unless a position is given."""
    guild = world.guild(guild_id)
    role = Role(world.new_id(), guild_id, name, permissions, 0, color=color, hoist=hoist, mentionable=mentionable)
    guild.roles[role.id] = role
    moved = _place_role(guild, role, 1 if position is None else position)
    _announce_roles(world, guild, [role], "GUILD_ROLE_CREATE")
    _announce_roles(world, guild, [r for r in moved if r is not role])
    return role


def _place_role(guild: Guild, role: Role, position: int) -> list[Role]:
    """Put ``role`` at ``position`` (>= 1) and renumber the others contiguously; return changed roles."""
    ordered = sorted((r for r in guild.roles.values() if r.id not in (guild.id, role.id)), key=lambda r: r.position)
    ordered.insert(max(0, min(position - 1, len(ordered))), role)
    changed = []
    for pos, item in enumerate(ordered, start=1):
        if item.position != pos:
            item.position = pos
            changed.append(item)
    return changed


def set_role_position(world: World, guild_id: int, role_id: int, position: int) -> None:
    """Move a role to ``position`` (>= 1), renumbering the others, and announce the changes."""
    guild = world.guild(guild_id)
    role = world.role(guild_id, role_id)
    if role.id == guild.id:
        raise SandboxError("@everyone always stays at position 0")
    _announce_roles(world, guild, _place_role(guild, role, position))


def set_role_permissions(world: World, guild_id: int, role_id: int, permissions: int) -> None:
    role = world.role(guild_id, role_id)
    role.permissions = permissions
    _announce_roles(world, world.guild(guild_id), [role])


def add_member(
    world: World,
    guild_id: int,
    username: str | None = None,
    *,
    user_id: int | None = None,
    roles: list[int] | None = None,
    permissions: int | None = None,
    admin: bool = False,
    nick: str | None = None,
    dms_closed: bool = False,
) -> Member:
    """Add a (new or existing) user to a guild; ``permissions``/``admin`` grant a personal role."""
    guild = world.guild(guild_id)
    if user_id is None:
        if username is None:
            raise SandboxError("add_member needs a username or an existing user_id")
        user_id = world.add_user(username, dms_closed=dms_closed).id
    user = world.user(user_id)
    role_ids = list(roles or [])
    for rid in role_ids:
        world.role(guild_id, rid)
    if permissions is not None or admin:
        perms = (permissions or 0) | (int(Perm.ADMINISTRATOR) if admin else 0)
        role_ids.append(add_role(world, guild_id, f"{user.username}-perms", permissions=perms).id)
    member = Member(guild_id, user_id, iso(), roles=role_ids, nick=nick)
    guild.members[user_id] = member
    data = {"guild_id": str(guild_id), **serialize.member_json(member, world)}
    world.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild_id, intents=MEMBERS)
    return member


def announce_member(world: World, member: Member) -> None:
    """GUILD_MEMBER_UPDATE; sent without GUILD_MEMBERS only for the bot's own member (per Discord)."""
    data = {"guild_id": str(member.guild_id), **serialize.member_json(member, world)}
    intents = 0 if member.user_id == world.bot_user.id else MEMBERS
    world.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=member.guild_id, intents=intents)


def set_member_roles(world: World, guild_id: int, user_id: int, roles: list[int]) -> None:
    """Replace a member's roles (test-side helper) and announce it."""
    member = world.member(guild_id, user_id)
    for rid in roles:
        world.role(guild_id, rid)
    member.roles = list(roles)
    announce_member(world, member)


def set_overwrite(
    world: World, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0, type: int | None = None
) -> None:
    """Set (or with allow=deny=0, clear) a permission overwrite on a channel and announce CHANNEL_UPDATE."""
    ch = world.channel(channel_id)
    guild = world.guild_of(ch)
    if guild is None or ch.is_thread:
        raise SandboxError("overwrites exist only on guild channels (threads inherit their parent's)")
    if type is None:
        type = 0 if target_id in guild.roles else 1
    ch.overwrites = [ow for ow in ch.overwrites if ow.id != target_id]
    if allow or deny:
        ch.overwrites.append(Overwrite(target_id, type, allow, deny))
    announce_channel(world, ch)


def announce_channel(world: World, ch: Channel) -> None:
    """CHANNEL_UPDATE or THREAD_UPDATE for a changed channel."""
    event = "THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE"
    world.dispatch(event, serialize.channel_json(ch, world), guild_id=ch.guild_id, intents=GUILDS)


def guild_create_payload(world: World, guild: Guild, *, all_members: bool, large_threshold: int) -> dict[str, Any]:
    """The full GUILD_CREATE payload for a session (members: the bot only unless presences allow more)."""
    members = list(guild.members.values())
    large = len(members) > large_threshold
    if not all_members or large:
        members = [guild.members[world.bot_user.id]]
    data = serialize.guild_json(guild, world)
    data.update(
        joined_at=guild.joined_at,
        large=large,
        unavailable=False,
        member_count=len(guild.members),
        voice_states=[],
        members=[serialize.member_json(m, world) for m in members],
        channels=[serialize.channel_json(c, world, include_guild_id=False) for c in world.guild_channels(guild)],
        threads=[
            serialize.channel_json(t, world)
            for t in world.guild_threads(guild)
            if not t.thread or not t.thread.archived
            if world.can_view(t, world.bot_user.id)
        ],
        presences=[],
        stage_instances=[],
        guild_scheduled_events=[serialize.event_json(e, world) for e in guild.events.values()],
        soundboard_sounds=[],
        lazy=True,
        application_command_counts={},
        embedded_activities=[],
        activity_instances=[],
        version=0,
    )
    return data
