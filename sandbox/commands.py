"""Application-command registry: bulk overwrite/upsert/delete with Discord's validation rules."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, SandboxError, invalid_form, unknown
from sandbox.state import World

_NAME = re.compile(r"^[-_'\w]{1,32}$")
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2


@dataclass
class AppCommand:
    """A registered application command as Discord stores it."""

    id: int
    application_id: int
    guild_id: int | None
    name: str
    type: int
    description: str
    version: int
    options: list[dict[str, Any]] = field(default_factory=list)
    default_member_permissions: str | None = None
    contexts: list[int] | None = None
    integration_types: list[int] | None = None
    nsfw: bool = False
    name_localizations: dict[str, str] | None = None
    description_localizations: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
            "default_member_permissions": self.default_member_permissions,
            "type": self.type,
            "name": self.name,
            "name_localizations": self.name_localizations,
            "description": self.description,
            "description_localizations": self.description_localizations,
            "dm_permission": self.contexts is None or 1 in self.contexts,
            "contexts": self.contexts,
            "integration_types": self.integration_types or [0],
            "nsfw": self.nsfw,
        }
        if self.options:
            data["options"] = self.options
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class SyncRecord:
    """One bulk overwrite (what ``tree.sync()`` does)."""

    guild_id: int | None
    names: list[str]
    time: float


class CommandRegistry:
    """Commands per scope (None = global, else a guild id) plus a log of syncs."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.scopes: dict[int | None, dict[tuple[str, int], AppCommand]] = {}
        self.syncs: list[SyncRecord] = []
        self.open_to_everyone: dict[int, set[int]] = {}

    def allow_everyone(self, guild_id: int, command_id: int) -> None:
        """A guild-level permission override letting @everyone use a command."""
        self.open_to_everyone.setdefault(guild_id, set()).add(command_id)

    def everyone_allowed(self, guild_id: int, command_id: int) -> bool:
        return command_id in self.open_to_everyone.get(guild_id, set())

    def permissions_json(self, guild_id: int) -> list[dict[str, Any]]:
        """Guild command permission overrides, as GET .../commands/permissions returns them."""
        everyone = [{"id": str(guild_id), "type": 1, "permission": True}]
        return [
            {
                "id": str(cid),
                "application_id": str(self.world.application_id),
                "guild_id": str(guild_id),
                "permissions": everyone,
            }
            for cid in sorted(self.open_to_everyone.get(guild_id, set()))
        ]

    def in_scope(self, guild_id: int | None) -> list[AppCommand]:
        return list(self.scopes.get(guild_id, {}).values())

    def overwrite(self, guild_id: int | None, payloads: Any) -> list[AppCommand]:
        """PUT bulk overwrite: validate all, keep ids of commands that still exist, drop the rest."""
        if not isinstance(payloads, list):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Must be an array."}]},
            )
        if len(payloads) > 100:
            raise invalid_form("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        seen: set[tuple[str, int]] = set()
        for i, payload in enumerate(payloads):
            key = _check_command(i, payload)
            if key in seen:
                raise invalid_form(
                    f"{i}.name",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {key[0]}",
                )
            seen.add(key)
        old = self.scopes.get(guild_id, {})
        fresh = {key: self._build(guild_id, p, old.get(key)) for key, p in zip(_keys(payloads), payloads, strict=True)}
        self.scopes[guild_id] = fresh
        self.syncs.append(SyncRecord(guild_id, [k[0] for k in fresh], time.time()))
        return list(fresh.values())

    def upsert(self, guild_id: int | None, payload: Any) -> tuple[AppCommand, bool]:
        """POST a single command: creates it, or overwrites the one with the same name and type."""
        key = _check_command(None, payload)
        scope = self.scopes.setdefault(guild_id, {})
        existing = scope.get(key)
        scope[key] = self._build(guild_id, payload, existing)
        return scope[key], existing is None

    def get(self, guild_id: int | None, command_id: int) -> AppCommand:
        for cmd in self.scopes.get(guild_id, {}).values():
            if cmd.id == command_id:
                return cmd
        raise unknown("Application Command")

    def delete(self, guild_id: int | None, command_id: int) -> None:
        cmd = self.get(guild_id, command_id)
        del self.scopes[guild_id][(cmd.name, cmd.type)]

    def find(self, guild_id: int | None, name: str, type: int = 1) -> AppCommand:
        """The command a user in ``guild_id`` (None = a DM) would see under ``name``."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            cmd = self.scopes.get(scope, {}).get((name, type))
            if cmd is not None:
                return cmd
        known = sorted({n for s in scopes for (n, t) in self.scopes.get(s, {}) if t == type})
        raise SandboxError(f"command {name!r} (type {type}) was never synced for guild {guild_id}; synced: {known}")

    def _build(self, guild_id: int | None, p: dict[str, Any], existing: AppCommand | None) -> AppCommand:
        world = self.world
        return AppCommand(
            id=existing.id if existing else world.new_id(),
            application_id=world.application_id,
            guild_id=guild_id,
            name=p["name"],
            type=int(p.get("type") or 1),
            description=str(p.get("description") or ""),
            version=world.new_id(),
            options=list(p.get("options") or []),
            default_member_permissions=_opt_str(p.get("default_member_permissions")),
            contexts=p.get("contexts"),
            integration_types=p.get("integration_types"),
            nsfw=bool(p.get("nsfw")),
            name_localizations=p.get("name_localizations"),
            description_localizations=p.get("description_localizations"),
        )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _keys(payloads: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(p["name"], int(p.get("type") or 1)) for p in payloads]


def _check_command(index: int | None, p: Any) -> tuple[str, int]:
    """Validate one command payload; return its (name, type) key."""
    prefix = "" if index is None else f"{index}."
    if not isinstance(p, dict) or not isinstance(p.get("name"), str):
        raise invalid_form(f"{prefix}name", "BASE_TYPE_REQUIRED", "This field is required")
    kind = int(p.get("type") or 1)
    name = p["name"]
    if kind == 1:
        _check_name(f"{prefix}name", name)
        _check_description(f"{prefix}description", p.get("description"))
        _check_options(f"{prefix}options", p.get("options") or [], depth=0)
    elif not 1 <= len(name) <= 32:
        raise invalid_form(f"{prefix}name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
    return name, kind


def _check_name(path: str, name: Any) -> None:
    if not isinstance(name, str) or not _NAME.match(name) or name != name.lower():
        raise invalid_form(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_description(path: str, desc: Any) -> None:
    if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
        raise invalid_form(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_options(path: str, options: list[dict[str, Any]], depth: int) -> None:
    if len(options) > 25:
        raise invalid_form(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    kinds = {int(o.get("type") or 0) in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options}
    if len(kinds) > 1:
        raise invalid_form(
            path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot be mixed with other options"
        )
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(options):
        here = f"{path}.{i}"
        _check_name(f"{here}.name", opt.get("name"))
        _check_description(f"{here}.description", opt.get("description"))
        if opt["name"] in names:
            raise invalid_form(
                f"{here}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(opt["name"])
        kind = int(opt.get("type") or 0)
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _check_nested(here, opt, kind, depth)
            continue
        if opt.get("required"):
            if seen_optional:
                raise invalid_form(
                    f"{here}.required",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        if opt.get("choices") and opt.get("autocomplete"):
            raise invalid_form(
                f"{here}.autocomplete",
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
                "Autocomplete cannot be set with choices",
            )
        if len(opt.get("choices") or []) > 25:
            raise invalid_form(f"{here}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")


def _check_nested(here: str, opt: dict[str, Any], kind: int, depth: int) -> None:
    children = opt.get("options") or []
    if kind == SUB_COMMAND_GROUP and (depth > 0 or any(int(c.get("type") or 0) != SUB_COMMAND for c in children)):
        raise invalid_form(
            f"{here}.type",
            "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
            "Subcommand groups may only contain subcommands and sit at the top level",
        )
    if kind == SUB_COMMAND and any(int(c.get("type") or 0) in (SUB_COMMAND, SUB_COMMAND_GROUP) for c in children):
        raise invalid_form(
            f"{here}.options", "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Subcommands cannot contain subcommands"
        )
    _check_options(f"{here}.options", children, depth + 1)
