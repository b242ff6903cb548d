"""When groups meet: wall time + zone across DST, skips, first dates, and properties over every time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.groups.schedule import (
    WeeklyTime,
    current_or_next,
    is_meeting_date,
    local_today,
    meeting_on,
    meetings_between,
    meetings_from,
    next_meeting,
    window,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_18_00_london_stays_18_00_local_across_both_clock_changes() -> None:
    # Sundays 18:00; the UK moves to summer time on Sunday 25 March 2040 and back on Sunday 28 October 2040.
    when = WeeklyTime(6, time(18, 0), 90, LONDON)
    spring = meetings_between(when, utc(2040, 3, 17), utc(2040, 4, 2))
    assert [m.start for m in spring] == [utc(2040, 3, 18, 18), utc(2040, 3, 25, 17), utc(2040, 4, 1, 17)]
    autumn = meetings_between(when, utc(2040, 10, 20), utc(2040, 11, 5))
    assert [m.start for m in autumn] == [utc(2040, 10, 21, 17), utc(2040, 10, 28, 18), utc(2040, 11, 4, 18)]
    for meeting in spring + autumn:
        local = meeting.start.astimezone(ZoneInfo(LONDON))
        assert local.time() == time(18, 0)
        assert local.date() == meeting.local_date
        assert meeting.end - meeting.start == timedelta(minutes=90)


def test_spring_forward_gap_moves_the_meeting_forward_by_the_gap() -> None:
    # 02:30 does not exist on Sunday 11 March 2040 in New York (02:00 EST -> 03:00 EDT): documented rule, 03:30 EDT.
    when = WeeklyTime(6, time(2, 30), 60, NEW_YORK)
    meeting = meeting_on(when, date(2040, 3, 11))
    assert meeting.start == utc(2040, 3, 11, 7, 30)
    assert meeting.start.astimezone(ZoneInfo(NEW_YORK)).time() == time(3, 30)
    assert meeting.end == utc(2040, 3, 11, 8, 30)  # still 60 real minutes
    # The weeks around it are at 02:30 local as usual.
    assert meeting_on(when, date(2040, 3, 4)).start == utc(2040, 3, 4, 7, 30)  # EST
    assert meeting_on(when, date(2040, 3, 18)).start == utc(2040, 3, 18, 6, 30)  # EDT
    assert next_meeting(when, utc(2040, 3, 10, 12)) == meeting


def test_fall_back_overlap_takes_the_first_occurrence() -> None:
    when = WeeklyTime(6, time(1, 30), 60, NEW_YORK)
    meeting = meeting_on(when, date(2040, 11, 4))  # 01:30 happens twice: take 01:30 EDT
    assert meeting.start == utc(2040, 11, 4, 5, 30)


def test_a_meeting_may_last_a_whole_day_and_is_current_while_it_runs() -> None:
    when = WeeklyTime(1, time(20, 0), 24 * 60, LONDON)  # Tuesdays 20:00, for 24 hours
    running = meeting_on(when, date(2040, 1, 3))
    now = utc(2040, 1, 4, 10)  # Wednesday morning, still running
    assert current_or_next(when, now) == running
    assert running.is_running(now)
    assert next(meetings_from(when, now)) == running
    assert next_meeting(when, now) == meeting_on(when, date(2040, 1, 10))


def test_next_meeting_is_strictly_after_now() -> None:
    when = WeeklyTime(1, time(18, 0), 60, LONDON)
    start = utc(2040, 1, 3, 18)
    assert next_meeting(when, start - timedelta(seconds=1)).start == start  # type: ignore[union-attr]
    assert next_meeting(when, start).start == start + timedelta(days=7)  # type: ignore[union-attr]


def test_skipped_dates_and_first_date_are_not_meetings() -> None:
    when = WeeklyTime(1, time(18, 0), 60, LONDON, first_date=date(2040, 1, 17))
    now = utc(2040, 1, 2, 12)
    assert next_meeting(when, now).local_date == date(2040, 1, 17)  # type: ignore[union-attr]
    skipped = {date(2040, 1, 17), date(2040, 1, 24)}
    assert next_meeting(when, now, skipped).local_date == date(2040, 1, 31)  # type: ignore[union-attr]
    assert not is_meeting_date(when, date(2040, 1, 10))  # before the first date
    assert not is_meeting_date(when, date(2040, 1, 18))  # a Wednesday
    assert not is_meeting_date(when, date(2040, 1, 17), skipped)
    assert is_meeting_date(when, date(2040, 1, 31), skipped)


def test_meetings_between_lists_a_week_in_order() -> None:
    when = WeeklyTime(4, time(9, 0), 30, "Asia/Tokyo")
    found = meetings_between(when, utc(2040, 1, 1), utc(2040, 1, 29))
    assert [m.local_date for m in found] == [date(2040, 1, d) for d in (6, 13, 20, 27)]
    assert all(m.start.astimezone(ZoneInfo("Asia/Tokyo")).time() == time(9, 0) for m in found)


def test_skips_covering_more_than_a_year_end_the_search() -> None:
    when = WeeklyTime(0, time(9, 0), 30, "UTC")
    every_monday = {date(2040, 1, 2) + timedelta(days=7 * i) for i in range(70)}
    assert next_meeting(when, utc(2040, 1, 1), every_monday) is None


def test_wrong_weekday_and_bad_values_are_refused() -> None:
    when = WeeklyTime(1, time(18, 0), 60, LONDON)
    with pytest.raises(ValueError, match="Wednesday"):
        meeting_on(when, date(2040, 1, 4))
    with pytest.raises(ValueError):
        WeeklyTime(7, time(18, 0), 60, LONDON)
    with pytest.raises(ValueError):
        WeeklyTime(1, time(18, 0), 0, LONDON)
    with pytest.raises(ValueError):
        WeeklyTime(1, time(18, 0), 60, "Mars/Olympus")
    with pytest.raises(ValueError):
        next_meeting(when, datetime(2040, 1, 1))  # noqa: DTZ001 - naive on purpose


def test_local_today_uses_the_groups_zone() -> None:
    assert local_today("Pacific/Auckland", utc(2040, 1, 2, 12)) == date(2040, 1, 3)
    assert local_today("America/Los_Angeles", utc(2040, 1, 2, 3)) == date(2040, 1, 1)


# --------------------------------------------------------------------------------------------------------------------
# Properties over time zones and dates
# --------------------------------------------------------------------------------------------------------------------

ZONES = st.timezone_keys(allow_prefix=False).filter(lambda z: z not in ("Factory", "localtime", "posixrules"))
INSTANTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)).map(  # noqa: DTZ001
    lambda d: d.replace(tzinfo=UTC)
)


def _exists(local_date: date, wall: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(local_date, wall)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


@settings(max_examples=300, deadline=None)
@given(
    tz=ZONES,
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    duration=st.integers(1, 24 * 60),
    now=INSTANTS,
)
def test_next_meeting_is_in_the_future_on_the_right_weekday_at_the_right_local_time(
    tz: str, weekday: int, hour: int, minute: int, duration: int, now: datetime
) -> None:
    wall = time(hour, minute)
    when = WeeklyTime(weekday, wall, duration, tz)
    zone = ZoneInfo(tz)
    meeting = next_meeting(when, now)
    assert meeting is not None
    assert meeting.start > now
    assert meeting.local_date.weekday() == weekday
    assert meeting.end - meeting.start == timedelta(minutes=duration)
    local = meeting.start.astimezone(zone)
    if _exists(meeting.local_date, wall, zone):
        assert local.replace(tzinfo=None) == datetime.combine(meeting.local_date, wall)
    else:  # in a spring-forward gap: moved forward, by less than a day
        shift = local.replace(tzinfo=None) - datetime.combine(meeting.local_date, wall)
        assert timedelta(0) < shift < timedelta(days=1)
    # Nothing was skipped over: the meeting a week earlier starts no later than now.
    assert meeting_on(when, meeting.local_date - timedelta(days=7)).start <= now


@settings(max_examples=150, deadline=None)
@given(tz=ZONES, weekday=st.integers(0, 6), hour=st.integers(0, 23), now=INSTANTS)
def test_meetings_are_a_week_of_local_dates_apart_and_in_order(tz: str, weekday: int, hour: int, now: datetime) -> None:
    when = WeeklyTime(weekday, time(hour, 15), 60, tz)
    found = meetings_between(when, now, now + timedelta(days=35))
    assert len(found) in (4, 5, 6)
    assert all(b.local_date - a.local_date == timedelta(days=7) for a, b in pairwise(found))
    assert all(a.start < b.start for a, b in pairwise(found))
    assert all(now <= m.start < now + timedelta(days=35) for m in found)


@settings(max_examples=200, deadline=None)
@given(
    tz=ZONES,
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    duration=st.integers(1, 24 * 60),
    now=INSTANTS,
    days=st.integers(1, 30),
    first_in=st.integers(-20, 20),
    skip=st.sets(st.integers(0, 5), max_size=3),
)
def test_window_agrees_with_meetings_between(
    tz: str, weekday: int, hour: int, duration: int, now: datetime, days: int, first_in: int, skip: set[int]
) -> None:
    today = now.date()
    first = today + timedelta(days=first_in + (weekday - (today + timedelta(days=first_in)).weekday()) % 7)
    when = WeeklyTime(weekday, time(hour, 30), duration, tz, first_date=first)
    skipped = {first + timedelta(days=7 * k) for k in skip}
    end = now + timedelta(days=days)
    inside, after = window(when, now, end, skipped)
    assert inside == meetings_between(when, now, end, skipped)
    following = next((m for m in meetings_from(when, now, skipped) if m.start >= end), None)
    assert after == (following.start if following else None)
