"""A ready-made server in the loopback Discord: the channels and roles peerbot uses and one person of each kind.

Used by the tests and by the terminal sandbox (`python -m bot sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.flags import Perm
from sandbox.models import Channel, Guild, Role, User
from sandbox.server import FakeDiscord


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
    fake.set_role_position(guild.id, fake.bot_role(guild.id).id, 10)  # above every role it must manage
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
