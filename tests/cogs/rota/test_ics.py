"""Tests for cogs.rota.ics: the .ics is parsed back by a small RFC 5545 reader (unfolding, params, escapes) and its
VTIMEZONE offsets are checked against zoneinfo."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cogs.rota.ics import build_calendar, escape_text, fold_line
from cogs.rota.schedule import Override, RotaShift, Shift

NY = "America/New_York"
LONDON = "Europe/London"
NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)  # a Wednesday
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


# --------------------------------------------------------------------------------------------------------------------
# A small reader
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Prop:
        (found,) = [p for p in self.props if p.name == name]
        return found

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]

    def subs(self, name: str) -> list[Component]:
        return [c for c in self.children if c.name == name]


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    for line in physical:
        assert "\n" not in line and "\r" not in line, "bare CR or LF"
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
    logical: list[str] = []
    for line in physical:
        if line[:1] in (" ", "\t"):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def parse_prop(line: str) -> Prop:
    match = re.match(r'^([A-Z0-9-]+)((?:;[A-Z0-9-]+=(?:"[^"]*"|[^;:,"]*))*):(.*)$', line)
    assert match, f"malformed content line {line!r}"
    params = dict(re.findall(r';([A-Z0-9-]+)=("[^"]*"|[^;:,"]*)', match[2]))
    return Prop(match[1], {k: v.strip('"') for k, v in params.items()}, match[3])


def parse(text: str) -> Component:
    stack = [Component("ROOT")]
    for line in unfold(text):
        prop = parse_prop(line)
        if prop.name == "BEGIN":
            child = Component(prop.value)
            stack[-1].children.append(child)
            stack.append(child)
        elif prop.name == "END":
            assert stack.pop().name == prop.value
        else:
            stack[-1].props.append(prop)
    assert len(stack) == 1
    (calendar_component,) = stack[0].children
    return calendar_component


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def local_value(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%dT%H%M%S")  # noqa: DTZ007 - floating local time by design


# --------------------------------------------------------------------------------------------------------------------
# Content lines
# --------------------------------------------------------------------------------------------------------------------


class TestContentLines:
    def test_escape(self) -> None:
        assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
        assert unescape(escape_text("a,b;c\\d\ne")) == "a,b;c\\d\ne"

    def test_fold_boundary(self) -> None:
        assert fold_line("X" * 75) == "X" * 75
        folded = fold_line("X" * 76)
        assert folded == "X" * 75 + "\r\n " + "X"

    def test_fold_never_splits_utf8(self) -> None:
        line = "SUMMARY:" + "é🙂" * 60
        physical = fold_line(line).split("\r\n")
        assert all(len(p.encode()) <= 75 for p in physical)
        assert physical[0] + "".join(p[1:] for p in physical[1:]) == line


# --------------------------------------------------------------------------------------------------------------------
# Calendar structure
# --------------------------------------------------------------------------------------------------------------------

ALICE_EVENING = RotaShift(12, 1, "Alice", Shift(MON, time(18), time(22), LONDON))
ALICE_NIGHT = RotaShift(13, 1, "Alice", Shift(FRI, time(22), time(6), NY))


class TestCalendar:
    def test_structure(self) -> None:
        cal = parse(build_calendar([ALICE_EVENING, ALICE_NIGHT], NOW))
        assert cal.name == "VCALENDAR"
        assert cal.get("VERSION").value == "2.0"
        assert cal.get("PRODID").value
        events = cal.subs("VEVENT")
        assert [e.get("UID").value for e in events] == ["shift-12@peerbot", "shift-13@peerbot"]
        for event in events:
            assert event.get("DTSTAMP").value == "20250312T120000Z"

    def test_weekly_event_fields(self) -> None:
        cal = parse(build_calendar([ALICE_EVENING], NOW))
        (event,) = cal.subs("VEVENT")
        start, end = event.get("DTSTART"), event.get("DTEND")
        assert start.params == {"TZID": LONDON} and end.params == {"TZID": LONDON}
        assert local_value(start.value) == datetime(2025, 3, 17, 18)  # noqa: DTZ001
        assert local_value(end.value) == datetime(2025, 3, 17, 22)  # noqa: DTZ001
        assert event.get("RRULE").value == "FREQ=WEEKLY;BYDAY=MO"
        assert "Mon 18:00-22:00 (Europe/London)" in unescape(event.get("DESCRIPTION").value)

    def test_overnight_ends_next_day(self) -> None:
        (event,) = parse(build_calendar([ALICE_NIGHT], NOW)).subs("VEVENT")
        assert event.get("DTSTART").value == "20250314T220000"
        assert event.get("DTEND").value == "20250315T060000"
        assert event.get("RRULE").value == "FREQ=WEEKLY;BYDAY=FR"

    def test_dtstart_is_running_occurrence(self) -> None:
        mid_shift = datetime(2025, 3, 17, 19, tzinfo=UTC)
        (event,) = parse(build_calendar([ALICE_EVENING], mid_shift)).subs("VEVENT")
        assert event.get("DTSTART").value == "20250317T180000"

    def test_uids_stable_across_exports(self) -> None:
        first = parse(build_calendar([ALICE_EVENING, ALICE_NIGHT], NOW))
        later = parse(build_calendar([ALICE_NIGHT, ALICE_EVENING], NOW + timedelta(days=30)))
        assert [e.get("UID").value for e in first.subs("VEVENT")] == [e.get("UID").value for e in later.subs("VEVENT")]

    def test_exdates_for_given_away_occurrences(self) -> None:
        overrides = [
            Override(12, date(2025, 3, 24), 2, "Bob"),
            Override(12, date(2025, 3, 31)),
            Override(12, date(2025, 4, 7), 1, "Alice"),  # handed back to the owner: no EXDATE
            Override(12, date(2025, 3, 10), 2, "Bob"),  # before DTSTART: dropped
            Override(99, date(2025, 3, 24), 2, "Bob"),  # another shift
        ]
        (event,) = parse(build_calendar([ALICE_EVENING], NOW, overrides=overrides)).subs("VEVENT")
        exdates = event.all("EXDATE")
        assert [p.value for p in exdates] == ["20250324T180000", "20250331T180000"]
        assert all(p.params == {"TZID": LONDON} for p in exdates)

    def test_cover_events(self) -> None:
        bobs = RotaShift(40, 2, "Bob, the; builder", Shift(WED, time(9), time(12), NY))
        cal = parse(build_calendar([], NOW, covers=[(bobs, date(2025, 3, 19))]))
        (event,) = cal.subs("VEVENT")
        assert event.get("UID").value == "cover-40-20250319@peerbot"
        assert event.all("RRULE") == []
        assert event.get("DTSTART").value == "20250319T090000"
        assert unescape(event.get("SUMMARY").value) == "Peer-support duty (covering for Bob, the; builder)"

    def test_long_unicode_text_folds_and_round_trips(self) -> None:
        summary = "Écoute bénévole; soutien, nuit \\ 🙂 " * 6
        text = build_calendar([ALICE_EVENING], NOW, summary=summary, calendar_name="Rota, team 🌙")
        cal = parse(text)
        assert unescape(cal.subs("VEVENT")[0].get("SUMMARY").value) == summary
        assert unescape(cal.get("X-WR-CALNAME").value) == "Rota, team 🌙"
        assert any(line.startswith(" ") for line in text.split("\r\n"))

    def test_crlf_only(self) -> None:
        text = build_calendar([ALICE_EVENING, ALICE_NIGHT], NOW)
        assert "\n" not in text.replace("\r\n", "")
        assert "\r" not in text.replace("\r\n", "")

    def test_vtimezone_optional(self) -> None:
        with_tz = parse(build_calendar([ALICE_EVENING, ALICE_NIGHT], NOW))
        assert sorted(c.get("TZID").value for c in with_tz.subs("VTIMEZONE")) == [NY, LONDON]
        without = parse(build_calendar([ALICE_EVENING], NOW, include_vtimezone=False))
        assert without.subs("VTIMEZONE") == []

    def test_naive_now_rejected(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            build_calendar([ALICE_EVENING], datetime(2025, 1, 1))  # noqa: DTZ001

    def test_icalendar_library_reads_it_when_installed(self) -> None:
        icalendar = pytest.importorskip("icalendar")
        cal = icalendar.Calendar.from_ical(build_calendar([ALICE_EVENING, ALICE_NIGHT], NOW))
        events = [c for c in cal.walk("VEVENT")]
        assert [str(e["UID"]) for e in events] == ["shift-12@peerbot", "shift-13@peerbot"]
        assert events[1]["DTSTART"].dt == datetime(2025, 3, 14, 22, tzinfo=ZoneInfo(NY))


# --------------------------------------------------------------------------------------------------------------------
# VTIMEZONE offsets agree with zoneinfo
# --------------------------------------------------------------------------------------------------------------------


def _offset(value: str) -> timedelta:
    sign = -1 if value[0] == "-" else 1
    hours, minutes, seconds = int(value[1:3]), int(value[3:5]), int(value[5:7] or 0)
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _rrule_dates(rule: str, first: datetime, last_year: int) -> list[datetime]:
    parts = dict(item.split("=") for item in rule.split(";"))
    assert parts["FREQ"] == "YEARLY" and set(parts) == {"FREQ", "BYMONTH", "BYDAY"}
    month = int(parts["BYMONTH"])
    nth, weekday = int(parts["BYDAY"][:-2]), ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(parts["BYDAY"][-2:])
    found = []
    for year in range(first.year, last_year + 1):
        days = [
            d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday
        ]
        found.append(datetime.combine(date(year, month, days[nth - 1 if nth > 0 else nth]), first.time()))
    assert found[0] == first, "DTSTART must be the first onset of the rule"
    return found


def vtimezone_offsets(component: Component, last_year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """Onsets (UTC instant, offset before, offset after), sorted."""
    onsets = []
    for observance in component.children:
        start = local_value(observance.get("DTSTART").value)
        before, after = _offset(observance.get("TZOFFSETFROM").value), _offset(observance.get("TZOFFSETTO").value)
        rules = observance.all("RRULE")
        walls = _rrule_dates(rules[0].value, start, last_year) if rules else [start]
        onsets += [((wall - before).replace(tzinfo=UTC), before, after) for wall in walls]
    return sorted(onsets)


def offset_at(onsets: list[tuple[datetime, timedelta, timedelta]], instant: datetime) -> timedelta:
    current = onsets[0][1]
    for at, _, after in onsets:
        if at > instant:
            break
        current = after
    return current


@pytest.mark.parametrize(
    ("tz", "uses_rrule"),
    [
        (NY, True),
        (LONDON, True),
        ("Australia/Sydney", True),
        ("Australia/Lord_Howe", True),
        ("Europe/Dublin", True),
        ("Pacific/Chatham", True),
        ("America/St_Johns", True),
        ("America/Santiago", False),
        ("Asia/Jerusalem", False),
        ("Africa/Casablanca", False),
        ("Asia/Kolkata", False),
        ("America/Sao_Paulo", False),
        ("UTC", False),
    ],
)
def test_vtimezone_matches_zoneinfo(tz: str, uses_rrule: bool) -> None:
    shift = RotaShift(1, 1, "A", Shift(MON, time(9), time(10), tz))
    (component,) = parse(build_calendar([shift], NOW)).subs("VTIMEZONE")
    assert component.get("TZID").value == tz
    assert any(c.all("RRULE") for c in component.children) is uses_rrule
    last_year = 2045 if uses_rrule else 2036
    onsets = vtimezone_offsets(component, last_year)
    zone = ZoneInfo(tz)
    probes = [datetime(2024, 1, 1, 5, tzinfo=UTC) + timedelta(days=3 * i, hours=i % 24) for i in range(365 * 4)]
    probes = [p for p in probes if p.year <= last_year]
    probes += [at + delta for at, _, _ in onsets for delta in (timedelta(seconds=-1), timedelta(0))]
    for probe in probes:
        if datetime(2024, 1, 1, tzinfo=UTC) <= probe < datetime(last_year + 1, 1, 1, tzinfo=UTC):
            assert offset_at(onsets, probe) == probe.astimezone(zone).utcoffset(), (tz, probe)
