"""Pure scheduling rules for the volunteer rota: weekly shifts, their occurrences, duty intervals.

Nothing here knows about Discord or the database; every function is deterministic given its arguments.

Model
-----
* A :class:`Shift` is a weekly recurrence stored as **local wall time + IANA time zone**: ``weekday`` (0 = Monday ...
  6 = Sunday), ``start`` and ``end`` (naive :class:`datetime.time`) and ``tz`` (e.g. ``"Europe/London"``). It is
  expanded with :mod:`zoneinfo`, so an 18:00 shift stays 18:00 local before and after a DST change.
* ``end <= start`` means the shift ends on the **next** local day (overnight: Fri 22:00-06:00 ends Sat 06:00).
  ``end == start`` is rejected (zero length). Whether an overnight reading was *meant* is a UX question:
  :func:`classify_shift_times` tells normal / overnight / zero-length / too long (> 12 h) so the bot can ask.
* An :class:`Occurrence` is one concrete week's shift: UTC ``start`` and ``end`` and its identity, the **local start
  date** in the shift's zone (``occurrence_on(shift, local_date)``; cover requests point at it).
* Every instant returned is an aware UTC ``datetime``; every instant accepted must be aware (any zone).
* Intervals are half-open ``[start, end)``: at ``start`` the volunteer is on duty, at ``end`` no longer.
  ``current_occurrence(shift, now)`` is the occurrence with ``start <= now < end`` (or ``None``);
  ``next_occurrence(shift, now)`` is the first with ``start > now`` (strictly). So a job firing exactly at a shift
  start sees that occurrence as *current* and next week's as *next*; a bot restarted mid-shift finds the running
  occurrence with ``current_occurrence`` and still removes the role at its ``end``.

DST rules
---------
Both rules are Python's ``fold=0`` semantics, which are also what RFC 5545 prescribes for ``DTSTART;TZID=...``
(section 3.3.5), so the bot and the exported .ics agree.

1. **Non-existent wall time** (spring-forward gap): read with the UTC offset from *before* the gap, which moves it
   forward by the length of the gap. 02:30 on 2024-03-10 in America/New_York becomes 03:30 EDT (07:30 UTC);
   02:15 on Lord Howe's 30-minute switch (2024-10-06) becomes 02:45.
2. **Ambiguous wall time** (fall-back overlap): the **first** occurrence, i.e. the earlier instant, still on summer
   time. 01:30 on 2024-11-03 in America/New_York is 01:30 EDT (05:30 UTC), not 01:30 EST.
3. **Wall-clock length**: start and end are resolved independently, so 18:00-22:00 is 18:00-22:00 local every week.
   A shift spanning a switch is shorter or longer in real time: Sat 22:00-Sun 06:00 in New York is 7 real hours on
   the night of 2024-03-09 and 9 real hours on the night of 2024-11-02.
4. **Degenerate case**: if the start falls in a gap and the resolved end would not be after the resolved start
   (only for a shift shorter than the gap, e.g. 02:30-03:00 on the spring-forward day), the whole occurrence moves
   forward by the gap: ``end = start + wall-clock length`` (03:30-04:00 EDT). Hence ``start < end`` always holds.

Duty intervals
--------------
A volunteer can be on duty from several sources at once (rota shifts, covers, manual ``/duty on``). The role must
stay while *any* interval is active: :func:`merge_intervals` builds the union (touching intervals merge, too),
:func:`is_on_duty` and :func:`role_ends_at` answer "on duty at t?" and "when does the role actually end?".
:func:`manual_duty` builds the ``/duty on [hours]`` interval (default 2 h, max 12 h).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_DUTY_LENGTH",
    "MAX_DUTY_LENGTH",
    "MAX_SHIFT_LENGTH",
    "REMINDER_LEAD",
    "WEEKDAY_ABBREVIATIONS",
    "WEEKDAY_NAMES",
    "Duty",
    "Interval",
    "Occurrence",
    "Override",
    "RotaShift",
    "Shift",
    "ShiftCheck",
    "ShiftError",
    "ShiftKind",
    "active_block",
    "classify_shift_times",
    "current_occurrence",
    "duties_between",
    "format_time",
    "get_zone",
    "intervals_for",
    "is_on_duty",
    "manual_duty",
    "merge_intervals",
    "next_occurrence",
    "occurrence_on",
    "occurrences_between",
    "occurrences_from",
    "resolve_wall_time",
    "role_ends_at",
]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

MAX_SHIFT_LENGTH = timedelta(hours=12)
DEFAULT_DUTY_LENGTH = timedelta(hours=2)
MAX_DUTY_LENGTH = timedelta(hours=12)
REMINDER_LEAD = timedelta(minutes=30)

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


class ShiftError(ValueError):
    """Invalid shift or duty input. ``str(error)`` is a kind message that can be shown to the volunteer."""


def _require_aware(instant: datetime, what: str = "instant") -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {instant!r}")


@lru_cache(maxsize=1024)
def get_zone(name: str) -> ZoneInfo:
    """The :class:`ZoneInfo` for an IANA name; raises :class:`ShiftError` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ShiftError(f"I don't know the time zone '{name}'. Try a name like Europe/London.") from exc


def format_time(wall: time) -> str:
    """``HH:MM`` (24-hour); seconds are shown only when present."""
    return wall.strftime("%H:%M:%S" if wall.second or wall.microsecond else "%H:%M")


def resolve_wall_time(local_date: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time under the module's DST rules (fold=0: gap -> forward, overlap -> first)."""
    return datetime.combine(local_date, wall.replace(tzinfo=None, fold=0), tzinfo=zone).astimezone(UTC)


def _wall_length(start: time, end: time) -> timedelta:
    """Wall-clock length from ``start`` to ``end``, where ``end <= start`` means the next day (so never zero)."""
    anchor = date(2000, 1, 3)
    begin = datetime.combine(anchor, start.replace(tzinfo=None))
    finish = datetime.combine(anchor, end.replace(tzinfo=None))
    if finish <= begin:
        finish += _DAY
    return finish - begin


# --------------------------------------------------------------------------------------------------------------------
# Classifying user input
# --------------------------------------------------------------------------------------------------------------------


class ShiftKind(enum.Enum):
    """How a (start, end) pair reads as a shift."""

    NORMAL = "normal"
    """Ends later the same day (or exactly at the midnight that ends the day: 18:00-00:00)."""
    OVERNIGHT = "overnight"
    """``end`` is before ``start``: read as ending the next day. The bot should confirm this reading."""
    ZERO_LENGTH = "zero_length"
    """``start == end``: rejected."""
    TOO_LONG = "too_long"
    """Longer than the maximum shift length (12 h), including overnight readings like 14:00-10:00 (20 h)."""


@dataclass(frozen=True, slots=True)
class ShiftCheck:
    """The verdict of :func:`classify_shift_times` plus a kind message for the volunteer."""

    kind: ShiftKind
    start: time
    end: time
    length: timedelta
    """Wall-clock length; ``timedelta(0)`` for zero-length input."""
    ends_next_day: bool
    """True when the shift ends on the following local day (``end <= start``), midnight included."""
    max_length: timedelta = MAX_SHIFT_LENGTH

    @property
    def ok(self) -> bool:
        """True when a shift can be created (normal, or overnight once confirmed)."""
        return self.kind in (ShiftKind.NORMAL, ShiftKind.OVERNIGHT)

    @property
    def message(self) -> str:
        """What to tell the volunteer about this reading."""
        span = f"{format_time(self.start)}-{format_time(self.end)}"
        if self.kind is ShiftKind.ZERO_LENGTH:
            return f"Your shift starts and ends at {format_time(self.start)}. Please give a different end time."
        if self.kind is ShiftKind.TOO_LONG:
            extra = " (ending the next day)" if self.ends_next_day else ""
            return (
                f"{span} would be {_format_length(self.length)}{extra}, but shifts can be at most "
                f"{_format_length(self.max_length)}. Did you swap the start and end?"
            )
        if self.kind is ShiftKind.OVERNIGHT:
            return f"{span} ends the next day ({_format_length(self.length)} overnight). Is that what you meant?"
        return f"{span} ({_format_length(self.length)})."


def _format_length(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def classify_shift_times(start: time, end: time, *, max_length: timedelta = MAX_SHIFT_LENGTH) -> ShiftCheck:
    """Classify a start/end pair as normal, overnight, zero-length or too long.

    Order of checks: zero-length, then too long (wall-clock length > ``max_length``; exactly ``max_length`` is
    fine), then overnight (``end < start``; an end of exactly 00:00 means "midnight at the end of the day" and is
    NORMAL, though ``ends_next_day`` is True).
    """
    start, end = start.replace(tzinfo=None, fold=0), end.replace(tzinfo=None, fold=0)
    if start == end:
        return ShiftCheck(ShiftKind.ZERO_LENGTH, start, end, timedelta(0), ends_next_day=False, max_length=max_length)
    length = _wall_length(start, end)
    ends_next_day = end <= start
    if length > max_length:
        kind = ShiftKind.TOO_LONG
    elif ends_next_day and end != time(0, 0):
        kind = ShiftKind.OVERNIGHT
    else:
        kind = ShiftKind.NORMAL
    return ShiftCheck(kind, start, end, length, ends_next_day=ends_next_day, max_length=max_length)


# --------------------------------------------------------------------------------------------------------------------
# Shifts and occurrences
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span of real time ``[start, end)`` between aware datetimes, ``start < end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        if not self.start < self.end:
            raise ValueError(f"Interval must have start < end, got {self.start} .. {self.end}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        """``start <= instant < end``."""
        _require_aware(instant)
        return self.start <= instant < self.end

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share some instant (touching ones do not)."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Shift:
    """A weekly shift: local wall times on a weekday in an IANA zone. ``end <= start`` ends the next day."""

    weekday: int
    start: time
    end: time
    tz: str

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ShiftError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}.")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Shift start/end must be naive wall times; the zone goes in Shift.tz")
        if self.start.replace(fold=0) == self.end.replace(fold=0):
            raise ShiftError(f"Your shift starts and ends at {format_time(self.start)}. Please give a different end.")
        get_zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return get_zone(self.tz)

    @property
    def overnight(self) -> bool:
        """True when the shift ends on the next local day (``end <= start``, so 18:00-00:00 too)."""
        return self.end.replace(fold=0) <= self.start.replace(fold=0)

    @property
    def wall_length(self) -> timedelta:
        """Length in local wall-clock terms (the real length differs on DST-switch days)."""
        return _wall_length(self.start, self.end)

    @property
    def end_weekday(self) -> int:
        return (self.weekday + 1) % 7 if self.overnight else self.weekday

    def describe(self) -> str:
        """E.g. ``Mon 18:00-22:00 (Europe/London)`` or ``Fri 22:00-Sat 06:00 (America/New_York)``."""
        day = WEEKDAY_ABBREVIATIONS[self.weekday]
        if self.overnight and self.end.replace(fold=0) != time(0, 0):
            end = f"{WEEKDAY_ABBREVIATIONS[self.end_weekday]} {format_time(self.end)}"
        else:
            end = format_time(self.end)
        return f"{day} {format_time(self.start)}-{end} ({self.tz})"


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One week's instance of a shift: UTC ``[start, end)`` and its local start date (its identity)."""

    start: datetime
    end: datetime
    local_date: date

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def duration(self) -> timedelta:
        """Real (elapsed) duration; differs from the wall-clock length across a DST switch."""
        return self.end - self.start

    @property
    def reminder_at(self) -> datetime:
        """When to send the "your shift starts soon" DM (30 min before the start)."""
        return self.start - REMINDER_LEAD

    def contains(self, instant: datetime) -> bool:
        """``start <= instant < end``."""
        _require_aware(instant)
        return self.start <= instant < self.end


def _occurrence(shift: Shift, local_date: date) -> Occurrence:
    zone = shift.zone
    start = resolve_wall_time(local_date, shift.start, zone)
    end = resolve_wall_time(local_date + _DAY if shift.overnight else local_date, shift.end, zone)
    if end <= start:  # rule 4: the start fell in a gap that swallowed the (short) shift
        end = start + shift.wall_length
    return Occurrence(start, end, local_date)


def occurrence_on(shift: Shift, local_date: date) -> Occurrence:
    """The occurrence that starts on ``local_date`` (a date in the shift's own zone).

    Raises :class:`ShiftError` when the date is not on the shift's weekday.
    """
    if local_date.weekday() != shift.weekday:
        raise ShiftError(
            f"{local_date:%a %d %b %Y} is a {WEEKDAY_NAMES[local_date.weekday()]}, "
            f"but this shift is on {WEEKDAY_NAMES[shift.weekday]}s."
        )
    return _occurrence(shift, local_date)


def occurrences_from(shift: Shift, instant: datetime) -> Iterator[Occurrence]:
    """Endless iterator of occurrences in time order, from the first one that *ends after* ``instant``.

    So the first item is the running occurrence when ``instant`` is inside one.
    """
    _require_aware(instant)
    today = instant.astimezone(shift.zone).date()
    local_date = today - timedelta(days=(today.weekday() - shift.weekday) % 7) - _WEEK
    while True:
        occurrence = _occurrence(shift, local_date)
        if occurrence.end > instant:
            yield occurrence
        local_date += _WEEK


def current_occurrence(shift: Shift, now: datetime) -> Occurrence | None:
    """The occurrence with ``start <= now < end``, or ``None``."""
    first = next(occurrences_from(shift, now))
    return first if first.start <= now else None


def next_occurrence(shift: Shift, now: datetime) -> Occurrence:
    """The first occurrence that starts strictly after ``now`` (a running one is not "next")."""
    return next(occ for occ in occurrences_from(shift, now) if occ.start > now)


def occurrences_between(shift: Shift, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences overlapping ``[start, end)``, in time order."""
    _require_aware(end, "end")
    return list(takewhile(lambda occ: occ.start < end, occurrences_from(shift, start)))


# --------------------------------------------------------------------------------------------------------------------
# Rota entries, covers and duties
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RotaShift:
    """A stored shift with its owner: what the cog loads from the database."""

    shift_id: int
    volunteer_id: int
    volunteer_name: str
    shift: Shift


@dataclass(frozen=True, slots=True)
class Override:
    """One occurrence the owner can't make (``/rota cant-make-it``).

    ``local_date`` is the occurrence's local start date in the shift's zone. ``cover_id``/``cover_name`` name the
    volunteer covering it; ``None`` means nobody has picked it up yet, so that occurrence is uncovered.
    """

    shift_id: int
    local_date: date
    cover_id: int | None = None
    cover_name: str | None = None


@dataclass(frozen=True, slots=True)
class Duty:
    """A volunteer on duty during ``interval`` from one source.

    Rota duties carry ``shift_id`` and ``local_date``; manual ``/duty on`` duties leave them ``None``.
    ``is_cover`` is True when the volunteer covers somebody else's occurrence.
    """

    volunteer_id: int
    volunteer_name: str
    interval: Interval
    shift_id: int | None = None
    local_date: date | None = None
    is_cover: bool = False


def _duty_for(entry: RotaShift, occurrence: Occurrence, override: Override | None) -> Duty | None:
    if override is None or override.cover_id == entry.volunteer_id:
        return Duty(
            entry.volunteer_id, entry.volunteer_name, occurrence.interval, entry.shift_id, occurrence.local_date
        )
    if override.cover_id is None:
        return None
    name = override.cover_name if override.cover_name is not None else str(override.cover_id)
    return Duty(override.cover_id, name, occurrence.interval, entry.shift_id, occurrence.local_date, is_cover=True)


def duties_between(
    shifts: Iterable[RotaShift], overrides: Iterable[Override], start: datetime, end: datetime
) -> list[Duty]:
    """Who is on rota duty in ``[start, end)``, with covers applied, sorted by start time.

    An occurrence with an override goes to the cover, or to nobody when the override has no cover yet.
    """
    by_occurrence = {(o.shift_id, o.local_date): o for o in overrides}
    duties: list[Duty] = []
    for entry in shifts:
        for occurrence in occurrences_between(entry.shift, start, end):
            duty = _duty_for(entry, occurrence, by_occurrence.get((entry.shift_id, occurrence.local_date)))
            if duty is not None:
                duties.append(duty)
    duties.sort(key=lambda d: (d.interval.start, d.interval.end, d.volunteer_name, d.shift_id or 0))
    return duties


def intervals_for(duties: Iterable[Duty], volunteer_id: int) -> list[Interval]:
    """The intervals of one volunteer's duties (unmerged)."""
    return [d.interval for d in duties if d.volunteer_id == volunteer_id]


def manual_duty(start: datetime, hours: float | None = None) -> Interval:
    """The interval of ``/duty on [hours]`` starting at ``start``: default 2 h, more than 0 and at most 12 h."""
    _require_aware(start, "start")
    if hours is None:
        length = DEFAULT_DUTY_LENGTH
    else:
        if not math.isfinite(hours) or hours <= 0:
            raise ShiftError("Please give a number of hours above 0, like 2 or 1.5.")
        if hours * 3600 > MAX_DUTY_LENGTH.total_seconds():
            raise ShiftError(f"Duty can last at most {_format_length(MAX_DUTY_LENGTH)}; please pick fewer hours.")
        length = timedelta(hours=hours)
    return Interval(start.astimezone(UTC), start.astimezone(UTC) + length)


# --------------------------------------------------------------------------------------------------------------------
# Interval union
# --------------------------------------------------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint, non-touching intervals (touching ones are merged)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def active_block(intervals: Iterable[Interval], at: datetime) -> Interval | None:
    """The merged block (union of overlapping/touching intervals) that contains ``at``, or ``None``."""
    _require_aware(at, "at")
    return next((block for block in merge_intervals(intervals) if block.contains(at)), None)


def is_on_duty(intervals: Iterable[Interval], at: datetime) -> bool:
    """True when any interval is active at ``at``: the on-duty role must not be removed."""
    return active_block(intervals, at) is not None


def role_ends_at(intervals: Iterable[Interval], at: datetime) -> datetime | None:
    """When the role actually ends for someone on duty at ``at`` (end of the merged block), else ``None``."""
    block = active_block(intervals, at)
    return None if block is None else block.end
