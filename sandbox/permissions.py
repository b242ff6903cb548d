"""Permission arithmetic exactly as Discord documents it (and discord.py re-implements it)."""

from __future__ import annotations

from sandbox.flags import ALL_PERMISSIONS, Perm
from sandbox.models import Channel, Guild, Member

_ADMIN = int(Perm.ADMINISTRATOR)
_TEXT_NEEDS_SEND = int(Perm.SEND_TTS_MESSAGES | Perm.MENTION_EVERYONE | Perm.EMBED_LINKS | Perm.ATTACH_FILES)


def base_permissions(guild: Guild, member: Member) -> int:
    """Guild-level permissions: owner and administrators get everything."""
    if member.user_id == guild.owner_id:
        return ALL_PERMISSIONS
    perms = guild.everyone.permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    return ALL_PERMISSIONS if perms & _ADMIN else perms


def apply_overwrites(perms: int, guild: Guild, member: Member, channel: Channel) -> int:
    """Apply @everyone, then role (combined), then member overwrites of ``channel``."""
    by_target = {(ow.type, ow.id): ow for ow in channel.overwrites}
    everyone = by_target.get((0, guild.id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.roles:
        ow = by_target.get((0, role_id))
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = by_target.get((1, member.user_id))
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    return perms


def channel_permissions(guild: Guild, member: Member, channel: Channel, parent: Channel | None) -> int:
    """Permissions of ``member`` in ``channel``; threads use their parent's overwrites."""
    perms = base_permissions(guild, member)
    if perms & _ADMIN or member.user_id == guild.owner_id:
        return ALL_PERMISSIONS
    source = parent if channel.is_thread and parent is not None else channel
    perms = apply_overwrites(perms, guild, member, source)
    if not perms & Perm.VIEW_CHANNEL:
        return 0
    if not perms & Perm.SEND_MESSAGES:
        perms &= ~_TEXT_NEEDS_SEND
    return perms


def highest_position(guild: Guild, member: Member) -> int:
    """Position of the member's highest role (0 when they only have @everyone)."""
    positions = [guild.roles[r].position for r in member.roles if r in guild.roles]
    return max(positions, default=0)


def has(perms: int, *required: Perm) -> bool:
    """True when ``perms`` includes administrator or every permission in ``required``."""
    if perms & _ADMIN:
        return True
    return all(perms & int(p) == int(p) for p in required)
