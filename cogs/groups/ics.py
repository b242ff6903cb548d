"""iCalendar (RFC 5545) export of a member's groups for ``/group calendar``: pure, no Discord.

Built with the rota's hand-written helpers (:mod:`cogs.rota.ics`: ``escape_text``, ``fold_line``, ``vtimezone``),
so both exports share line folding, escaping and the generated ``VTIMEZONE``.

* One ``VEVENT`` per group: ``UID:group-<id>@peerbot`` (stable: re-importing updates instead of duplicating),
  ``DTSTART;TZID=<zone>`` at the local wall time of the first meeting that has not ended, ``DURATION:PT<n>M``
  (elapsed minutes, the same rule as the bot: see :mod:`cogs.groups.schedule`) and
  ``RRULE:FREQ=WEEKLY;BYDAY=<MO..SU>``. Skipped future dates become ``EXDATE;TZID=...`` lines.
* RFC 5545 resolves a local time in a DST gap or overlap exactly like the bot (forward by the gap; the first
  occurrence), so calendar apps show the same instants.
* ``LOCATION`` says where the group meets (``#channel`` or the voice channel's name) and ``URL`` links to the
  channel on Discord.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cogs.groups.schedule import WeeklyTime, meetings_from
from cogs.rota.ics import escape_text, fold_line, vtimezone

__all__ = ["CalendarGroup", "build_calendar"]

PRODID = "-//peerbot//Support groups//EN"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class CalendarGroup:
    """What the calendar needs about one group."""

    group_id: int
    name: str
    description: str
    when: WeeklyTime
    location: str
    url: str
    skipped: Collection[date] = ()


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _tzid(tz: str) -> str:
    return f'"{tz}"' if any(c in tz for c in ":;,") else tz


def _event(group: CalendarGroup, first_day: date, stamp: str) -> list[str]:
    when = group.when
    tzid = _tzid(when.tz)
    start = datetime.combine(first_day, when.start)
    lines = [
        "BEGIN:VEVENT",
        f"UID:group-{group.group_id}@peerbot",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={tzid}:{_local(start)}",
        f"DURATION:PT{when.duration}M",
        f"RRULE:FREQ=WEEKLY;BYDAY={_BYDAY[when.weekday]}",
    ]
    lines += [
        f"EXDATE;TZID={tzid}:{_local(datetime.combine(day, when.start))}"
        for day in sorted(d for d in group.skipped if d > first_day and d.weekday() == when.weekday)
    ]
    description = group.description or f"Weekly support group: {when.describe()}."
    lines += [
        f"SUMMARY:{escape_text(group.name)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(group.location)}",
        f"URL:{group.url}",
        "END:VEVENT",
    ]
    return lines


def build_calendar(groups: Iterable[CalendarGroup], now: datetime, *, calendar_name: str = "My support groups") -> str:
    """An .ics document (CRLF line ends, folded) of weekly recurring events; encode it as UTF-8 to send it."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    events: list[str] = []
    first_years: dict[str, int] = {}
    for group in sorted(groups, key=lambda g: g.group_id):
        first = next(meetings_from(group.when, now, group.skipped), None)
        if first is None:
            continue
        events += _event(group, first.local_date, stamp)
        first_years[group.when.tz] = min(first.local_date.year, first_years.get(group.when.tz, first.local_date.year))
    timezones: list[str] = []
    for tz in sorted(first_years):
        timezones += vtimezone(tz, first_years[tz] - 1)
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
