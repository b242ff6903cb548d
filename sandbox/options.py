"""Turning test-supplied option values into Discord option payloads plus the ``resolved`` map."""

from __future__ import annotations

from typing import Any

from sandbox import serialize
from sandbox.errors import SandboxError
from sandbox.models import Attachment, Channel, Member, Role, User
from sandbox.state import World

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
MAX_SAFE_INT = 2**53


def _as_id(value: Any) -> int:
    """Accept an int, a digit string or a sandbox model (User/Member/Role/Channel/Attachment)."""
    if isinstance(value, Member):
        return value.user_id
    if isinstance(value, User | Role | Channel | Attachment):
        return value.id
    if isinstance(value, bool):
        raise SandboxError(f"expected an id, got {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise SandboxError(f"expected an id or sandbox object, got {value!r}")


class Resolver:
    """Collects the ``resolved`` data for entity options and select values."""

    def __init__(self, world: World, channel: Channel, invoker_id: int) -> None:
        self.world = world
        self.where = channel
        self.guild = world.guild_of(channel)
        self.invoker_id = invoker_id
        self.data: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> str:
        self.data.setdefault(kind, {})[str(key)] = value
        return str(key)

    def user(self, value: Any) -> str:
        uid = _as_id(value)
        user = self.world.users.get(uid)
        if user is None:
            raise SandboxError(f"no user {uid}")
        member = self.guild.members.get(uid) if self.guild is not None else None
        if member is not None:
            payload = serialize.member_json(member, self.world, include_user=False)
            payload["permissions"] = str(self.world.channel_permissions(self.where, uid))
            self._put("members", uid, payload)
        return self._put("users", uid, serialize.user_json(user))

    def role(self, value: Any) -> str:
        rid = _as_id(value)
        if self.guild is None or rid not in self.guild.roles:
            raise SandboxError(f"no role {rid} in this guild")
        return self._put("roles", rid, serialize.role_json(self.guild.roles[rid]))

    def mentionable(self, value: Any) -> str:
        target = _as_id(value)
        if self.guild is not None and target in self.guild.roles:
            return self.role(target)
        return self.user(target)

    def channel_option(self, value: Any, channel_types: list[int] | None) -> str:
        cid = _as_id(value)
        ch = self.world.channels.get(cid)
        if ch is None or ch.guild_id != self.where.guild_id or ch.guild_id is None:
            raise SandboxError(f"no channel {cid} in this guild")
        if channel_types and ch.type not in channel_types:
            raise SandboxError(f"channel {ch.name!r} has type {ch.type}; the option accepts {channel_types}")
        if not self.world.can_view(ch, self.invoker_id):
            raise SandboxError(f"user {self.invoker_id} cannot see channel {ch.name!r}, so cannot pick it")
        payload = serialize.channel_json(ch, self.world)
        payload["permissions"] = str(self.world.channel_permissions(ch, self.invoker_id))
        return self._put("channels", cid, payload)

    def channel(self, value: Any) -> str:
        return self.channel_option(value, None)

    def attachment(self, value: Any) -> str:
        if not isinstance(value, Attachment):
            raise SandboxError("attachment options take an Attachment from fake.attachment(...)")
        return self._put("attachments", value.id, serialize.attachment_json(value))

    def result(self) -> dict[str, Any]:
        return dict(self.data)


def build_leaf_options(
    schema: list[dict[str, Any]], given: dict[str, Any], resolver: Resolver, *, focused: str | None, focused_value: str
) -> list[dict[str, Any]]:
    """Option payloads for the leaf level of a command, validated against its schema."""
    by_name = {o["name"]: o for o in schema}
    unknown_names = set(given) - set(by_name)
    if unknown_names:
        raise SandboxError(f"unknown option(s) {sorted(unknown_names)}; the command takes {sorted(by_name)}")
    if focused is not None and not by_name.get(focused, {}).get("autocomplete"):
        raise SandboxError(f"option {focused!r} does not have autocomplete enabled")
    out: list[dict[str, Any]] = []
    for opt in schema:
        name = opt["name"]
        if name == focused:
            out.append({"name": name, "type": opt["type"], "value": focused_value, "focused": True})
        elif name in given and given[name] is not None:
            out.append({"name": name, "type": opt["type"], "value": _convert(opt, given[name], resolver)})
        elif opt.get("required") and focused is None:
            raise SandboxError(f"option {name!r} is required")
    return out


def _convert(opt: dict[str, Any], value: Any, resolver: Resolver) -> Any:
    kind = int(opt["type"])
    if kind == STRING:
        converted: Any = _check_length(opt, str(value))
    elif kind in (INTEGER, NUMBER):
        converted = _check_number(opt, value, integer=kind == INTEGER)
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise SandboxError(f"option {opt['name']!r} takes a bool, got {value!r}")
        converted = value
    else:
        return _convert_entity(kind, opt, value, resolver)
    _check_choice(opt, converted)
    return converted


def _convert_entity(kind: int, opt: dict[str, Any], value: Any, resolver: Resolver) -> str:
    if kind == USER:
        return resolver.user(value)
    if kind == CHANNEL:
        return resolver.channel_option(value, opt.get("channel_types"))
    if kind == ROLE:
        return resolver.role(value)
    if kind == MENTIONABLE:
        return resolver.mentionable(value)
    if kind == ATTACHMENT:
        return resolver.attachment(value)
    raise SandboxError(f"unsupported option type {kind}")


def _check_length(opt: dict[str, Any], text: str) -> str:
    lo, hi = opt.get("min_length", 0), opt.get("max_length", 6000)
    if not lo <= len(text) <= hi:
        raise SandboxError(f"option {opt['name']!r} must be {lo}..{hi} characters, got {len(text)}")
    return text


def _check_number(opt: dict[str, Any], value: Any, *, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SandboxError(f"option {opt['name']!r} takes a number, got {value!r}")
    if integer and (not float(value).is_integer() or abs(value) > MAX_SAFE_INT):
        raise SandboxError(f"option {opt['name']!r} takes an integer, got {value!r}")
    number: int | float = int(value) if integer else float(value)
    lo, hi = opt.get("min_value"), opt.get("max_value")
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise SandboxError(f"option {opt['name']!r} must be within {lo}..{hi}, got {number}")
    return number


def _check_choice(opt: dict[str, Any], value: Any) -> None:
    choices = opt.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise SandboxError(f"option {opt['name']!r} must be one of {[c['value'] for c in choices]}, got {value!r}")
