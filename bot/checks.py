"""Who may run what. Each command declares its audience once; `/help` and the checks both read it.

Audiences: `member` (everyone), `volunteer`, `facilitator`, `moderator` (the configured roles) and
`admin` (Manage Server). Admins pass every role check. A refusal raises a named CheckFailure that
the global error handler words kindly (bot/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import discord
from discord import app_commands

from bot.errors import MissingRole, NotConfigured
from bot.ui import is_admin

if TYPE_CHECKING:
    from bot.app import PeerBot

Audience = Literal["member", "volunteer", "facilitator", "moderator", "admin"]
AUDIENCES: tuple[Audience, ...] = ("member", "volunteer", "facilitator", "moderator", "admin")
T = TypeVar("T")


def _bot(interaction: discord.Interaction) -> PeerBot:
    return cast("PeerBot", interaction.client)


async def audiences_of(interaction: discord.Interaction) -> set[Audience]:
    """Every audience the person asking belongs to."""
    found: set[Audience] = {"member"}
    member = interaction.user
    if not isinstance(member, discord.Member) or interaction.guild_id is None:
        return found
    if is_admin(member):
        return set(AUDIENCES)
    config = await _bot(interaction).guild_config(interaction.guild_id)
    role_ids = {r.id for r in member.roles}
    roles: tuple[Audience, ...] = ("volunteer", "facilitator", "moderator")
    for kind in roles:
        role_id = getattr(config, f"{kind}_role_id")
        if role_id is not None and role_id in role_ids:
            found.add(kind)
    return found


async def require(interaction: discord.Interaction, audience: Audience) -> None:
    """Raise the right CheckFailure unless the person asking belongs to `audience`."""
    if audience == "member":
        return
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise app_commands.NoPrivateMessage()
    if is_admin(interaction.user):
        return
    if audience == "admin":
        raise app_commands.MissingPermissions(["manage_guild"])
    config = await _bot(interaction).guild_config(interaction.guild_id)
    role_id = getattr(config, f"{audience}_role_id")
    if role_id is None:
        raise NotConfigured(f"the {audience} role", f"/setup roles {audience}:")
    if not any(r.id == role_id for r in interaction.user.roles):
        raise MissingRole(audience, role_id)


def audience(level: Audience) -> Callable[[T], T]:
    """Mark a command (or group) for an audience and enforce it at run time.

    Put it above `@app_commands.command`. Admin groups should also pass
    `default_permissions=discord.Permissions(manage_guild=True)` so Discord hides them from members;
    the run-time check stays because server admins can override default permissions.
    """

    def decorator(obj: T) -> T:
        target = cast(Any, obj)
        target.extras["audience"] = level
        if isinstance(obj, app_commands.Command):

            async def predicate(interaction: discord.Interaction) -> bool:
                await require(interaction, level)
                return True

            obj.add_check(predicate)
        return obj

    return decorator


def audience_of(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> Audience:
    """A command's declared audience, inherited from its parent group; undeclared means admin (fail closed)."""
    node: Any = command
    while node is not None:
        level = node.extras.get("audience")
        if level is not None:
            return cast(Audience, level)
        node = node.parent
    return "admin"
