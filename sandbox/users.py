"""What simulated users do: run commands, click components, submit modals, post messages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from sandbox import messages
from sandbox.backend import Backend
from sandbox.errors import SandboxError
from sandbox.flags import Perm
from sandbox.guilds import announce_channel
from sandbox.messages import Upload
from sandbox.models import Channel, Message
from sandbox.results import FakeInteraction, ModalSpec
from sandbox.state import World


class UserActions:
    """Mixin for FakeDiscord: what users do — commands, clicks, modals, and their own messages."""

    world: World
    backend: Backend

    # -- interactions ----------------------------------------------------------------------
    def _channel_for(self, guild_id: int | None, user_id: int, channel_id: int | None) -> Channel:
        if channel_id is not None:
            return self.world.channel(channel_id)
        if guild_id is None:
            return self.world.dm_channel(user_id)
        guild = self.world.guild(guild_id)
        if guild.system_channel_id is None:
            raise SandboxError("guild has no system channel; pass channel_id")
        return self.world.channel(guild.system_channel_id)

    async def _deliver(self, ix: FakeInteraction) -> FakeInteraction:
        if not self.backend.hub.sessions:
            raise SandboxError("no bot session on the gateway; start the bot and await fake.wait_until_ready()")
        self.backend.interactions[ix.id] = ix
        ix.dispatched_at = time.perf_counter()  # measurement hook (bench/)
        self.world.dispatch("INTERACTION_CREATE", ix.payload, guild_id=ix.guild_id)
        await asyncio.sleep(0)
        return ix

    async def slash(
        self,
        guild_id: int | None,
        user_id: int,
        command: str,
        options: dict[str, Any] | None = None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """Run "/name [group] [sub]" as ``user_id``; guild_id None means in the user's DM with the bot."""
        channel = self._channel_for(guild_id, user_id, channel_id)
        return await self._deliver(self.backend.factory.command(channel, user_id, command, dict(options or {})))

    async def autocomplete(
        self,
        guild_id: int | None,
        user_id: int,
        command: str,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        channel_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - public API
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused``; return the bot's choices."""
        channel = self._channel_for(guild_id, user_id, channel_id)
        ix = self.backend.factory.command(
            channel, user_id, command, dict(options or {}), focused=focused, focused_value=value
        )
        await (await self._deliver(ix)).wait_response(timeout)
        if ix.response_type != 8:
            raise SandboxError(f"autocomplete got response type {ix.response_type}, expected 8")
        return ix.choices

    async def click(
        self,
        message_id: int,
        custom_id: str,
        user_id: int,
        guild_id: int | None = None,
        values: Sequence[Any] | None = None,
    ) -> FakeInteraction:
        """Press a button (or choose ``values`` in a select) on a message the bot sent."""
        msg = self.world.messages.get(message_id)
        if msg is None or msg.deleted:
            raise SandboxError(f"no message {message_id}")
        if guild_id is not None and msg.guild_id != guild_id:
            raise SandboxError(f"message {message_id} is not in guild {guild_id}")
        ix = self.backend.factory.component(msg, custom_id, user_id, list(values) if values is not None else None)
        return await self._deliver(ix)

    async def select(self, message_id: int, custom_id: str, user_id: int, values: Sequence[Any]) -> FakeInteraction:
        return await self.click(message_id, custom_id, user_id, values=values)

    async def submit_modal(
        self, modal: ModalSpec | FakeInteraction | None, user_id: int, values: dict[str, Any] | None = None
    ) -> FakeInteraction:
        """Submit a modal the bot opened (pass ``ix.modal`` or the interaction that opened it)."""
        spec = modal.modal if isinstance(modal, FakeInteraction) else modal
        if spec is None:
            raise SandboxError("the interaction did not open a modal")
        return await self._deliver(self.backend.factory.modal_submit(spec, user_id, dict(values or {})))

    # -- messages ---------------------------------------------------------------------------

    def user_message(
        self,
        channel_id: int,
        user_id: int,
        content: str,
        *,
        files: Sequence[tuple[str, bytes]] = (),
        reply_to: int | None = None,
    ) -> Message:
        """Post a message as a user.  Without the MESSAGE_CONTENT intent the bot receives content ""
        (unless it is mentioned or the message is a DM), exactly like Discord."""
        world = self.world
        channel = world.channel(channel_id)
        self._check_user_can_post(channel_id, user_id, bool(files))
        data: dict[str, object] = {"content": content}
        if reply_to is not None:
            data["message_reference"] = {"message_id": str(reply_to)}
        uploads = [Upload(f"files[{i}]", name, blob) for i, (name, blob) in enumerate(files)]
        msg = messages.build_message(world, channel, user_id, data, uploads)
        return messages.publish(world, msg)

    def user_dm(self, user_id: int, content: str, *, files: Sequence[tuple[str, bytes]] = ()) -> Message:
        """A user writes to the bot in DMs."""
        return self.user_message(self.world.dm_channel(user_id).id, user_id, content, files=files)

    def _check_user_can_post(self, channel_id: int, user_id: int, has_files: bool) -> None:
        world = self.world
        channel = world.channel(channel_id)
        if channel.guild_id is None:
            if channel.recipient_ids != [user_id]:
                raise SandboxError(f"user {user_id} is not part of DM channel {channel_id}")
            return
        if user_id not in world.guilds[channel.guild_id].members:
            raise SandboxError(f"user {user_id} is not a member of guild {channel.guild_id}")
        perms = world.channel_permissions(channel, user_id)
        send = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
        if not world.can_view(channel, user_id) or not perms & send:
            raise SandboxError(f"user {user_id} cannot send messages in channel {channel.name!r}")
        if has_files and not perms & Perm.ATTACH_FILES:
            raise SandboxError(f"user {user_id} cannot attach files in channel {channel.name!r}")
        meta = channel.thread
        if meta is not None and meta.archived:
            if meta.locked and not perms & Perm.MANAGE_THREADS:
                raise SandboxError("the thread is locked")
            meta.archived = False
            announce_channel(world, channel)
