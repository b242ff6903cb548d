"""Pure rules behind the rota cog's durable jobs: job kinds and references, the next job of a shift, weekly
hours, and the feature's constants (no Discord, no SQL).

Shift jobs form a chain
-----------------------
Each shift has **one** pending job at a time, the next *link* of its week: the reminder 30 minutes before an
occurrence (kind ``rota:remind``), its start, and its end (kind ``rota:role``). When a link fires, the handler
first schedules the next link (:func:`next_link`, computed from *now*, so a late or repeated link never skips or
doubles one), then re-evaluates the on-duty role of the people of that occurrence (level-triggered, so doing it
twice or late is harmless). 5,000 shifts are therefore 5,000 pending jobs, not 15,000.

At start-up :func:`startup_links` gives, for every shift, the link that should be pending now; for an occurrence
that is running it also gives its start link (due in the past), so an occurrence whose start the bot slept through
still gets its role, and one that already started before the restart keeps it and loses it at the end (its start
job is already ``done`` and is not recreated).

References are ``shift:<shift id>:<local date>:start|end`` (``rota:role``), ``shift:<shift id>:<local date>``
(``rota:remind``), ``duty:<session id>:<volunteer id>`` (``rota:role``, the end of a ``/duty on``),
``req:<request id>:<queue round>:<level>`` (``rota:escalate``), ``<guild>:<volunteer>:<block start unix>``
(``rota:break``) and ``<guild>:<local date>`` (``rota:coverage``). A job's (kind, ref) is unique and a finished one
is never revived, so every reference names one occurrence, one queue entry or one day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cogs.rota.coverage import week_start_for
from cogs.rota.schedule import (
    Interval,
    Override,
    RotaShift,
    Shift,
    duties_between,
    get_zone,
    merge_intervals,
    occurrences_from,
    resolve_wall_time,
)

ROLE_JOB = "rota:role"
REMIND_JOB = "rota:remind"
ESCALATE_JOB = "rota:escalate"
BREAK_JOB = "rota:break"
COVERAGE_JOB = "rota:coverage"

# A role job only re-evaluates who should hold the role, so running it late is always right: its grace covers
# the longest shift. Reminders and alerts decide for themselves whether they are still useful when they run.
ROLE_GRACE = timedelta(hours=13)
REMIND_GRACE = timedelta(days=8)
ESCALATE_GRACE = timedelta(hours=6)
BREAK_GRACE = timedelta(hours=1)
COVERAGE_GRACE = timedelta(days=2)

BREAK_AFTER = timedelta(hours=4)
"""Continuous time on duty after which the volunteer gets a gentle break reminder by DM."""
ESCALATE_AFTER = timedelta(minutes=5)
"""An unclaimed request re-pings all volunteers after this, then the moderators after as long again."""
ESCALATION_LEVELS = 2
COVERAGE_AT = time(9, 0)
"""Server-local time of the daily "uncovered hours" post in the volunteers channel."""
COVERAGE_WINDOW = timedelta(hours=48)
COVERAGE_STALE = timedelta(hours=3)
"""A daily coverage post that could not run within this long after 09:00 is skipped (the next day's still comes)."""
HANDOFF_KEPT = timedelta(days=7)
"""`/duty handoffs` lists notes this recent."""
HANDOFF_SHOWN = timedelta(hours=24)
"""Notes this recent are shown to a volunteer going on duty (and in their shift reminder)."""


@dataclass(frozen=True, slots=True)
class Link:
    """One job to schedule: its kind, unique reference and due time (UTC)."""

    kind: str
    ref: str
    due: datetime


def role_ref(shift_id: int, local_date: date, phase: str) -> str:
    return f"shift:{shift_id}:{local_date.isoformat()}:{phase}"


def remind_ref(shift_id: int, local_date: date) -> str:
    return f"shift:{shift_id}:{local_date.isoformat()}"


def shift_prefix(shift_id: int) -> str:
    """The reference prefix of every job of one shift (to cancel them when it is removed)."""
    return f"shift:{shift_id}:"


def parse_shift_ref(ref: str) -> tuple[int, date, str] | None:
    """(shift id, local date, phase) of a shift job reference; the phase of a reminder is ``"remind"``."""
    parts = ref.split(":")
    if len(parts) not in (3, 4) or parts[0] != "shift":
        return None
    phase = parts[3] if len(parts) == 4 else "remind"
    return int(parts[1]), date.fromisoformat(parts[2]), phase


def duty_ref(session_id: int, volunteer_id: int) -> str:
    return f"duty:{session_id}:{volunteer_id}"


def parse_duty_ref(ref: str) -> int | None:
    """The volunteer id of a ``/duty on`` end reference."""
    parts = ref.split(":")
    return int(parts[2]) if len(parts) == 3 and parts[0] == "duty" else None


def escalate_ref(request_id: int, queue_round: int, level: int) -> str:
    return f"req:{request_id}:{queue_round}:{level}"


def request_prefix(request_id: int) -> str:
    return f"req:{request_id}:"


def parse_escalate_ref(ref: str) -> tuple[int, int, int]:
    """(request id, queue round, level)."""
    _, request_id, queued, level = ref.split(":")
    return int(request_id), int(queued), int(level)


def break_ref(guild_id: int, volunteer_id: int, block_start: datetime) -> str:
    return f"{guild_id}:{volunteer_id}:{int(block_start.timestamp())}"


def parse_break_ref(ref: str) -> tuple[int, int, int]:
    """(guild id, volunteer id, block start unix time)."""
    guild_id, volunteer_id, start = ref.split(":")
    return int(guild_id), int(volunteer_id), int(start)


def coverage_ref(guild_id: int, local_date: date) -> str:
    return f"{guild_id}:{local_date.isoformat()}"


# --------------------------------------------------------------------------------------------------------------------
# The chain of a shift
# --------------------------------------------------------------------------------------------------------------------


def next_link(shift_id: int, shift: Shift, now: datetime) -> Link:
    """The job that should be pending for a shift at ``now``: the end of a running occurrence, else the next
    occurrence's reminder (or its start, when the reminder time has passed)."""
    first = next(occurrences_from(shift, now))  # the first occurrence that ends after now
    if first.start <= now:
        return Link(ROLE_JOB, role_ref(shift_id, first.local_date, "end"), first.end)
    if first.reminder_at > now:
        return Link(REMIND_JOB, remind_ref(shift_id, first.local_date), first.reminder_at)
    return Link(ROLE_JOB, role_ref(shift_id, first.local_date, "start"), first.start)


def startup_links(shift_id: int, shift: Shift, now: datetime) -> list[Link]:
    """The links to make sure of at start-up (see module docs)."""
    first = next(occurrences_from(shift, now))
    if first.start <= now:
        return [
            Link(ROLE_JOB, role_ref(shift_id, first.local_date, "start"), first.start),
            Link(ROLE_JOB, role_ref(shift_id, first.local_date, "end"), first.end),
        ]
    return [next_link(shift_id, shift, now)]


def next_coverage_run(tz: str, now: datetime) -> tuple[date, datetime]:
    """The next daily coverage post: today at 09:00 server time if that is still ahead, else tomorrow."""
    today = now.astimezone(get_zone(tz)).date()
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        due = resolve_wall_time(day, COVERAGE_AT, get_zone(tz))
        if due > now:
            return day, due
    raise AssertionError("unreachable: a day always has a 09:00 ahead")  # pragma: no cover


# --------------------------------------------------------------------------------------------------------------------
# Hours and lookups
# --------------------------------------------------------------------------------------------------------------------


def week_window(instant: datetime, tz: str) -> Interval:
    """The server-local week (Monday 00:00 to the next Monday 00:00) containing ``instant``, in UTC."""
    monday = week_start_for(instant, tz)
    zone = get_zone(tz)
    return Interval(
        resolve_wall_time(monday, time(0), zone), resolve_wall_time(monday + timedelta(days=7), time(0), zone)
    )


def hours_within(intervals: Iterable[Interval], window: Interval) -> float:
    """Hours of the union of ``intervals`` inside ``window``."""
    clipped = [
        Interval(max(i.start, window.start), min(i.end, window.end))
        for i in intervals
        if i.start < window.end and i.end > window.start
    ]
    return sum((b.duration for b in merge_intervals(clipped)), timedelta(0)).total_seconds() / 3600


def next_duty_start(
    shifts: Iterable[RotaShift], overrides: Iterable[Override], now: datetime, horizon: timedelta = timedelta(days=8)
) -> datetime | None:
    """When the next rota duty (covers applied) starts after ``now``, within ``horizon``."""
    upcoming = [d.interval.start for d in duties_between(shifts, overrides, now, now + horizon)]
    later = [start for start in upcoming if start > now]
    return min(later) if later else None


def feedback_month(now: datetime) -> str:
    """The only time kept with a "Did you feel heard?" answer."""
    return now.astimezone(UTC).strftime("%Y-%m")


def format_hours(hours: float) -> str:
    return f"{hours:.0f} h" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f} h"


def unix(instant: datetime) -> int:
    return int(instant.timestamp())
