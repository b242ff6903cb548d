"""When a weekly support group meets: pure rules, no Discord and no database.

Model
-----
* A group meets every week at a **local wall time + IANA time zone** (:class:`WeeklyTime`: ``weekday`` 0 = Monday
  ... 6 = Sunday, naive ``start``, ``tz``), for ``duration`` minutes of **elapsed** time (1 minute to 24 hours), from
  an optional ``first_date`` on. So 18:00 Europe/London stays 18:00 local before and after the clocks change.
* A :class:`Meeting` is one week's meeting: UTC ``start`` and ``end`` and its identity, the **local date** of its
  start in the group's zone. Skipping, reminders, jobs and the Discord event all point at that date.
* Every instant returned is an aware UTC ``datetime``; every instant accepted must be aware.

Reused rules
------------
The wall time is resolved with :func:`cogs.rota.schedule.resolve_wall_time`, so groups follow exactly the rota's
documented DST rules (and RFC 5545's, so the exported calendar agrees):

1. **Non-existent wall time** (spring forward): read with the offset from before the gap, i.e. moved forward by the
   gap. 02:30 on 2024-03-10 in America/New_York is 03:30 EDT (07:30 UTC).
2. **Ambiguous wall time** (fall back): the first occurrence, the earlier instant. 01:30 on 2024-11-03 in
   America/New_York is 01:30 EDT (05:30 UTC).

Why not the rota's ``Shift``: a shift's end is a second *wall* time and may not equal its start, while a group
states its length in minutes ("90 minutes") and may last exactly 24 hours. Here ``end = start + duration`` in real
time, so a 90-minute meeting lasts 90 minutes even on the night the clocks change.

Which meeting counts
--------------------
* :func:`meetings_from` yields, in order, the meetings that have not **ended** at an instant (a running one first).
* :func:`next_meeting` is the first that **starts** strictly after an instant (a running one is not "next").
* Skipped dates and dates before ``first_date`` are not meetings at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from cogs.rota.schedule import WEEKDAY_NAMES, format_time, get_zone, resolve_wall_time

__all__ = [
    "MAX_DURATION",
    "Meeting",
    "WeeklyTime",
    "current_or_next",
    "is_meeting_date",
    "local_today",
    "meeting_on",
    "meetings_between",
    "meetings_from",
    "next_meeting",
    "window",
]

MAX_DURATION = 24 * 60
_WEEK = timedelta(days=7)
# A group has at most one meeting a week, so a year of skipped dates can't hide every meeting; this bound only
# stops a loop over a (corrupt) skip list that would cover every week.
_SEARCH_WEEKS = 60


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware, got {instant!r}")


@dataclass(frozen=True, slots=True)
class WeeklyTime:
    """Every ``weekday`` at ``start`` (local wall time in ``tz``) for ``duration`` minutes, from ``first_date`` on."""

    weekday: int
    start: time
    duration: int
    tz: str
    first_date: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday!r}")
        if self.start.tzinfo is not None:
            raise ValueError("start must be a naive wall time; the zone goes in tz")
        if not 1 <= self.duration <= MAX_DURATION:
            raise ValueError(f"duration must be 1..{MAX_DURATION} minutes, got {self.duration!r}")
        get_zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return get_zone(self.tz)

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.duration)

    def describe(self) -> str:
        """E.g. ``every Tuesday at 18:00 (Europe/London)``."""
        return f"every {WEEKDAY_NAMES[self.weekday]} at {format_time(self.start)} ({self.tz})"


@dataclass(frozen=True, slots=True, order=True)
class Meeting:
    """One week's meeting: UTC ``[start, end)`` and the local date it starts on (its identity)."""

    start: datetime
    end: datetime
    local_date: date

    def is_running(self, now: datetime) -> bool:
        return self.start <= now < self.end


def local_today(tz: str, now: datetime) -> date:
    """Today's date in the zone."""
    _require_aware(now)
    return now.astimezone(get_zone(tz)).date()


def _meeting(when: WeeklyTime, local_date: date) -> Meeting:
    start = resolve_wall_time(local_date, when.start, when.zone)
    return Meeting(start, start + when.length, local_date)


def is_meeting_date(when: WeeklyTime, local_date: date, skipped: Collection[date] = ()) -> bool:
    """True when the group meets on ``local_date``: its weekday, not before ``first_date``, not skipped."""
    if local_date.weekday() != when.weekday:
        return False
    if when.first_date is not None and local_date < when.first_date:
        return False
    return local_date not in skipped


def meeting_on(when: WeeklyTime, local_date: date) -> Meeting:
    """The meeting on ``local_date`` (ignoring skips and ``first_date``); ValueError if it is the wrong weekday."""
    if local_date.weekday() != when.weekday:
        raise ValueError(
            f"{local_date} is a {WEEKDAY_NAMES[local_date.weekday()]}, not a {WEEKDAY_NAMES[when.weekday]}"
        )
    return _meeting(when, local_date)


def meetings_from(when: WeeklyTime, instant: datetime, skipped: Collection[date] = ()) -> Iterator[Meeting]:
    """Meetings in time order, from the first one that has not ended at ``instant`` (skipped dates left out)."""
    _require_aware(instant)
    today = instant.astimezone(when.zone).date()
    # A meeting can last up to a day, so the one that started on the previous weekday may still be running.
    local_date = today - timedelta(days=(today.weekday() - when.weekday) % 7)
    if local_date == today:
        local_date -= _WEEK
    if when.first_date is not None and local_date < when.first_date:
        local_date += _WEEK * ((when.first_date - local_date).days // 7)
    misses = 0
    while misses < _SEARCH_WEEKS:
        if is_meeting_date(when, local_date, skipped):
            meeting = _meeting(when, local_date)
            if meeting.end > instant:
                misses = 0
                yield meeting
        else:
            misses += 1
        local_date += _WEEK


def next_meeting(when: WeeklyTime, now: datetime, skipped: Collection[date] = ()) -> Meeting | None:
    """The first meeting that starts strictly after ``now``; None only if skips cover more than a year."""
    return next((m for m in meetings_from(when, now, skipped) if m.start > now), None)


def current_or_next(when: WeeklyTime, now: datetime, skipped: Collection[date] = ()) -> Meeting | None:
    """The running meeting, else the next one."""
    return next(meetings_from(when, now, skipped), None)


def meetings_between(when: WeeklyTime, start: datetime, end: datetime, skipped: Collection[date] = ()) -> list[Meeting]:
    """Meetings that start in ``[start, end)``, in time order."""
    _require_aware(end)
    return list(
        takewhile(lambda m: m.start < end, (m for m in meetings_from(when, start, skipped) if m.start >= start))
    )


def window(
    when: WeeklyTime, start: datetime, end: datetime, skipped: Collection[date] = ()
) -> tuple[list[Meeting], datetime | None]:
    """Meetings that start in ``[start, end)``, and the start of the first one at or after ``end`` (None if none):
    what a cached "next 7 days" list needs to know when it goes stale. (The same as :func:`meetings_between`, on
    the hot path of ``/group list``, so it starts at the first candidate date instead of a week back.)"""
    _require_aware(start)
    _require_aware(end)
    zone = when.zone
    # A meeting starting at or after `start` can't be on a local date before the day before `start`'s.
    earliest = start.astimezone(zone).date() - timedelta(days=1)
    local_date = earliest + timedelta(days=(when.weekday - earliest.weekday()) % 7)
    if when.first_date is not None and local_date < when.first_date:
        local_date += _WEEK * -(-(when.first_date - local_date).days // 7)
    inside: list[Meeting] = []
    for _ in range(_SEARCH_WEEKS):
        if local_date not in skipped:
            meeting = _meeting(when, local_date)
            if meeting.start >= end:
                return inside, meeting.start
            if meeting.start >= start:
                inside.append(meeting)
        local_date += _WEEK
    return inside, None
