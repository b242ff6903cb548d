"""SQL for the rota: shifts, covers, manual duty, the on-duty role ledger, handoffs, limits, peer requests.

Peer-request states: `open` (waiting for a volunteer) -> `claimed` (a volunteer is in the thread) -> `closed`.
A tap-out moves `claimed` back to `open` with a handoff note. A member has at most one request that is not
closed (a partial unique index enforces it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bot.db import Database
from cogs.rota.schedule import Interval, Override, RotaShift, Shift


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _shift(row: sqlite3.Row) -> RotaShift:
    shift = Shift(row["weekday"], time.fromisoformat(row["start_time"]), time.fromisoformat(row["end_time"]), row["tz"])
    return RotaShift(row["id"], row["volunteer_id"], str(row["volunteer_id"]), shift)


async def add_shift(db: Database, guild_id: int, volunteer_id: int, shift: Shift) -> RotaShift:
    shift_id = await db.insert(
        "INSERT INTO rota_shifts (guild_id, volunteer_id, weekday, start_time, end_time, tz) VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, volunteer_id, shift.weekday, shift.start.strftime("%H:%M"), shift.end.strftime("%H:%M"), shift.tz),
    )
    return RotaShift(shift_id, volunteer_id, str(volunteer_id), shift)


async def remove_shift(db: Database, guild_id: int, volunteer_id: int, shift_id: int) -> bool:
    deleted = await db.execute(
        "DELETE FROM rota_shifts WHERE id = ? AND guild_id = ? AND volunteer_id = ?", (shift_id, guild_id, volunteer_id)
    )
    return deleted == 1


async def get_shift(db: Database, shift_id: int) -> tuple[int, RotaShift] | None:
    row = await db.fetchone(
        "SELECT id, guild_id, volunteer_id, weekday, start_time, end_time, tz FROM rota_shifts WHERE id = ?",
        (shift_id,),
    )
    return None if row is None else (row["guild_id"], _shift(row))


async def guild_shifts(db: Database, guild_id: int) -> list[RotaShift]:
    rows = await db.fetchall(
        "SELECT id, guild_id, volunteer_id, weekday, start_time, end_time, tz FROM rota_shifts WHERE guild_id = ?"
        " ORDER BY weekday, start_time",
        (guild_id,),
    )
    return [_shift(r) for r in rows]


async def volunteer_shifts(db: Database, guild_id: int, volunteer_id: int) -> list[RotaShift]:
    rows = await db.fetchall(
        "SELECT id, guild_id, volunteer_id, weekday, start_time, end_time, tz FROM rota_shifts"
        " WHERE guild_id = ? AND volunteer_id = ? ORDER BY weekday, start_time",
        (guild_id, volunteer_id),
    )
    return [_shift(r) for r in rows]


async def all_shifts(db: Database) -> list[tuple[int, RotaShift]]:
    rows = await db.fetchall("SELECT id, guild_id, volunteer_id, weekday, start_time, end_time, tz FROM rota_shifts")
    return [(r["guild_id"], _shift(r)) for r in rows]


async def guild_overrides(db: Database, guild_id: int) -> list[Override]:
    rows = await db.fetchall(
        "SELECT o.shift_id, o.local_date, o.cover_id FROM rota_overrides o"
        " JOIN rota_shifts s ON s.id = o.shift_id WHERE s.guild_id = ?",
        (guild_id,),
    )
    return [Override(r["shift_id"], date.fromisoformat(r["local_date"]), r["cover_id"]) for r in rows]


@dataclass(frozen=True)
class CoverRequest:
    """An occurrence its owner can't make, and who (if anyone) took it."""

    id: int
    shift_id: int
    local_date: date
    cover_id: int | None
    message_id: int | None = None


def _cover(row: sqlite3.Row) -> CoverRequest:
    return CoverRequest(
        row["id"], row["shift_id"], date.fromisoformat(row["local_date"]), row["cover_id"], row["request_message_id"]
    )


_COVER = "SELECT id, shift_id, local_date, cover_id, request_message_id FROM rota_overrides"


async def request_cover(db: Database, shift_id: int, local_date: date) -> CoverRequest | None:
    """Record that the owner can't make one occurrence; None if already asked for that date."""
    added = await db.execute(
        "INSERT OR IGNORE INTO rota_overrides (shift_id, local_date) VALUES (?, ?)", (shift_id, local_date.isoformat())
    )
    if added != 1:
        return None
    row = await db.fetchone(_COVER + " WHERE shift_id = ? AND local_date = ?", (shift_id, local_date.isoformat()))
    assert row is not None  # noqa: S101 - just written
    return _cover(row)


async def get_cover(db: Database, override_id: int) -> CoverRequest | None:
    row = await db.fetchone(_COVER + " WHERE id = ?", (override_id,))
    return None if row is None else _cover(row)


async def cover_for(db: Database, shift_id: int, local_date: date) -> CoverRequest | None:
    """The cover request of one occurrence, if its owner asked for one."""
    row = await db.fetchone(_COVER + " WHERE shift_id = ? AND local_date = ?", (shift_id, local_date.isoformat()))
    return None if row is None else _cover(row)


async def set_cover_message(db: Database, override_id: int, message_id: int) -> None:
    await db.execute("UPDATE rota_overrides SET request_message_id = ? WHERE id = ?", (message_id, override_id))


async def withdraw_cover_request(db: Database, override_id: int) -> bool:
    """Undo a cover request nobody has taken yet (its post could not be made)."""
    removed = await db.execute("DELETE FROM rota_overrides WHERE id = ? AND cover_id IS NULL", (override_id,))
    return removed == 1


async def covers_taken_by(
    db: Database, guild_id: int, volunteer_id: int, since: date | None = None
) -> list[tuple[RotaShift, date]]:
    """Occurrences of other volunteers' shifts that this volunteer covers (from the local date `since`, when
    given): (the shift, its local start date)."""
    rows = await db.fetchall(
        "SELECT s.id, s.guild_id, s.volunteer_id, s.weekday, s.start_time, s.end_time, s.tz, o.local_date"
        " FROM rota_overrides o JOIN rota_shifts s ON s.id = o.shift_id"
        " WHERE s.guild_id = ? AND o.cover_id = ? AND s.volunteer_id != ? AND o.local_date >= ?"
        " ORDER BY o.local_date",
        (guild_id, volunteer_id, volunteer_id, (since or date.min).isoformat()),
    )
    return [(_shift(r), date.fromisoformat(r["local_date"])) for r in rows]


async def volunteer_overrides(db: Database, guild_id: int, volunteer_id: int) -> list[Override]:
    """Cover requests on the volunteer's own shifts."""
    rows = await db.fetchall(
        "SELECT o.shift_id, o.local_date, o.cover_id FROM rota_overrides o"
        " JOIN rota_shifts s ON s.id = o.shift_id WHERE s.guild_id = ? AND s.volunteer_id = ?",
        (guild_id, volunteer_id),
    )
    return [Override(r["shift_id"], date.fromisoformat(r["local_date"]), r["cover_id"]) for r in rows]


async def take_cover(db: Database, override_id: int, cover_id: int) -> bool:
    """The first volunteer to press "I'll cover" wins; later presses change nothing."""
    taken = await db.execute(
        "UPDATE rota_overrides SET cover_id = ? WHERE id = ? AND cover_id IS NULL", (cover_id, override_id)
    )
    return taken == 1


async def start_duty(db: Database, guild_id: int, volunteer_id: int, interval: Interval) -> int:
    return await db.insert(
        "INSERT INTO duty_sessions (guild_id, volunteer_id, starts_at, ends_at) VALUES (?, ?, ?, ?)",
        (guild_id, volunteer_id, _iso(interval.start), _iso(interval.end)),
    )


async def delete_duty(db: Database, session_id: int) -> None:
    """Forget a manual duty that could not start (the on-duty role could not be given)."""
    await db.execute("DELETE FROM duty_sessions WHERE id = ?", (session_id,))


async def active_duty(db: Database, guild_id: int, volunteer_id: int, at: datetime) -> tuple[int, Interval] | None:
    """The volunteer's running manual duty (id, interval), if any."""
    row = await db.fetchone(
        "SELECT id, starts_at, ends_at FROM duty_sessions WHERE guild_id = ? AND volunteer_id = ? AND ended_at IS NULL"
        " AND starts_at <= ? AND ends_at > ? ORDER BY ends_at DESC LIMIT 1",
        (guild_id, volunteer_id, _iso(at), _iso(at)),
    )
    if row is None:
        return None
    return row["id"], Interval(datetime.fromisoformat(row["starts_at"]), datetime.fromisoformat(row["ends_at"]))


async def end_duty(db: Database, guild_id: int, volunteer_id: int, at: datetime, *, keep: int | None = None) -> int:
    """End every running manual duty of the volunteer now (except the session `keep`, when given)."""
    return await db.execute(
        "UPDATE duty_sessions SET ends_at = ?, ended_at = ? WHERE guild_id = ? AND volunteer_id = ?"
        " AND ended_at IS NULL AND ends_at > ? AND id != ?",
        (_iso(at), _iso(at), guild_id, volunteer_id, _iso(at), -1 if keep is None else keep),
    )


async def manual_duties(db: Database, guild_id: int, since: datetime) -> list[tuple[int, Interval]]:
    """(volunteer id, interval) of manual duty ending after `since`."""
    rows = await db.fetchall(
        "SELECT volunteer_id, starts_at, ends_at FROM duty_sessions WHERE guild_id = ? AND ends_at > ?",
        (guild_id, _iso(since)),
    )
    return [
        (r["volunteer_id"], Interval(datetime.fromisoformat(r["starts_at"]), datetime.fromisoformat(r["ends_at"])))
        for r in rows
        if r["starts_at"] < r["ends_at"]
    ]


async def volunteer_manual_duties(db: Database, guild_id: int, volunteer_id: int, since: datetime) -> list[Interval]:
    """One volunteer's manual duty ending after `since`."""
    rows = await db.fetchall(
        "SELECT starts_at, ends_at FROM duty_sessions WHERE guild_id = ? AND volunteer_id = ? AND ends_at > ?",
        (guild_id, volunteer_id, _iso(since)),
    )
    return [
        Interval(datetime.fromisoformat(r["starts_at"]), datetime.fromisoformat(r["ends_at"]))
        for r in rows
        if r["starts_at"] < r["ends_at"]
    ]


async def duty_hours_between(db: Database, guild_id: int, volunteer_id: int, start: datetime, end: datetime) -> float:
    rows = await db.fetchall(
        "SELECT starts_at, ends_at FROM duty_sessions WHERE guild_id = ? AND volunteer_id = ? AND ends_at > ?"
        " AND starts_at < ?",
        (guild_id, volunteer_id, _iso(start), _iso(end)),
    )
    total = 0.0
    for r in rows:
        s = max(datetime.fromisoformat(r["starts_at"]), start)
        e = min(datetime.fromisoformat(r["ends_at"]), end)
        total += max((e - s).total_seconds(), 0) / 3600
    return total


async def mark_role_given(db: Database, guild_id: int, volunteer_id: int, at: datetime) -> None:
    await db.execute(
        "INSERT OR REPLACE INTO duty_roles (guild_id, volunteer_id, given_at) VALUES (?, ?, ?)",
        (guild_id, volunteer_id, _iso(at)),
    )


async def role_given_at(db: Database, guild_id: int, volunteer_id: int) -> datetime | None:
    """When the bot last gave the volunteer the on-duty role (None: the bot does not hold it for them)."""
    value = await db.fetchval(
        "SELECT given_at FROM duty_roles WHERE guild_id = ? AND volunteer_id = ?", (guild_id, volunteer_id)
    )
    return None if value is None else datetime.fromisoformat(value)


async def forget_role_given(db: Database, guild_id: int, volunteer_id: int) -> bool:
    """True when the bot had given the role (so it is the bot's to take back)."""
    removed = await db.execute(
        "DELETE FROM duty_roles WHERE guild_id = ? AND volunteer_id = ?", (guild_id, volunteer_id)
    )
    return removed == 1


async def add_handoff(db: Database, guild_id: int, author_id: int, note: str, at: datetime) -> None:
    await db.execute(
        "INSERT INTO duty_handoffs (guild_id, author_id, note, created_at) VALUES (?, ?, ?, ?)",
        (guild_id, author_id, note, _iso(at)),
    )


@dataclass(frozen=True)
class Handoff:
    """A note left for the next volunteer."""

    author_id: int
    note: str
    created_at: datetime


async def recent_handoffs(db: Database, guild_id: int, since: datetime) -> list[Handoff]:
    rows = await db.fetchall(
        "SELECT author_id, note, created_at FROM duty_handoffs WHERE guild_id = ? AND created_at >= ?"
        " ORDER BY created_at DESC LIMIT 20",
        (guild_id, _iso(since)),
    )
    return [Handoff(r["author_id"], r["note"], datetime.fromisoformat(r["created_at"])) for r in rows]


async def set_limit(db: Database, guild_id: int, volunteer_id: int, hours: int | None) -> None:
    if hours is None:
        await db.execute(
            "DELETE FROM volunteer_limits WHERE guild_id = ? AND volunteer_id = ?", (guild_id, volunteer_id)
        )
        return
    await db.execute(
        "INSERT OR REPLACE INTO volunteer_limits (guild_id, volunteer_id, hours_per_week) VALUES (?, ?, ?)",
        (guild_id, volunteer_id, hours),
    )


async def get_limit(db: Database, guild_id: int, volunteer_id: int) -> int | None:
    value = await db.fetchval(
        "SELECT hours_per_week FROM volunteer_limits WHERE guild_id = ? AND volunteer_id = ?", (guild_id, volunteer_id)
    )
    return None if value is None else int(value)


@dataclass(frozen=True)
class PeerRequest:
    """A member asking for a peer."""

    id: int
    guild_id: int
    member_id: int
    wants: str
    urgency: str
    topic: str | None
    status: str
    thread_id: int | None
    alert_message_id: int | None
    claimed_by: int | None
    handoff_note: str | None
    escalation: int
    created_at: datetime
    queued_at: datetime
    queue_round: int = 0
    feedback_given: bool = False


_REQUEST = (
    "SELECT id, guild_id, member_id, wants, urgency, topic, status, thread_id, alert_message_id, claimed_by,"
    " handoff_note, escalation, created_at, queued_at, queue_round, feedback_given FROM peer_requests"
)


def _request(row: sqlite3.Row) -> PeerRequest:
    values = dict(row)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["queued_at"] = datetime.fromisoformat(values["queued_at"])
    values["feedback_given"] = bool(values["feedback_given"])
    return PeerRequest(**values)


async def create_request(
    db: Database, guild_id: int, member_id: int, wants: str, urgency: str, topic: str | None, at: datetime
) -> PeerRequest | None:
    """Store a new request; None when the member already has one that is not closed."""
    try:
        request_id = await db.insert(
            "INSERT INTO peer_requests (guild_id, member_id, wants, urgency, topic, created_at, queued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, member_id, wants, urgency, topic, _iso(at), _iso(at)),
        )
    except sqlite3.IntegrityError:
        return None
    return await get_request(db, request_id)


async def get_request(db: Database, request_id: int) -> PeerRequest | None:
    row = await db.fetchone(_REQUEST + " WHERE id = ?", (request_id,))
    return None if row is None else _request(row)


async def open_request_for(db: Database, guild_id: int, member_id: int) -> PeerRequest | None:
    row = await db.fetchone(
        _REQUEST + " WHERE guild_id = ? AND member_id = ? AND status != 'closed'", (guild_id, member_id)
    )
    return None if row is None else _request(row)


async def unannounced_requests(db: Database) -> list[PeerRequest]:
    """Open requests whose thread or volunteers' alert never went out (the bot stopped in between)."""
    rows = await db.fetchall(
        _REQUEST + " WHERE status = 'open' AND (thread_id IS NULL OR alert_message_id IS NULL) ORDER BY created_at"
    )
    return [_request(r) for r in rows]


async def unclaimed_requests(db: Database, guild_id: int) -> list[PeerRequest]:
    rows = await db.fetchall(_REQUEST + " WHERE guild_id = ? AND status = 'open' ORDER BY created_at", (guild_id,))
    return [_request(r) for r in rows]


async def set_request_thread(db: Database, request_id: int, thread_id: int) -> None:
    await db.execute("UPDATE peer_requests SET thread_id = ? WHERE id = ?", (thread_id, request_id))


async def set_request_alert(db: Database, request_id: int, message_id: int) -> None:
    await db.execute("UPDATE peer_requests SET alert_message_id = ? WHERE id = ?", (message_id, request_id))


async def claim_request(db: Database, request_id: int, volunteer_id: int) -> bool:
    """Only the first claim of an open request wins."""
    claimed = await db.execute(
        "UPDATE peer_requests SET status = 'claimed', claimed_by = ? WHERE id = ? AND status = 'open'",
        (volunteer_id, request_id),
    )
    return claimed == 1


async def tap_out(db: Database, request_id: int, volunteer_id: int, note: str | None, at: datetime) -> bool:
    """The claiming volunteer hands the request back to the queue (escalation starts again from `at`)."""
    released = await db.execute(
        "UPDATE peer_requests SET status = 'open', claimed_by = NULL, handoff_note = ?, escalation = 0, queued_at = ?,"
        " queue_round = queue_round + 1 WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
        (note, _iso(at), request_id, volunteer_id),
    )
    return released == 1


async def set_escalation(db: Database, request_id: int, level: int) -> None:
    await db.execute("UPDATE peer_requests SET escalation = ? WHERE id = ? AND status = 'open'", (level, request_id))


async def close_request(db: Database, request_id: int, at: datetime) -> bool:
    closed = await db.execute(
        "UPDATE peer_requests SET status = 'closed', closed_at = ? WHERE id = ? AND status != 'closed'",
        (_iso(at), request_id),
    )
    return closed == 1


async def mark_feedback_given(db: Database, request_id: int, member_id: int) -> bool:
    """True once per closed request of this member: they may answer "Did you feel heard?" only once."""
    marked = await db.execute(
        "UPDATE peer_requests SET feedback_given = 1"
        " WHERE id = ? AND member_id = ? AND status = 'closed' AND feedback_given = 0",
        (request_id, member_id),
    )
    return marked == 1


async def add_feedback(db: Database, guild_id: int, month: str, rating: int) -> None:
    await db.execute("INSERT INTO peer_feedback (guild_id, month, rating) VALUES (?, ?, ?)", (guild_id, month, rating))


async def feedback_summary(db: Database, guild_id: int, month: str) -> tuple[int, float | None]:
    row = await db.fetchone(
        "SELECT count(*) AS n, avg(rating) AS mean FROM peer_feedback WHERE guild_id = ? AND month = ?",
        (guild_id, month),
    )
    assert row is not None  # noqa: S101 - aggregates always return a row
    return int(row["n"]), (None if row["mean"] is None else float(row["mean"]))


async def ensure_jobs(db: Database, jobs: Iterable[tuple[str, str, int | None, datetime]]) -> None:
    """Create the (kind, ref, guild id, due) jobs that do not exist yet, in one transaction.

    Start-up uses this to write thousands of shift jobs at once; the scheduler arms every pending job when it
    starts (after the cogs load). An existing job, pending or finished, is left alone.
    """
    rows = [(kind, ref, guild_id, due.astimezone(UTC).isoformat()) for kind, ref, guild_id, due in jobs]
    if not rows:
        return
    async with db.transaction():
        await db.executemany(
            "INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, ref) DO NOTHING",
            rows,
        )


async def delete_user_data(db: Database, user_id: int) -> int:
    """Everything tied to a member or volunteer id (feedback carries no id and stays)."""
    removed = 0
    removed += await db.execute("DELETE FROM rota_shifts WHERE volunteer_id = ?", (user_id,))
    removed += await db.execute("UPDATE rota_overrides SET cover_id = NULL WHERE cover_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM duty_sessions WHERE volunteer_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM duty_roles WHERE volunteer_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM duty_handoffs WHERE author_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM volunteer_limits WHERE volunteer_id = ?", (user_id,))
    removed += await db.execute("DELETE FROM peer_requests WHERE member_id = ?", (user_id,))
    # A request still being answered keeps its volunteer until it is closed (the member is waiting on them).
    removed += await db.execute(
        "UPDATE peer_requests SET claimed_by = NULL WHERE claimed_by = ? AND status = 'closed'", (user_id,)
    )
    return removed
