"""The loopback Discord the benchmark talks through: every server, and the people who send commands."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.demo import Server, build_server
from sandbox.server import FakeDiscord


@dataclass
class HotGuild:
    """A server commands are sent in, with pools of people to send them as."""

    server: Server
    members: list[int] = field(default_factory=list)
    volunteers: list[int] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.server.guild.id


@dataclass
class BenchWorld:
    fake: FakeDiscord
    servers: list[Server]
    hot: list[HotGuild]

    def hot_ids(self) -> set[int]:
        return {h.id for h in self.hot}


def build_world(
    fake: FakeDiscord, guilds: int, *, hot: int, members_per_hot: int, volunteers_per_hot: int
) -> BenchWorld:
    """`guilds` servers built like `sandbox.demo.build_server` (channels, roles, one person of each kind), the first
    `hot` of them with extra members and volunteers. Built before the bot connects, so each reaches it as a
    GUILD_CREATE at start-up, as on Discord."""
    servers = [build_server(fake, f"Server {i}") for i in range(guilds)]
    hot_guilds: list[HotGuild] = []
    for index, server in enumerate(servers[:hot]):
        gid = server.guild.id
        members = [fake.add_member(gid, f"h{index}-member-{n}").id for n in range(members_per_hot)]
        volunteers = [server.volunteer.id, server.volunteer2.id]
        volunteers += [
            fake.add_member(gid, f"h{index}-volunteer-{n}", roles=[server.volunteer_role.id]).id
            for n in range(max(0, volunteers_per_hot - 2))
        ]
        hot_guilds.append(HotGuild(server, members, volunteers))
    return BenchWorld(fake, servers, hot_guilds)
