"""Creating, editing and deleting messages: attachments, mentions, embeds and the gateway events."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from sandbox import serialize
from sandbox.errors import invalid_form
from sandbox.flags import SETTABLE_MESSAGE_FLAGS, Intent, Perm
from sandbox.models import Attachment, Channel, Message, iso
from sandbox.state import Dispatch, World
from sandbox.validate import check_message

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)")


@dataclass
class Upload:
    """One file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    data: bytes
    content_type: str | None = None

    @property
    def index(self) -> int | None:
        match = re.fullmatch(r"files\[(\d+)\]", self.field)
        return int(match.group(1)) if match else None


def store_attachment(world: World, channel_id: int, filename: str, data: bytes, **kw: Any) -> Attachment:
    """Keep bytes in the fake CDN and return the attachment that points at them."""
    att_id = world.new_id()
    content_type = kw.pop("content_type", None) or mimetypes.guess_type(filename)[0]
    url = f"{world.base_url}/cdn/attachments/{channel_id}/{att_id}/{filename}"
    att = Attachment(att_id, filename, data, url, content_type=content_type, **kw)
    world.attachments[att_id] = att
    return att


def _new_attachments(
    world: World, channel_id: int, data: dict[str, Any], files: list[Upload], ephemeral: bool
) -> list[Attachment]:
    described = {str(a.get("id")): a for a in data.get("attachments") or [] if isinstance(a, dict)}
    out = []
    for upload in files:
        meta = described.get(str(upload.index), {})
        name = str(meta.get("filename") or upload.filename)
        out.append(
            store_attachment(
                world,
                channel_id,
                name,
                upload.data,
                content_type=upload.content_type if upload.content_type != "application/octet-stream" else None,
                description=meta.get("description"),
                ephemeral=ephemeral,
            )
        )
    return out


def _mentions(
    world: World, channel: Channel, author_id: int, content: str, am: dict[str, Any] | None
) -> tuple[list[int], list[int], bool]:
    """(user ids, role ids, everyone) that actually ping, honouring allowed_mentions like Discord."""
    parse = set(am.get("parse") or []) if am is not None else {"users", "roles", "everyone"}
    allowed_users = {int(u) for u in (am or {}).get("users") or []}
    allowed_roles = {int(r) for r in (am or {}).get("roles") or []}
    users = [int(u) for u in _USER_MENTION.findall(content) if int(u) in world.users]
    users = [u for u in dict.fromkeys(users) if "users" in parse or u in allowed_users]
    guild = world.guild_of(channel)
    perms = world.channel_permissions(channel, author_id)
    roles: list[int] = []
    if guild is not None:
        for rid in dict.fromkeys(int(r) for r in _ROLE_MENTION.findall(content)):
            role = guild.roles.get(rid)
            pingable = role is not None and (role.mentionable or perms & Perm.MENTION_EVERYONE)
            if pingable and ("roles" in parse or rid in allowed_roles):
                roles.append(rid)
    everyone = bool(_EVERYONE.search(content)) and "everyone" in parse and bool(perms & Perm.MENTION_EVERYONE)
    return users, roles, everyone


def _normalise_embeds(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "rich", **{k: v for k, v in e.items() if v is not None}} for e in embeds]


def build_message(
    world: World, channel: Channel, author_id: int, data: dict[str, Any], files: list[Upload], **extra: Any
) -> Message:
    """Validate a payload and turn it into a stored (but not yet announced) message."""
    check_message(data, len(files))
    flags = int(data.get("flags") or 0) & SETTABLE_MESSAGE_FLAGS
    flags |= int(extra.pop("extra_flags", 0))
    msg = Message(
        world.new_id(),
        channel.id,
        author_id,
        iso(),
        guild_id=channel.guild_id,
        content=str(data.get("content") or ""),
        embeds=_normalise_embeds(data.get("embeds") or []),
        components=list(data.get("components") or []),
        flags=flags,
        tts=bool(data.get("tts")),
        allowed_mentions=data.get("allowed_mentions"),
        poll=data.get("poll"),
        nonce=data.get("nonce"),
        **extra,
    )
    msg.attachments = _new_attachments(world, channel.id, data, files, msg.ephemeral)
    msg.mention_ids, msg.mention_role_ids, msg.mention_everyone = _mentions(
        world, channel, author_id, msg.content, msg.allowed_mentions
    )
    _apply_reference(world, channel, msg, data.get("message_reference"))
    return msg


def _apply_reference(world: World, channel: Channel, msg: Message, ref: Any) -> None:
    if not isinstance(ref, dict) or not ref.get("message_id"):
        return
    target = world.messages.get(int(ref["message_id"]))
    if target is None or target.deleted:
        if ref.get("fail_if_not_exists", True):
            raise invalid_form("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        return
    msg.type = 19 if msg.type == 0 else msg.type
    msg.message_reference = {"type": 0, "message_id": str(target.id), "channel_id": str(target.channel_id)}
    if target.guild_id is not None:
        msg.message_reference["guild_id"] = str(target.guild_id)
    replied = (msg.allowed_mentions or {}).get("replied_user", True)
    if replied and target.author_id not in msg.mention_ids and target.author_id != msg.author_id:
        msg.mention_ids.append(target.author_id)


def publish(world: World, msg: Message) -> Message:
    """Store a message, bump channel counters and announce MESSAGE_CREATE (unless ephemeral)."""
    world.messages[msg.id] = msg
    if msg.ephemeral:
        return msg
    channel = world.channels[msg.channel_id]
    channel.last_message_id = msg.id
    if channel.is_thread:
        channel.message_count += 1
        channel.total_message_sent += 1
    world.emit(message_dispatch(world, msg, "MESSAGE_CREATE"))
    return msg


def message_dispatch(world: World, msg: Message, event: str) -> Dispatch:
    """MESSAGE_CREATE/UPDATE with the author's member, gated like Discord's MESSAGE_CONTENT rules."""
    data = serialize.message_json(msg, world)
    channel = world.channels[msg.channel_id]
    guild = world.guild_of(channel)
    if guild is not None and msg.author_id in guild.members and msg.webhook_id is None:
        data["member"] = serialize.member_json(guild.members[msg.author_id], world, include_user=False)
    bot_id = world.bot_user.id
    exempt = msg.author_id == bot_id or guild is None or bot_id in msg.mention_ids
    intents = int(Intent.GUILD_MESSAGES if guild is not None else Intent.DIRECT_MESSAGES)
    return Dispatch(event, data, msg.guild_id, intents, content_gated=not exempt)


def edit(world: World, msg: Message, data: dict[str, Any], files: list[Upload]) -> Message:
    """Apply an edit payload (content/embeds/components/attachments/flags) and announce MESSAGE_UPDATE."""
    check_message(data, len(files), editing=True)
    channel = world.channels[msg.channel_id]
    if "content" in data:
        msg.content = str(data["content"] or "")
    if "embeds" in data:
        msg.embeds = _normalise_embeds(data["embeds"] or [])
    if "components" in data:
        msg.components = list(data["components"] or [])
    if "flags" in data and data["flags"] is not None:
        keep = msg.flags & ~SETTABLE_MESSAGE_FLAGS
        msg.flags = keep | (int(data["flags"]) & SETTABLE_MESSAGE_FLAGS) | (msg.flags & 64)
    if "attachments" in data:
        keep_ids = {str(a.get("id")) for a in data["attachments"] or [] if isinstance(a, dict)}
        msg.attachments = [a for a in msg.attachments if str(a.id) in keep_ids]
    msg.attachments += _new_attachments(world, channel.id, data, files, msg.ephemeral)
    if "allowed_mentions" in data:
        msg.allowed_mentions = data["allowed_mentions"]
    msg.mention_ids, msg.mention_role_ids, msg.mention_everyone = _mentions(
        world, channel, msg.author_id, msg.content, msg.allowed_mentions
    )
    msg.edited_timestamp = iso()
    if not msg.ephemeral:
        world.emit(message_dispatch(world, msg, "MESSAGE_UPDATE"))
    return msg


def delete(world: World, msg: Message) -> None:
    """Mark a message deleted and announce MESSAGE_DELETE."""
    msg.deleted = True
    if msg.ephemeral:
        return
    data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
    intents = int(Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES)
    world.dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intents=intents)


def strip_content(data: dict[str, Any]) -> dict[str, Any]:
    """What an app without MESSAGE_CONTENT sees of a message payload."""
    return {
        **data,
        "content": "",
        "embeds": [],
        "attachments": [],
        "components": [],
        **({"poll": None} if "poll" in data else {}),
    }
