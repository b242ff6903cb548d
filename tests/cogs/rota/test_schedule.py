"""Tests for cogs.rota.schedule: occurrences across DST, overnight shifts, restarts, covers and duty intervals."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.rota.schedule import (
    DEFAULT_DUTY_LENGTH,
    Duty,
    Interval,
    Occurrence,
    Override,
    RotaShift,
    Shift,
    ShiftError,
    ShiftKind,
    active_block,
    classify_shift_times,
    current_occurrence,
    duties_between,
    intervals_for,
    is_on_duty,
    manual_duty,
    merge_intervals,
    next_occurrence,
    occurrence_on,
    occurrences_between,
    occurrences_from,
    resolve_wall_time,
    role_ends_at,
)

NY = "America/New_York"
LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"
LORD_HOWE = "Australia/Lord_Howe"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(tz: str, occ_instant: datetime) -> datetime:
    return occ_instant.astimezone(ZoneInfo(tz))


# --------------------------------------------------------------------------------------------------------------------
# Concrete DST cases
# --------------------------------------------------------------------------------------------------------------------


class TestNewYork:
    def test_evening_shift_keeps_wall_time_across_spring_forward(self) -> None:
        shift = Shift(SUN, time(18), time(22), NY)
        before = occurrence_on(shift, date(2024, 3, 3))
        after = occurrence_on(shift, date(2024, 3, 10))
        assert (before.start, before.end) == (utc(2024, 3, 3, 23), utc(2024, 3, 4, 3))
        assert (after.start, after.end) == (utc(2024, 3, 10, 22), utc(2024, 3, 11, 2))

    def test_role_given_at_right_instant_after_switch(self) -> None:
        shift = Shift(SUN, time(18), time(22), NY)
        first = next_occurrence(shift, utc(2024, 3, 4))
        assert first.start == utc(2024, 3, 10, 22)
        assert first.reminder_at == utc(2024, 3, 10, 21, 30)
        assert next_occurrence(shift, first.start).start == utc(2024, 3, 17, 22)

    def test_start_in_gap_moves_forward_by_the_gap(self) -> None:
        shift = Shift(SUN, time(2, 30), time(4), NY)
        occ = occurrence_on(shift, date(2024, 3, 10))
        assert local(NY, occ.start).time() == time(3, 30)
        assert occ.start == utc(2024, 3, 10, 7, 30)
        assert occ.end == utc(2024, 3, 10, 8)
        assert occ.duration == timedelta(minutes=30)

    def test_ambiguous_start_uses_first_occurrence(self) -> None:
        shift = Shift(SUN, time(1, 30), time(3), NY)
        occ = occurrence_on(shift, date(2024, 11, 3))
        assert occ.start == utc(2024, 11, 3, 5, 30)  # 01:30 EDT
        assert local(NY, occ.start).utcoffset() == timedelta(hours=-4)
        assert occ.end == utc(2024, 11, 3, 8)  # 03:00 EST
        assert occ.duration == timedelta(hours=2, minutes=30)

    @pytest.mark.parametrize(
        ("local_date", "start", "end", "hours"),
        [
            (date(2024, 3, 2), utc(2024, 3, 3, 3), utc(2024, 3, 3, 11), 8),
            (date(2024, 3, 9), utc(2024, 3, 10, 3), utc(2024, 3, 10, 10), 7),
            (date(2024, 11, 2), utc(2024, 11, 3, 2), utc(2024, 11, 3, 11), 9),
        ],
    )
    def test_overnight_shift_crossing_dst(self, local_date: date, start: datetime, end: datetime, hours: int) -> None:
        shift = Shift(SAT, time(22), time(6), NY)
        occ = occurrence_on(shift, local_date)
        assert (occ.start, occ.end) == (start, end)
        assert occ.duration == timedelta(hours=hours)
        assert local(NY, occ.end).time() == time(6)
        assert local(NY, occ.end).date() == local_date + timedelta(days=1)

    def test_restart_mid_overnight_shift_on_dst_night(self) -> None:
        shift = Shift(SAT, time(22), time(6), NY)
        now = utc(2024, 3, 10, 8)  # 04:00 EDT, after the jump
        current = current_occurrence(shift, now)
        assert current is not None
        assert current.local_date == date(2024, 3, 9)
        assert current.end == utc(2024, 3, 10, 10)
        assert next_occurrence(shift, now).local_date == date(2024, 3, 16)

    def test_degenerate_shift_swallowed_by_gap_moves_whole(self) -> None:
        shift = Shift(SUN, time(2, 30), time(3), NY)
        occ = occurrence_on(shift, date(2024, 3, 10))
        assert local(NY, occ.start).time() == time(3, 30)
        assert local(NY, occ.end).time() == time(4)
        assert occ.start < occ.end


class TestLondon:
    def test_gap_hour(self) -> None:
        shift = Shift(SUN, time(1, 30), time(3), LONDON)
        occ = occurrence_on(shift, date(2024, 3, 31))
        assert occ.start == utc(2024, 3, 31, 1, 30)  # 02:30 BST
        assert local(LONDON, occ.start).time() == time(2, 30)
        assert occ.end == utc(2024, 3, 31, 2)  # 03:00 BST

    def test_ambiguous_hour_first(self) -> None:
        shift = Shift(SUN, time(1, 30), time(2), LONDON)
        occ = occurrence_on(shift, date(2024, 10, 27))
        assert occ.start == utc(2024, 10, 27, 0, 30)  # 01:30 BST
        assert occ.end == utc(2024, 10, 27, 2)  # 02:00 GMT
        assert occ.duration == timedelta(hours=1, minutes=30)

    def test_evening_shift_either_side_of_switch(self) -> None:
        shift = Shift(SAT, time(18), time(22), LONDON)
        assert occurrence_on(shift, date(2024, 3, 30)).start == utc(2024, 3, 30, 18)
        assert occurrence_on(shift, date(2024, 4, 6)).start == utc(2024, 4, 6, 17)


class TestSouthernHemisphere:
    def test_sydney_overnight_into_dst_start(self) -> None:
        shift = Shift(SAT, time(20), time(4), SYDNEY)
        occ = occurrence_on(shift, date(2024, 10, 5))
        assert (occ.start, occ.end) == (utc(2024, 10, 5, 10), utc(2024, 10, 5, 17))
        assert occ.duration == timedelta(hours=7)

    def test_sydney_overnight_into_dst_end(self) -> None:
        shift = Shift(SAT, time(20), time(4), SYDNEY)
        occ = occurrence_on(shift, date(2024, 4, 6))
        assert (occ.start, occ.end) == (utc(2024, 4, 6, 9), utc(2024, 4, 6, 18))
        assert occ.duration == timedelta(hours=9)

    def test_sydney_gap_and_next_occurrence(self) -> None:
        shift = Shift(SUN, time(2, 30), time(5), SYDNEY)
        occ = next_occurrence(shift, utc(2024, 10, 1))
        assert occ.local_date == date(2024, 10, 6)
        assert local(SYDNEY, occ.start).time() == time(3, 30)

    def test_lord_howe_half_hour_gap(self) -> None:
        shift = Shift(SUN, time(2, 15), time(3), LORD_HOWE)
        occ = occurrence_on(shift, date(2024, 10, 6))
        assert local(LORD_HOWE, occ.start).time() == time(2, 45)
        assert occ.start == utc(2024, 10, 5, 15, 45)
        assert occ.end == utc(2024, 10, 5, 16)

    def test_lord_howe_half_hour_overlap_first(self) -> None:
        shift = Shift(SUN, time(1, 45), time(3), LORD_HOWE)
        occ = occurrence_on(shift, date(2024, 4, 7))
        assert occ.start == utc(2024, 4, 6, 14, 45)  # +11:00, the first 01:45
        assert occ.end == utc(2024, 4, 6, 16, 30)  # 03:00 +10:30


# --------------------------------------------------------------------------------------------------------------------
# Occurrence lookup semantics
# --------------------------------------------------------------------------------------------------------------------


class TestLookup:
    shift = Shift(MON, time(18), time(22), LONDON)

    def test_exact_start_is_current_not_next(self) -> None:
        start = utc(2024, 1, 8, 18)
        current = current_occurrence(self.shift, start)
        assert current is not None and current.start == start
        assert next_occurrence(self.shift, start).start == utc(2024, 1, 15, 18)

    def test_exact_end_is_over(self) -> None:
        assert current_occurrence(self.shift, utc(2024, 1, 8, 22)) is None
        assert current_occurrence(self.shift, utc(2024, 1, 8, 21, 59, 59)) is not None

    def test_occurrence_on_wrong_weekday(self) -> None:
        with pytest.raises(ShiftError, match="Tuesday"):
            occurrence_on(self.shift, date(2024, 1, 9))

    def test_occurrences_between_overlapping_only(self) -> None:
        found = occurrences_between(self.shift, utc(2024, 1, 8, 21), utc(2024, 1, 22, 18))
        assert [o.local_date for o in found] == [date(2024, 1, 8), date(2024, 1, 15)]

    def test_occurrences_from_starts_with_running(self) -> None:
        first = next(occurrences_from(self.shift, utc(2024, 1, 8, 19)))
        assert first.local_date == date(2024, 1, 8)

    def test_other_zone_now(self) -> None:
        now = datetime(2024, 1, 8, 19, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 10:30 UTC Monday
        assert next_occurrence(self.shift, now).start == utc(2024, 1, 8, 18)

    def test_naive_now_rejected(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            next_occurrence(self.shift, datetime(2024, 1, 8))  # noqa: DTZ001

    def test_midnight_end_same_day_label(self) -> None:
        shift = Shift(FRI, time(18), time(0), NY)
        occ = occurrence_on(shift, date(2024, 1, 5))
        assert occ.duration == timedelta(hours=6)
        assert shift.describe() == "Fri 18:00-00:00 (America/New_York)"

    def test_describe_overnight(self) -> None:
        assert Shift(SUN, time(22), time(6), NY).describe() == "Sun 22:00-Mon 06:00 (America/New_York)"


class TestShiftValidation:
    @pytest.mark.parametrize("weekday", [-1, 7, True])
    def test_bad_weekday(self, weekday: int) -> None:
        with pytest.raises(ShiftError):
            Shift(weekday, time(9), time(10), LONDON)

    def test_zero_length(self) -> None:
        with pytest.raises(ShiftError, match="starts and ends"):
            Shift(MON, time(9), time(9), LONDON)

    def test_unknown_zone(self) -> None:
        with pytest.raises(ShiftError, match="time zone"):
            Shift(MON, time(9), time(10), "Mars/Olympus")

    def test_aware_times_rejected(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            Shift(MON, time(9, tzinfo=UTC), time(10), LONDON)

    def test_wall_length(self) -> None:
        assert Shift(MON, time(22), time(6), LONDON).wall_length == timedelta(hours=8)
        assert Shift(MON, time(22), time(6), LONDON).end_weekday == TUE
        assert Shift(SUN, time(22), time(6), LONDON).end_weekday == MON


class TestClassify:
    @pytest.mark.parametrize(
        ("start", "end", "kind", "hours", "next_day"),
        [
            (time(18), time(22), ShiftKind.NORMAL, 4, False),
            (time(22), time(6), ShiftKind.OVERNIGHT, 8, True),
            (time(18), time(0), ShiftKind.NORMAL, 6, True),
            (time(18), time(6), ShiftKind.OVERNIGHT, 12, True),
            (time(8), time(20), ShiftKind.NORMAL, 12, False),
            (time(8), time(20, 30), ShiftKind.TOO_LONG, 12.5, False),
            (time(14), time(10), ShiftKind.TOO_LONG, 20, True),
            (time(9), time(9), ShiftKind.ZERO_LENGTH, 0, False),
        ],
    )
    def test_kinds(self, start: time, end: time, kind: ShiftKind, hours: float, next_day: bool) -> None:
        check = classify_shift_times(start, end)
        assert check.kind is kind
        assert check.length == timedelta(hours=hours)
        assert check.ends_next_day is next_day
        assert check.ok is (kind in (ShiftKind.NORMAL, ShiftKind.OVERNIGHT))
        assert check.message

    def test_messages(self) -> None:
        assert "next day" in classify_shift_times(time(22), time(6)).message
        assert "swap" in classify_shift_times(time(14), time(10)).message
        assert "at most 12 h" in classify_shift_times(time(14), time(10)).message
        assert "different end" in classify_shift_times(time(9), time(9)).message

    def test_custom_max(self) -> None:
        assert classify_shift_times(time(9), time(14), max_length=timedelta(hours=4)).kind is ShiftKind.TOO_LONG


# --------------------------------------------------------------------------------------------------------------------
# Covers, manual duty and the interval union
# --------------------------------------------------------------------------------------------------------------------


class TestDuties:
    alice = RotaShift(1, 100, "Alice", Shift(MON, time(9), time(12), LONDON))
    bob = RotaShift(2, 200, "Bob", Shift(MON, time(11), time(14), LONDON))

    def test_no_overrides(self) -> None:
        duties = duties_between([self.alice, self.bob], [], utc(2024, 1, 8), utc(2024, 1, 9))
        assert [(d.volunteer_name, d.interval.start.hour) for d in duties] == [("Alice", 9), ("Bob", 11)]
        assert all(not d.is_cover for d in duties)

    def test_cover_takes_occurrence(self) -> None:
        cover = Override(1, date(2024, 1, 8), 300, "Cara")
        duties = duties_between([self.alice, self.bob], [cover], utc(2024, 1, 8), utc(2024, 1, 16))
        names = [(d.volunteer_name, d.local_date, d.is_cover) for d in duties if d.shift_id == 1]
        assert names == [("Cara", date(2024, 1, 8), True), ("Alice", date(2024, 1, 15), False)]

    def test_uncovered_override_drops_occurrence(self) -> None:
        duties = duties_between([self.alice], [Override(1, date(2024, 1, 8))], utc(2024, 1, 8), utc(2024, 1, 9))
        assert duties == []

    def test_override_back_to_owner_keeps_it(self) -> None:
        duties = duties_between(
            [self.alice], [Override(1, date(2024, 1, 8), 100, "A")], utc(2024, 1, 8), utc(2024, 1, 9)
        )
        assert [(d.volunteer_name, d.is_cover) for d in duties] == [("Alice", False)]

    def test_role_spans_shift_plus_manual_duty(self) -> None:
        duties = duties_between([self.alice], [], utc(2024, 1, 8), utc(2024, 1, 9))
        manual = manual_duty(utc(2024, 1, 8, 11, 30), 3)
        intervals = [*intervals_for(duties, 100), manual]
        assert is_on_duty(intervals, utc(2024, 1, 8, 12, 15))
        assert role_ends_at(intervals, utc(2024, 1, 8, 9, 5)) == utc(2024, 1, 8, 14, 30)
        assert role_ends_at(intervals, utc(2024, 1, 8, 15)) is None
        assert intervals_for(duties, 200) == []


class TestManualDuty:
    def test_default(self) -> None:
        assert manual_duty(utc(2024, 1, 1)).duration == DEFAULT_DUTY_LENGTH

    def test_max_ok_and_converted_to_utc(self) -> None:
        start = datetime(2024, 1, 1, 9, tzinfo=ZoneInfo(NY))
        interval = manual_duty(start, 12)
        assert interval.duration == timedelta(hours=12)
        assert interval.start == utc(2024, 1, 1, 14) and interval.start.tzinfo is UTC

    @pytest.mark.parametrize("hours", [0, -1, 12.01, math.nan, math.inf, 1e300])
    def test_rejected(self, hours: float) -> None:
        with pytest.raises(ShiftError):
            manual_duty(utc(2024, 1, 1), hours)


class TestIntervals:
    def test_touching_merge(self) -> None:
        merged = merge_intervals(
            [Interval(utc(2024, 1, 1, 10), utc(2024, 1, 1, 12)), Interval(utc(2024, 1, 1, 8), utc(2024, 1, 1, 10))]
        )
        assert merged == [Interval(utc(2024, 1, 1, 8), utc(2024, 1, 1, 12))]

    def test_nested_and_disjoint(self) -> None:
        a = Interval(utc(2024, 1, 1, 8), utc(2024, 1, 1, 18))
        b = Interval(utc(2024, 1, 1, 9), utc(2024, 1, 1, 10))
        c = Interval(utc(2024, 1, 2, 9), utc(2024, 1, 2, 10))
        assert merge_intervals([c, b, a]) == [a, c]
        assert active_block([a, b, c], utc(2024, 1, 1, 12)) == a
        assert active_block([a, b, c], utc(2024, 1, 1, 20)) is None

    def test_validation(self) -> None:
        with pytest.raises(ValueError, match="start < end"):
            Interval(utc(2024, 1, 1), utc(2024, 1, 1))
        with pytest.raises(ValueError, match="aware"):
            Interval(datetime(2024, 1, 1), utc(2024, 1, 2))  # noqa: DTZ001
        assert not Interval(utc(2024, 1, 1), utc(2024, 1, 2)).overlaps(Interval(utc(2024, 1, 2), utc(2024, 1, 3)))


def test_resolve_wall_time_matches_rules() -> None:
    zone = ZoneInfo(NY)
    assert resolve_wall_time(date(2024, 3, 10), time(2, 30), zone) == utc(2024, 3, 10, 7, 30)
    assert resolve_wall_time(date(2024, 11, 3), time(1, 30, fold=1), zone) == utc(2024, 11, 3, 5, 30)


# --------------------------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------------------------

ZONES = [
    NY,
    LONDON,
    SYDNEY,
    LORD_HOWE,
    "Europe/Dublin",
    "Pacific/Chatham",
    "America/Santiago",
    "America/St_Johns",
    "Asia/Kolkata",
    "UTC",
]


def _transitions(tz: str, years: range) -> list[tuple[str, datetime]]:
    """(zone, exact UTC instant) of each offset change in ``years``, found by a 6-hour scan and bisection."""
    zone = ZoneInfo(tz)
    found = []
    cursor = datetime(years.start, 1, 1, tzinfo=UTC)
    while cursor.year < years.stop:
        step = cursor + timedelta(hours=6)
        if cursor.astimezone(zone).utcoffset() != step.astimezone(zone).utcoffset():
            low, high = cursor, step
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
                same = middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            found.append((tz, high))
        cursor = step
    return found


TRANSITIONS = [t for tz in ZONES for t in _transitions(tz, range(2023, 2027))]

minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
tricky_times = st.sampled_from(
    [time(0), time(0, 30), time(1), time(1, 30), time(2), time(2, 15), time(2, 30), time(3), time(23, 30)]
)
any_time = st.one_of(minute_times, tricky_times)


@st.composite
def random_cases(draw: st.DrawFn) -> tuple[Shift, datetime]:
    """Any shift in any of ZONES, any instant in 2001-2037."""
    start = draw(any_time)
    end = draw(any_time.filter(lambda t: t != start))
    shift = Shift(draw(st.integers(0, 6)), start, end, draw(st.sampled_from(ZONES)))
    naive = draw(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2037, 12, 31)))  # noqa: DTZ001
    return shift, naive.replace(tzinfo=UTC)


def _plus_minutes(wall: time, minutes: int) -> time:
    return (datetime.combine(date(2000, 1, 1), wall) + timedelta(minutes=minutes)).time()


@st.composite
def dst_cases(draw: st.DrawFn) -> tuple[Shift, datetime]:
    """A shift on the weekday of a DST transition, starting or ending near its wall time, and an instant shortly
    before (or during) that day, so the next/current occurrence is the one touched by the switch."""
    tz, instant = draw(st.sampled_from(TRANSITIONS))
    before = (instant - timedelta(seconds=1)).astimezone(ZoneInfo(tz))
    wall = (instant + (before.utcoffset() or timedelta(0))).replace(tzinfo=None)  # transition wall time, old offset
    offsets = st.one_of(
        st.sampled_from([-90, -60, -45, -30, -15, 0, 10, 15, 30, 45, 59, 60, 90]), st.integers(-150, 150)
    )
    near = offsets.map(lambda m: _plus_minutes(wall.time(), m))
    start = draw(st.one_of(near, near, any_time))
    end = draw(st.one_of(near, any_time, st.integers(1, 720).map(lambda m: _plus_minutes(start, m))))
    if end == start:
        end = _plus_minutes(start, 30)
    shift = Shift(wall.weekday(), start, end, tz)
    now = instant - timedelta(minutes=draw(st.integers(-12 * 60, 6 * 24 * 60)))
    return shift, now


cases = st.one_of(random_cases(), dst_cases(), dst_cases())

PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _gap_resolved(shift: Shift, occ: Occurrence) -> bool:
    """True when the shift's start wall time does not exist on the occurrence's date."""
    naive = datetime.combine(occ.local_date, shift.start)
    roundtrip = naive.replace(tzinfo=shift.zone).astimezone(UTC).astimezone(shift.zone).replace(tzinfo=None)
    return roundtrip != naive


@PROPERTY
@given(case=cases)
def test_next_occurrence_is_strictly_after_now(case: tuple[Shift, datetime]) -> None:
    shift, now = case
    occ = next_occurrence(shift, now)
    assert occ.start > now
    assert occ.start < occ.end
    assert occ.local_date.weekday() == shift.weekday
    previous = occurrence_on(shift, occ.local_date - timedelta(days=7))
    assert previous.start <= now, "an earlier occurrence also starts after now"


@PROPERTY
@given(case=cases)
def test_current_occurrence_contains_now(case: tuple[Shift, datetime]) -> None:
    shift, now = case
    current = current_occurrence(shift, now)
    upcoming = next_occurrence(shift, now)
    if current is None:
        previous = occurrence_on(shift, upcoming.local_date - timedelta(days=7))
        assert previous.end <= now
    else:
        assert current.start <= now < current.end
        assert upcoming.local_date == current.local_date + timedelta(days=7)


@PROPERTY
@given(case=cases)
def test_start_wall_time_is_requested_except_in_gap(case: tuple[Shift, datetime]) -> None:
    shift, now = case
    occ = next_occurrence(shift, now)
    wall = occ.start.astimezone(shift.zone)
    if _gap_resolved(shift, occ):
        gap = wall.replace(tzinfo=None) - datetime.combine(occ.local_date, shift.start)
        assert timedelta(0) < gap <= timedelta(hours=2)
    else:
        assert (wall.date(), wall.time()) == (occ.local_date, shift.start)
        assert wall.fold == 0, "ambiguous wall times must resolve to the first occurrence"


@PROPERTY
@given(case=cases)
def test_occurrences_advance_one_local_week(case: tuple[Shift, datetime]) -> None:
    shift, now = case
    occ = next_occurrence(shift, now)
    following = next_occurrence(shift, occ.start)
    assert following.local_date == occ.local_date + timedelta(days=7)
    assert following.start > occ.end
    assert abs((following.start - occ.start) - timedelta(days=7)) <= timedelta(hours=2)


@PROPERTY
@given(case=cases)
def test_real_duration_is_wall_length_unless_offset_changes(case: tuple[Shift, datetime]) -> None:
    shift, now = case
    occ = next_occurrence(shift, now)
    same_offset = occ.start.astimezone(shift.zone).utcoffset() == occ.end.astimezone(shift.zone).utcoffset()
    if same_offset and not _gap_resolved(shift, occ):
        assert occ.duration == shift.wall_length
    assert abs(occ.duration - shift.wall_length) <= timedelta(hours=2)


base = datetime(2024, 1, 1, tzinfo=UTC)
intervals = st.builds(
    lambda start, length: Interval(base + timedelta(minutes=start), base + timedelta(minutes=start + length)),
    st.integers(0, 2000),
    st.integers(1, 600),
)


@settings(max_examples=300, deadline=None, database=None)
@given(items=st.lists(intervals, max_size=12), probes=st.lists(st.integers(-10, 2700), max_size=20))
def test_union_never_drops_an_active_interval(items: list[Interval], probes: list[int]) -> None:
    merged = merge_intervals(items)
    for left, right in pairwise(merged):
        assert left.end < right.start, "merged blocks must be disjoint and non-touching"
    points = [base + timedelta(minutes=m) for m in probes]
    points += [i.start for i in items] + [i.end - timedelta(seconds=1) for i in items] + [i.end for i in items]
    for point in points:
        active = [i for i in items if i.contains(point)]
        assert is_on_duty(items, point) == bool(active)
        ends = role_ends_at(items, point)
        if active:
            assert ends is not None and ends >= max(i.end for i in active)
            assert not is_on_duty(items, ends)
        else:
            assert ends is None


def test_duty_dataclass_defaults() -> None:
    duty = Duty(1, "A", Interval(utc(2024, 1, 1), utc(2024, 1, 2)))
    assert duty.shift_id is None and duty.local_date is None and not duty.is_cover
