"""iCalendar (RFC 5545) export of a volunteer's rota for ``/rota calendar``, written by hand (no dependency).

Output
------
* ``VCALENDAR`` with ``VERSION:2.0``, ``PRODID``, ``CALSCALE:GREGORIAN``, ``METHOD:PUBLISH`` and ``X-WR-CALNAME``.
* One ``VEVENT`` per shift: ``UID:shift-<shift_id>@peerbot`` (stable, so re-imports update instead of duplicating),
  ``DTSTAMP`` (the given ``now`` in UTC), ``DTSTART;TZID=<zone>`` / ``DTEND;TZID=<zone>`` as local wall times
  (``DTEND`` on the next day for overnight shifts) and ``RRULE:FREQ=WEEKLY;BYDAY=<MO..SU>``. ``DTSTART`` is the
  first occurrence that has not ended at ``now``. Occurrences given away with ``/rota cant-make-it`` (overrides whose
  cover is not the owner) become ``EXDATE;TZID=...`` lines.
* Covers the volunteer took for others: one-off ``VEVENT`` with ``UID:cover-<shift_id>-<YYYYMMDD>@peerbot``.
* Lines end in CRLF and are folded at 75 octets (continuation lines start with one space, UTF-8 sequences are never
  split); TEXT values escape backslash, ``;``, ``,`` and newlines.

DST
---
RFC 5545 reads a local time in a gap with the offset from before the gap and an ambiguous one as its first
occurrence, exactly the rules of :mod:`cogs.rota.schedule`, so calendar apps show the same instants the bot uses
(the one exception is the degenerate shift shorter than a gap it starts in, rule 4 there).

VTIMEZONE
---------
RFC 5545 requires a ``VTIMEZONE`` for each ``TZID``; Google and Apple calendars also understand bare IANA names, but
Outlook relies on it. With ``include_vtimezone=True`` (default) one is generated from :mod:`zoneinfo`: transitions are
found over 13 years from the year before the earliest event; when every year follows the same "n-th / last weekday
of a month at a wall time" pattern the observances use ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``, otherwise (zones with
irregular rules, or that change rules within the window) each transition of the window is listed as its own
observance and the last offset holds afterwards. Zones without transitions get one ``STANDARD`` observance.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cogs.rota.schedule import Override, RotaShift, Shift, get_zone, occurrences_from

__all__ = ["build_calendar", "escape_text", "fold_line", "vtimezone"]

PRODID = "-//peerbot//Volunteer rota//EN"
UID_DOMAIN = "peerbot"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_VTIMEZONE_YEARS = 13
_MAX_OCTETS = 75


# --------------------------------------------------------------------------------------------------------------------
# Content lines
# --------------------------------------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _param_value(value: str) -> str:
    """A parameter value, quoted when it holds ``:``, ``;`` or ``,`` (double quotes are not allowed in it)."""
    value = value.replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold_line(line: str) -> str:
    """Fold one content line so no physical line exceeds 75 octets (UTF-8), joined with CRLF + space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= _MAX_OCTETS:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


# --------------------------------------------------------------------------------------------------------------------
# VTIMEZONE
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Transition:
    at: datetime
    before: timedelta
    after: timedelta
    name: str

    @property
    def local(self) -> datetime:
        """Wall time of the transition in the offset in force before it (how RFC 5545 writes DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def daylight(self) -> bool:
        return self.after > self.before


def _utc_offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - zoneinfo always knows the offset of an aware instant
        raise ValueError(f"no UTC offset for {instant} in {zone}")
    return offset


def _transitions(zone: ZoneInfo, first_year: int, years: int) -> list[_Transition]:
    """Offset changes from 1 January ``first_year`` (UTC) for ``years`` years, each found to the second."""
    found: list[_Transition] = []
    cursor = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(first_year + years, 1, 1, tzinfo=UTC)
    offset = _utc_offset(cursor, zone)
    while cursor < end:
        step = cursor + timedelta(days=1)
        new_offset = _utc_offset(step, zone)
        if new_offset != offset:
            low, high = cursor, step
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
                low, high = (low, middle) if _utc_offset(middle, zone) == new_offset else (middle, high)
            found.append(_Transition(high, offset, new_offset, high.astimezone(zone).tzname() or ""))
        cursor, offset = step, new_offset
    return found


def _yearly_rule(group: Sequence[_Transition], first_year: int, years: int) -> str | None:
    """``FREQ=YEARLY;BYMONTH=..;BYDAY=..`` when ``group`` has one transition per year following one pattern."""
    walls = [t.local for t in group]
    if [w.year for w in walls] != list(range(first_year, first_year + years)):
        return None
    shapes = {(w.month, w.weekday(), w.time(), t.before, t.after) for w, t in zip(walls, group, strict=True)}
    if len(shapes) != 1:
        return None
    month, weekday = walls[0].month, walls[0].weekday()
    nths = {(w.day - 1) // 7 + 1 for w in walls}
    if len(nths) == 1:
        which = str(nths.pop())
    elif all(w.day + 7 > calendar.monthrange(w.year, w.month)[1] for w in walls):
        which = "-1"
    else:
        return None
    return f"FREQ=YEARLY;BYMONTH={month};BYDAY={which}{_BYDAY[weekday]}"


def _observance(transition: _Transition, rule: str | None = None) -> list[str]:
    kind = "DAYLIGHT" if transition.daylight else "STANDARD"
    lines = [
        f"BEGIN:{kind}",
        f"DTSTART:{_local(transition.local)}",
        f"TZOFFSETFROM:{_offset(transition.before)}",
        f"TZOFFSETTO:{_offset(transition.after)}",
    ]
    if rule is not None:
        lines.append(f"RRULE:{rule}")
    if transition.name:
        lines.append(f"TZNAME:{escape_text(transition.name)}")
    return [*lines, f"END:{kind}"]


@lru_cache(maxsize=256)
def vtimezone(tz: str, first_year: int) -> tuple[str, ...]:
    """The VTIMEZONE lines for ``tz`` (see the module docs), starting at 1 January ``first_year``."""
    zone = get_zone(tz)
    transitions = _transitions(zone, first_year, _VTIMEZONE_YEARS)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz}"]
    if not transitions:
        offset = _utc_offset(datetime(first_year, 1, 1, tzinfo=UTC), zone)
        name = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(zone).tzname() or ""
        fixed = _Transition(datetime(1970, 1, 1, tzinfo=UTC) - offset, offset, offset, name)
        return (*lines, *_observance(fixed), "END:VTIMEZONE")
    daylight = [t for t in transitions if t.daylight]
    standard = [t for t in transitions if not t.daylight]
    rules = [_yearly_rule(group, first_year, _VTIMEZONE_YEARS) for group in (daylight, standard)]
    if all(rule is not None for rule in rules):
        lines += _observance(daylight[0], rules[0]) + _observance(standard[0], rules[1])
    else:
        for transition in transitions:
            lines += _observance(transition)
    return (*lines, "END:VTIMEZONE")


# --------------------------------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------------------------------


def _wall(day: date, wall: time) -> datetime:
    return datetime.combine(day, wall.replace(tzinfo=None, fold=0))


def _event_times(shift: Shift, start_day: date) -> list[str]:
    tzid = _param_value(shift.tz)
    end_day = start_day + timedelta(days=1) if shift.overnight else start_day
    return [
        f"DTSTART;TZID={tzid}:{_local(_wall(start_day, shift.start))}",
        f"DTEND;TZID={tzid}:{_local(_wall(end_day, shift.end))}",
    ]


def _shift_event(entry: RotaShift, first_day: date, exdates: Iterable[date], stamp: str, summary: str) -> list[str]:
    shift = entry.shift
    lines = [
        "BEGIN:VEVENT",
        f"UID:shift-{entry.shift_id}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        *_event_times(shift, first_day),
        f"RRULE:FREQ=WEEKLY;BYDAY={_BYDAY[shift.weekday]}",
    ]
    tzid = _param_value(shift.tz)
    lines += [f"EXDATE;TZID={tzid}:{_local(_wall(day, shift.start))}" for day in sorted(set(exdates))]
    lines += [
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(f'Weekly shift: {shift.describe()}.')}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def _cover_event(entry: RotaShift, day: date, stamp: str, summary: str) -> list[str]:
    text = f"{summary} (covering for {entry.volunteer_name})"
    return [
        "BEGIN:VEVENT",
        f"UID:cover-{entry.shift_id}-{day:%Y%m%d}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        *_event_times(entry.shift, day),
        f"SUMMARY:{escape_text(text)}",
        f"DESCRIPTION:{escape_text(f'One-off cover of {entry.shift.describe()}.')}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def _given_away(overrides: Iterable[Override], shifts: Sequence[RotaShift]) -> dict[int, list[date]]:
    owners = {entry.shift_id: entry for entry in shifts}
    result: dict[int, list[date]] = {}
    for override in overrides:
        entry = owners.get(override.shift_id)
        if entry is None or override.cover_id == entry.volunteer_id:
            continue
        if override.local_date.weekday() == entry.shift.weekday:
            result.setdefault(override.shift_id, []).append(override.local_date)
    return result


def build_calendar(
    shifts: Iterable[RotaShift],
    now: datetime,
    *,
    overrides: Iterable[Override] = (),
    covers: Iterable[tuple[RotaShift, date]] = (),
    summary: str = "Peer-support duty",
    calendar_name: str = "peerbot rota",
    include_vtimezone: bool = True,
) -> str:
    """An .ics document (CRLF, folded) of a volunteer's ``shifts`` plus the ``covers`` (someone else's shift and the
    local start date of the occurrence) they took. ``overrides`` on their own shifts become EXDATEs. Encode it as
    UTF-8 to send it as a file. See the module docs for the details."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    own = list(shifts)
    taken = sorted(set(covers), key=lambda item: (item[1], item[0].shift_id))
    stamp = _utc(now)
    given_away = _given_away(overrides, own)
    events: list[str] = []
    first_days: dict[str, date] = {}
    for entry in sorted(own, key=lambda e: e.shift_id):
        first_day = next(occurrences_from(entry.shift, now)).local_date
        exdates = [day for day in given_away.get(entry.shift_id, []) if day >= first_day]
        events += _shift_event(entry, first_day, exdates, stamp, summary)
        first_days[entry.shift.tz] = min(first_day, first_days.get(entry.shift.tz, first_day))
    for entry, day in taken:
        events += _cover_event(entry, day, stamp, summary)
        first_days[entry.shift.tz] = min(day, first_days.get(entry.shift.tz, day))
    timezones: list[str] = []
    if include_vtimezone:
        for tz in sorted(first_days):
            timezones += vtimezone(tz, first_days[tz].year - 1)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
        *timezones,
        *events,
        "END:VCALENDAR",
    ]
    return "".join(fold_line(line) + "\r\n" for line in lines)
