"""Loopback stand-in for Discord's REST API v10 and gateway.

The real discord.py client connects to :class:`FakeDiscord` over 127.0.0.1, so tests (and the
interactive sandbox) can drive slash commands, components, modals, autocomplete and user messages
and then assert on exactly what the bot sent.
"""

from sandbox.errors import ApiError, SandboxError
from sandbox.models import Attachment, Channel, Guild, Member, Message, Role, ScheduledEvent, User
from sandbox.results import FakeInteraction, ModalSpec
from sandbox.server import FakeDiscord

__all__ = [
    "ApiError",
    "Attachment",
    "Channel",
    "FakeDiscord",
    "FakeInteraction",
    "Guild",
    "Member",
    "Message",
    "ModalSpec",
    "Role",
    "SandboxError",
    "ScheduledEvent",
    "User",
]
