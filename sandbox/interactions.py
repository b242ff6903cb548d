"""Building INTERACTION_CREATE payloads (API v10) for slash commands, autocomplete, components, modals."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox import serialize
from sandbox.commands import AppCommand, CommandRegistry
from sandbox.errors import SandboxError
from sandbox.flags import Perm
from sandbox.models import Channel, Message
from sandbox.options import Resolver, build_leaf_options
from sandbox.results import FakeInteraction, ModalSpec
from sandbox.state import World

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ATTACHMENT_LIMIT = 10 * 1024 * 1024
_SELECT_TYPES = {3, 5, 6, 7, 8}


class InteractionFactory:
    """Creates interaction payloads exactly as Discord would deliver them to the bot."""

    def __init__(self, world: World, commands: CommandRegistry) -> None:
        self.world = world
        self.commands = commands

    # -- envelope ------------------------------------------------------------------------
    def envelope(
        self, kind: int, data: dict[str, Any], channel: Channel, user_id: int, **extra: Any
    ) -> FakeInteraction:
        world = self.world
        guild = world.guild_of(channel)
        self._check_can_use(channel, user_id)
        ix_id, token = world.new_id(), "ixtoken." + secrets.token_urlsafe(32)
        channel_payload = serialize.channel_json(channel, world)
        payload: dict[str, Any] = {
            "id": str(ix_id),
            "application_id": str(world.application_id),
            "type": kind,
            "data": data,
            "channel_id": str(channel.id),
            "channel": {**channel_payload, "permissions": str(world.channel_permissions(channel, user_id))},
            "token": token,
            "version": 1,
            "locale": world.user(user_id).locale,
            "app_permissions": str(world.bot_permissions_in(channel)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_LIMIT,
        }
        if guild is not None:
            member = world.member(guild.id, user_id)
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": guild.preferred_locale, "features": list(guild.features)}
            payload["guild_locale"] = guild.preferred_locale
            member_payload = serialize.member_json(member, world)
            payload["member"] = {**member_payload, "permissions": str(world.channel_permissions(channel, user_id))}
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
            payload["context"] = 0
        else:
            payload["user"] = serialize.user_json(world.user(user_id))
            payload["authorizing_integration_owners"] = {"0": "0"}
            payload["context"] = 1
        source = extra.get("message")
        if isinstance(source, Message):
            payload["message"] = serialize.message_json(source, world)
        return FakeInteraction(
            world,
            ix_id,
            token,
            kind,
            payload,
            channel.guild_id,
            channel.id,
            user_id,
            source.id if isinstance(source, Message) else None,
        )

    def _check_can_use(self, channel: Channel, user_id: int) -> None:
        guild = self.world.guild_of(channel)
        if guild is None:
            if channel.recipient_ids != [user_id]:
                raise SandboxError(f"user {user_id} is not the recipient of DM channel {channel.id}")
            return
        if user_id not in guild.members:
            raise SandboxError(f"user {user_id} is not a member of guild {guild.id}")
        if not self.world.can_view(channel, user_id):
            raise SandboxError(f"user {user_id} cannot see channel {channel.id}, so cannot interact there")

    # -- application commands -------------------------------------------------------------
    def command(
        self,
        channel: Channel,
        user_id: int,
        path: str,
        options: dict[str, Any],
        *,
        focused: str | None = None,
        focused_value: str = "",
    ) -> FakeInteraction:
        """A slash command (or, with ``focused``, an autocomplete request) for ``"name [group] sub"``."""
        names = path.split()
        if not names:
            raise SandboxError("empty command path")
        cmd = self.commands.find(channel.guild_id, names[0])
        self._check_command_access(cmd, channel, user_id)
        resolver = Resolver(self.world, channel, user_id)
        nested, schema = _descend(cmd, names)
        leaves = build_leaf_options(schema, options, resolver, focused=focused, focused_value=focused_value)
        data: dict[str, Any] = {"id": str(cmd.id), "name": cmd.name, "type": cmd.type, "options": _wrap(nested, leaves)}
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        resolved = resolver.result()
        if resolved:
            data["resolved"] = resolved
        return self.envelope(AUTOCOMPLETE if focused else APPLICATION_COMMAND, data, channel, user_id)

    def _check_command_access(self, cmd: AppCommand, channel: Channel, user_id: int) -> None:
        context = 0 if channel.guild_id is not None else 1
        if cmd.contexts is not None and context not in cmd.contexts:
            raise SandboxError(f"/{cmd.name} is not available in this context ({'guild' if context == 0 else 'DM'})")
        if channel.guild_id is None or cmd.default_member_permissions is None:
            return
        if self.commands.everyone_allowed(channel.guild_id, cmd.id):
            return
        needed = int(cmd.default_member_permissions)
        perms = self.world.guild_permissions(channel.guild_id, user_id)
        if not perms & Perm.ADMINISTRATOR and perms & needed != needed:
            raise SandboxError(f"/{cmd.name} is hidden from user {user_id}: default_member_permissions={needed}")

    # -- components and modals -------------------------------------------------------------
    def component(self, msg: Message, custom_id: str, user_id: int, values: list[Any] | None) -> FakeInteraction:
        """A button click or select choice on a message's component."""
        comp = _find_component(msg.components, custom_id)
        if comp is None:
            ids = sorted(_all_custom_ids(msg.components))
            raise SandboxError(f"message {msg.id} has no component {custom_id!r}; it has {ids}")
        if comp.get("disabled"):
            raise SandboxError(f"component {custom_id!r} is disabled")
        if msg.ephemeral and msg.interaction_metadata and int(msg.interaction_metadata["user"]["id"]) != user_id:
            raise SandboxError("only the user who received an ephemeral message can use its components")
        channel = self.world.channel(msg.channel_id)
        resolver = Resolver(self.world, channel, user_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] in _SELECT_TYPES:
            data["values"] = _select_values(comp, values or [], resolver)
            if resolver.result():
                data["resolved"] = resolver.result()
        elif values:
            raise SandboxError("values only apply to select menus")
        return self.envelope(MESSAGE_COMPONENT, data, channel, user_id, message=msg)

    def modal_submit(self, modal: ModalSpec, user_id: int, values: dict[str, Any]) -> FakeInteraction:
        """Submitting a modal the bot opened, with values by input custom_id."""
        source = modal.source
        channel = self.world.channel(source.channel_id)
        resolver = Resolver(self.world, channel, user_id)
        unknown_ids = set(values) - set(modal.inputs())
        if unknown_ids:
            raise SandboxError(
                f"modal {modal.custom_id!r} has no inputs {sorted(unknown_ids)}; it has {sorted(modal.inputs())}"
            )
        components = [_submitted(c, values, resolver) for c in modal.components]
        data: dict[str, Any] = {"custom_id": modal.custom_id, "components": components}
        if resolver.result():
            data["resolved"] = resolver.result()
        source_msg = self.world.messages.get(source.source_message_id) if source.source_message_id else None
        return self.envelope(MODAL_SUBMIT, data, channel, user_id, message=source_msg)


def _descend(cmd: AppCommand, names: list[str]) -> tuple[list[tuple[str, int]], list[dict[str, Any]]]:
    """Walk "group sub" names through the schema; return the wrappers and the leaf option schema."""
    schema = cmd.options
    nested: list[tuple[str, int]] = []
    for name in names[1:]:
        match = next((o for o in schema if o.get("name") == name and o.get("type") in (1, 2)), None)
        if match is None:
            subs = [o["name"] for o in schema if o.get("type") in (1, 2)]
            raise SandboxError(f"/{cmd.name} has no subcommand {name!r} here; choices: {subs}")
        nested.append((name, int(match["type"])))
        schema = match.get("options") or []
    if any(o.get("type") in (1, 2) for o in schema):
        subs = [o["name"] for o in schema if o.get("type") in (1, 2)]
        raise SandboxError(f"'/{' '.join(names)}' needs a subcommand: {subs}")
    return nested, schema


def _wrap(nested: list[tuple[str, int]], leaves: list[dict[str, Any]]) -> list[dict[str, Any]]:
    options = leaves
    for name, kind in reversed(nested):
        options = [{"name": name, "type": kind, "options": options}]
    return options


def _iter_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        out.extend(_iter_components(comp.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                out.extend(_iter_components([comp[key]]))
    return out


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in _iter_components(components) if c.get("custom_id") == custom_id), None)


def _all_custom_ids(components: list[dict[str, Any]]) -> set[str]:
    return {str(c["custom_id"]) for c in _iter_components(components) if c.get("custom_id")}


def _select_values(comp: dict[str, Any], values: list[Any], resolver: Resolver) -> list[str]:
    lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
    if not lo <= len(values) <= hi:
        raise SandboxError(f"select {comp.get('custom_id')!r} takes {lo}..{hi} values, got {len(values)}")
    kind = comp["type"]
    if kind == 3:
        allowed = [str(o.get("value")) for o in comp.get("options") or []]
        bad = [v for v in values if str(v) not in allowed]
        if bad:
            raise SandboxError(f"select {comp.get('custom_id')!r} has no options {bad}; options: {allowed}")
        return [str(v) for v in values]
    add = {5: resolver.user, 6: resolver.role, 7: resolver.mentionable, 8: resolver.channel}[kind]
    return [add(v) for v in values]


def _submitted(comp: dict[str, Any], values: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The submitted form of one modal component (mirrors rows, labels and inputs)."""
    kind = comp.get("type")
    out: dict[str, Any] = {"type": kind}
    if comp.get("id") is not None:
        out["id"] = comp["id"]
    if kind == 1:
        out["components"] = [_submitted(c, values, resolver) for c in comp.get("components") or []]
    elif kind == 18:
        out["component"] = _submitted(comp["component"], values, resolver)
    elif comp.get("custom_id"):
        out.update(_input_value(comp, values.get(str(comp["custom_id"])), resolver))
    return out


def _input_value(comp: dict[str, Any], value: Any, resolver: Resolver) -> dict[str, Any]:
    kind, custom_id = comp["type"], comp["custom_id"]
    if kind == 4:
        text = "" if value is None else str(value)
        if comp.get("required", True) and not text:
            raise SandboxError(f"text input {custom_id!r} is required")
        lo, hi = comp.get("min_length"), comp.get("max_length")
        if text and ((lo is not None and len(text) < lo) or (hi is not None and len(text) > hi)):
            raise SandboxError(f"text input {custom_id!r} must be {lo}..{hi} characters, got {len(text)}")
        return {"custom_id": custom_id, "value": text}
    if kind in _SELECT_TYPES:
        return {"custom_id": custom_id, "values": _select_values(comp, list(value or []), resolver)}
    if kind == 19:
        return {"custom_id": custom_id, "values": [resolver.attachment(a) for a in value or []]}
    if kind == 23:
        return {"custom_id": custom_id, "value": bool(value)}
    if kind == 22:
        return {"custom_id": custom_id, "values": [str(v) for v in value or []]}
    return {"custom_id": custom_id, "value": value}
