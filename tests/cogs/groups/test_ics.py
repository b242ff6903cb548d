"""The member's calendar: weekly recurring events with TZID + RRULE, skipped dates as EXDATE."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from cogs.groups.ics import CalendarGroup, build_calendar
from cogs.groups.schedule import WeeklyTime

NOW = datetime(2040, 1, 2, 12, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def group(group_id: int = 1, **changes: object) -> CalendarGroup:
    fields: dict[str, object] = {
        "group_id": group_id,
        "name": "Grief circle, Tuesdays; all welcome",
        "description": "A gentle space\nfor anyone grieving",
        "when": WeeklyTime(1, time(18, 0), 90, "Europe/London"),
        "location": "#grief on Discord",
        "url": "https://discord.com/channels/1/2",
    }
    fields.update(changes)
    return CalendarGroup(**fields)  # type: ignore[arg-type]


def test_weekly_event_with_tzid_rrule_duration_and_exdate() -> None:
    text = build_calendar([group(skipped=frozenset({date(2040, 1, 17), date(2040, 1, 3)}))], NOW)
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert "UID:group-1@peerbot" in lines
    assert "DTSTART;TZID=Europe/London:20400110T180000" in lines  # the 3rd is skipped: the 10th comes first
    assert "DURATION:PT90M" in lines
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU" in lines
    assert "EXDATE;TZID=Europe/London:20400117T180000" in lines
    assert "SUMMARY:Grief circle\\, Tuesdays\\; all welcome" in lines
    assert "DESCRIPTION:A gentle space\\nfor anyone grieving" in lines
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/London" in lines
    assert "DTSTAMP:20400102T120000Z" in lines


def test_one_vtimezone_per_zone_and_events_in_id_order() -> None:
    ny = WeeklyTime(6, time(2, 30), 60, "America/New_York")
    text = build_calendar([group(2, when=ny), group(1), group(3, when=ny)], NOW)
    lines = unfold(text)
    assert lines.count("BEGIN:VTIMEZONE") == 2
    uids = [line for line in lines if line.startswith("UID:")]
    assert uids == ["UID:group-1@peerbot", "UID:group-2@peerbot", "UID:group-3@peerbot"]
    assert "RRULE:FREQ=WEEKLY;BYDAY=SU" in lines


def test_empty_calendar_is_still_valid() -> None:
    lines = unfold(build_calendar([], NOW))
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and "END:VCALENDAR" in lines
