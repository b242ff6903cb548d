"""Errors that reach members, and the one global app-command error handler (STYLE 33)."""

from __future__ import annotations

import logging
import secrets
from typing import Any, cast

import discord
from discord import app_commands

from bot.ui import reply

log = logging.getLogger(__name__)


class UserFacingError(app_commands.AppCommandError):
    """An expected problem; its message is kind, says what to do next, and is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(app_commands.CheckFailure):
    """A feature needs a channel or role an admin has not set yet."""

    def __init__(self, what: str, setup_hint: str) -> None:
        super().__init__(what)
        self.what = what
        self.setup_hint = setup_hint


class MissingRole(app_commands.CheckFailure):
    """The member lacks the configured role (volunteer, facilitator, moderator) a command needs."""

    def __init__(self, label: str, role_id: int) -> None:
        super().__init__(label)
        self.label = label
        self.role_id = role_id


def new_error_id() -> str:
    return secrets.token_hex(4).upper()


def _is_admin(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    return bool(perms.manage_guild or perms.administrator)


def _permission_names(names: list[str]) -> str:
    return ", ".join(f"**{n.replace('_', ' ').replace('guild', 'server').title()}**" for n in names)


def describe(error: app_commands.AppCommandError, interaction: discord.Interaction) -> str | None:
    """The kind message for an expected error, or None when it is unexpected."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        error = error.original
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, NotConfigured):
        if _is_admin(interaction):
            return f"This needs {error.what}, which isn't set up yet. Run `{error.setup_hint}` to set it."
        return f"This isn't set up on this server yet ({error.what} is missing). Please ask a server admin."
    if isinstance(error, MissingRole):
        return (
            f"This command is for {error.label}s: it needs the <@&{error.role_id}> role. "
            "If you should have it, please ask a server admin."
        )
    if isinstance(error, app_commands.MissingPermissions):
        return (
            f"This command needs the {_permission_names(error.missing_permissions)} permission. "
            "If you think you should have it, please ask a server admin."
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I'm missing the {_permission_names(error.missing_permissions)} permission here. "
            "A server admin can grant it to my role; `/setup check` lists everything I need."
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works inside a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds before trying that again."
    if isinstance(error, app_commands.TransformerError):
        value = discord.utils.escape_markdown(str(error.value))[:80]
        return f"I couldn't understand `{value}`. Please pick one of the suggestions, or check the spelling."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here. If you think you should, please ask a server admin."
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, discord.Forbidden):
        return (
            "Discord didn't let me finish that because I'm missing a permission. "
            "A server admin can run `/setup check` to see what to fix."
        )
    return None


class PeerTree(app_commands.CommandTree[Any]):
    """Command tree whose error handler answers every failed interaction kindly and privately."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if getattr(error, "handled", False):
            return
        message = describe(error, interaction)
        if message is None:
            error_id = new_error_id()
            command = interaction.command.qualified_name if interaction.command else "?"
            # No options or user content in the log: only ids (STYLE 37).
            log.error(
                "Unexpected error %s in /%s (guild %s)",
                error_id,
                command,
                interaction.guild_id,
                exc_info=cast(BaseException, getattr(error, "original", error)),
            )
            message = (
                "Sorry, something went wrong on my side and I couldn't finish that. "
                f"Please try again in a moment; if it keeps happening, tell an admin the error id **{error_id}**."
            )
        await reply(interaction, message)
