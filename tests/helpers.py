"""Shared test helpers: a standard server in the loopback Discord, and building the real bot against it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.app import PeerBot
from bot.config import Settings
from bot.scheduler import Clock
from sandbox.flags import Perm
from sandbox.models import Channel, Guild, Role, User
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord

T = TypeVar("T")


@dataclass
class Server:
    """One guild with the channels and roles peerbot uses, and one person of each kind."""

    guild: Guild
    general: Channel
    shares: Channel
    share_queue: Channel
    groups: Channel
    volunteers: Channel
    peer: Channel
    alerts: Channel
    volunteer_role: Role
    on_duty_role: Role
    facilitator_role: Role
    moderator_role: Role
    admin: User
    member: User
    volunteer: User
    volunteer2: User
    facilitator: User
    moderator: User

    def channel_options(self) -> dict[str, int]:
        return {
            "shares": self.shares.id,
            "share_queue": self.share_queue.id,
            "groups": self.groups.id,
            "volunteers": self.volunteers.id,
            "peer_support": self.peer.id,
            "crisis_alerts": self.alerts.id,
        }

    def role_options(self) -> dict[str, int]:
        return {
            "volunteer": self.volunteer_role.id,
            "on_duty": self.on_duty_role.id,
            "facilitator": self.facilitator_role.id,
            "moderator": self.moderator_role.id,
        }


def build_server(fake: FakeDiscord, name: str = "Peer Haven") -> Server:
    guild = fake.add_guild(name)
    channels = {
        n: fake.add_channel(guild.id, n) for n in ("shares", "share-queue", "groups", "volunteers", "peer", "alerts")
    }
    roles = {
        "volunteer": fake.add_role(guild.id, "Volunteer"),
        "on_duty": fake.add_role(guild.id, "On duty", mentionable=True, position=1),
        "facilitator": fake.add_role(guild.id, "Facilitator"),
        "moderator": fake.add_role(guild.id, "Moderator", permissions=int(Perm.MANAGE_MESSAGES)),
    }
    return Server(
        guild=guild,
        general=fake.world.channel(guild.system_channel_id or 0),
        shares=channels["shares"],
        share_queue=channels["share-queue"],
        groups=channels["groups"],
        volunteers=channels["volunteers"],
        peer=channels["peer"],
        alerts=channels["alerts"],
        volunteer_role=roles["volunteer"],
        on_duty_role=roles["on_duty"],
        facilitator_role=roles["facilitator"],
        moderator_role=roles["moderator"],
        admin=fake.add_member(guild.id, "ada_admin", admin=True),
        member=fake.add_member(guild.id, "mo_member"),
        volunteer=fake.add_member(guild.id, "val_volunteer", roles=[roles["volunteer"].id]),
        volunteer2=fake.add_member(guild.id, "vic_volunteer", roles=[roles["volunteer"].id]),
        facilitator=fake.add_member(guild.id, "fay_facilitator", roles=[roles["facilitator"].id]),
        moderator=fake.add_member(guild.id, "max_moderator", roles=[roles["moderator"].id]),
    )


def make_settings(tmp_path: Path, fake: FakeDiscord) -> Settings:
    return Settings(
        token=fake.token,
        database_path=tmp_path / "peerbot.sqlite3",
        secret_key_file=tmp_path / "secret.key",
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
    )


def make_bot(tmp_path: Path, fake: FakeDiscord, clock: Clock) -> PeerBot:
    return PeerBot(make_settings(tmp_path, fake), clock=clock, guild_ready_timeout=0.05)


async def eventually(predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    """Poll until `predicate()` is truthy (the bot works asynchronously); return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


async def settle(rounds: int = 20) -> None:
    """Let the bot finish reacting to what was just dispatched (used before asserting that nothing happened)."""
    for _ in range(rounds):
        await asyncio.sleep(0.01)


async def run(
    fake: FakeDiscord, guild_id: int | None, user_id: int, command: str, options: dict[str, Any] | None = None
) -> FakeInteraction:
    """Invoke a slash command and wait for its answer (the follow-up too, when the bot deferred first)."""
    ix = await (await fake.slash(guild_id, user_id, command, options)).wait_response()
    if ix.deferred:
        await ix.wait_followups(1)
    return ix
