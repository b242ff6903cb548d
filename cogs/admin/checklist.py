"""What each configured channel and role needs from the bot, as plain data (no Discord types)."""

from __future__ import annotations

from dataclasses import dataclass

# Setting name -> (label shown to admins, permissions the bot needs in that channel).
CHANNEL_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "shares_channel_id": (
        "Shares",
        (
            "view_channel",
            "send_messages",
            "embed_links",
            "read_message_history",
            "create_public_threads",
            "send_messages_in_threads",
        ),
    ),
    "share_queue_channel_id": ("Share moderation queue", ("view_channel", "send_messages", "embed_links")),
    "groups_channel_id": ("Group announcements", ("view_channel", "send_messages", "embed_links")),
    "volunteers_channel_id": ("Volunteers", ("view_channel", "send_messages", "embed_links")),
    "peer_channel_id": (
        "Peer-support conversations",
        ("view_channel", "send_messages", "create_private_threads", "send_messages_in_threads", "manage_threads"),
    ),
    "crisis_alert_channel_id": ("Crisis alerts", ("view_channel", "send_messages", "embed_links")),
}
ROLE_LABELS: dict[str, str] = {
    "volunteer_role_id": "Volunteer",
    "on_duty_role_id": "On duty",
    "facilitator_role_id": "Facilitator",
    "moderator_role_id": "Moderator",
}
# Server-wide permissions and the feature that needs each.
GUILD_NEEDS: dict[str, str] = {
    "manage_roles": "giving and removing the on-duty role",
    "manage_events": "creating Discord events for support groups",
}


@dataclass(frozen=True)
class Problem:
    """One thing an admin should fix, with the fix spelled out."""

    where: str
    problem: str
    fix: str


def permission_label(name: str) -> str:
    return name.replace("_", " ").replace("guild", "server").title()


def missing_channel_permissions(label: str, missing: list[str]) -> Problem:
    names = ", ".join(permission_label(p) for p in missing)
    return Problem(
        f"#{label}",
        f"I'm missing {names}",
        "Edit the channel > Permissions > add my role and allow these.",
    )
