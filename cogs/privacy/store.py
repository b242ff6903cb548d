"""`/privacy export`: every row that holds a member's Discord id, read from every feature's tables.

The list below is the contract for "everything the bot stores about them": tests/cogs/test_privacy_e2e.py
reads the live schema and fails if a column that can hold a user id is not covered here. Where the id is
someone else's record that merely names the member (a volunteer who claimed a peer request, a moderator who
decided a share), only the member's part of the row is exported: never another member's id or words.

Anonymous shares, replies, support and reports are not here: they are stored under a one-way token, never an
id, so they cannot be looked up by member (the export says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.db import Database


@dataclass(frozen=True)
class Export:
    """Rows of `table` whose `column` is the member's id, as `section` in the export."""

    section: str
    table: str
    column: str
    columns: tuple[str, ...] = ("*",)

    @property
    def sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.table} WHERE {self.column} = ?"  # noqa: S608 - constants


EXPORTS: tuple[Export, ...] = (
    Export("crisis line preferences", "crisis_member_prefs", "user_id"),
    Export("rota shifts", "rota_shifts", "volunteer_id"),
    Export("shifts you covered", "rota_overrides", "cover_id", ("id", "shift_id", "local_date", "created_at")),
    Export("duty sessions", "duty_sessions", "volunteer_id"),
    Export("on-duty role grants", "duty_roles", "volunteer_id"),
    Export("duty handoff notes you wrote", "duty_handoffs", "author_id"),
    Export("volunteer hour limits", "volunteer_limits", "volunteer_id"),
    Export(
        "your peer requests",
        "peer_requests",
        "member_id",
        ("id", "guild_id", "wants", "urgency", "topic", "status", "created_at", "closed_at", "feedback_given"),
    ),
    Export("peer requests you answered", "peer_requests", "claimed_by", ("id", "guild_id", "status", "created_at")),
    Export("support groups you facilitate", "support_groups", "facilitator_id", ("id", "guild_id", "name", "status")),
    Export("support group sign-ups", "group_members", "user_id"),
    Export("group reminder settings", "group_reminder_prefs", "user_id"),
    Export("group reminders sent to you", "group_reminders_sent", "user_id"),
    Export("group notices sent to you", "group_notices_sent", "user_id"),
    Export(
        "your resource suggestions",
        "resource_suggestions",
        "user_id",
        ("id", "guild_id", "name", "description", "category", "contact", "area", "status", "created_at"),
    ),
    Export(
        "resource suggestions you decided",
        "resource_suggestions",
        "decided_by",
        ("id", "guild_id", "status", "decided_at"),
    ),
    Export("shares you moderated", "shares", "decided_by", ("id", "guild_id", "status", "decided_at")),
)

ANONYMOUS_NOTE = (
    "Anonymous shares, replies, support and reports are not included: peerbot stores them under a one-way "
    "token, never your id, so they cannot be looked up by member. /privacy delete still finds and wipes yours "
    "(it recomputes your token for each server)."
)


async def export_user_data(db: Database, user_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything stored under `user_id`, in every server, as a JSON-ready dict."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for export in EXPORTS:
        rows = await db.fetchall(export.sql, (user_id,))
        sections[export.section] = [dict(row) for row in rows]
    return {
        "about": "Everything peerbot stores under your Discord id, in every server.",
        "user_id": str(user_id),
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "anonymous_shares": ANONYMOUS_NOTE,
        "data": sections,
    }
