"""``FakeDiscord``: the test-facing facade that runs the fake REST API and gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import Any, Self, TypeVar

from aiohttp import web

from sandbox import guilds
from sandbox.backend import Backend
from sandbox.commands import CommandRegistry
from sandbox.faults import Fault
from sandbox.flags import DEFAULT_BOT
from sandbox.gateway import GatewayHub, Identity
from sandbox.http import Call
from sandbox.interactions import InteractionFactory
from sandbox.messages import store_attachment
from sandbox.models import Attachment, Channel, Guild, Member, Message, Role, User
from sandbox.rest import build_app
from sandbox.results import FakeInteraction
from sandbox.state import Config, World
from sandbox.users import UserActions

T = TypeVar("T")


class FakeDiscord(UserActions):
    """A loopback Discord: REST v10 at ``api_base``, the gateway at ``gateway_url``.

    ``message_content_allowed`` / ``members_allowed`` / ``presences_allowed`` are the application's
    privileged-intent switches: identifying with a privileged intent that is not allowed closes the
    gateway with 4014, like Discord.
    """

    def __init__(
        self,
        *,
        message_content_allowed: bool = False,
        members_allowed: bool = False,
        presences_allowed: bool = False,
        bot_name: str = "peerbot",
        bot_permissions: int = DEFAULT_BOT,
        heartbeat_interval: int = 41250,
        interaction_ack_timeout: float = 3.0,
        token: str | None = None,
    ) -> None:
        config = Config(
            message_content_allowed=message_content_allowed,
            members_allowed=members_allowed,
            presences_allowed=presences_allowed,
            bot_name=bot_name,
            bot_permissions=bot_permissions,
            heartbeat_interval=heartbeat_interval,
            interaction_ack_timeout=interaction_ack_timeout,
        )
        if token is not None:
            config.token = token
        world = World(config)
        registry = CommandRegistry(world)
        self.world = world
        self.backend = Backend(world, registry, GatewayHub(world), InteractionFactory(world, registry))
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind the server (port 0 = any free port)."""
        runner = web.AppRunner(build_app(self.backend), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        base = f"http://{host}:{self.port}"
        self.world.base_url = base
        self.backend.hub.url = f"ws://{host}:{self.port}/"

    async def stop(self) -> None:
        """Close gateway connections and the HTTP server."""
        await self.backend.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"{self.world.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.backend.hub.url

    @property
    def token(self) -> str:
        return self.world.config.token

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        return self.world.bot_user

    # -- building the world -------------------------------------------------------------------
    def add_guild(self, name: str, owner_id: int | None = None, *, bot_permissions: int | None = None) -> Guild:
        """A guild with @everyone, a managed "peerbot" role, #general (system channel) and the bot."""
        return guilds.add_guild(self.world, name, owner_id=owner_id, bot_permissions=bot_permissions)

    def add_channel(
        self, guild_id: int, name: str, type: int = 0, *, parent_id: int | None = None, topic: str | None = None
    ) -> Channel:
        return guilds.add_channel(self.world, guild_id, name, type=type, parent_id=parent_id, topic=topic)

    def add_role(
        self,
        guild_id: int,
        name: str,
        permissions: int = 0,
        *,
        position: int | None = None,
        mentionable: bool = False,
        color: int = 0,
        hoist: bool = False,
    ) -> Role:
        return guilds.add_role(
            self.world,
            guild_id,
            name,
            permissions=permissions,
            position=position,
            mentionable=mentionable,
            color=color,
            hoist=hoist,
        )

    def add_user(self, username: str, *, dms_closed: bool = False, global_name: str | None = None) -> User:
        """A user who shares no guild with the bot (yet); add them to guilds with ``add_member(user_id=...)``."""
        return self.world.add_user(username, dms_closed=dms_closed, global_name=global_name)

    def add_member(
        self,
        guild_id: int,
        username: str | None = None,
        roles: Sequence[int] | None = None,
        permissions: int | None = None,
        *,
        admin: bool = False,
        nick: str | None = None,
        dms_closed: bool = False,
        user_id: int | None = None,
    ) -> User:
        """Add a member; ``permissions``/``admin=True`` give them a personal role with those permissions."""
        member = guilds.add_member(
            self.world,
            guild_id,
            username,
            user_id=user_id,
            roles=list(roles or []),
            permissions=permissions,
            admin=admin,
            nick=nick,
            dms_closed=dms_closed,
        )
        return self.world.users[member.user_id]

    def member(self, guild_id: int, user_id: int) -> Member:
        return self.world.member(guild_id, user_id)

    def set_bot_permissions(self, guild_id: int, permissions: int) -> None:
        """Set the permissions of the bot's managed role in a guild."""
        guild = self.world.guild(guild_id)
        guilds.set_role_permissions(self.world, guild_id, guild.bot_role_id or 0, permissions)

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        guilds.set_role_permissions(self.world, guild_id, role_id, permissions)

    def set_role_position(self, guild_id: int, role_id: int, position: int) -> None:
        guilds.set_role_position(self.world, guild_id, role_id, position)

    def bot_role(self, guild_id: int) -> Role:
        guild = self.world.guild(guild_id)
        return guild.roles[guild.bot_role_id or 0]

    def set_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        """Set a permission overwrite for a role or member id on a channel (0/0 removes it)."""
        guilds.set_overwrite(self.world, channel_id, target_id, allow=allow, deny=deny)

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Shortcut: a member overwrite denying ``permissions`` to the bot in one channel."""
        guilds.set_overwrite(self.world, channel_id, self.bot_user.id, deny=permissions, type=1)

    def set_member_roles(self, guild_id: int, user_id: int, roles: Sequence[int]) -> None:
        guilds.set_member_roles(self.world, guild_id, user_id, list(roles))

    def allow_command_for_everyone(self, name: str, guild_id: int | None = None) -> None:
        """What an admin does in Server Settings > Integrations: let @everyone use a command that its
        default_member_permissions would hide (in one guild, or every guild when guild_id is None)."""
        registry = self.backend.commands
        for gid in [guild_id] if guild_id is not None else list(self.world.guilds):
            cmd = registry.find(gid, name)
            registry.allow_everyone(gid, cmd.id)
            [update] = [p for p in registry.permissions_json(gid) if p["id"] == str(cmd.id)]
            self.world.dispatch("APPLICATION_COMMAND_PERMISSIONS_UPDATE", update, guild_id=gid)

    def set_dms_closed(self, user_id: int, closed: bool = True) -> None:
        self.world.user(user_id).dms_closed = closed

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Attachment:
        """A file a test user attaches (for attachment options); served by the fake CDN."""
        return store_attachment(self.world, 0, filename, data, content_type=content_type, ephemeral=True)

    # -- inspection --------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        return self.backend.calls

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        """Recorded calls with this method ("*" = any) whose path (after /api/v10) matches re.search."""
        pattern = re.compile(path_regex)
        return [c for c in self.calls if method in ("*", c.method) and pattern.search(c.path)]

    def unknown_routes(self) -> list[Call]:
        """Calls the fake has no route for (each got a 404 with code 0)."""
        return [c for c in self.calls if c.status == 404 and c.unknown_route]

    def messages(self, channel_id: int) -> list[Message]:
        """Non-ephemeral messages in a channel, oldest first."""
        return self.world.channel_messages(channel_id)

    def dm_messages(self, user_id: int) -> list[Message]:
        channel_id = self.world.dm_channel_by_user.get(user_id)
        return [] if channel_id is None else self.world.channel_messages(channel_id)

    def member_roles(self, guild_id: int, user_id: int) -> list[int]:
        return list(self.world.member(guild_id, user_id).roles)

    def sent_allowed_mentions(self) -> list[dict[str, Any] | None]:
        """allowed_mentions of every message-bearing request the bot made (None where it sent none)."""
        return [m.allowed_mentions for m in self.backend.mentions]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The synced command schemas (global when guild_id is None)."""
        return [c.to_json() for c in self.backend.commands.in_scope(guild_id)]

    def command(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        return self.backend.commands.find(guild_id, name).to_json()

    def sync_count(self, guild_id: int | None = None) -> int:
        """How many bulk overwrites (tree.sync calls) hit this scope."""
        return sum(1 for s in self.backend.commands.syncs if s.guild_id == guild_id)

    @property
    def interactions(self) -> list[FakeInteraction]:
        return list(self.backend.interactions.values())

    @property
    def identifies(self) -> list[Identity]:
        return list(self.backend.hub.identifies)

    def server_errors(self) -> list[str]:
        """Internal errors of the fake (each also failed its request with a 400 saying so)."""
        return list(self.backend.server_errors)

    def gateway_errors(self) -> list[str]:
        return list(self.backend.hub.errors)

    # -- faults and gateway control ---------------------------------------------------------------
    def inject_fault(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        code: int | None = None,
        *,
        message: str | None = None,
        is_global: bool = False,
    ) -> Fault:
        """Fail the next ``times`` matching requests (429s carry Via, retry_after and X-RateLimit headers)."""
        fault = Fault(method.upper(), re.compile(path_regex), status, times, retry_after, code, message, is_global)
        return self.backend.faults.add(fault)

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109 - public API
        """Poll ``predicate`` every 10 ms until it returns something truthy, and return that."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := predicate()):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)
        return result

    async def wait_until_ready(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - public API
        """Wait until a bot identified and was sent READY plus every GUILD_CREATE."""
        await asyncio.wait_for(self.backend.hub.ready.wait(), timeout)

    async def drop_gateway(self) -> None:
        """Abort the gateway TCP connections without a close frame; the bot should RESUME."""
        await self.backend.hub.drop()

    async def wait_for_resume(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - public API
        await asyncio.wait_for(self.backend.hub.resumed.wait(), timeout)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before maintenance."""
        self.backend.hub.send_op(7, None)

    def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION."""
        self.backend.hub.send_op(9, resumable)


__all__ = ["FakeDiscord"]
