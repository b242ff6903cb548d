"""SQL for weekly support groups: groups, members and the waitlist, skipped dates, reminder settings, DM logs.

Tables are in ``migrations/0005_groups.sql``. Every function is async, takes the :class:`~bot.db.Database` first,
and returns dataclasses, never rows. Functions that write several statements open their own transaction
(``db.transaction()`` is not re-entrant), except :func:`delete_user_data`, which ``/privacy delete`` runs inside
its own transaction together with every other feature's deleter.

Seats and the waitlist
----------------------
``join`` gives a seat while the group has fewer joined members than its capacity (no capacity: always), otherwise
a place on the waitlist, in one ``INSERT ... SELECT ... RETURNING`` statement (atomic on its own, and a single
round trip, so ``/group join`` answers after two). ``leave`` frees the seat and, in the same transaction, hands it
to the first member waiting (oldest ``since``, then insertion order). A capacity raised by ``/group edit`` fills
seats the same way (:func:`fill_seats`); a capacity lowered below the joined count keeps everyone who has a seat
(nobody is pushed out) and new joiners wait until the group is below capacity again.

DM logs
-------
``group_reminders_sent`` (one row per group, meeting date, lead time and member) and ``group_notices_sent`` (per
group, notice and member) are written with ``INSERT OR IGNORE`` **before** the DM is sent (:func:`claim_reminder`):
only the caller whose insert added the row sends, so a DM can never go out twice, even when a job is retried or
the bot restarts. A transient failure releases the claim so the retry can send; a closed DM is recorded as
``dm_closed`` and never retried. Rows for meetings more than two weeks old are pruned when a meeting ends.

Privacy
-------
Who joined or waits is returned only by :func:`roster` (the cog shows it to the group's facilitator and admins) and
to the member themself. :func:`delete_user_data` removes a member's memberships and waitlist places, reminder
setting and DM logs. A group's ``facilitator_id`` is kept: it belongs to the staff running the group, and an admin
reassigns it with ``/group edit``.

Instants are stored as UTC ISO-8601 text, dates as ``YYYY-MM-DD``, wall times as ``HH:MM``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from bot.db import Database
from cogs.groups.reminders import DEFAULT_LEADS, STEP_KINDS, decode_leads, encode_leads
from cogs.groups.schedule import WeeklyTime

ChannelKind = Literal["voice", "stage", "text"]
MemberStatus = Literal["joined", "waiting"]
Outcome = Literal["sent", "dm_closed", "failed"]

_SELECT_GROUP = (
    "SELECT g.id, g.guild_id, g.name, g.description, g.weekday, g.start_time, g.duration_minutes, g.tz,"
    " g.first_date, g.channel_id, g.channel_kind, g.channel_name, g.facilitator_id, g.capacity, g.tags, g.private,"
    " g.lead_minutes, g.status, g.version, g.announce_channel_id, g.announce_message_id, g.event_id, g.event_date,"
    " g.created_at,"
    " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'joined') AS joined,"
    " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'waiting') AS waiting"
    " FROM support_groups g "
)


class DuplicateNameError(Exception):
    """An active group in the server already has this name."""


@dataclass(frozen=True, slots=True)
class GroupDetails:
    """Everything a facilitator sets on a group (what ``/group create`` collects and ``/group edit`` changes)."""

    name: str
    description: str
    weekday: int
    start: time
    duration: int
    tz: str
    channel_id: int
    channel_kind: ChannelKind
    channel_name: str
    facilitator_id: int
    capacity: int | None = None
    first_date: date | None = None
    tags: tuple[str, ...] = ()
    private: bool = False
    leads: tuple[int, ...] = DEFAULT_LEADS

    @property
    def when(self) -> WeeklyTime:
        return WeeklyTime(self.weekday, self.start, self.duration, self.tz, self.first_date)


@dataclass(frozen=True, slots=True)
class Group:
    """A stored group, with how many members hold a seat (``joined``) and wait (``waiting``)."""

    id: int
    guild_id: int
    details: GroupDetails
    status: Literal["active", "archived"]
    version: int
    created_at: datetime
    announce_channel_id: int | None = None
    announce_message_id: int | None = None
    event_id: int | None = None
    event_date: date | None = None
    joined: int = 0
    waiting: int = 0

    @property
    def name(self) -> str:
        return self.details.name

    @property
    def when(self) -> WeeklyTime:
        return self.details.when

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def capacity(self) -> int | None:
        return self.details.capacity

    @property
    def seats_left(self) -> int | None:
        """Free seats (never negative); None when the group has no capacity limit."""
        capacity = self.details.capacity
        return None if capacity is None else max(0, capacity - self.joined)


@dataclass(frozen=True, slots=True)
class Skip:
    group_id: int
    local_date: date
    reason: str | None = field(repr=False, default=None)


@dataclass(frozen=True, slots=True)
class Membership:
    """A member's place in a group: a seat, or a place on the waitlist (``position`` from 1)."""

    group: Group
    status: MemberStatus
    position: int = 0


@dataclass(frozen=True, slots=True)
class JoinResult:
    """``status`` None: nothing changed because the group has ended (archived)."""

    status: MemberStatus | None
    already: bool
    position: int = 0
    reminders: bool = True  # the member's reminder setting in the group's server (no setting: on)
    skipped: frozenset[date] = frozenset()  # the group's skipped dates, from the date the caller asked for

    @property
    def ended(self) -> bool:
        return self.status is None


@dataclass(frozen=True, slots=True)
class LeaveResult:
    was: MemberStatus | None
    promoted: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Roster:
    joined: tuple[int, ...]
    waiting: tuple[int, ...]


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _group(row: sqlite3.Row) -> Group:
    details = GroupDetails(
        name=row["name"],
        description=row["description"],
        weekday=row["weekday"],
        start=time.fromisoformat(row["start_time"]),
        duration=row["duration_minutes"],
        tz=row["tz"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        channel_name=row["channel_name"],
        facilitator_id=row["facilitator_id"],
        capacity=row["capacity"],
        first_date=date.fromisoformat(row["first_date"]) if row["first_date"] else None,
        tags=tuple(t for t in row["tags"].split(",") if t),
        private=bool(row["private"]),
        leads=decode_leads(row["lead_minutes"]),
    )
    return Group(
        id=row["id"],
        guild_id=row["guild_id"],
        details=details,
        status=row["status"],
        version=row["version"],
        created_at=datetime.fromisoformat(row["created_at"]),
        announce_channel_id=row["announce_channel_id"],
        announce_message_id=row["announce_message_id"],
        event_id=row["event_id"],
        event_date=date.fromisoformat(row["event_date"]) if row["event_date"] else None,
        joined=row["joined"],
        waiting=row["waiting"],
    )


def _detail_values(d: GroupDetails) -> tuple[object, ...]:
    return (
        d.name,
        name_key(d.name),
        d.description,
        d.weekday,
        d.start.strftime("%H:%M"),
        d.duration,
        d.tz,
        d.first_date.isoformat() if d.first_date else None,
        d.channel_id,
        d.channel_kind,
        d.channel_name,
        d.facilitator_id,
        d.capacity,
        ",".join(d.tags),
        int(d.private),
        encode_leads(d.leads),
    )


# --------------------------------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------------------------------


async def name_taken(db: Database, guild_id: int, name: str, *, except_id: int | None = None) -> bool:
    found = await db.fetchval(
        "SELECT id FROM support_groups WHERE guild_id = ? AND name_key = ? AND status = 'active'",
        (guild_id, name_key(name)),
    )
    return found is not None and found != except_id


async def create_group(db: Database, guild_id: int, details: GroupDetails, now: datetime) -> Group:
    """Store a new active group; raises :class:`DuplicateNameError` if the server already has one with that name."""
    try:
        group_id = await db.insert(
            "INSERT INTO support_groups (guild_id, name, name_key, description, weekday, start_time,"
            " duration_minutes, tz, first_date, channel_id, channel_kind, channel_name, facilitator_id, capacity,"
            " tags, private, lead_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, *_detail_values(details), _iso(now)),
        )
    except sqlite3.IntegrityError as exc:
        raise DuplicateNameError(details.name) from exc
    group = await get_group(db, group_id)
    assert group is not None  # noqa: S101 - just written
    return group


async def get_group(db: Database, group_id: int) -> Group | None:
    row = await db.fetchone(_SELECT_GROUP + "WHERE g.id = ?", (group_id,))
    return None if row is None else _group(row)


async def find_group(db: Database, guild_id: int, text: str) -> Group | None:
    """A server's group by id (what autocomplete sends) or by name (active groups first)."""
    value = text.strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        row = await db.fetchone(_SELECT_GROUP + "WHERE g.id = ? AND g.guild_id = ?", (int(value), guild_id))
        if row is not None:
            return _group(row)
    row = await db.fetchone(
        _SELECT_GROUP + "WHERE g.guild_id = ? AND g.name_key = ? ORDER BY g.status = 'active' DESC, g.id DESC LIMIT 1",
        (guild_id, name_key(value)),
    )
    return None if row is None else _group(row)


async def active_groups(db: Database, guild_id: int) -> list[Group]:
    rows = await db.fetchall(_SELECT_GROUP + "WHERE g.guild_id = ? AND g.status = 'active' ORDER BY g.id", (guild_id,))
    return [_group(r) for r in rows]


async def search_groups(
    db: Database, guild_id: int, text: str, *, facilitator_id: int | None = None, limit: int = 25
) -> list[tuple[int, str]]:
    """``(id, name)`` of active groups whose name contains ``text`` (case-insensitive), for autocomplete; only the
    facilitator's own groups when ``facilitator_id`` is given."""
    pattern = "%" + name_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await db.fetchall(
        "SELECT id, name FROM support_groups WHERE guild_id = ? AND status = 'active'"
        " AND name_key LIKE ? ESCAPE '\\' AND (? IS NULL OR facilitator_id = ?) ORDER BY name_key LIMIT ?",
        (guild_id, pattern, facilitator_id, facilitator_id, limit),
    )
    return [(r["id"], r["name"]) for r in rows]


async def update_group(db: Database, group_id: int, details: GroupDetails, *, new_version: bool) -> Group:
    """Replace a group's details; ``new_version`` marks a change of when or where (members are told).
    Raises :class:`DuplicateNameError` when the new name is taken."""
    try:
        await db.execute(
            "UPDATE support_groups SET name = ?, name_key = ?, description = ?, weekday = ?, start_time = ?,"
            " duration_minutes = ?, tz = ?, first_date = ?, channel_id = ?, channel_kind = ?, channel_name = ?,"
            " facilitator_id = ?, capacity = ?, tags = ?, private = ?, lead_minutes = ?, version = version + ?"
            " WHERE id = ?",
            (*_detail_values(details), int(new_version), group_id),
        )
    except sqlite3.IntegrityError as exc:
        raise DuplicateNameError(details.name) from exc
    group = await get_group(db, group_id)
    assert group is not None  # noqa: S101 - just written
    return group


async def archive_group(db: Database, group_id: int, now: datetime) -> bool:
    """Stop a group (its members, skips and logs are kept); False if it was not active."""
    changed = await db.execute(
        "UPDATE support_groups SET status = 'archived', archived_at = ? WHERE id = ? AND status = 'active'",
        (_iso(now), group_id),
    )
    return changed == 1


async def set_announcement(db: Database, group_id: int, channel_id: int, message_id: int) -> None:
    await db.execute(
        "UPDATE support_groups SET announce_channel_id = ?, announce_message_id = ? WHERE id = ?",
        (channel_id, message_id, group_id),
    )


async def set_event(db: Database, group_id: int, event_id: int | None, event_date: date | None) -> None:
    await db.execute(
        "UPDATE support_groups SET event_id = ?, event_date = ? WHERE id = ?",
        (event_id, event_date.isoformat() if event_date else None, group_id),
    )


async def groups_needing_plan(db: Database, live_after: dict[str, datetime]) -> list[int]:
    """Active groups without a live pending step job: none at all, or only ones already past their grace.

    ``live_after`` maps each step kind to the earliest due time that still counts as live. One query for every
    group (the ``jobs`` index on ``(kind, ref)`` answers each probe), so start-up stays cheap with many groups.
    """
    if sorted(live_after) != sorted(STEP_KINDS):
        raise ValueError("expected a live-after time for each step kind")
    params: list[object] = []
    for kind in STEP_KINDS:
        params += [kind, _iso(live_after[kind])]
    # One NOT EXISTS per kind, so each probe is a range scan of the jobs (kind, ref) index.
    rows = await db.fetchall(
        "SELECT g.id FROM support_groups g WHERE g.status = 'active'"
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.ref >= g.id || ':' AND j.ref < g.id || ';'"
        " AND j.status = 'pending' AND j.due_at >= ?)"
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.ref >= g.id || ':' AND j.ref < g.id || ';'"
        " AND j.status = 'pending' AND j.due_at >= ?)"
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.ref >= g.id || ':' AND j.ref < g.id || ';'"
        " AND j.status = 'pending' AND j.due_at >= ?)"
        " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.ref >= g.id || ':' AND j.ref < g.id || ';'"
        " AND j.status = 'pending' AND j.due_at >= ?)"
        " ORDER BY g.id",
        params,
    )
    return [r["id"] for r in rows]


# --------------------------------------------------------------------------------------------------------------------
# Skips
# --------------------------------------------------------------------------------------------------------------------


async def add_skip(db: Database, group_id: int, local_date: date, reason: str | None, now: datetime) -> bool:
    """Record that the group does not meet on ``local_date``; False if it was already skipped."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO group_skips (group_id, local_date, reason, created_at) VALUES (?, ?, ?, ?)",
        (group_id, local_date.isoformat(), reason, _iso(now)),
    )
    return changed == 1


async def get_skip(db: Database, group_id: int, local_date: date) -> Skip | None:
    row = await db.fetchone(
        "SELECT reason FROM group_skips WHERE group_id = ? AND local_date = ?", (group_id, local_date.isoformat())
    )
    return None if row is None else Skip(group_id, local_date, row["reason"])


async def skipped_dates(db: Database, group_id: int, since: date) -> frozenset[date]:
    """Skipped dates from ``since`` on (older ones never matter to scheduling)."""
    rows = await db.fetchall(
        "SELECT local_date FROM group_skips WHERE group_id = ? AND local_date >= ?", (group_id, since.isoformat())
    )
    return frozenset(date.fromisoformat(r["local_date"]) for r in rows)


async def guild_skips(db: Database, guild_id: int, since: date) -> dict[int, frozenset[date]]:
    """Skipped dates from ``since`` on of every active group in a server."""
    rows = await db.fetchall(
        "SELECT s.group_id, s.local_date FROM group_skips s JOIN support_groups g ON g.id = s.group_id"
        " WHERE g.guild_id = ? AND g.status = 'active' AND s.local_date >= ?",
        (guild_id, since.isoformat()),
    )
    found: dict[int, set[date]] = {}
    for r in rows:
        found.setdefault(r["group_id"], set()).add(date.fromisoformat(r["local_date"]))
    return {gid: frozenset(dates) for gid, dates in found.items()}


# --------------------------------------------------------------------------------------------------------------------
# Members and the waitlist
# --------------------------------------------------------------------------------------------------------------------


async def _status(db: Database, group_id: int, user_id: int) -> MemberStatus | None:
    value = await db.fetchval(
        "SELECT status FROM group_members WHERE group_id = ? AND user_id = ?", (group_id, user_id)
    )
    return None if value is None else value  # type: ignore[no-any-return]


async def _position(db: Database, group_id: int, user_id: int) -> int:
    value = await db.fetchval(
        "SELECT COUNT(*) FROM group_members w, group_members me"
        " WHERE me.group_id = ? AND me.user_id = ? AND w.group_id = me.group_id AND w.status = 'waiting'"
        " AND (w.since < me.since OR (w.since = me.since AND w.rowid <= me.rowid))",
        (group_id, user_id),
    )
    return int(value or 0)


async def _fill(db: Database, group_id: int, now: datetime) -> tuple[int, ...]:
    """Give free seats to the first members waiting (call inside a transaction)."""
    row = await db.fetchone(
        "SELECT capacity, (SELECT COUNT(*) FROM group_members WHERE group_id = ? AND status = 'joined') AS joined"
        " FROM support_groups WHERE id = ?",
        (group_id, group_id),
    )
    if row is None:
        return ()
    free = None if row["capacity"] is None else row["capacity"] - row["joined"]
    if free is not None and free <= 0:
        return ()
    rows = await db.fetchall(
        "SELECT user_id FROM group_members WHERE group_id = ? AND status = 'waiting' ORDER BY since, rowid LIMIT ?",
        (group_id, -1 if free is None else free),
    )
    promoted = tuple(r["user_id"] for r in rows)
    for user_id in promoted:
        await db.execute(
            "UPDATE group_members SET status = 'joined', since = ? WHERE group_id = ? AND user_id = ?",
            (_iso(now), group_id, user_id),
        )
    return promoted


# One statement joins: it decides seat or waitlist from the counts it reads, and inserts, atomically (a single
# statement is its own transaction, and no other task's statement runs in the middle of it). Only an active group
# can be joined; a member already in the group conflicts and nothing changes. RETURNING brings back, in the same
# round trip, everything the answer needs: the place on the waitlist (counted without relying on whether the
# subquery sees the new row), the member's reminder setting in the group's server, and the group's skipped dates.
_JOIN = (
    "INSERT INTO group_members (group_id, user_id, status, since)"
    " SELECT g.id, ?2, CASE WHEN g.capacity IS NOT NULL AND (SELECT COUNT(*) FROM group_members c"
    " WHERE c.group_id = g.id AND c.status = 'joined') >= g.capacity THEN 'waiting' ELSE 'joined' END, ?3"
    " FROM support_groups g WHERE g.id = ?1 AND g.status = 'active'"
    " ON CONFLICT (group_id, user_id) DO NOTHING"
    " RETURNING status,"
    " CASE WHEN status = 'waiting' THEN 1 + (SELECT COUNT(*) FROM group_members w WHERE w.group_id = ?1"
    " AND w.status = 'waiting' AND w.user_id != ?2 AND w.since <= ?3) ELSE 0 END AS position,"
    " (SELECT p.enabled FROM group_reminder_prefs p, support_groups pg WHERE pg.id = ?1"
    " AND p.guild_id = pg.guild_id AND p.user_id = ?2) AS reminders,"
    " (SELECT group_concat(s.local_date) FROM group_skips s WHERE s.group_id = ?1"
    " AND s.local_date >= ?4) AS skips"
)
# Why nothing was inserted: already in the group (with the place on the waitlist), or the group has ended.
_NOT_JOINED = (
    "SELECT g.status AS group_status, m.status,"
    " (SELECT COUNT(*) FROM group_members w WHERE w.group_id = m.group_id AND w.status = 'waiting'"
    " AND (w.since < m.since OR (w.since = m.since AND w.rowid <= m.rowid))) AS position,"
    " (SELECT p.enabled FROM group_reminder_prefs p WHERE p.guild_id = g.guild_id AND p.user_id = ?2)"
    " AS reminders,"
    " (SELECT group_concat(s.local_date) FROM group_skips s WHERE s.group_id = g.id"
    " AND s.local_date >= ?4) AS skips"
    " FROM support_groups g LEFT JOIN group_members m ON m.group_id = g.id AND m.user_id = ?2"
    " WHERE g.id = ?1"
)


def _dates(text: str | None) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in text.split(",")) if text else frozenset()


async def join(db: Database, group_id: int, user_id: int, now: datetime, *, skips_since: date = date.min) -> JoinResult:
    """A seat if one is free, else a place on the waitlist. Joining twice changes nothing (``already``); an archived
    group can't be joined (``ended``). Raises :class:`LookupError` when the group doesn't exist.

    One round trip when the member joins (two when they were already in, or the group ended). The result also
    carries the member's reminder setting in the group's server and the group's skipped dates from ``skips_since``
    (what the answer to the member needs), read in the same statement.
    """
    params = (group_id, user_id, _iso(now), skips_since.isoformat())  # ?1 to ?4 in the statements
    while True:
        row = await db.fetchone(_JOIN, params)
        if row is not None:
            return JoinResult(
                row["status"], False, row["position"], reminders=row["reminders"] != 0, skipped=_dates(row["skips"])
            )
        row = await db.fetchone(_NOT_JOINED, params)
        if row is None:
            raise LookupError(group_id)
        reminders, skipped = row["reminders"] != 0, _dates(row["skips"])
        if row["status"] is not None:
            position = row["position"] if row["status"] == "waiting" else 0
            return JoinResult(row["status"], True, position, reminders=reminders, skipped=skipped)
        if row["group_status"] != "active":
            return JoinResult(None, False, 0, reminders=reminders, skipped=skipped)
        # Neither: the member left between the two statements (another task's); join again.


async def leave(db: Database, group_id: int, user_id: int, now: datetime) -> LeaveResult:
    """Leave a seat or the waitlist; a freed seat goes to the first member waiting, in the same transaction."""
    async with db.transaction():
        current = await _status(db, group_id, user_id)
        if current is None:
            return LeaveResult(None)
        await db.execute("DELETE FROM group_members WHERE group_id = ? AND user_id = ?", (group_id, user_id))
        promoted = await _fill(db, group_id, now) if current == "joined" else ()
    return LeaveResult(current, promoted)


async def fill_seats(db: Database, group_id: int, now: datetime) -> tuple[int, ...]:
    """Give free seats (after the capacity was raised, or a member's data was deleted) to members waiting."""
    async with db.transaction():
        return await _fill(db, group_id, now)


async def membership(db: Database, group_id: int, user_id: int) -> MemberStatus | None:
    return await _status(db, group_id, user_id)


async def memberships(db: Database, guild_id: int, user_id: int) -> list[Membership]:
    """A member's own groups in a server (seats and waitlist places), active groups only."""
    rows = await db.fetchall(
        _SELECT_GROUP + ", group_members me WHERE me.group_id = g.id AND me.user_id = ? AND g.guild_id = ?"
        " AND g.status = 'active' ORDER BY g.id",
        (user_id, guild_id),
    )
    statuses = await db.fetchall(
        "SELECT group_id, status FROM group_members WHERE user_id = ?",
        (user_id,),
    )
    by_group = {r["group_id"]: r["status"] for r in statuses}
    found: list[Membership] = []
    for row in rows:
        group = _group(row)
        status: MemberStatus = by_group[group.id]
        position = await _position(db, group.id, user_id) if status == "waiting" else 0
        found.append(Membership(group, status, position))
    return found


async def search_memberships(db: Database, guild_id: int, user_id: int, text: str) -> list[tuple[int, str]]:
    """``(id, name)`` of the member's own active groups matching ``text``, for `/group leave` autocomplete."""
    key = name_key(text)
    rows = await db.fetchall(
        "SELECT g.id, g.name, g.name_key FROM support_groups g JOIN group_members m ON m.group_id = g.id"
        " WHERE m.user_id = ? AND g.guild_id = ? AND g.status = 'active' ORDER BY g.name_key LIMIT 100",
        (user_id, guild_id),
    )
    return [(r["id"], r["name"]) for r in rows if key in r["name_key"]][:25]


async def roster(db: Database, group_id: int) -> Roster:
    """Who holds a seat (in joining order) and who waits (in waitlist order). Facilitators and admins only."""
    rows = await db.fetchall(
        "SELECT user_id, status FROM group_members WHERE group_id = ? ORDER BY since, rowid", (group_id,)
    )
    return Roster(
        tuple(r["user_id"] for r in rows if r["status"] == "joined"),
        tuple(r["user_id"] for r in rows if r["status"] == "waiting"),
    )


async def joined_members(db: Database, group_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT user_id FROM group_members WHERE group_id = ? AND status = 'joined' ORDER BY since, rowid",
        (group_id,),
    )
    return [r["user_id"] for r in rows]


# --------------------------------------------------------------------------------------------------------------------
# Reminder settings and DM logs
# --------------------------------------------------------------------------------------------------------------------


async def set_reminders(db: Database, guild_id: int, user_id: int, enabled: bool) -> None:
    await db.execute(
        "INSERT INTO group_reminder_prefs (guild_id, user_id, enabled) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET enabled = excluded.enabled",
        (guild_id, user_id, int(enabled)),
    )


async def reminders_enabled(db: Database, guild_id: int, user_id: int) -> bool:
    value = await db.fetchval(
        "SELECT enabled FROM group_reminder_prefs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    return value is None or bool(value)


async def reminder_recipients(db: Database, group_id: int) -> list[int]:
    """Members holding a seat who have not turned reminders off in the group's server."""
    rows = await db.fetchall(
        "SELECT m.user_id FROM group_members m JOIN support_groups g ON g.id = m.group_id"
        " LEFT JOIN group_reminder_prefs p ON p.guild_id = g.guild_id AND p.user_id = m.user_id"
        " WHERE m.group_id = ? AND m.status = 'joined' AND COALESCE(p.enabled, 1) = 1 ORDER BY m.since, m.rowid",
        (group_id,),
    )
    return [r["user_id"] for r in rows]


async def claim_reminder(db: Database, group_id: int, local_date: date, lead: int, user_id: int, now: datetime) -> bool:
    """Reserve the one reminder for (group, meeting date, lead time, member); False if it was already claimed."""
    changed = await db.execute(
        "INSERT OR IGNORE INTO group_reminders_sent (group_id, local_date, lead_minutes, user_id, outcome, at)"
        " VALUES (?, ?, ?, ?, 'sending', ?)",
        (group_id, local_date.isoformat(), lead, user_id, _iso(now)),
    )
    return changed == 1


async def finish_reminder(
    db: Database, group_id: int, local_date: date, lead: int, user_id: int, outcome: Outcome
) -> None:
    await db.execute(
        "UPDATE group_reminders_sent SET outcome = ? WHERE group_id = ? AND local_date = ? AND lead_minutes = ?"
        " AND user_id = ?",
        (outcome, group_id, local_date.isoformat(), lead, user_id),
    )


async def release_reminder(db: Database, group_id: int, local_date: date, lead: int, user_id: int) -> None:
    """Give back a claim after a transient failure, so the job's retry can send it."""
    await db.execute(
        "DELETE FROM group_reminders_sent WHERE group_id = ? AND local_date = ? AND lead_minutes = ? AND user_id = ?"
        " AND outcome = 'sending'",
        (group_id, local_date.isoformat(), lead, user_id),
    )


async def reminder_outcomes(db: Database, group_id: int, local_date: date, lead: int) -> dict[int, str]:
    rows = await db.fetchall(
        "SELECT user_id, outcome FROM group_reminders_sent WHERE group_id = ? AND local_date = ? AND lead_minutes = ?",
        (group_id, local_date.isoformat(), lead),
    )
    return {r["user_id"]: r["outcome"] for r in rows}


async def claim_notice(db: Database, group_id: int, notice: str, user_id: int, now: datetime) -> bool:
    changed = await db.execute(
        "INSERT OR IGNORE INTO group_notices_sent (group_id, notice, user_id, outcome, at)"
        " VALUES (?, ?, ?, 'sending', ?)",
        (group_id, notice, user_id, _iso(now)),
    )
    return changed == 1


async def finish_notice(db: Database, group_id: int, notice: str, user_id: int, outcome: Outcome) -> None:
    await db.execute(
        "UPDATE group_notices_sent SET outcome = ? WHERE group_id = ? AND notice = ? AND user_id = ?",
        (outcome, group_id, notice, user_id),
    )


async def release_notice(db: Database, group_id: int, notice: str, user_id: int) -> None:
    await db.execute(
        "DELETE FROM group_notices_sent WHERE group_id = ? AND notice = ? AND user_id = ? AND outcome = 'sending'",
        (group_id, notice, user_id),
    )


async def prune_logs(db: Database, group_id: int, before: date, now: datetime) -> int:
    """Forget reminder logs of meetings before ``before`` and notice logs older than two weeks."""
    removed = await db.execute(
        "DELETE FROM group_reminders_sent WHERE group_id = ? AND local_date < ?", (group_id, before.isoformat())
    )
    removed += await db.execute(
        "DELETE FROM group_notices_sent WHERE group_id = ? AND at < ?", (group_id, _iso(now - timedelta(days=14)))
    )
    return removed


# --------------------------------------------------------------------------------------------------------------------
# /privacy delete
# --------------------------------------------------------------------------------------------------------------------


async def seats_held(db: Database, user_id: int) -> list[int]:
    """Ids of active groups where the member holds a seat (to fill after their data is deleted)."""
    rows = await db.fetchall(
        "SELECT m.group_id FROM group_members m JOIN support_groups g ON g.id = m.group_id"
        " WHERE m.user_id = ? AND m.status = 'joined' AND g.status = 'active'",
        (user_id,),
    )
    return [r["group_id"] for r in rows]


async def delete_user_data(db: Database, user_id: int) -> int:
    """Delete a member's seats and waitlist places, reminder setting and DM logs; return how many rows went.

    Runs inside the caller's transaction (``/privacy delete`` wraps every feature's deleter in one).
    """
    removed = await db.execute("DELETE FROM group_members WHERE user_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM group_reminder_prefs WHERE user_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM group_reminders_sent WHERE user_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM group_notices_sent WHERE user_id = ?", (user_id,))
    return removed


def with_details(group: Group, **changes: object) -> GroupDetails:
    """The group's details with some fields replaced (``/group edit``)."""
    return replace(group.details, **changes)  # type: ignore[arg-type]
