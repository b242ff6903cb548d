"""Payloads the gateway builds from world state: READY, GUILD_MEMBERS_CHUNK, intent checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import serialize
from sandbox.flags import AppFlag, Intent
from sandbox.state import World

if TYPE_CHECKING:
    from sandbox.gateway import Identity

_PRIVILEGED = (
    (Intent.GUILD_MEMBERS, AppFlag.GATEWAY_GUILD_MEMBERS | AppFlag.GATEWAY_GUILD_MEMBERS_LIMITED),
    (Intent.GUILD_PRESENCES, AppFlag.GATEWAY_PRESENCE | AppFlag.GATEWAY_PRESENCE_LIMITED),
    (Intent.MESSAGE_CONTENT, AppFlag.GATEWAY_MESSAGE_CONTENT | AppFlag.GATEWAY_MESSAGE_CONTENT_LIMITED),
)


def privileged_denied(world: World, intents: int) -> bool:
    """True when a privileged intent is requested that the application is not allowed."""
    flags = world.app_flags
    return any(intents & intent and not flags & allowed for intent, allowed in _PRIVILEGED)


def ready_payload(world: World, session_id: str, resume_url: str, identity: Identity) -> dict[str, Any]:
    """READY: the current user, unavailable guild stubs (for this shard) and session info."""
    guilds = [
        {"id": str(gid), "unavailable": True}
        for gid in world.guilds
        if identity.shard is None or (gid >> 22) % identity.shard[1] == identity.shard[0]
    ]
    data: dict[str, Any] = {
        "v": 10,
        "user": serialize.self_user_json(world.bot_user),
        "guilds": guilds,
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": {"id": str(world.application_id), "flags": world.app_flags},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
        "auth_session_id_hash": "",
        "_trace": ["sandbox-gateway"],
    }
    if identity.shard is not None:
        data["shard"] = list(identity.shard)
    return data


def member_chunks(world: World, data: Any) -> list[dict[str, Any]]:
    """GUILD_MEMBERS_CHUNK answers to a REQUEST_GUILD_MEMBERS (op 8), one chunk per guild."""
    if not isinstance(data, dict):
        return []
    raw_ids = data.get("guild_id")
    guild_ids = raw_ids if isinstance(raw_ids, list) else [raw_ids]
    return [_chunk(world, int(gid), data) for gid in guild_ids if gid is not None and int(gid) in world.guilds]


def _chunk(world: World, guild_id: int, data: dict[str, Any]) -> dict[str, Any]:
    guild = world.guilds[guild_id]
    members = list(guild.members.values())
    user_ids = data.get("user_ids")
    not_found: list[str] = []
    if user_ids is not None:
        wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
        members = [m for m in members if m.user_id in wanted]
        not_found = [str(u) for u in wanted if u not in guild.members]
    else:
        query = str(data.get("query") or "").lower()
        members = [m for m in members if world.users[m.user_id].username.lower().startswith(query)]
    limit = int(data.get("limit") or 0)
    if limit:
        members = members[:limit]
    chunk: dict[str, Any] = {
        "guild_id": str(guild_id),
        "members": [serialize.member_json(m, world) for m in members],
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": not_found,
    }
    if data.get("nonce") is not None:
        chunk["nonce"] = data["nonce"]
    if data.get("presences"):
        chunk["presences"] = []
    return chunk
